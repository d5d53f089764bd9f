//! Granting project access by approval (docs/security.md "Threat model"). A Researcher member
//! whose seal is missing or was made for an older public key (a password reset) waits for
//! access. Unit staff of the project's unit and its Project Owners, whose browsers hold the
//! project key, see who waits with what identifies them; the approver's browser shows the
//! member's key fingerprint and seals the key only when the approver confirms. Nothing is sealed
//! automatically. The server checks who may approve whom and stores the opaque seal.

use app::api::keys::Approval;
use app::domain::projects::{self as rules, Capacity};

use super::{key_path, ProjectError};
use crate::auth::credentials::PUBLIC_KEY_LEN;
use crate::db::audit::{self, AuditEvent};
use crate::db::members;
use crate::db::seals::{self, SealedKey};
use crate::db::users::{MemberKey, User};
use crate::db::Db;

pub async fn approve(
    db: &Db,
    approver: &User,
    public_id: &str,
    approval: &Approval,
) -> Result<(), ProjectError> {
    let (project, capacity) = super::visible(db, approver, public_id).await?;
    let sealed = super::decode_sealed("sealed", &approval.sealed)?;
    let shown_key = super::decode("public_key", &approval.public_key, PUBLIC_KEY_LEN)?;
    let username = approval.username.trim();
    let MemberKey { user_id: target_id, username: target_name, public_key: target_key } =
        members::active_with_key(db, project.id, username).await?.ok_or_else(|| {
            ProjectError::Invalid(format!("{username} is not a member of the project {public_id}."))
        })?;
    rules::may_approve_access(capacity, approver.id, target_id)?;
    ensure_approver_holds_key(db, approver, &project, capacity).await?;
    if target_key != shown_key {
        return Err(ProjectError::KeyChanged(target_name));
    }
    if seals::current(db, SealedKey::Project, project.id, target_id).await?.is_some() {
        return Err(ProjectError::AlreadyAssociated(format!(
            "{target_name} already has access to the project {public_id}."
        )));
    }
    let mut tx = db.begin().await?;
    seals::store(&mut *tx, SealedKey::Project, project.id, target_id, &target_key, &sealed, approver.id)
        .await?;
    let event = AuditEvent {
        details: Some(format!("project {public_id}")),
        ..AuditEvent::new(Some(approver.id), "project-access-approved", Some(&target_name))
            .on_project(project.id)
    };
    audit::record(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_approver_holds_key(
    db: &Db,
    approver: &User,
    project: &super::Project,
    capacity: Capacity,
) -> Result<(), ProjectError> {
    match key_path(db, approver, project, capacity).await?.access() {
        Some(true) => Ok(()),
        _ => Err(ProjectError::NoAccessYourself),
    }
}
