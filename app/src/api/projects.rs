//! Projects (`/projects`), as far as accounts need them: creating one (its key pair made in the
//! creator's browser), listing, and one project's page. Approvals are in `keys`.

use serde::{Deserialize, Serialize};

use super::keys::WaitingMember;
pub use crate::domain::projects::{KeyPath, ProjectSummary};

/// `GET` → `[ProjectSummary]`; `POST` [`NewProject`] → 201 [`CreatedProject`] (409 while the
/// creator has to confirm DDS's "only two Unit Admins" warning: send again with `confirmed`).
pub const PROJECTS: &str = "/projects";
/// `GET` → [`ProjectDetails`].
pub const PROJECT: &str = "/projects/{public_id}";

/// A project to create: its details, its X25519 public key (made in the creator's browser), and
/// its private key sealed to the unit key (how every staff member reaches it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProject {
    pub title: String,
    pub description: String,
    pub pi: String,
    /// DDS's `force`: create although the unit has only two Unit Admins.
    #[serde(default)]
    pub confirmed: bool,
    pub public_key: String,
    pub unit_public_key: String,
    pub unit_sealed_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedProject {
    pub public_id: String,
}

/// One project's page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectDetails {
    #[serde(flatten)]
    pub summary: ProjectSummary,
    pub description: String,
    pub public_key: String,
    pub key: KeyPath,
    /// Whether the caller may invite or add Researchers (the page shows the form).
    pub may_add_researchers: bool,
    /// Members and pending invites, for unit staff and Project Owners.
    pub members: Option<Vec<ProjectMember>>,
    pub invites: Option<Vec<ProjectInvite>>,
    /// Members waiting for the project key, for those who may approve them (unit staff and
    /// Project Owners).
    pub waiting: Option<Vec<WaitingMember>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectMember {
    pub username: String,
    pub name: String,
    pub is_owner: bool,
    /// Whether the member holds the project key now (false: access pending).
    pub access: bool,
}

/// A pending invite that leads to the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectInvite {
    /// The invite, for taking this project out of it (`members::PROJECT_INVITE`).
    pub id: i64,
    pub email: String,
    pub is_owner: bool,
    pub expires_at: i64,
}
