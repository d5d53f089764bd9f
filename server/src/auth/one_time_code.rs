//! Emailed one-time codes for the second factor: 8 digits, valid 15 minutes, single use, at most
//! [`MAX_FAILURES`] wrong tries, and no new mail within [`RESEND_COOLDOWN_SECS`] of the last.
//! Only an HMAC of the code is stored.

use rand::Rng;

use super::secret::ServerSecret;
use crate::db::{now, Db, DbError};

pub const VALIDITY_SECS: i64 = 15 * 60;
pub const RESEND_COOLDOWN_SECS: i64 = 60;
pub const MAX_FAILURES: i64 = 5;

#[derive(Debug, PartialEq, Eq)]
pub enum CodeError {
    /// DDS: "No one-time authentication code currently issued."
    NoneIssued,
    /// DDS: "One-time authentication code has expired."
    Expired,
    /// DDS: "Invalid one-time authentication code."
    Invalid,
    /// An authenticator code whose time step was already used.
    Reused,
}

impl CodeError {
    pub fn message(&self) -> &'static str {
        match self {
            CodeError::NoneIssued => "No one-time authentication code currently issued.",
            CodeError::Expired => "One-time authentication code has expired.",
            CodeError::Invalid => "Invalid one-time authentication code.",
            CodeError::Reused => {
                "This code was already used. Wait for the next code from your authenticator app."
            }
        }
    }
}

fn code_hash(secret: &ServerSecret, user_id: i64, code: &str) -> String {
    hex::encode(secret.mac("email-code", format!("{user_id}:{code}").as_bytes()))
}

/// A fresh code to mail, or `None` when one was sent within the cooldown (the user should use
/// that one).
pub async fn issue(db: &Db, secret: &ServerSecret, user_id: i64) -> Result<Option<String>, DbError> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT code_issued_at FROM second_factors WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    if let Some((Some(issued),)) = row {
        if now() - issued < RESEND_COOLDOWN_SECS {
            return Ok(None);
        }
    }
    let code = format!("{:08}", rand::rngs::OsRng.gen_range(0..100_000_000u32));
    sqlx::query(
        "INSERT INTO second_factors (user_id, method, code_hash, code_issued_at, code_failures) \
         VALUES ($1, 'email', $2, $3, 0) \
         ON CONFLICT (user_id) DO UPDATE SET code_hash = $2, code_issued_at = $3, code_failures = 0",
    )
    .bind(user_id)
    .bind(code_hash(secret, user_id, &code))
    .bind(now())
    .execute(db.pool())
    .await?;
    Ok(Some(code))
}

/// Forgets the outstanding code (e.g. its mail could not be sent).
pub async fn revoke(db: &Db, user_id: i64) -> Result<(), DbError> {
    revoke_in(db.pool(), user_id).await
}

/// [`revoke`] on any executor (e.g. inside the transaction of a password reset).
pub async fn revoke_in<'e, E>(executor: E, user_id: i64) -> Result<(), DbError>
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

/// Checks and consumes a code. Every try is counted BEFORE the comparison, by one conditional
/// update (`code_failures < MAX_FAILURES`), so concurrent guesses cannot compare more than
/// [`MAX_FAILURES`] times between them; the code is consumed by an update that only one request
/// can win.
pub async fn verify(
    db: &Db,
    secret: &ServerSecret,
    user_id: i64,
    code: &str,
) -> Result<Result<(), CodeError>, DbError> {
    let row: Option<(Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT code_hash, code_issued_at FROM second_factors WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    let Some((Some(stored), Some(issued))) = row else {
        return Ok(Err(CodeError::NoneIssued));
    };
    if now() - issued > VALIDITY_SECS {
        revoke(db, user_id).await?;
        return Ok(Err(CodeError::Expired));
    }
    let counted = sqlx::query(
        "UPDATE second_factors SET code_failures = code_failures + 1 \
         WHERE user_id = $1 AND code_hash = $2 AND code_failures < $3",
    )
    .bind(user_id)
    .bind(&stored)
    .bind(MAX_FAILURES)
    .execute(db.pool())
    .await?;
    if counted.rows_affected() != 1 {
        // The tries are used up (or the code was just used or replaced): it is void.
        revoke_code(db, user_id, &stored).await?;
        return Ok(Err(CodeError::NoneIssued));
    }
    let given = code_hash(secret, user_id, code.trim());
    if !constant_time_eq(given.as_bytes(), stored.as_bytes()) {
        sqlx::query(
            "UPDATE second_factors SET code_hash = NULL, code_issued_at = NULL, code_failures = 0 \
             WHERE user_id = $1 AND code_hash = $2 AND code_failures >= $3",
        )
        .bind(user_id)
        .bind(&stored)
        .bind(MAX_FAILURES)
        .execute(db.pool())
        .await?;
        return Ok(Err(CodeError::Invalid));
    }
    // Single use: of concurrent requests with the right code, one consumes it.
    let consumed = revoke_code(db, user_id, &stored).await?;
    Ok(if consumed { Ok(()) } else { Err(CodeError::NoneIssued) })
}

/// Voids the code `stored` (if it is still the user's code); `true` when this call did.
async fn revoke_code(db: &Db, user_id: i64, stored: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE second_factors SET code_hash = NULL, code_issued_at = NULL, code_failures = 0 \
         WHERE user_id = $1 AND code_hash = $2",
    )
    .bind(user_id)
    .bind(stored)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
