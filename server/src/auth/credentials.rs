//! The login credential. The browser derives `auth_key` from the password (wasm-crypto); the
//! server stores and checks only Argon2id(auth_key), with the argon2 crate's default parameters
//! (auth_key is already high-entropy: the memory-hard cost is paid in the browser).

use app::api::account::NewKeyPair;
use app::api::auth::Kdf;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use wasm_crypto::keys::WRAPPED_KEY_LEN;
use wasm_crypto::{KdfParams, Salt};

use super::secret::ServerSecret;
use crate::db::users::StoredCredentials;

pub const AUTH_KEY_LEN: usize = 32;
/// X25519 public keys.
pub const PUBLIC_KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// A field the browser sent is malformed or too weak: the sentence says which.
    #[error("{0}")]
    Invalid(String),
    #[error("hashing the authentication key failed: {0}")]
    Hashing(String),
}

/// A base64 field of exactly `len` bytes.
pub fn decode_field(field: &str, value: &str, len: usize) -> Result<Vec<u8>, CredentialsError> {
    match BASE64.decode(value.trim()) {
        Ok(bytes) if bytes.len() == len => Ok(bytes),
        _ => Err(CredentialsError::Invalid(format!("'{field}' must be {len} bytes in base64."))),
    }
}

/// The key-derivation cost the browser used for NEW credentials: exactly the current default
/// ([`KdfParams::DEFAULT`]). Unusual parameters would set an account apart in pre-login answers
/// (unknown names are answered with the default), so they are refused, as is anything below the
/// floor (m >= 19 MiB, t >= 2) with the floor's own sentence.
pub fn kdf_params(kdf: &Kdf) -> Result<KdfParams, CredentialsError> {
    let params = KdfParams::from(*kdf).validate().map_err(|e| CredentialsError::Invalid(e.to_string()))?;
    if params != KdfParams::DEFAULT {
        let d = KdfParams::DEFAULT;
        return Err(CredentialsError::Invalid(format!(
            "The key derivation must use the portal's parameters (memory {} KiB, {} iterations, \
             parallelism {}).",
            d.memory_kib, d.iterations, d.parallelism
        )));
    }
    Ok(params)
}

/// A [`NewKeyPair`] whose fields were decoded and checked.
pub struct CheckedKeyPair {
    params: KdfParams,
    salt: Vec<u8>,
    auth_key: Vec<u8>,
    public_key: Vec<u8>,
    wrapped_private_key: Vec<u8>,
}

/// Decodes every field of a [`NewKeyPair`] (the browser's new password and key pair:
/// registration by invite, password reset) and checks its size and the KDF floor (cheap: call
/// before lookups).
pub fn check_key_pair(new: &NewKeyPair) -> Result<CheckedKeyPair, CredentialsError> {
    Ok(CheckedKeyPair {
        params: kdf_params(&new.kdf)?,
        salt: decode_field("salt", &new.salt, wasm_crypto::kdf::SALT_LEN)?,
        auth_key: decode_field("auth_key", &new.auth_key, AUTH_KEY_LEN)?,
        public_key: decode_field("public_key", &new.public_key, PUBLIC_KEY_LEN)?,
        wrapped_private_key: decode_field("wrapped_private_key", &new.wrapped_private_key, WRAPPED_KEY_LEN)?,
    })
}

impl CheckedKeyPair {
    /// What is stored: auth_key only as its Argon2id hash (computed off the async threads).
    pub async fn into_stored(self) -> Result<StoredCredentials, CredentialsError> {
        let auth_key = self.auth_key;
        let auth_hash = tokio::task::spawn_blocking(move || hash_auth_key(&auth_key))
            .await
            .map_err(|e| CredentialsError::Hashing(e.to_string()))?;
        Ok(StoredCredentials {
            kdf_salt: self.salt,
            kdf_memory_kib: self.params.memory_kib.into(),
            kdf_iterations: self.params.iterations.into(),
            kdf_parallelism: self.params.parallelism.into(),
            auth_hash,
            public_key: self.public_key,
            wrapped_private_key: self.wrapped_private_key,
        })
    }
}

