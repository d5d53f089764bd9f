//! Project keys in the browser (DESIGN §3): unit staff open a project's private key through the
//! unit key, Researchers through their own seal. A key holder seals it to a waiting member only
//! when approving them in the page (docs/security.md "Threat model"). The server only routes
//! sealed blobs.

pub use crate::domain::projects::KeyPath;

/// What the project page says while the user's access waits for approval.
pub const PENDING: &str = "Your access to this project is waiting for approval by someone who holds its key \
                           (unit staff or a Project Owner). They will ask you to confirm the key fingerprint \
                           shown on your account page.";

#[cfg(feature = "hydrate")]
mod browser {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use wasm_crypto::PrivateKey;

    use super::{KeyPath, PENDING};
    use crate::api::keys::{Approval, WaitingMember, PROJECT_APPROVALS};
    use crate::api::{url, with_param};
    use crate::client::api::post_json;
    use crate::client::{keyring, unit_keys};

    /// Opens the project private key and checks it is the project's (its public key matches).
    pub async fn open(username: &str, key: &KeyPath, project_public_key: &str) -> Result<PrivateKey, String> {
        let opened = match key {
            KeyPath::UnitKey { sealed } => {
                let (unit_key, _) = unit_keys::open(username).await?;
                unit_keys::open_sealed(&unit_key, sealed)?
            }
            KeyPath::Member { sealed } => unit_keys::open_sealed(&keyring::unlock(username).await?, sealed)?,
            KeyPath::Pending => return Err(PENDING.to_string()),
            KeyPath::None => return Err("Super Admins hold no project keys.".to_string()),
        };
        if STANDARD.encode(opened.public_key().as_bytes()) != project_public_key {
            return Err("The key this browser opened is not the project's key.".to_string());
        }
        Ok(opened)
    }

    /// Approves `member`: the project key sealed to the public key whose fingerprint the page
    /// showed.
    pub async fn approve(
        username: &str,
        project: &str,
        key: &KeyPath,
        project_public_key: &str,
        member: &WaitingMember,
    ) -> Result<(), String> {
        let project_key = open(username, key, project_public_key).await?;
        let approval = Approval {
            username: member.username.clone(),
            public_key: member.public_key.clone(),
            sealed: unit_keys::seal_to(&project_key, &member.public_key)?,
        };
        Ok(post_json::<_, ()>(&url(&with_param(PROJECT_APPROVALS, project)), &approval).await?)
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{approve, open};

/// Server rendering never approves (the button only acts in the browser).
#[cfg(not(feature = "hydrate"))]
pub async fn approve(
    _username: &str,
    _project: &str,
    _key: &KeyPath,
    _project_public_key: &str,
    _member: &crate::api::keys::WaitingMember,
) -> Result<(), String> {
    Err("Only available in the browser.".into())
}
