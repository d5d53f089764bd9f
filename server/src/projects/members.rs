//! Researchers of a project (DDS §5): brought in by an invite (which carries no key), or, when
//! they already have an account (or a pending invite), added at once. Either way their access
//! waits until a key holder approves it in the page (`access`).

use app::api::invites::InvitedProject;
use app::api::projects::{ProjectInvite, ProjectMember};
use app::domain::ids::{ProjectId, UserId};
use app::domain::roles::Role;

use super::{Project, ProjectError};
use crate::db::audit::{self, AuditEvent};
use crate::db::users::User;
use crate::db::{self, now, Db, DbError};

pub async fn members(db: &Db, project_id: ProjectId) -> Result<Vec<ProjectMember>, DbError> {
    db::members::list(db, project_id).await
}

/// The project's pending invites (unexpired now).
pub async fn invites(db: &Db, project_id: ProjectId) -> Result<Vec<ProjectInvite>, DbError> {
    db::members::invites(db, project_id, now()).await
}

fn capacity_name(is_owner: bool) -> &'static str {
    if is_owner {
        "Project Owner"
    } else {
        "Researcher"
    }
}

/// What adding someone who is already known did.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    /// A Researcher account joined the project; its access waits for approval.
    Member { username: String },
    /// An existing member's Project Owner flag changed (DDS sends no mail for this).
    OwnerFlagChanged { username: String },
    /// A pending Researcher invite now also leads to this project.
    Invite { invite_id: i64 },
}

/// Adds an existing account to the project (DDS `add_to_project`). Unit staff reach every project
/// of their unit through the unit key and Super Admins hold no keys: neither is added.
pub async fn add_existing_user(
    db: &Db,
    adder: &User,
    project: &Project,
    target: &User,
    is_owner: bool,
) -> Result<Added, ProjectError> {
    if target.role != Role::Researcher {
        return Err(ProjectError::Denied(format!(
            "{} users cannot be added to individual projects: unit staff reach every project of their unit, \
             and Super Admins hold no project keys.",
            target.role
        )));
    }
    if !target.is_active {
        return Err(ProjectError::Denied("The account is deactivated.".into()));
    }
    match super::membership(db.pool(), project.id, target.id).await? {
        Some(owner) if owner == is_owner => Err(ProjectError::AlreadyAssociated(format!(
            "{} is already associated with the project {} in this capacity ({}).",
            target.username,
            project.public_id,
            capacity_name(is_owner)
        ))),
        Some(_) => {
            db::members::set_owner(db.pool(), project.id, target.id, is_owner).await?;
            let event = AuditEvent {
                details: Some(format!("now {}", capacity_name(is_owner))),
                ..AuditEvent::new(Some(adder.id), "project-member-changed", Some(&target.username))
                    .on_project(project.id)
            };
            audit::record(db.pool(), event).await?;
            Ok(Added::OwnerFlagChanged { username: target.username.clone() })
        }
        None => {
            let mut tx = db.begin().await?;
            db::members::insert(&mut *tx, project.id, target.id, is_owner, Some(adder.id), now()).await?;
            let event = AuditEvent {
                details: Some(format!("{} of {}", capacity_name(is_owner), project.public_id)),
                ..AuditEvent::new(Some(adder.id), "project-member-added", Some(&target.username))
                    .on_project(project.id)
            };
            audit::record(&mut *tx, event).await?;
            tx.commit().await?;
            Ok(Added::Member { username: target.username.clone() })
        }
    }
}

/// Lets a pending Researcher invite also lead to the project (DDS adds projects to unanswered
/// invites). Access waits for approval once the invitee has registered.
pub async fn add_to_pending_invite(
    db: &Db,
    project: &Project,
    invite_id: i64,
    is_owner: bool,
) -> Result<Added, ProjectError> {
    match db::members::invite_link(db, invite_id, project.id).await? {
        Some(owner) if owner == is_owner => Err(ProjectError::AlreadyAssociated(format!(
            "The invitation already gives access to the project {} in this capacity ({}).",
            project.public_id,
            capacity_name(is_owner)
        ))),
        Some(_) => {
            db::members::set_invite_owner(db, invite_id, project.id, is_owner).await?;
            Ok(Added::Invite { invite_id })
        }
        None => {
            record_invite_project(db.pool(), invite_id, project.id, is_owner).await?;
            Ok(Added::Invite { invite_id })
        }
    }
}

/// A project an invite leads to.
pub async fn record_invite_project<'e, E>(
    executor: E,
    invite_id: i64,
    project_id: ProjectId,
    is_owner: bool,
) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    db::members::link_invite(executor, invite_id, project_id, is_owner).await
}

/// What the registration page shows of each project an invite leads to.
pub async fn invited_projects(db: &Db, invite_id: i64) -> Result<Vec<InvitedProject>, DbError> {
    db::members::invited_projects(db, invite_id).await
}

/// At registration (inside its transaction, before the invite is consumed): the new Researcher
/// joins every project the invite leads to, waiting for approval in each. The projects joined.
pub async fn join_from_invite(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    invite_id: i64,
    user_id: UserId,
) -> Result<Vec<(ProjectId, String)>, DbError> {
    let grants = db::members::invite_grants(tx, invite_id).await?;
    let mut joined = Vec::with_capacity(grants.len());
    for grant in grants {
        // The inviter is recorded as who added the member.
        db::members::insert(
            &mut **tx,
            grant.project_id,
            user_id,
            grant.is_owner != 0,
            grant.invited_by,
            now(),
        )
        .await?;
        joined.push((grant.project_id, grant.public_id));
    }
    Ok(joined)
}
