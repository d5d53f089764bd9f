//! Emailed one-time codes for the second factor: 8 digits, valid 15 minutes, single use, at most
//! [`MAX_FAILURES`] wrong tries, and no new mail within [`RESEND_COOLDOWN_SECS`] of the last.
//! Only an HMAC of the code is stored.

use app::domain::ids::UserId;
use rand::Rng;

use super::secret::ServerSecret;
use crate::db::second_factors::{self, Code};
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

fn code_hash(secret: &ServerSecret, user_id: UserId, code: &str) -> String {
    hex::encode(secret.mac("email-code", format!("{user_id}:{code}").as_bytes()))
}

/// A fresh code to mail, or `None` when one was sent within the cooldown (the user should use
/// that one).
pub async fn issue(db: &Db, secret: &ServerSecret, user_id: UserId) -> Result<Option<String>, DbError> {
    if let Some(issued) = second_factors::code_issued_at(db, user_id).await? {
        if now() - issued < RESEND_COOLDOWN_SECS {
            return Ok(None);
        }
    }
    let code = format!("{:08}", rand::rngs::OsRng.gen_range(0..100_000_000u32));
    second_factors::store_code(db, user_id, &code_hash(secret, user_id, &code), now()).await?;
    Ok(Some(code))
}

/// Forgets the outstanding code (e.g. its mail could not be sent).
pub async fn revoke(db: &Db, user_id: UserId) -> Result<(), DbError> {
    revoke_in(db.pool(), user_id).await
}

/// [`revoke`] on any executor (e.g. inside the transaction of a password reset).
pub async fn revoke_in<'e, E>(executor: E, user_id: UserId) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    second_factors::clear_code(executor, user_id).await
}

/// Checks and consumes a code. Every try is counted BEFORE the comparison, by one conditional
/// update (`code_failures < MAX_FAILURES`), so concurrent guesses cannot compare more than
/// [`MAX_FAILURES`] times between them; the code is consumed by an update that only one request
/// can win.
pub async fn verify(
    db: &Db,
    secret: &ServerSecret,
    user_id: UserId,
    code: &str,
) -> Result<Result<(), CodeError>, DbError> {
    let row = second_factors::code(db, user_id).await?;
    let Some(Code { code_hash: Some(stored), code_issued_at: Some(issued) }) = row else {
        return Ok(Err(CodeError::NoneIssued));
    };
    if now() - issued > VALIDITY_SECS {
        revoke(db, user_id).await?;
        return Ok(Err(CodeError::Expired));
    }
    if !second_factors::count_code_try(db, user_id, &stored, MAX_FAILURES).await? {
        // The tries are used up (or the code was just used or replaced): it is void.
        revoke_code(db, user_id, &stored).await?;
        return Ok(Err(CodeError::NoneIssued));
    }
    let given = code_hash(secret, user_id, code.trim());
    if !constant_time_eq(given.as_bytes(), stored.as_bytes()) {
        second_factors::clear_exhausted_code(db, user_id, &stored, MAX_FAILURES).await?;
        return Ok(Err(CodeError::Invalid));
    }
    // Single use: of concurrent requests with the right code, one consumes it.
    let consumed = revoke_code(db, user_id, &stored).await?;
    Ok(if consumed { Ok(()) } else { Err(CodeError::NoneIssued) })
}

/// Voids the code `stored` (if it is still the user's code); `true` when this call did.
async fn revoke_code(db: &Db, user_id: UserId, stored: &str) -> Result<bool, DbError> {
    second_factors::clear_this_code(db, user_id, stored).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
