//! Logging in and out (DESIGN §3 "Session"). The password never leaves the browser: pre-login
//! gives the salt and cost, the master key is derived here and only its `auth_key` is sent; then
//! the one-time code. Once signed in, the user's private key is unwrapped with the master key's
//! kek and kept for the tab (`keyring`). Logging out forgets the tab's copy.

use crate::api::auth::{
    LoginAnswer, LoginRequest, Prelogin, PreloginRequest, SecondFactorRequest, SignedInUser, LOGIN, LOGOUT,
    PRELOGIN, SECOND_FACTOR,
};
use crate::api::url;
use crate::client::api::{post_empty, post_json};
use crate::client::credentials::CredentialError;
use crate::domain::second_factor::SecondFactor;

/// What unlocks the user's private key once the second factor is given: the master key, held
/// in wasm memory between the two steps (never in the DOM). Opaque to pages.
pub struct Unlocker {
    #[cfg(feature = "hydrate")]
    master: wasm_crypto::MasterKey,
}

/// The password was right: the next step and what it needs.
pub struct PasswordAccepted {
    /// The next step is an authenticator app's code (`false`: an emailed one).
    pub authenticator_app: bool,
    /// The username as registered (the typed one may differ in letter case; the key is bound to
    /// the registered one).
    pub username: String,
    pub unlocker: Unlocker,
    /// Emailed codes: where the code went, partly hidden.
    pub sent_to: Option<String>,
    /// Emailed codes: whether a new code went out (`false`: the one sent less than a minute ago
    /// is still valid).
    pub new_code: bool,
    /// What asks for another emailed code (the password step again, without the password).
    pub resend: Resend,
}

/// The password step's request, kept in wasm memory during the code step so the user can ask for
/// another code without typing the password again. Opaque to pages.
#[derive(Clone)]
pub struct Resend(LoginRequest);

/// The password step: derives the credentials and sends the `auth_key`.
pub async fn log_in(username: &str, password: &str) -> Result<PasswordAccepted, CredentialError> {
    let username = username.trim();
    if username.is_empty() || password.is_empty() {
        return Err(CredentialError::LoginIncomplete);
    }
    let pre: Prelogin = post_json(&url(PRELOGIN), &PreloginRequest { username: username.into() }).await?;
    let (auth_key, unlocker) = derive(password, &pre)?;
    let request = LoginRequest { username: username.into(), auth_key };
    let answer: LoginAnswer = post_json(&url(LOGIN), &request).await?;
    Ok(PasswordAccepted {
        authenticator_app: answer.second_factor == SecondFactor::Totp,
        username: answer.username,
        unlocker,
        sent_to: answer.sent_to,
        new_code: answer.new_code,
        resend: Resend(request),
    })
}

/// Asks for another emailed code; answers what to tell the user (a new code, or that the last
/// one, less than a minute old, is still the one to use).
pub async fn resend_code(resend: &Resend) -> Result<String, CredentialError> {
    let answer: LoginAnswer = post_json(&url(LOGIN), &resend.0).await?;
    let to = answer.sent_to.unwrap_or_else(|| "your primary address".into());
    Ok(if answer.new_code {
        format!("A new code was sent to {to}.")
    } else {
        "The last code was sent less than a minute ago and is still valid: please use it, or ask again in a minute."
            .to_string()
    })
}

/// The one-time code step: 8 digits from the email, or 6 from an authenticator app.
pub async fn second_factor(code: &str) -> Result<(), CredentialError> {
    let code = code.trim();
    if !(code.len() == 6 || code.len() == 8) || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(CredentialError::MalformedCode);
    }
    let _: SignedInUser = post_json(&url(SECOND_FACTOR), &SecondFactorRequest { code: code.into() }).await?;
    Ok(())
}

/// Once signed in: unwraps the user's private key with the kek and keeps it for this tab.
pub async fn unlock_keys(username: &str, unlocker: Unlocker) -> Result<(), CredentialError> {
    #[cfg(feature = "hydrate")]
    {
        browser::unlock_keys(username, unlocker.master).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (username, unlocker);
        Err(CredentialError::BrowserOnly)
    }
}

/// After a password change (which ended every session of the account, this one too): forgets
/// the tab's keys and goes to the login page, which says why.
pub fn signed_out_by_password_change() {
    crate::client::keyring::forget();
    #[cfg(feature = "hydrate")]
    let _ = leptos::prelude::window().location().set_href(PASSWORD_CHANGED);
}

/// The login page as a password change leaves the user there.
pub const PASSWORD_CHANGED: &str = "/login?changed=password";

/// Forgets the tab's keys, ends the session (whatever the portal answers) and goes home.
pub async fn log_out() {
    crate::client::keyring::forget();
    let _ = post_empty::<()>(&url(LOGOUT)).await;
    #[cfg(feature = "hydrate")]
    let _ = leptos::prelude::window().location().set_href("/");
}

#[cfg(feature = "hydrate")]
fn derive(password: &str, pre: &Prelogin) -> Result<(String, Unlocker), CredentialError> {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    let salt = STANDARD
        .decode(&pre.salt)
        .ok()
        .and_then(|bytes| wasm_crypto::Salt::from_slice(&bytes).ok())
        .ok_or(CredentialError::UnusableKeyMaterial)?;
    let params = crate::client::credentials::params(&pre.kdf.params);
    // Refuses parameters below the floor: a server cannot make guessing cheaper.
    let master = wasm_crypto::MasterKey::derive(password.as_bytes(), &salt, params)
        .map_err(|e| CredentialError::Crypto(e.to_string()))?;
    Ok((STANDARD.encode(master.auth_key().as_bytes()), Unlocker { master }))
}

#[cfg(not(feature = "hydrate"))]
fn derive(_password: &str, _pre: &Prelogin) -> Result<(String, Unlocker), CredentialError> {
    Err(CredentialError::BrowserOnly)
}

#[cfg(feature = "hydrate")]
mod browser {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use wasm_crypto::{MasterKey, WrappedPrivateKey};

    use crate::api::account::{KeyMaterial, MY_KEYS};
    use crate::api::url;
    use crate::client::api::get_json;
    use crate::client::credentials::CredentialError;

    pub async fn unlock_keys(username: &str, master: MasterKey) -> Result<(), CredentialError> {
        let keys: KeyMaterial = get_json(&url(MY_KEYS)).await?;
        let wrapped = STANDARD
            .decode(&keys.wrapped_private_key)
            .ok()
            .and_then(|bytes| WrappedPrivateKey::from_bytes(bytes).ok())
            .ok_or(CredentialError::UnusableKeyMaterial)?;
        let key =
            master.kek().unwrap(&wrapped, username).map_err(|e| CredentialError::Crypto(e.to_string()))?;
        crate::client::keyring::keep(username, &key).await.map_err(CredentialError::KeyStore)
    }
}
