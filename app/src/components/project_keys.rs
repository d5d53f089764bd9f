//! Project keys in the browser (DESIGN §3): unit staff open a project's private key through the
//! unit key, Researchers through their own seal. A browser that holds a project key seals it to
//! members and invites waiting for it (automatically, on any page such a user opens). The server
//! only routes sealed blobs.

use serde::Deserialize;

pub use crate::domain::projects::KeyPath;

/// What the project page says while the user's access is pending.
pub const PENDING: &str = "Your access to this project is pending: it is restored automatically as soon as \
                           someone with access (unit staff or a Project Owner) opens the portal.";

/// `GET /api/v1/projects/access/pending`.
#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)] // read in the browser build only
pub struct PendingAccess {
    pub public_id: String,
    pub key: KeyPath,
    pub waiting: Vec<Waiting>,
}

#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
pub struct Waiting {
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub invite_id: Option<i64>,
    pub public_key: String,
}

#[cfg(feature = "hydrate")]
mod browser {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use wasm_crypto::PrivateKey;

    use super::{KeyPath, PendingAccess, PENDING};
    use crate::components::api::{get_json, post_json};
    use crate::components::{keyring, unit_keys};

    /// Opens the project private key and checks it is the project's (its public key matches).
    pub async fn open(username: &str, key: &KeyPath, project_public_key: &str) -> Result<PrivateKey, String> {
        let opened = open_unchecked(username, key).await?;
        if STANDARD.encode(opened.public_key().as_bytes()) != project_public_key {
            return Err("The key this browser opened is not the project's key.".to_string());
        }
        Ok(opened)
    }

    /// Opens a project key along its path (the repair path has no public key at hand: a wrong
    /// key would only produce seals that do not open, and the member would stay pending).
    async fn open_unchecked(username: &str, key: &KeyPath) -> Result<PrivateKey, String> {
        match key {
            KeyPath::UnitKey { sealed } => {
                let (unit_key, _) = unit_keys::open(username).await?;
                unit_keys::open_sealed(&unit_key, sealed)
            }
            KeyPath::Member { sealed } => unit_keys::open_sealed(&keyring::unlock(username).await?, sealed),
            KeyPath::Pending => Err(PENDING.to_string()),
            KeyPath::None => Err("Super Admins hold no project keys.".to_string()),
        }
    }

    /// Restores the access of every member and invite waiting for a project key this browser
    /// holds; how many were restored.
    pub async fn repair(username: &str) -> Result<usize, String> {
        let pending: Vec<PendingAccess> = get_json("/api/v1/projects/access/pending").await?;
        let mut restored = 0;
        for project in pending {
            let key = open_unchecked(username, &project.key).await?;
            for waiting in project.waiting {
                let sealed = unit_keys::seal_to(&key, &waiting.public_key)?;
                let body = serde_json::json!({
                    "username": waiting.username,
                    "invite_id": waiting.invite_id,
                    "sealed": sealed,
                });
                let path = format!("/api/v1/projects/{}/access", project.public_id);
                // Another tab may have restored this one a moment ago: that is not a failure.
                if post_json::<_, serde_json::Value>(&path, &body).await.is_ok() {
                    restored += 1;
                }
            }
        }
        Ok(restored)
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{open, repair};
