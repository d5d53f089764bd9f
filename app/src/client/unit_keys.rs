//! The unit key in the browser (DESIGN §3): opened with the user's private key from the tab's
//! key store, and sealed to a colleague only when a Unit Admin approves them in the page after
//! comparing their key fingerprint (docs/security.md "Threat model"). The server only routes
//! sealed blobs.

use crate::api::keys::UnitKeys;

/// What a staff member's pages say while their unit key access waits for approval.
pub const PENDING: &str = "Your access to the unit's data is waiting for a Unit Admin's approval. \
                           They will ask you to confirm the key fingerprint shown on your account page.";

/// The fingerprint of a public key given in base64, as people compare it (`None` when the bytes
/// are not a public key). Computed here, from the key an approval seals to.
#[cfg(feature = "hydrate")]
pub fn fingerprint(public_key_b64: &str) -> Option<String> {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    let bytes = STANDARD.decode(public_key_b64).ok()?;
    Some(wasm_crypto::PublicKey::from_slice(&bytes).ok()?.fingerprint())
}

/// Without the browser bundle (server rendering) nothing is computed: the page shows it once live.
#[cfg(not(feature = "hydrate"))]
pub fn fingerprint(_public_key_b64: &str) -> Option<String> {
    None
}

/// Whether the caller's unit key response says they hold the key.
pub fn holds_key(keys: &UnitKeys) -> bool {
    keys.sealed_unit_key.is_some()
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;

    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use wasm_crypto::{open_private_key, seal_private_key, PrivateKey, PublicKey, Sealed};

    use super::PENDING;
    use crate::api::keys::{Approval, UnitKeys, WaitingMember, UNIT_KEYS, UNIT_KEY_APPROVALS};
    use crate::api::url;
    use crate::client::api::{get_json, post_json};
    use crate::client::keyring;

    fn public_key(b64: &str) -> Result<PublicKey, String> {
        STANDARD
            .decode(b64)
            .ok()
            .and_then(|bytes| PublicKey::from_slice(&bytes).ok())
            .ok_or_else(|| "The portal sent an unusable public key.".to_string())
    }

    /// Seals `key` to a public key given in base64; the result in base64.
    pub fn seal_to(key: &PrivateKey, recipient_b64: &str) -> Result<String, String> {
        let sealed = seal_private_key(&public_key(recipient_b64)?, key).map_err(|e| e.to_string())?;
        Ok(STANDARD.encode(sealed.as_bytes()))
    }

    /// Opens a sealed key (base64) with `key`.
    pub fn open_sealed(key: &PrivateKey, sealed_b64: &str) -> Result<PrivateKey, String> {
        let sealed = STANDARD
            .decode(sealed_b64)
            .ok()
            .and_then(|bytes| Sealed::from_bytes(bytes).ok())
            .ok_or_else(|| "The portal sent an unusable sealed key.".to_string())?;
        open_private_key(key, &sealed).map_err(|_| "A sealed key did not open with your key.".to_string())
    }

    /// The unit key this tab opened last, with what it was opened from. Opening costs a request
    /// for the server's half of the keyring, an unwrap and an X25519 open: a page that opens
    /// many project keys sealed to the unit key (a listing, a transfer across projects, several
    /// approvals) opens it once instead of once per project. Reused only for the same user, the
    /// same seal and the same unit public key as the portal sends now (a new seal or a new unit
    /// key is opened afresh); forgotten with the keyring at logout.
    struct Opened {
        username: String,
        sealed: String,
        unit_public_key: Option<String>,
        key: Rc<PrivateKey>,
    }

    thread_local! {
        static OPENED: RefCell<Option<Opened>> = const { RefCell::new(None) };
    }

    /// The unit private key, opened with the user's key kept for this tab, checked against the
    /// unit's public key.
    pub async fn open(username: &str) -> Result<(Rc<PrivateKey>, UnitKeys), String> {
        let keys: UnitKeys = get_json(&url(UNIT_KEYS)).await?;
        let sealed = keys.sealed_unit_key.clone().ok_or_else(|| PENDING.to_string())?;
        let cached = OPENED.with_borrow(|opened| {
            opened
                .as_ref()
                .filter(|o| {
                    o.username == username && o.sealed == sealed && o.unit_public_key == keys.unit_public_key
                })
                .map(|o| Rc::clone(&o.key))
        });
        if let Some(unit_key) = cached {
            return Ok((unit_key, keys));
        }
        let user_key = keyring::unlock(username).await?;
        let unit_key = open_sealed(&user_key, &sealed)?;
        if Some(STANDARD.encode(unit_key.public_key().as_bytes())) != keys.unit_public_key {
            return Err("The key this browser opened is not your unit's key.".to_string());
        }
        let unit_key = Rc::new(unit_key);
        OPENED.set(Some(Opened {
            username: username.to_string(),
            sealed,
            unit_public_key: keys.unit_public_key.clone(),
            key: Rc::clone(&unit_key),
        }));
        Ok((unit_key, keys))
    }

    /// Whether this tab opens the unit key (and it is the unit's).
    pub async fn check(username: &str) -> Result<(), String> {
        open(username).await.map(|_| ())
    }

    /// Forgets the opened unit key (logout).
    pub fn forget() {
        OPENED.set(None);
    }

    /// A Unit Admin's approval of `member`: the unit key sealed to the public key whose
    /// fingerprint the page showed.
    pub async fn approve(username: &str, member: &WaitingMember) -> Result<(), String> {
        let (unit_key, _) = open(username).await?;
        let approval = Approval {
            username: member.username.clone(),
            public_key: member.public_key.clone(),
            sealed: seal_to(&unit_key, &member.public_key)?,
        };
        Ok(post_json::<_, ()>(&url(UNIT_KEY_APPROVALS), &approval).await?)
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{approve, check, forget, open, open_sealed, seal_to};

/// Server rendering cannot know: the page shows this tab's state once live.
#[cfg(not(feature = "hydrate"))]
pub async fn check(_username: &str) -> Result<(), String> {
    Err(crate::client::BROWSER_ONLY.into())
}

/// Server rendering never approves (the button only acts in the browser).
#[cfg(not(feature = "hydrate"))]
pub async fn approve(_username: &str, _member: &crate::api::keys::WaitingMember) -> Result<(), String> {
    Err(crate::client::BROWSER_ONLY.into())
}
