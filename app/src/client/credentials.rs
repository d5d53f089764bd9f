//! The credentials a browser derives from a password: the wire's KDF cost (`api::auth::Kdf`)
//! to and from wasm-crypto's, and a new password with a NEW key pair (registration, reset).

#[cfg(feature = "hydrate")]
use crate::api::{account::NewKeyPair, auth::Kdf};

/// The parameters to derive with (wasm-crypto refuses any below its floor).
#[cfg(feature = "hydrate")]
pub fn params(kdf: &Kdf) -> wasm_crypto::KdfParams {
    wasm_crypto::KdfParams {
        memory_kib: kdf.memory_kib,
        iterations: kdf.iterations,
        parallelism: kdf.parallelism,
    }
}

/// The cost of NEW credentials: the portal's default, the only one the server accepts.
#[cfg(feature = "hydrate")]
pub fn default_kdf() -> Kdf {
    let d = wasm_crypto::KdfParams::DEFAULT;
    Kdf { memory_kib: d.memory_kib, iterations: d.iterations, parallelism: d.parallelism }
}

/// A fresh salt, the credentials derived from `password` with it, and a NEW key pair whose
/// private key is wrapped under the password's kek (bound to `username`); with that key.
#[cfg(feature = "hydrate")]
pub fn new_key_pair(username: &str, password: &str) -> Result<(NewKeyPair, wasm_crypto::PrivateKey), String> {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use wasm_crypto::{KdfParams, MasterKey, PrivateKey, Salt};
    let salt = Salt::random();
    let master =
        MasterKey::derive(password.as_bytes(), &salt, KdfParams::DEFAULT).map_err(|e| e.to_string())?;
    let key = PrivateKey::generate();
    let pair = NewKeyPair {
        salt: STANDARD.encode(salt.0),
        kdf: default_kdf(),
        auth_key: STANDARD.encode(master.auth_key().as_bytes()),
        public_key: STANDARD.encode(key.public_key().as_bytes()),
        wrapped_private_key: STANDARD.encode(master.kek().wrap(&key, username).as_bytes()),
    };
    Ok((pair, key))
}
