//! A project's people and details: revoke a member or an invite's project, the Project Owner
//! flag, and title/description/PI.

use serde::{Deserialize, Serialize};

pub const PROJECT: &str = "/projects/{public_id}";
pub const PROJECT_MEMBER: &str = "/projects/{public_id}/members/{username}";
pub const PROJECT_INVITE: &str = "/projects/{public_id}/invites/{id}";

/// `PATCH /projects/{public_id}`: the fields to change (DDS's `project info change`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EditDetails {
    pub title: Option<String>,
    pub description: Option<String>,
    pub pi: Option<String>,
}

/// `PATCH /projects/{public_id}/members/{username}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetOwner {
    pub owner: bool,
}
