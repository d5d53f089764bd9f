//! Changing who has a project and what it says (DDS's `project access revoke`, `access grant
//! --owner`, `info change`). Rules in `app::domain::membership`; each change one transaction with
//! its audit event. Revoking removes the member's key seal with the membership: their browser
//! can no longer open the project key from the server (what they downloaded stays theirs).

use app::api::members::EditDetails;
use app::domain::ids::{ProjectId, UserId};
use app::domain::membership::{may_edit_details, may_manage_members};
use app::domain::projects::check_project_details;

use super::{visible, ProjectError};
use crate::db::audit::{self, AuditEvent};
use crate::db::seals::{self, SealedKey};
use crate::db::users::User;
use crate::db::{members, projects, Db};

async fn member_id(db: &Db, project_id: ProjectId, username: &str) -> Result<UserId, ProjectError> {
    members::id_of(db, project_id, &username.to_lowercase())
        .await?
        .ok_or_else(|| ProjectError::Invalid(format!("{username} is not a member of this project.")))
}

/// Removes a Researcher from the project, with their key seal.
pub async fn revoke(db: &Db, user: &User, public_id: &str, username: &str) -> Result<(), ProjectError> {
    let (project, capacity) = visible(db, user, public_id).await?;
    let member = member_id(db, project.id, username).await?;
    may_manage_members(capacity, user.id, Some(member))?;
    let mut tx = db.begin().await?;
    seals::remove(&mut *tx, SealedKey::Project, project.id, member).await?;
    members::remove(&mut tx, project.id, member).await?;
    let detail = format!("{public_id}: {username}");
    audit::record(
        &mut *tx,
        AuditEvent::new(Some(user.id), "project-access-revoked", Some(&detail)).on_project(project.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets or clears a member's Project Owner flag.
pub async fn set_owner(
    db: &Db,
    user: &User,
    public_id: &str,
    username: &str,
    owner: bool,
) -> Result<(), ProjectError> {
    let (project, capacity) = visible(db, user, public_id).await?;
    let member = member_id(db, project.id, username).await?;
    may_manage_members(capacity, user.id, Some(member))?;
    let mut tx = db.begin().await?;
    members::set_owner(&mut *tx, project.id, member, owner).await?;
    let event = if owner { "project-owner-set" } else { "project-owner-cleared" };
    audit::record(
        &mut *tx,
        AuditEvent::new(Some(user.id), event, Some(&format!("{public_id}: {username}")))
            .on_project(project.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes the project out of a pending invite; an invite left without projects is deleted
/// (DDS), so its link stops working.
pub async fn revoke_invite(
    db: &Db,
    user: &User,
    public_id: &str,
    invite_id: i64,
) -> Result<bool, ProjectError> {
    let (project, capacity) = visible(db, user, public_id).await?;
    may_manage_members(capacity, user.id, None)?;
    let mut tx = db.begin().await?;
    let deleted = members::unlink_invite(&mut tx, invite_id, project.id)
        .await?
        .ok_or_else(|| ProjectError::Invalid("That invite does not lead to this project.".into()))?;
    let detail = format!("{public_id}: invite {invite_id}");
    audit::record(
        &mut *tx,
        AuditEvent::new(Some(user.id), "project-invite-revoked", Some(&detail)).on_project(project.id),
    )
    .await?;
    tx.commit().await?;
    Ok(deleted)
}

/// Changes title, description and PI (DDS's checks; what is not given stays).
pub async fn edit_details(
    db: &Db,
    user: &User,
    public_id: &str,
    edit: &EditDetails,
    now: i64,
) -> Result<(), ProjectError> {
    let (project, capacity) = visible(db, user, public_id).await?;
    may_edit_details(capacity)?;
    let title = edit.title.as_deref().unwrap_or(&project.title).trim().to_string();
    let description = edit.description.as_deref().unwrap_or(&project.description).trim().to_string();
    let pi = edit.pi.as_deref().unwrap_or(&project.pi).trim().to_lowercase();
    check_project_details(&title, &description, &pi).map_err(|e| ProjectError::Invalid(e.to_string()))?;
    let mut tx = db.begin().await?;
    projects::set_details(&mut tx, project.id, &title, &description, &pi, now).await?;
    audit::record(
        &mut *tx,
        AuditEvent::new(Some(user.id), "project-details-changed", Some(public_id)).on_project(project.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
