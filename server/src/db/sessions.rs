//! The sessions aggregate: tower-sessions records (`sessions`), keyed by the stored form of the
//! session id (`auth::session_store::stored_id`), with the user they belong to.

use super::{Db, DbError};
use app::domain::ids::UserId;

/// A stored record: its JSON data and when it expires.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stored {
    pub data: String,
    pub expires_at: i64,
}

/// What is written of a session.
pub struct Record<'a> {
    pub id: &'a str,
    pub user_id: Option<UserId>,
    pub data: &'a str,
    pub expires_at: i64,
}

/// Inserts a new session; false when the id is taken already (a collision: draw another).
pub async fn insert_new(db: &Db, record: Record<'_>) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(record.id)
    .bind(record.user_id)
    .bind(record.data)
    .bind(record.expires_at)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores a session, replacing what its id held.
pub async fn upsert(db: &Db, record: Record<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET user_id = $2, data = $3, expires_at = $4",
    )
    .bind(record.id)
    .bind(record.user_id)
    .bind(record.data)
    .bind(record.expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The session `id` if it has not expired at `now`.
pub async fn unexpired(db: &Db, id: &str, now: i64) -> Result<Option<Stored>, DbError> {
    Ok(sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
        .bind(id)
        .bind(now)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn delete(db: &Db, id: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(db.pool()).await?;
    Ok(())
}

/// Deletes every session of a user; how many there were.
pub async fn delete_of_user(db: &Db, user_id: UserId) -> Result<u64, DbError> {
    let done =
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(db.pool()).await?;
    Ok(done.rows_affected())
}

/// Deletes the sessions expired at `at`; how many.
pub async fn delete_expired(db: &Db, at: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(at).execute(db.pool()).await?;
    Ok(done.rows_affected())
}
