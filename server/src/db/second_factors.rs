//! The second-factor aggregate (`second_factors`, one row per user): the chosen method, the
//! emailed code's HMAC with its issue time and failed tries, and the authenticator app's sealed
//! secrets with the last time step used. The rules (validity, cooldown, tries, sealing) live in
//! `auth::one_time_code` and `auth::totp`.

use super::{Db, DbError};
use app::domain::ids::UserId;

/// The user's method as stored (`email` or `totp`), if they have a row.
pub async fn method(db: &Db, user_id: UserId) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT method FROM second_factors WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(method,)| method))
}

/// When the user's outstanding emailed code was issued (`None`: no code, or no row).
pub async fn code_issued_at(db: &Db, user_id: UserId) -> Result<Option<i64>, DbError> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT code_issued_at FROM second_factors WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|(issued,)| issued))
}

/// The outstanding emailed code: its stored hash and issue time.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Code {
    pub code_hash: Option<String>,
    pub code_issued_at: Option<i64>,
}

pub async fn code(db: &Db, user_id: UserId) -> Result<Option<Code>, DbError> {
    Ok(sqlx::query_as("SELECT code_hash, code_issued_at FROM second_factors WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?)
}

/// Stores a new emailed code (replacing the earlier one, its tries back to zero).
pub async fn store_code(db: &Db, user_id: UserId, code_hash: &str, issued_at: i64) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO second_factors (user_id, method, code_hash, code_issued_at, code_failures) \
         VALUES ($1, 'email', $2, $3, 0) \
         ON CONFLICT (user_id) DO UPDATE SET code_hash = $2, code_issued_at = $3, code_failures = 0",
    )
    .bind(user_id)
    .bind(code_hash)
    .bind(issued_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Forgets the outstanding emailed code, on any executor (e.g. a password reset's transaction).
pub async fn clear_code<'e, E>(executor: E, user_id: UserId) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "UPDATE second_factors SET code_hash = NULL, code_issued_at = NULL, code_failures = 0 \
         WHERE user_id = $1",
    )
    .bind(user_id)
    .execute(executor)
    .await?;
    Ok(())
}

/// Counts one try at the code `code_hash` if it is still the user's and has tries left (fewer
/// than `max_failures`): one conditional update, so concurrent tries are all counted. False when
/// nothing was counted.
pub async fn count_code_try(
    db: &Db,
    user_id: UserId,
    code_hash: &str,
    max_failures: i64,
) -> Result<bool, DbError> {
    let counted = sqlx::query(
        "UPDATE second_factors SET code_failures = code_failures + 1 \
         WHERE user_id = $1 AND code_hash = $2 AND code_failures < $3",
    )
    .bind(user_id)
    .bind(code_hash)
    .bind(max_failures)
    .execute(db.pool())
    .await?;
    Ok(counted.rows_affected() == 1)
}

/// Voids the code `code_hash` if it is still the user's and its tries are used up.
pub async fn clear_exhausted_code(
    db: &Db,
    user_id: UserId,
    code_hash: &str,
    max_failures: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE second_factors SET code_hash = NULL, code_issued_at = NULL, code_failures = 0 \
         WHERE user_id = $1 AND code_hash = $2 AND code_failures >= $3",
    )
    .bind(user_id)
    .bind(code_hash)
    .bind(max_failures)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Voids the code `code_hash` if it is still the user's; true when this call did (of
/// concurrent calls, one).
pub async fn clear_this_code(db: &Db, user_id: UserId, code_hash: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE second_factors SET code_hash = NULL, code_issued_at = NULL, code_failures = 0 \
         WHERE user_id = $1 AND code_hash = $2",
    )
    .bind(user_id)
    .bind(code_hash)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores a sealed authenticator secret pending confirmation (the method stays as it is).
pub async fn store_pending_totp(db: &Db, user_id: UserId, sealed: &[u8]) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO second_factors (user_id, method, totp_pending_secret) VALUES ($1, 'email', $2) \
         ON CONFLICT (user_id) DO UPDATE SET totp_pending_secret = $2",
    )
    .bind(user_id)
    .bind(sealed)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Which sealed authenticator secret to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpSecret {
    /// Being set up, not yet confirmed.
    Pending,
    /// In use for logins.
    Active,
}

/// The user's sealed authenticator secret of that kind, if any.
pub async fn totp_secret(db: &Db, user_id: UserId, which: TotpSecret) -> Result<Option<Vec<u8>>, DbError> {
    let query = match which {
        TotpSecret::Pending => "SELECT totp_pending_secret FROM second_factors WHERE user_id = $1",
        TotpSecret::Active => "SELECT totp_secret FROM second_factors WHERE user_id = $1",
    };
    let row: Option<(Option<Vec<u8>>,)> =
        sqlx::query_as(query).bind(user_id).fetch_optional(db.pool()).await?;
    Ok(row.and_then(|(sealed,)| sealed))
}

/// Makes the pending secret the active one, `step` used; emailed codes are voided.
pub async fn activate_totp(db: &Db, user_id: UserId, step: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE second_factors SET method = 'totp', totp_secret = totp_pending_secret, \
         totp_pending_secret = NULL, totp_last_step = $1, code_hash = NULL, code_issued_at = NULL \
         WHERE user_id = $2",
    )
    .bind(step)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Uses up time step `step` if it is later than the last one used; false when it was not.
pub async fn use_totp_step(db: &Db, user_id: UserId, step: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE second_factors SET totp_last_step = $1 WHERE user_id = $2 \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Back to emailed codes: the authenticator secrets are forgotten.
pub async fn reset_to_email(db: &Db, user_id: UserId) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE second_factors SET method = 'email', totp_secret = NULL, totp_pending_secret = NULL, \
         totp_last_step = NULL WHERE user_id = $1",
    )
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(())
}
