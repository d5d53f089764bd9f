//! Authenticator apps (TOTP: 6 digits, SHA-1, 30 s, ±1 step). A code's time step is never
//! accepted twice. Secrets are stored encrypted under a key derived from the server secret.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use app::domain::ids::UserId;
use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

use super::one_time_code::CodeError;
use super::reauth::PasswordConfirmed;
use super::secret::ServerSecret;
use crate::db::second_factors::{self, TotpSecret};
use crate::db::{now, Db, DbError};

pub const ISSUER: &str = "Data Delivery System";
const DIGITS: usize = 6;
const STEP: u64 = 30;
const SECRET_LEN: usize = 20;

use app::api::account::TotpSetup;

pub use app::domain::second_factor::SecondFactor;

fn totp(secret: Vec<u8>, username: &str) -> TOTP {
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP,
        secret,
        Some(ISSUER.to_string()),
        username.to_string(),
    )
}

/// The time step `code` belongs to, if it matches now ±1 step.
pub fn matching_step(secret: &[u8], code: &str, unix_time: u64) -> Option<u64> {
    let generator = totp(secret.to_vec(), "");
    let current = unix_time / STEP;
    (current.saturating_sub(1)..=current + 1)
        .find(|step| constant_time_eq(generator.generate(step * STEP).as_bytes(), code.trim().as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn sealing_key(secret: &ServerSecret) -> Aes256Gcm {
    Aes256Gcm::new_from_slice(&secret.mac("totp-secret-key", b"")).expect("32-byte key")
}

fn seal(secret: &ServerSecret, user_id: UserId, plain: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let aad = user_id.0.to_be_bytes();
    let ct = sealing_key(secret)
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad: &aad })
        .expect("AES-GCM of 20 bytes");
    [nonce.as_slice(), &ct].concat()
}

fn open(secret: &ServerSecret, user_id: UserId, sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 12 {
        return None;
    }
    let (nonce, ct) = sealed.split_at(12);
    let aad = user_id.0.to_be_bytes();
    sealing_key(secret).decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: &aad }).ok()
}

/// The user's second factor (emailed codes until they choose otherwise).
pub async fn method(db: &Db, user_id: UserId) -> Result<SecondFactor, DbError> {
    match second_factors::method(db, user_id).await? {
        None => Ok(SecondFactor::default()),
        Some(m) => SecondFactor::parse(&m)
            .ok_or_else(|| DbError::Internal(format!("unknown second factor '{m}' in the database"))),
    }
}

/// Starts (or restarts) setting up an authenticator app: a new secret, pending until confirmed.
/// Only after the user gave their password again.
pub async fn begin_setup(
    db: &Db,
    secret: &ServerSecret,
    confirmed: &PasswordConfirmed,
    username: &str,
) -> Result<TotpSetup, DbError> {
    let user_id = confirmed.user_id();
    let mut raw = vec![0u8; SECRET_LEN];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    second_factors::store_pending_totp(db, user_id, &seal(secret, user_id, &raw)).await?;
    let generator = totp(raw.clone(), username);
    let uri = generator.get_url();
    let qr_svg = qrcode::QrCode::new(uri.as_bytes())
        .map(|code| code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build())
        .map_err(|e| DbError::Internal(format!("cannot draw the QR code: {e}")))?;
    Ok(TotpSetup { secret: Secret::Raw(raw).to_encoded().to_string(), uri, qr_svg })
}

/// The time step of `code` under the user's stored secret (decrypted here, never returned).
async fn matching_stored_step(
    db: &Db,
    secret: &ServerSecret,
    user_id: UserId,
    which: TotpSecret,
    code: &str,
) -> Result<Result<u64, CodeError>, DbError> {
    let sealed = second_factors::totp_secret(db, user_id, which).await?;
    let Some(raw) = sealed.and_then(|sealed| open(secret, user_id, &sealed)) else {
        return Ok(Err(CodeError::NoneIssued));
    };
    Ok(matching_step(&raw, code, now() as u64).ok_or(CodeError::Invalid))
}

/// Confirms the pending secret with a code from the app; from then on logins ask for codes.
/// Only after the user gave their password again.
pub async fn confirm_setup(
    db: &Db,
    secret: &ServerSecret,
    confirmed: &PasswordConfirmed,
    code: &str,
) -> Result<Result<(), CodeError>, DbError> {
    let user_id = confirmed.user_id();
    let step = match matching_stored_step(db, secret, user_id, TotpSecret::Pending, code).await? {
        Ok(step) => step,
        Err(err) => return Ok(Err(err)),
    };
    second_factors::activate_totp(db, user_id, step as i64).await?;
    Ok(Ok(()))
}

/// Checks a login code; its time step is used up (never accepted twice).
pub async fn verify_login(
    db: &Db,
    secret: &ServerSecret,
    user_id: UserId,
    code: &str,
) -> Result<Result<(), CodeError>, DbError> {
    let step = match matching_stored_step(db, secret, user_id, TotpSecret::Active, code).await? {
        Ok(step) => step,
        Err(err) => return Ok(Err(err)),
    };
    let used = second_factors::use_totp_step(db, user_id, step as i64).await?;
    Ok(if used { Ok(()) } else { Err(CodeError::Reused) })
}

/// Back to emailed codes (a Super Admin's reset, or the user's own choice).
pub async fn reset(db: &Db, user_id: UserId) -> Result<(), DbError> {
    second_factors::reset_to_email(db, user_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_within_one_step_of_drift() {
        let secret = [7u8; SECRET_LEN];
        let generator = totp(secret.to_vec(), "alice");
        let now = 1_700_000_000u64;
        let step = now / STEP;
        for drift in [-1i64, 0, 1] {
            let at = (step as i64 + drift) as u64 * STEP;
            assert_eq!(
                matching_step(&secret, &generator.generate(at), now),
                Some(step.checked_add_signed(drift).unwrap())
            );
        }
        assert_eq!(matching_step(&secret, &generator.generate((step + 2) * STEP), now), None);
        assert_eq!(matching_step(&secret, "12345", now), None);
    }

    #[test]
    fn sealed_secrets_open_only_for_their_user() {
        let server = ServerSecret::from_bytes(vec![1; 32]);
        let sealed = seal(&server, UserId(5), b"totp secret bytes!!!");
        assert_eq!(open(&server, UserId(5), &sealed).unwrap(), b"totp secret bytes!!!");
        assert!(open(&server, UserId(6), &sealed).is_none());
        assert!(open(&ServerSecret::from_bytes(vec![2; 32]), UserId(5), &sealed).is_none());
    }
}
