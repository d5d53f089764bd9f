//! The browser's key store (DESIGN §3 "Session"). At login the user's private key is unwrapped
//! once (with the kek from the password) and kept in `sessionStorage`, wrapped under a random
//! per-session key that only the server holds (`GET /api/v1/auth/session-key`). Pages that need
//! the key unlock it from there: no password prompt on every page, and neither the stored blob
//! nor the server's half alone reveals the key. Logout forgets both halves.

/// The sessionStorage item: `{"username": ..., "wrapped": base64}`.
pub const STORAGE_ITEM: &str = "dds.user-key";

/// Why a page cannot use the user's key right now.
pub const LOCKED: &str = "Your keys are locked in this browser tab. Log out and log in again to unlock them.";

#[cfg(feature = "hydrate")]
mod browser {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use serde::{Deserialize, Serialize};
    use wasm_crypto::{PrivateKey, SessionKey, WrappedPrivateKey};

    use super::{LOCKED, STORAGE_ITEM};
    use crate::client::api::get_json;

    #[derive(Serialize, Deserialize)]
    struct Stored {
        username: String,
        wrapped: String,
    }

    fn storage() -> Result<web_sys::Storage, String> {
        leptos::prelude::window()
            .session_storage()
            .ok()
            .flatten()
            .ok_or_else(|| "This browser does not allow the portal to keep keys for the tab.".to_string())
    }

    async fn server_half() -> Result<SessionKey, String> {
        let half: crate::api::auth::SessionKey =
            get_json(&crate::api::url(crate::api::auth::SESSION_KEY)).await?;
        let bytes = zeroize::Zeroizing::new(STANDARD.decode(half.key).map_err(|_| LOCKED.to_string())?);
        SessionKey::from_slice(&bytes).map_err(|_| LOCKED.to_string())
    }

    /// Keeps `key` (the user's private key) for this tab's session.
    pub async fn keep(username: &str, key: &PrivateKey) -> Result<(), String> {
        let wrapped = server_half().await?.wrap(key, username);
        let stored = Stored { username: username.to_string(), wrapped: STANDARD.encode(wrapped.as_bytes()) };
        let json = serde_json::to_string(&stored).map_err(|e| e.to_string())?;
        storage()?
            .set_item(STORAGE_ITEM, &json)
            .map_err(|_| "The browser refused to keep the keys.".to_string())
    }

    /// The user's private key, unlocked with the server's half.
    pub async fn unlock(username: &str) -> Result<PrivateKey, String> {
        let json = storage()?.get_item(STORAGE_ITEM).ok().flatten().ok_or_else(|| LOCKED.to_string())?;
        let stored: Stored = serde_json::from_str(&json).map_err(|_| LOCKED.to_string())?;
        if stored.username != username {
            return Err(LOCKED.to_string());
        }
        let wrapped = STANDARD
            .decode(&stored.wrapped)
            .ok()
            .and_then(|bytes| WrappedPrivateKey::from_bytes(bytes).ok())
            .ok_or_else(|| LOCKED.to_string())?;
        server_half().await?.unwrap(&wrapped, username).map_err(|_| LOCKED.to_string())
    }

    /// The unlocked key's fingerprint, once its public key is checked against the account's.
    pub async fn check(username: &str) -> Result<String, String> {
        use crate::api::account::{KeyMaterial, MY_KEYS};
        let key = unlock(username).await?;
        let keys: KeyMaterial = get_json(&crate::api::url(MY_KEYS)).await?;
        let public = key.public_key();
        if STANDARD.encode(public.as_bytes()) != keys.public_key {
            return Err("The key in this tab does not belong to your account. Log in again.".into());
        }
        Ok(public.fingerprint())
    }

    /// Forgets the tab's copy (logout), and the keys opened with it; the server forgets its half
    /// with the session.
    pub fn forget() {
        crate::client::unit_keys::forget();
        if let Ok(storage) = storage() {
            let _ = storage.remove_item(STORAGE_ITEM);
        }
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{check, forget, keep, unlock};

/// Server rendering cannot know: the account page shows this tab's state once live.
#[cfg(not(feature = "hydrate"))]
pub async fn check(_username: &str) -> Result<String, String> {
    Err(crate::client::BROWSER_ONLY.into())
}

/// Without the browser bundle (server rendering) there is nothing to forget.
#[cfg(not(feature = "hydrate"))]
pub fn forget() {}
