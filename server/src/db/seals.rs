//! Private keys sealed to a user's public key (DESIGN §3): the unit key to each staff member
//! (`unit_key_seals`) and a project key to each Researcher member (`project_key_seals`). A seal
//! records the recipient's public key at sealing time; after a password reset (a new key pair)
//! it no longer opens and the user is "access pending" until someone with the key seals again.
//! One place for that rule, whichever key is sealed.

use super::{now, Db, DbError};
use app::domain::ids::UserId;

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
    scope_id: impl Into<i64> + Copy,
    user_id: UserId,
) -> Result<Option<Vec<u8>>, DbError> {
    let (table, scope) = key.table();
    let row: Option<(Vec<u8>,)> = sqlx::query_as(&format!(
        "SELECT s.sealed FROM {table} s JOIN user_credentials c \
         ON c.user_id = s.user_id AND c.public_key = s.recipient_public_key \
         WHERE s.{scope} = $1 AND s.user_id = $2"
    ))
    .bind(Into::<i64>::into(scope_id))
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(sealed,)| sealed))
}

/// Stores (or replaces) the user's seal, made for `recipient_public_key`.
pub async fn store<'e, E>(
    executor: E,
    key: SealedKey,
    scope_id: impl Into<i64> + Copy,
    user_id: UserId,
    recipient_public_key: &[u8],
    sealed: &[u8],
    sealed_by: UserId,
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
    .bind(Into::<i64>::into(scope_id))
    .bind(user_id)
    .bind(recipient_public_key)
    .bind(sealed)
    .bind(sealed_by)
    .bind(now())
    .execute(executor)
    .await?;
    Ok(())
}

/// Removes every seal of the key (nobody opens it any more), inside the caller's transaction.
pub async fn remove_all<'e, E>(
    executor: E,
    key: SealedKey,
    scope_id: impl Into<i64> + Copy,
) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let (table, scope) = key.table();
    sqlx::query(&format!("DELETE FROM {table} WHERE {scope} = $1"))
        .bind(Into::<i64>::into(scope_id))
        .execute(executor)
        .await?;
    Ok(())
}

/// Removes the user's seal of the key, inside the caller's transaction.
pub async fn remove<'e, E>(
    executor: E,
    key: SealedKey,
    scope_id: impl Into<i64> + Copy,
    user_id: UserId,
) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let (table, scope) = key.table();
    sqlx::query(&format!("DELETE FROM {table} WHERE {scope} = $1 AND user_id = $2"))
        .bind(Into::<i64>::into(scope_id))
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Deletes every seal of `key` made for the user, inside the caller's transaction (after a
/// password reset they can never open again).
pub async fn delete_of_user(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: SealedKey,
    user_id: UserId,
) -> Result<(), DbError> {
    let (table, _) = key.table();
    sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1")).bind(user_id).execute(&mut **tx).await?;
    Ok(())
}

/// A person waiting for a key, with everything an approver is shown of them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Waiting {
    pub username: String,
    pub name: String,
    pub email: Option<String>,
    pub role: String,
    pub key_origin: String,
    pub inviter_name: Option<String>,
    pub inviter_username: Option<String>,
    pub public_key: Vec<u8>,
}

/// Everything an approver is shown of a person; the tables joined after it say what they wait for.
const SELECT_WAITING: &str = "SELECT u.username, u.name, e.email, u.role, c.key_origin, \
     inviter.name AS inviter_name, inviter.username AS inviter_username, c.public_key \
     FROM users u JOIN user_credentials c ON c.user_id = u.id \
     LEFT JOIN emails e ON e.user_id = u.id AND e.is_primary = TRUE \
     LEFT JOIN users inviter ON inviter.id = u.invited_by";

/// Who waits for `key` of `scope_id`, by username: active staff of the unit (the unit key) or
/// active members of the project (a project key) without a seal for their current public key.
pub async fn waiting(
    db: &Db,
    key: SealedKey,
    scope_id: impl Into<i64> + Copy,
) -> Result<Vec<Waiting>, DbError> {
    let query = match key {
        SealedKey::Unit => format!(
            "{SELECT_WAITING} LEFT JOIN unit_key_seals s ON s.unit_id = u.unit_id AND s.user_id = u.id \
             AND s.recipient_public_key = c.public_key \
             WHERE u.unit_id = $1 AND u.is_active = TRUE AND s.user_id IS NULL ORDER BY u.username"
        ),
        SealedKey::Project => format!(
            "{SELECT_WAITING} JOIN project_members m ON m.user_id = u.id \
             LEFT JOIN project_key_seals s ON s.project_id = m.project_id AND s.user_id = u.id \
             AND s.recipient_public_key = c.public_key \
             WHERE m.project_id = $1 AND u.is_active = TRUE AND s.user_id IS NULL ORDER BY u.username"
        ),
    };
    Ok(sqlx::query_as(&query).bind(Into::<i64>::into(scope_id)).fetch_all(db.pool()).await?)
}

/// Primary addresses of the active holders who may approve someone waiting for `key` of
/// `scope_id`, except `except_user` (the waiting person): for the unit key its Unit Admins who
/// hold it; for a project key the holders of its unit's key and its Project Owners who hold it.
pub async fn approver_emails(
    db: &Db,
    key: SealedKey,
    scope_id: impl Into<i64> + Copy,
    except_user: UserId,
) -> Result<Vec<String>, DbError> {
    // Holding a key = a seal made for one's current public key.
    const HOLDS_UNIT_KEY: &str = "JOIN user_credentials c ON c.user_id = u.id \
         JOIN unit_key_seals s ON s.unit_id = u.unit_id AND s.user_id = u.id AND s.recipient_public_key = c.public_key \
         JOIN emails e ON e.user_id = u.id AND e.is_primary = TRUE";
    let query = match key {
        SealedKey::Unit => format!(
            "SELECT e.email FROM users u {HOLDS_UNIT_KEY} \
             WHERE u.unit_id = $1 AND u.role = 'Unit Admin' AND u.is_active = TRUE AND u.id <> $2 \
             ORDER BY e.email"
        ),
        SealedKey::Project => format!(
            "SELECT e.email FROM projects p JOIN users u ON u.unit_id = p.unit_id {HOLDS_UNIT_KEY} \
             WHERE p.id = $1 AND u.is_active = TRUE AND u.id <> $2 \
             UNION SELECT e.email FROM project_members m JOIN users u ON u.id = m.user_id \
             JOIN user_credentials c ON c.user_id = u.id \
             JOIN project_key_seals s ON s.project_id = m.project_id AND s.user_id = u.id \
             AND s.recipient_public_key = c.public_key \
             JOIN emails e ON e.user_id = u.id AND e.is_primary = TRUE \
             WHERE m.project_id = $1 AND m.is_owner = TRUE AND u.is_active = TRUE AND u.id <> $2"
        ),
    };
    let rows: Vec<(String,)> = sqlx::query_as(&query)
        .bind(Into::<i64>::into(scope_id))
        .bind(except_user)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(|(email,)| email).collect())
}
