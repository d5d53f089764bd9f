//! Private keys sealed to a user's public key (DESIGN §3): the unit key to each staff member
//! (`unit_key_seals`) and a project key to each Researcher member (`project_key_seals`). A seal
//! records the recipient's public key at sealing time; after a password reset (a new key pair)
//! it no longer opens and the user is "access pending" until someone with the key seals again.
//! One place for that rule, whichever key is sealed.

use super::{now, Db, DbError};

/// Which key a seal carries, and so which table holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedKey {
    /// The unit private key; the scope is a unit id.
    Unit,
    /// A project private key; the scope is a project id.
    Project,
}

impl SealedKey {
    /// (table, scope column). Fixed names: never user input.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            SealedKey::Unit => ("unit_key_seals", "unit_id"),
            SealedKey::Project => ("project_key_seals", "project_id"),
        }
    }
}

/// The user's seal, if it was made for their current public key.
pub async fn current(
    db: &Db,
    key: SealedKey,
    scope_id: i64,
    user_id: i64,
) -> Result<Option<Vec<u8>>, DbError> {
    let (table, scope) = key.table();
    let row: Option<(Vec<u8>,)> = sqlx::query_as(&format!(
        "SELECT s.sealed FROM {table} s JOIN user_credentials c \
         ON c.user_id = s.user_id AND c.public_key = s.recipient_public_key \
         WHERE s.{scope} = $1 AND s.user_id = $2"
    ))
    .bind(scope_id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(sealed,)| sealed))
}

/// Stores (or replaces) the user's seal, made for `recipient_public_key`.
pub async fn store<'e, E>(
    executor: E,
    key: SealedKey,
    scope_id: i64,
    user_id: i64,
    recipient_public_key: &[u8],
    sealed: &[u8],
    sealed_by: i64,
) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let (table, scope) = key.table();
    sqlx::query(&format!(
        "INSERT INTO {table} ({scope}, user_id, recipient_public_key, sealed, sealed_by, sealed_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ({scope}, user_id) DO UPDATE SET \
         recipient_public_key = $3, sealed = $4, sealed_by = $5, sealed_at = $6"
    ))
    .bind(scope_id)
    .bind(user_id)
    .bind(recipient_public_key)
    .bind(sealed)
    .bind(sealed_by)
    .bind(now())
    .execute(executor)
    .await?;
    Ok(())
}

/// Deletes every seal of `key` made for the user, inside the caller's transaction (after a
/// password reset they can never open again).
pub async fn delete_of_user(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: SealedKey,
    user_id: i64,
) -> Result<(), DbError> {
    let (table, _) = key.table();
    sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1")).bind(user_id).execute(&mut **tx).await?;
    Ok(())
}
