//! Invites as a browser sends them (the invites console and the project page): typed requests,
//! typed answers and the API's own errors; no key travels with an invite.

use crate::api::invites::{Invited, NewInvite, INVITE, INVITES, INVITE_RESEND};
use crate::api::{url, with_param};
use crate::client::api::{delete, post_json, send_json, ApiError};
use crate::domain::ids::UnitId;
use crate::domain::roles::Role;

/// Invites `email` as a Researcher (or Project Owner) of `project`. The answer says whether an
/// invite was mailed or a known Researcher was added.
pub async fn invite_to_project(email: &str, project: &str, owner: bool) -> Result<Invited, ApiError> {
    let invite = NewInvite {
        email: email.trim().to_string(),
        role: Role::Researcher,
        unit_id: None,
        project: Some(project.to_string()),
        owner,
    };
    post_json(&url(INVITES), &invite).await
}

/// Invites `email` as `role` (into `unit_id`, for a Super Admin inviting unit staff).
pub async fn invite(email: &str, role: Role, unit_id: Option<UnitId>) -> Result<(), ApiError> {
    let invite = NewInvite { email: email.trim().to_string(), role, unit_id, project: None, owner: false };
    post_json::<_, Invited>(&url(INVITES), &invite).await?;
    Ok(())
}

/// Re-sends a pending invite (a new link; the old one stops working).
pub async fn resend(id: i64) -> Result<(), ApiError> {
    send_json::<_, ()>("POST", &url(&with_param(INVITE_RESEND, &id.to_string())), &()).await
}

/// Cancels a pending invite.
pub async fn cancel(id: i64) -> Result<(), ApiError> {
    delete::<()>(&url(&with_param(INVITE, &id.to_string()))).await
}
