//! The unit key in the browser (DESIGN §3): opened with the user's private key from the tab's
//! key store, sealed to colleagues whose access is pending (automatically, on any page a staff
//! member with access opens) and to staff invites. The server only routes sealed blobs.

use serde::Deserialize;

/// `GET /api/v1/units/me/keys`.
#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)] // read in the browser build only
pub struct UnitKeys {
    pub unit_public_key: Option<String>,
    pub sealed_unit_key: Option<String>,
    pub pending: Vec<PendingMember>,
}

#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
pub struct PendingMember {
    pub username: String,
    pub public_key: String,
}

/// What a staff member's account page says about their unit key.
pub const PENDING: &str =
    "Your access to the unit's data is pending: it is restored automatically as soon as a \
                           colleague with access opens the portal.";

#[cfg(feature = "hydrate")]
mod browser {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use wasm_crypto::{open_private_key, seal_private_key, PrivateKey, PublicKey, Sealed};

    use super::{UnitKeys, PENDING};
    use crate::components::api::{get_json, post_json};
    use crate::components::keyring;

    fn public_key(b64: &str) -> Result<PublicKey, String> {
        STANDARD
            .decode(b64)
            .ok()
            .and_then(|bytes| PublicKey::from_slice(&bytes).ok())
            .ok_or_else(|| "The portal sent an unusable public key.".to_string())
    }

    /// Seals `key` (a unit key) to a public key given in base64; the result in base64.
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

    /// The unit private key, opened with the user's key kept for this tab.
    pub async fn open(username: &str) -> Result<(PrivateKey, UnitKeys), String> {
        let keys: UnitKeys = get_json("/api/v1/units/me/keys").await?;
        let sealed = keys.sealed_unit_key.clone().ok_or_else(|| PENDING.to_string())?;
        let user_key = keyring::unlock(username).await?;
        Ok((open_sealed(&user_key, &sealed)?, keys))
    }

    /// Restores the access of every colleague waiting for it; how many were restored.
    pub async fn repair_colleagues(username: &str) -> Result<usize, String> {
        let keys: UnitKeys = get_json("/api/v1/units/me/keys").await?;
        if keys.pending.is_empty() || keys.sealed_unit_key.is_none() {
            return Ok(0);
        }
        let (unit_key, keys) = open(username).await?;
        let mut restored = 0;
        for member in keys.pending {
            let sealed = seal_to(&unit_key, &member.public_key)?;
            let body = serde_json::json!({ "username": member.username, "sealed": sealed });
            // Another tab may have restored this colleague a moment ago: that is not a failure.
            if post_json::<_, serde_json::Value>("/api/v1/units/me/keys/seals", &body).await.is_ok() {
                restored += 1;
            }
        }
        Ok(restored)
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{open, open_sealed, repair_colleagues, seal_to};
