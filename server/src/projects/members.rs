//! Researchers of a project (DDS §5): brought in by an invite (which carries no key), or, when
//! they already have an account (or a pending invite), added at once. Either way their access
//! waits until a key holder approves it in the page (`access`).

use app::api::invites::InvitedProject;
use app::api::projects::{ProjectInvite, ProjectMember};
use app::domain::roles::Role;

use super::{Project, ProjectError};
use crate::db::audit::{self, AuditEvent};
use crate::db::users::User;
use crate::db::{now, Db, DbError};

pub async fn members(db: &Db, project_id: i64) -> Result<Vec<ProjectMember>, DbError> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT u.username, u.name, CAST(CASE WHEN m.is_owner THEN 1 ELSE 0 END AS BIGINT), \
         CAST(CASE WHEN s.user_id IS NULL THEN 0 ELSE 1 END AS BIGINT) \
         FROM project_members m JOIN users u ON u.id = m.user_id \
         LEFT JOIN user_credentials c ON c.user_id = u.id \
         LEFT JOIN project_key_seals s ON s.project_id = m.project_id AND s.user_id = u.id \
         AND s.recipient_public_key = c.public_key \
         WHERE m.project_id = $1 ORDER BY u.username",
    )
    .bind(project_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(username, name, owner, access)| ProjectMember {
            username,
            name,
            is_owner: owner != 0,
            access: access != 0,
        })
        .collect())
}

pub async fn invites(db: &Db, project_id: i64) -> Result<Vec<ProjectInvite>, DbError> {
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT i.id, i.email, CAST(CASE WHEN ip.is_owner THEN 1 ELSE 0 END AS BIGINT), i.expires_at \
         FROM invite_projects ip JOIN invites i ON i.id = ip.invite_id \
         WHERE ip.project_id = $1 AND i.expires_at > $2 ORDER BY i.email",
    )
    .bind(project_id)
    .bind(now())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, owner, expires_at)| ProjectInvite { id, email, is_owner: owner != 0, expires_at })
        .collect())
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
            sqlx::query("UPDATE project_members SET is_owner = $1 WHERE project_id = $2 AND user_id = $3")
                .bind(is_owner)
                .bind(project.id)
                .bind(target.id)
                .execute(db.pool())
                .await?;
            let event = AuditEvent {
                details: Some(format!("now {}", capacity_name(is_owner))),
                ..AuditEvent::new(Some(adder.id), "project-member-changed", Some(&target.username))
            };
            audit::record(db.pool(), event).await?;
            Ok(Added::OwnerFlagChanged { username: target.username.clone() })
        }
        None => {
            let mut tx = db.pool().begin().await?;
            sqlx::query(
                "INSERT INTO project_members (project_id, user_id, is_owner, added_by, added_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(project.id)
            .bind(target.id)
            .bind(is_owner)
            .bind(adder.id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent {
                details: Some(format!("{} of {}", capacity_name(is_owner), project.public_id)),
                ..AuditEvent::new(Some(adder.id), "project-member-added", Some(&target.username))
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
    let existing: Option<(i64,)> = sqlx::query_as(
        "SELECT CAST(CASE WHEN is_owner THEN 1 ELSE 0 END AS BIGINT) FROM invite_projects \
         WHERE invite_id = $1 AND project_id = $2",
    )
    .bind(invite_id)
    .bind(project.id)
    .fetch_optional(db.pool())
    .await?;
    match existing {
        Some((owner,)) if (owner != 0) == is_owner => Err(ProjectError::AlreadyAssociated(format!(
            "The invitation already gives access to the project {} in this capacity ({}).",
            project.public_id,
            capacity_name(is_owner)
        ))),
        Some(_) => {
            sqlx::query("UPDATE invite_projects SET is_owner = $1 WHERE invite_id = $2 AND project_id = $3")
                .bind(is_owner)
                .bind(invite_id)
                .bind(project.id)
                .execute(db.pool())
                .await?;
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
    project_id: i64,
    is_owner: bool,
) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("INSERT INTO invite_projects (invite_id, project_id, is_owner) VALUES ($1, $2, $3)")
        .bind(invite_id)
        .bind(project_id)
        .bind(is_owner)
        .execute(executor)
        .await?;
    Ok(())
}

/// What the registration page shows of each project an invite leads to.
pub async fn invited_projects(db: &Db, invite_id: i64) -> Result<Vec<InvitedProject>, DbError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT p.public_id, p.title, CAST(CASE WHEN ip.is_owner THEN 1 ELSE 0 END AS BIGINT) \
         FROM invite_projects ip JOIN projects p ON p.id = ip.project_id \
         WHERE ip.invite_id = $1 AND p.is_active = TRUE ORDER BY p.public_id",
    )
    .bind(invite_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(public_id, title, owner)| InvitedProject { public_id, title, is_owner: owner != 0 })
        .collect())
}

/// At registration (inside its transaction, before the invite is consumed): the new Researcher
/// joins every project the invite leads to, waiting for approval in each. The projects joined.
pub async fn join_from_invite(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    invite_id: i64,
    user_id: i64,
) -> Result<Vec<(i64, String)>, DbError> {
    // The inviter is recorded as who added the member.
    let rows: Vec<(i64, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT p.id, p.public_id, CAST(CASE WHEN ip.is_owner THEN 1 ELSE 0 END AS BIGINT), i.invited_by \
         FROM invite_projects ip JOIN projects p ON p.id = ip.project_id JOIN invites i ON i.id = ip.invite_id \
         WHERE ip.invite_id = $1 AND p.is_active = TRUE",
    )
    .bind(invite_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut joined = Vec::with_capacity(rows.len());
    for (project_id, public_id, owner, invited_by) in rows {
        sqlx::query(
            "INSERT INTO project_members (project_id, user_id, is_owner, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(project_id)
        .bind(user_id)
        .bind(owner != 0)
        .bind(invited_by)
        .bind(now())
        .execute(&mut **tx)
        .await?;
        joined.push((project_id, public_id));
    }
    Ok(joined)
}
