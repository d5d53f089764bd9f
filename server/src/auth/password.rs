//! Password change. The password never reaches the server: the browser re-derives its keys and
//! sends the new credentials (salt, KDF cost, auth_key, the *same* private key wrapped under the
//! new kek), proving the current password with the current auth_key.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use wasm_crypto::keys::WRAPPED_KEY_LEN;

use super::credentials::{
    decode_field, hash_auth_key, kdf_params, verify_auth_key, CredentialsError, AUTH_KEY_LEN,
};
use crate::db::users::{self, StoredCredentials};
use crate::db::{Db, DbError};

#[derive(Debug, Serialize, Deserialize)]
pub struct Kdf {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

#[derive(Debug, Serialize)]
pub struct KeyMaterial {
    pub salt: String,
    pub kdf: Kdf,
    pub public_key: String,
    pub wrapped_private_key: String,
}

#[derive(Debug, Deserialize)]
pub struct NewCredentials {
    pub current_auth_key: String,
    pub salt: String,
    pub kdf: Kdf,
    pub auth_key: String,
    pub wrapped_private_key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// DDS's message.
    #[error("Entered current password is incorrect!")]
    WrongCurrentPassword,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

pub async fn key_material(db: &Db, user_id: i64) -> Result<KeyMaterial, DbError> {
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

pub async fn change(db: &Db, user_id: i64, new: NewCredentials) -> Result<(), PasswordError> {
    let current = decode_field("current_auth_key", &new.current_auth_key, AUTH_KEY_LEN)?;
    let salt = decode_field("salt", &new.salt, wasm_crypto::kdf::SALT_LEN)?;
    let auth_key = decode_field("auth_key", &new.auth_key, AUTH_KEY_LEN)?;
    let wrapped = decode_field("wrapped_private_key", &new.wrapped_private_key, WRAPPED_KEY_LEN)?;
    let params = kdf_params(&new.kdf)?;
    let stored = users::credentials(db, user_id).await?.ok_or(PasswordError::WrongCurrentPassword)?;
    let old_hash = stored.auth_hash.clone();
    let (ok, new_hash) = tokio::task::spawn_blocking(move || {
        (verify_auth_key(&current, Some(&old_hash)), hash_auth_key(&auth_key))
    })
    .await
    .map_err(|e| PasswordError::Invalid(e.to_string()))?;
    if !ok {
        return Err(PasswordError::WrongCurrentPassword);
    }
    users::set_credentials(
        db,
        user_id,
        &StoredCredentials {
            kdf_salt: salt,
            kdf_memory_kib: params.memory_kib.into(),
            kdf_iterations: params.iterations.into(),
            kdf_parallelism: params.parallelism.into(),
            auth_hash: new_hash,
            // The key pair stays: project access is kept.
            public_key: stored.public_key,
            wrapped_private_key: wrapped,
        },
    )
    .await?;
    Ok(())
}
