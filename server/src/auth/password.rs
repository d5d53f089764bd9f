//! Password change. The password never reaches the server: the browser re-derives its keys and
//! sends the new credentials (salt, KDF cost, auth_key, the *same* private key wrapped under the
//! new kek), proving the current password with the current auth_key.

use app::api::account::{KeyMaterial, NewCredentials};
use app::api::auth::Kdf;
use app::domain::ids::UserId;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use wasm_crypto::keys::WRAPPED_KEY_LEN;

use super::credentials::{decode_field, hash_auth_key, kdf_params, CredentialsError, AUTH_KEY_LEN};
use super::hash_slots::{Busy, HashSlots};
use super::reauth::PasswordConfirmed;
use crate::db::users::{self, StoredCredentials};
use crate::db::{Db, DbError};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// DDS's message.
    #[error("Entered current password is incorrect!")]
    WrongCurrentPassword,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error(transparent)]
    Db(#[from] DbError),
}

pub async fn key_material(db: &Db, user_id: UserId) -> Result<KeyMaterial, DbError> {
    let stored = users::credentials(db, user_id)
        .await?
        .ok_or_else(|| DbError::Rule("This account has no keys yet.".into()))?;
    Ok(KeyMaterial {
        salt: BASE64.encode(&stored.kdf_salt),
        kdf: Kdf {
            memory_kib: stored.kdf_memory_kib as u32,
            iterations: stored.kdf_iterations as u32,
            parallelism: stored.kdf_parallelism as u32,
        },
        public_key: BASE64.encode(&stored.public_key),
        wrapped_private_key: BASE64.encode(&stored.wrapped_private_key),
    })
}

impl From<CredentialsError> for PasswordError {
    fn from(err: CredentialsError) -> Self {
        PasswordError::Invalid(err.to_string())
    }
}

/// New credentials whose fields were decoded and checked.
pub struct CheckedCredentials {
    salt: Vec<u8>,
    params: wasm_crypto::KdfParams,
    auth_key: Vec<u8>,
    wrapped: Vec<u8>,
}

/// Decodes and checks every field of `new` (cheap: before the current password is checked).
pub fn check(new: &NewCredentials) -> Result<CheckedCredentials, PasswordError> {
    Ok(CheckedCredentials {
        salt: decode_field("salt", &new.salt, wasm_crypto::kdf::SALT_LEN)?,
        params: kdf_params(&new.kdf)?,
        auth_key: decode_field("auth_key", &new.auth_key, AUTH_KEY_LEN)?,
        wrapped: decode_field("wrapped_private_key", &new.wrapped_private_key, WRAPPED_KEY_LEN)?,
    })
}

/// Replaces the credentials of the user who just confirmed their current password; the key pair
/// stays (the browser re-wrapped the same private key).
pub async fn change(
    db: &Db,
    hash_slots: &HashSlots,
    confirmed: &PasswordConfirmed,
    new: CheckedCredentials,
) -> Result<(), PasswordError> {
    let user_id = confirmed.user_id();
    let stored = users::credentials(db, user_id).await?.ok_or(PasswordError::WrongCurrentPassword)?;
    let auth_key = new.auth_key;
    let auth_hash = hash_slots.run(move || hash_auth_key(&auth_key)).await?;
    users::set_credentials(
        db,
        user_id,
        &StoredCredentials {
            kdf_salt: new.salt,
            kdf_memory_kib: new.params.memory_kib.into(),
            kdf_iterations: new.params.iterations.into(),
            kdf_parallelism: new.params.parallelism.into(),
            auth_hash,
            // The key pair stays: project access is kept.
            public_key: stored.public_key,
            wrapped_private_key: new.wrapped,
        },
    )
    .await?;
    // A code mailed to a login begun with the old password is void (the handler ends the
    // user's sessions, pending logins included).
    super::one_time_code::revoke(db, user_id).await?;
    Ok(())
}
