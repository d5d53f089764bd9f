//! The credentials a browser derives from a password (the password never leaves it): a new
//! account's (registration from an invite, with its NEW key pair and, for a unit's first staff
//! member, the unit key), a changed password's (the same key re-wrapped), a reset password's (a
//! NEW key pair: the old key stays locked under the old password), and the `auth_key` of the
//! password typed again to confirm a sensitive change. Also the wire's KDF cost
//! (`api::auth::Kdf`) to and from wasm-crypto's.

use crate::api::account::{KeyMaterial, MY_KEYS, MY_PASSWORD};
use crate::api::invites::{InviteDetails, INVITE_ACCEPT};
use crate::api::password_reset::{Completed, PASSWORD_RESET_LINK};
use crate::api::{url, with_param};
use crate::client::api::{get_json, post_json, ApiError};

/// Why credentials could not be made or sent. [`std::fmt::Display`] is the sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The portal refused or could not be reached.
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("Enter your password to confirm it is you.")]
    PasswordMissing,
    #[error("Enter your username and password.")]
    LoginIncomplete,
    #[error("Enter the code: 8 digits from the email, or 6 from your authenticator app.")]
    MalformedCode,
    /// The account's salt or wrapped key did not decode.
    #[error("The portal sent unusable key material.")]
    UnusableKeyMaterial,
    /// The current password did not unwrap the private key (DDS's sentence).
    #[error("Entered current password is incorrect!")]
    WrongCurrentPassword,
    /// wasm-crypto refused (its messages never hold key material).
    #[error("{0}")]
    Crypto(String),
    /// The tab's key store (session storage) refused to keep or give the key.
    #[error("{0}")]
    KeyStore(String),
    /// Called during server rendering.
    #[error("{}", crate::client::BROWSER_ONLY)]
    BrowserOnly,
}

/// Pages show errors as sentences; `?` turns a [`CredentialError`] into one.
impl From<CredentialError> for String {
    fn from(err: CredentialError) -> String {
        err.to_string()
    }
}

/// What registration leaves the newcomer with.
#[derive(Debug, Clone)]
pub struct Registered {
    /// The fingerprint of the new public key, to compare with whoever approves.
    pub fingerprint: String,
    /// Whether some access waits for a key holder's approval.
    pub waits: bool,
}

/// What the newcomer typed on the invite's page (checked by the page first).
pub struct NewAccount<'a> {
    pub name: &'a str,
    pub username: &'a str,
    pub password: &'a str,
}

/// Accepts the invite `token`: a NEW key pair and the credentials from the password, and, for a
/// unit's first staff member, the unit's key pair (sealed to the newcomer's key).
pub async fn register(
    token: &str,
    invite: &InviteDetails,
    account: NewAccount<'_>,
) -> Result<Registered, CredentialError> {
    let (body, registered) = registration(invite, &account)?;
    let _: crate::api::invites::Registered =
        post_json(&url(&with_param(INVITE_ACCEPT, token)), &body).await?;
    Ok(registered)
}

/// Completes the reset `token` for `username`: a NEW key pair and credentials from the new
/// password (the old private key cannot be opened without the old password).
pub async fn reset(token: &str, username: &str, password: &str) -> Result<Completed, CredentialError> {
    let body = new_key_pair(username, password)?.0;
    Ok(post_json(&url(&with_param(PASSWORD_RESET_LINK, token)), &body).await?)
}

/// Changes the password of `username`: the private key unwrapped with the `current` password
/// and wrapped again under the `new` one (fresh salt, the default cost).
pub async fn change_password(username: &str, current: &str, new: &str) -> Result<(), CredentialError> {
    let keys: KeyMaterial = get_json(&url(MY_KEYS)).await?;
    let body = rewrap(username, current, new, &keys)?;
    let _: () = post_json(&url(MY_PASSWORD), &body).await?;
    Ok(())
}

/// The `auth_key` of the password the user typed again (to confirm a change of the second
/// factor): derived with the account's salt and cost; the password is not sent.
pub async fn confirm_password(password: &str) -> Result<String, CredentialError> {
    if password.is_empty() {
        return Err(CredentialError::PasswordMissing);
    }
    let keys: KeyMaterial = get_json(&url(MY_KEYS)).await?;
    auth_key(password, &keys)
}

#[cfg(feature = "hydrate")]
use browser::{auth_key, new_key_pair, registration, rewrap};
#[cfg(feature = "hydrate")]
pub use browser::{default_kdf, params};

#[cfg(feature = "hydrate")]
mod browser {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use wasm_crypto::{KdfParams, MasterKey, PrivateKey, Salt, WrappedPrivateKey};

    use super::{CredentialError, NewAccount, Registered};
    use crate::api::account::{KeyMaterial, NewCredentials, NewKeyPair};
    use crate::api::auth::Kdf;
    use crate::api::invites::{InviteDetails, Registration};

