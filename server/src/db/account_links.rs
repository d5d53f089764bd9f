//! The account-links aggregate (`account_links`): emailed links acting on one's own account, by
//! purpose, of which only the token's SHA-256 is stored. The flows live in `accounts::links`.

use app::domain::ids::UserId;
use sqlx::{Any, Transaction};

use super::{Db, DbError};

/// Deletes the user's links of `purpose` (before a new one replaces them).
pub async fn delete_of_user(
    tx: &mut Transaction<'_, Any>,
    user_id: UserId,
    purpose: &str,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM account_links WHERE user_id = $1 AND purpose = $2")
        .bind(user_id)
        .bind(purpose)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a new link stores.
pub struct NewLink<'a> {
    pub user_id: UserId,
    pub purpose: &'a str,
    pub token_hash: &'a [u8],
    pub issued_at: i64,
    pub expires_at: i64,
}

pub async fn insert(tx: &mut Transaction<'_, Any>, new: NewLink<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO account_links (user_id, purpose, token_hash, issued_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new.user_id)
    .bind(new.purpose)
    .bind(new.token_hash)
    .bind(new.issued_at)
    .bind(new.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether the user holds a link of `purpose` that has not expired at `now`.
pub async fn has_unexpired(db: &Db, user_id: UserId, purpose: &str, now: i64) -> Result<bool, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM account_links WHERE user_id = $1 AND purpose = $2 AND expires_at > $3",
    )
    .bind(user_id)
    .bind(purpose)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

/// A stored link.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Link {
    pub id: i64,
    pub user_id: UserId,
    pub expires_at: i64,
}

/// The link of `purpose` whose token hashes to `token_hash`.
pub async fn by_token_hash(db: &Db, token_hash: &[u8], purpose: &str) -> Result<Option<Link>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, expires_at FROM account_links WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash)
    .bind(purpose)
    .fetch_optional(db.pool())
    .await?)
}

/// Deletes a link; true when this call did (of concurrent calls, one).
pub async fn delete(db: &Db, id: i64) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM account_links WHERE id = $1").bind(id).execute(db.pool()).await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the links that expired before `before`; how many.
pub async fn delete_expired_before(db: &Db, before: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM account_links WHERE expires_at < $1")
        .bind(before)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
