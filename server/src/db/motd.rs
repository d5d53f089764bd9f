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