/// What pre-login tells the browser: the salt and cost of its key derivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KdfSetting {
    pub salt: Vec<u8>,
    pub params: KdfParams,
}

/// For unknown usernames: a salt that is stable per name (so repeated pre-logins agree) and
/// looks like any other, with the default parameters (the only ones new credentials may use), so
/// accounts cannot be enumerated.
pub fn fake_kdf_setting(secret: &ServerSecret, username: &str) -> KdfSetting {
    let mac = secret.mac("fake-kdf-salt", username.to_lowercase().as_bytes());
    KdfSetting { salt: mac[..16].to_vec(), params: KdfParams::DEFAULT }
}

/// Argon2id PHC string of an auth_key. CPU-heavy: call from `spawn_blocking`.
pub fn hash_auth_key(auth_key: &[u8]) -> String {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default().hash_password(auth_key, &salt).expect("Argon2 with default parameters").to_string()
}

/// Checks an auth_key against a stored hash; `None` (unknown user) is checked against a dummy
/// hash so that the time taken does not reveal whether the account exists.
pub fn verify_auth_key(auth_key: &[u8], stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_auth_key(&[0u8; AUTH_KEY_LEN]));
    let Ok(hash) = PasswordHash::new(stored.unwrap_or(dummy)) else {
        return false;
    };
    let matches = Argon2::default().verify_password(auth_key, &hash).is_ok();
    matches && stored.is_some()
}

/// Credentials for an account whose password is known to the caller: only `dds init-db dev`
/// uses this (the browser does the same at registration), deriving exactly as the browser does.
pub struct DerivedCredentials {
    pub kdf: KdfSetting,
    pub auth_hash: String,
    pub public_key: Vec<u8>,
    pub wrapped_private_key: Vec<u8>,
}

impl DerivedCredentials {
    /// As stored in `user_credentials`.
    pub fn into_stored(self) -> StoredCredentials {
        StoredCredentials {
            kdf_salt: self.kdf.salt,
            kdf_memory_kib: self.kdf.params.memory_kib.into(),
            kdf_iterations: self.kdf.params.iterations.into(),
            kdf_parallelism: self.kdf.params.parallelism.into(),
            auth_hash: self.auth_hash,
            public_key: self.public_key,
            wrapped_private_key: self.wrapped_private_key,
        }
    }
}

pub fn derive_for_seed(password: &str, username: &str) -> DerivedCredentials {
    let salt = Salt::random();
    let params = KdfParams::DEFAULT;
    let master =
        wasm_crypto::MasterKey::derive(password.as_bytes(), &salt, params).expect("default parameters");
    let key = wasm_crypto::PrivateKey::generate();
    DerivedCredentials {
        kdf: KdfSetting { salt: salt.0.to_vec(), params },
        auth_hash: hash_auth_key(master.auth_key().as_bytes()),
        public_key: key.public_key().as_bytes().to_vec(),
        wrapped_private_key: master.kek().wrap(&key, username).as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_key_verifies_wrong_key_and_unknown_user_do_not() {
        let hash = hash_auth_key(&[7; 32]);
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_auth_key(&[7; 32], Some(&hash)));
        assert!(!verify_auth_key(&[8; 32], Some(&hash)));
        assert!(!verify_auth_key(&[0; 32], None), "the dummy hash never admits anyone");
        assert!(!verify_auth_key(&[7; 32], Some("not a hash")));
    }

    #[test]
    fn fake_salts_are_stable_per_name_and_differ_between_names() {
        let secret = ServerSecret::from_bytes(vec![3; 32]);
        assert_eq!(fake_kdf_setting(&secret, "ghost"), fake_kdf_setting(&secret, "ghost"));
        assert_ne!(fake_kdf_setting(&secret, "ghost").salt, fake_kdf_setting(&secret, "ghost2").salt);
        assert_eq!(fake_kdf_setting(&secret, "ghost").salt.len(), 16);
    }
}
