//! Messages of the day.

use super::{now, Db, DbError};

/// Active messages, newest first.
pub async fn active_messages(db: &Db) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT message FROM motd WHERE is_active = TRUE ORDER BY created_at DESC, id DESC")
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(message,)| message).collect())
}

pub async fn add(db: &Db, message: &str) -> Result<i64, DbError> {
    let message = message.trim();
    if message.is_empty() {
        return Err(DbError::Rule("No MOTD specified.".into()));
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO motd (message, is_active, created_at) VALUES ($1, TRUE, $2) RETURNING id",
    )
    .bind(message)
    .bind(now())
    .fetch_one(db.pool())
    .await?;
    Ok(id)
}

use app::api::notices::Motd;

pub async fn active(db: &Db) -> Result<Vec<Motd>, DbError> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, message, created_at FROM motd WHERE is_active = TRUE ORDER BY created_at DESC, id DESC",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id, message, created_at)| Motd { id, message, created_at }).collect())
}

/// Deactivates a message; `false` if there is no active message with that id.
pub async fn deactivate(db: &Db, id: i64) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE motd SET is_active = FALSE WHERE id = $1 AND is_active = TRUE")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A message by id, active or not: `(message, is_active)`.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<(String, bool)>, DbError> {
    // The flag is read as an integer: sqlx's Any driver cannot decode SQLite's BOOLEAN.
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT message, CAST(CASE WHEN is_active THEN 1 ELSE 0 END AS BIGINT) FROM motd WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(message, active)| (message, active != 0)))
}