    /// The parameters to derive with (wasm-crypto refuses any below its floor).
    pub fn params(kdf: &Kdf) -> KdfParams {
        KdfParams::from(*kdf)
    }

    /// The cost of NEW credentials: the portal's default, the only one the server accepts.
    pub fn default_kdf() -> Kdf {
        Kdf::from(KdfParams::DEFAULT)
    }

    /// The master key of `password` with the account's salt and cost.
    fn master_key(password: &str, keys: &KeyMaterial) -> Result<MasterKey, CredentialError> {
        let salt = STANDARD
            .decode(&keys.salt)
            .ok()
            .and_then(|b| Salt::from_slice(&b).ok())
            .ok_or(CredentialError::UnusableKeyMaterial)?;
        MasterKey::derive(password.as_bytes(), &salt, params(&keys.kdf)).map_err(crypto)
    }

    pub fn auth_key(password: &str, keys: &KeyMaterial) -> Result<String, CredentialError> {
        Ok(STANDARD.encode(master_key(password, keys)?.auth_key().as_bytes()))
    }

    /// A fresh salt, the credentials derived from `password` with it, and a NEW key pair whose
    /// private key is wrapped under the password's kek (bound to `username`); with that key.
    pub fn new_key_pair(username: &str, password: &str) -> Result<(NewKeyPair, PrivateKey), CredentialError> {
        let salt = Salt::random();
        let master = MasterKey::derive(password.as_bytes(), &salt, KdfParams::DEFAULT).map_err(crypto)?;
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

    pub fn registration(
        invite: &InviteDetails,
        account: &NewAccount<'_>,
    ) -> Result<(Registration, Registered), CredentialError> {
        let (credentials, key) = new_key_pair(account.username, account.password)?;
        let user_public_key = credentials.public_key.clone();
        let mut body = Registration {
            name: account.name.to_string(),
            username: account.username.to_string(),
            credentials,
            unit_public_key: None,
            sealed_unit_key: None,
        };
        let staff = invite.role.belongs_to_unit();
        // The unit's first staff member makes its key; everyone else waits for an approval.
        let makes_unit_key = staff && !invite.unit_has_key;
        if makes_unit_key {
            let unit_key = PrivateKey::generate();
            body.unit_public_key = Some(STANDARD.encode(unit_key.public_key().as_bytes()));
            body.sealed_unit_key = Some(
                crate::client::unit_keys::seal_to(&unit_key, &user_public_key)
                    .map_err(CredentialError::Crypto)?,
            );
        }
        let waits = (staff && !makes_unit_key) || !invite.projects.is_empty();
        Ok((body, Registered { fingerprint: key.public_key().fingerprint(), waits }))
    }

    fn crypto(err: wasm_crypto::CryptoError) -> CredentialError {
        CredentialError::Crypto(err.to_string())
    }

    pub fn rewrap(
        username: &str,
        current: &str,
        new: &str,
        keys: &KeyMaterial,
    ) -> Result<NewCredentials, CredentialError> {
        let old = master_key(current, keys)?;
        let wrapped = STANDARD
            .decode(&keys.wrapped_private_key)
            .ok()
            .and_then(|b| WrappedPrivateKey::from_bytes(b).ok())
            .ok_or(CredentialError::UnusableKeyMaterial)?;
        let key = old.kek().unwrap(&wrapped, username).map_err(|_| CredentialError::WrongCurrentPassword)?;
        let new_salt = Salt::random();
        let fresh = MasterKey::derive(new.as_bytes(), &new_salt, KdfParams::DEFAULT).map_err(crypto)?;
        Ok(NewCredentials {
            current_auth_key: STANDARD.encode(old.auth_key().as_bytes()),
            salt: STANDARD.encode(new_salt.0),
            kdf: default_kdf(),
            auth_key: STANDARD.encode(fresh.auth_key().as_bytes()),
            wrapped_private_key: STANDARD.encode(fresh.kek().wrap(&key, username).as_bytes()),
        })
    }
}

// Server rendering never derives credentials (the forms act in the browser only).
#[cfg(not(feature = "hydrate"))]
fn auth_key(_: &str, _: &KeyMaterial) -> Result<String, CredentialError> {
    Err(CredentialError::BrowserOnly)
}

#[cfg(not(feature = "hydrate"))]
fn new_key_pair(_: &str, _: &str) -> Result<(crate::api::account::NewKeyPair, ()), CredentialError> {
    Err(CredentialError::BrowserOnly)
}

#[cfg(not(feature = "hydrate"))]
fn registration(
    _: &InviteDetails,
    _: &NewAccount<'_>,
) -> Result<(crate::api::invites::Registration, Registered), CredentialError> {
    Err(CredentialError::BrowserOnly)
}

#[cfg(not(feature = "hydrate"))]
fn rewrap(
    _: &str,
    _: &str,
    _: &str,
    _: &KeyMaterial,
) -> Result<crate::api::account::NewCredentials, CredentialError> {
    Err(CredentialError::BrowserOnly)
}
