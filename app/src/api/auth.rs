//! Logging in (`/auth/*`): the password never leaves the browser, only the `auth_key` derived
//! from it with the salt and cost pre-login returns.

use serde::{Deserialize, Serialize};

use crate::domain::second_factor::SecondFactor;

pub use crate::domain::account::SignedInUser;

/// `POST` [`PreloginRequest`] → [`Prelogin`].
pub const PRELOGIN: &str = "/auth/prelogin";
/// `POST` [`LoginRequest`] → [`LoginAnswer`].
pub const LOGIN: &str = "/auth/login";
/// `POST` [`SecondFactorRequest`] → [`SignedInUser`].
pub const SECOND_FACTOR: &str = "/auth/second-factor";
/// `POST` (no body) → 204.
pub const LOGOUT: &str = "/auth/logout";
/// `GET` → [`SignedInUser`].
pub const ME: &str = "/auth/me";
/// `GET` → [`SessionKey`]: the server's half of the tab's key store.
pub const SESSION_KEY: &str = "/auth/session-key";

/// The cost of the password's key derivation (Argon2id), as stored per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kdf {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

// The wire's spelling of wasm-crypto's parameters, converted in one place (both ends derive).
#[cfg(any(feature = "ssr", feature = "hydrate"))]
impl From<Kdf> for wasm_crypto::KdfParams {
    fn from(kdf: Kdf) -> Self {
        wasm_crypto::KdfParams {
            memory_kib: kdf.memory_kib,
            iterations: kdf.iterations,
            parallelism: kdf.parallelism,
        }
    }
}

#[cfg(any(feature = "ssr", feature = "hydrate"))]
impl From<wasm_crypto::KdfParams> for Kdf {
    fn from(params: wasm_crypto::KdfParams) -> Self {
        Kdf { memory_kib: params.memory_kib, iterations: params.iterations, parallelism: params.parallelism }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreloginRequest {
    pub username: String,
}

/// The salt (base64) and cost the browser derives the master key with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Prelogin {
    pub salt: String,
    pub kdf: PreloginKdf,
}

/// [`Kdf`] with the algorithm's name (always "argon2id").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreloginKdf {
    pub algorithm: String,
    #[serde(flatten)]
    pub params: Kdf,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    /// base64 of the 32-byte auth_key derived in the browser.
    pub auth_key: String,
}

/// The answer to a login's password step, given only after the password was right: the second
/// factor that comes next ("email" or "totp"), and the account's username as registered,
/// whatever letter case was typed. The private key is wrapped with the registered username in
/// its AAD, so the browser unwraps it with this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginAnswer {
    pub username: String,
    pub second_factor: SecondFactor,
    /// For emailed codes: the address the code went to, partly hidden ("re…@example.com").
    #[serde(default)]
    pub sent_to: Option<String>,
    /// For emailed codes: `false` when no new code was mailed because one went out less than a
    /// minute ago (it is still valid).
    #[serde(default)]
    pub new_code: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorRequest {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionKey {
    pub key: String,
}
