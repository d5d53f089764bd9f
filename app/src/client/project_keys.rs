//! Project keys in the browser (DESIGN §3): a new project's key pair is made here by unit staff
//! and its private key sealed to the unit key; unit staff open it through the unit key,
//! Researchers through their own seal. A key holder seals it to a waiting member only when
//! approving them in the page (docs/security.md "Threat model"). The server only routes sealed
//! blobs.

pub use crate::domain::projects::KeyPath;

/// What the project page says while the user's access waits for approval.
pub const PENDING: &str = "Your access to this project is waiting for approval by someone who holds its key \
                           (unit staff or a Project Owner). They will ask you to confirm the key fingerprint \
                           shown on your account page.";

/// What unit staff typed for a new project (checked by the page first).
pub struct NewProjectForm<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub pi: &'a str,
    /// The creator confirmed the server's warning (DDS's "only two Unit Admins").
    pub confirmed: bool,
}

/// Why no project was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateFailure {
    /// The server's warning (409) the creator must confirm before sending again.
    NeedsConfirmation(String),
    /// Any other refusal, as a sentence.
    Refused(String),
}

impl From<String> for CreateFailure {
    fn from(message: String) -> CreateFailure {
        CreateFailure::Refused(message)
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use wasm_crypto::PrivateKey;

    use super::{CreateFailure, KeyPath, NewProjectForm, PENDING};
    use crate::api::keys::{Approval, WaitingMember, PROJECT_APPROVALS};
    use crate::api::projects::{CreatedProject, NewProject, PROJECTS};
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

    /// Whether this browser opens the project key (and it is the project's).
    pub async fn check(username: &str, key: &KeyPath, project_public_key: &str) -> Result<(), String> {
        open(username, key, project_public_key).await.map(|_| ())
    }

    /// Makes the project key pair, seals its private key to the unit key and creates the
    /// project; its public id.
    pub async fn create_project(username: &str, form: NewProjectForm<'_>) -> Result<String, CreateFailure> {
        // Opening the unit key proves this browser has the unit's access before a project is
        // made that colleagues could not open.
        let (_, keys) = unit_keys::open(username).await?;
        let unit_public_key = keys.unit_public_key.ok_or_else(|| unit_keys::PENDING.to_string())?;
        let project_key = PrivateKey::generate();
        let body = NewProject {
            title: form.title.trim().to_string(),
            description: form.description.trim().to_string(),
            pi: form.pi.trim().to_string(),
            confirmed: form.confirmed,
            public_key: STANDARD.encode(project_key.public_key().as_bytes()),
            unit_sealed_key: unit_keys::seal_to(&project_key, &unit_public_key)?,
            unit_public_key,
        };
        match post_json::<_, CreatedProject>(&url(PROJECTS), &body).await {
            Ok(created) => Ok(created.public_id),
            Err(err) if err.is(409) => Err(CreateFailure::NeedsConfirmation(err.message)),
            Err(err) => Err(CreateFailure::Refused(err.to_string())),
        }
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
pub use browser::{approve, check, create_project, open};

/// Server rendering never approves (the button only acts in the browser).
#[cfg(not(feature = "hydrate"))]
pub async fn approve(
    _username: &str,
    _project: &str,
    _key: &KeyPath,
    _project_public_key: &str,
    _member: &crate::api::keys::WaitingMember,
) -> Result<(), String> {
    Err(crate::client::BROWSER_ONLY.into())
}

/// Server rendering cannot know: the page shows this tab's state once live.
#[cfg(not(feature = "hydrate"))]
pub async fn check(_username: &str, _key: &KeyPath, _project_public_key: &str) -> Result<(), String> {
    Err(crate::client::BROWSER_ONLY.into())
}

/// Server rendering never creates (the form acts in the browser only).
#[cfg(not(feature = "hydrate"))]
pub async fn create_project(_username: &str, _form: NewProjectForm<'_>) -> Result<String, CreateFailure> {
    Err(CreateFailure::Refused(crate::client::BROWSER_ONLY.into()))
}
