//! The signed-in user's own account (`/users/me/*`): keys, password, second factor, and the
//! emailed links for self-deletion and back to emailed codes.

use serde::{Deserialize, Serialize};

use super::auth::Kdf;

/// `GET` → [`KeyMaterial`].
pub const MY_KEYS: &str = "/users/me/keys";
/// `POST` [`NewCredentials`] → 204 (every session of the user ends).
pub const MY_PASSWORD: &str = "/users/me/password";
/// `POST` [`Reauth`] → [`TotpSetup`].
pub const MY_TOTP: &str = "/users/me/totp";
/// `POST` [`ConfirmTotp`] → 204.
pub const MY_TOTP_CONFIRM: &str = "/users/me/totp/confirm";
/// `POST` (no body) → [`super::Message`]: mails a link that confirms the deletion.
pub const MY_DELETION: &str = "/users/me/deletion";
/// `POST` [`Token`] → [`super::Message`].
pub const MY_DELETION_CONFIRM: &str = "/users/me/deletion/confirm";
/// `POST` [`Reauth`] → [`super::Message`]: mails a link back to emailed codes.
pub const MY_EMAIL_CODES: &str = "/users/me/second-factor/email";
/// `POST` (no body, no login) → [`super::Message`]: follows that link.
pub const EMAIL_CODES_ACTIVATION: &str = "/second-factor/email/{token}";

/// The user's key material as stored: KDF salt and cost, public key, wrapped private key (all
/// base64; the browser unwraps the private key with the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyMaterial {
    pub salt: String,
    pub kdf: Kdf,
    pub public_key: String,
    pub wrapped_private_key: String,
}

/// A password change: the current password's auth_key as proof, the new salt, cost and
/// auth_key, and the *same* private key wrapped under the new kek.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCredentials {
    pub current_auth_key: String,
    pub salt: String,
    pub kdf: Kdf,
    pub auth_key: String,
    pub wrapped_private_key: String,
}

/// A password that comes with a NEW key pair (registration by invite, password reset): salt and
/// cost of the key derivation, the auth_key derived from the password, the new public key and
/// the private key wrapped under the new kek.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewKeyPair {
    pub salt: String,
    pub kdf: Kdf,
    pub auth_key: String,
    pub public_key: String,
    pub wrapped_private_key: String,
}

/// The password, given again: its auth_key, re-derived in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reauth {
    pub auth_key: String,
}

/// What the authenticator setup shows: scan the QR code, or type the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
}

/// A code from the new authenticator app, with the password again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmTotp {
    pub code: String,
    pub auth_key: String,
}

/// The token of an emailed link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Token {
    pub token: String,
}
