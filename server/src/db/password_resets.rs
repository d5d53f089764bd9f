//! The password-resets aggregate (`password_resets`): a user's emailed reset links, of which only
//! the token's SHA-256 is stored. The flow lives in `accounts::password_reset`.

use app::domain::ids::UserId;
use sqlx::{Any, Transaction};

use super::{Db, DbError};

/// Deletes the user's unused links (before a new one replaces them).
pub async fn delete_unused(tx: &mut Transaction<'_, Any>, user_id: UserId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert(
    tx: &mut Transaction<'_, Any>,
    user_id: UserId,
    token_hash: &[u8],
    issued_at: i64,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO password_resets (user_id, token_hash, issued_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(issued_at)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A stored reset link.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reset {
    pub id: i64,
    pub user_id: UserId,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn by_token_hash(db: &Db, token_hash: &[u8]) -> Result<Option<Reset>, DbError> {
    Ok(sqlx::query_as("SELECT id, user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db.pool())
        .await?)
}

/// Uses up an unused link inside the completion's transaction; false when it was used already.
pub async fn mark_used(tx: &mut Transaction<'_, Any>, id: i64, at: i64) -> Result<bool, DbError> {
    let used = sqlx::query("UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(used.rows_affected() == 1)
}

/// Deletes the links that expired before `before`; how many.
pub async fn delete_expired_before(db: &Db, before: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM password_resets WHERE expires_at < $1")
        .bind(before)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
