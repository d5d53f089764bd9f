//! Restoring project access (DESIGN §3, DDS's `project access fix`, automated). A Researcher
//! whose seal is missing or was made for an older public key (a password reset), and an invite
//! whose project key nobody sealed yet, are "access pending". Any unit staff member or Project
//! Owner whose browser holds the project key seals it to them; the portal does it on every page
//! such a user opens. The server checks who may restore whom and stores the opaque seal.

use app::domain::projects::{self as rules, Capacity};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::{key_path, KeyPath, ProjectError};
use crate::db::audit::{self, AuditEvent};
use crate::db::seals::{self, SealedKey};
use crate::db::users::User;
use crate::db::{now, Db, DbError};

/// Someone waiting for the project key: a member (by username) or an invite (by id).
#[derive(Debug, Serialize)]
pub struct Waiting {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_id: Option<i64>,
    /// The key to seal to (the member's current public key, or the invite's).
    pub public_key: String,
}

/// A project where the caller can restore access, how the caller's browser opens its key, and
/// who waits.
#[derive(Debug, Serialize)]
pub struct PendingAccess {
    pub public_id: String,
    pub key: KeyPath,
    pub waiting: Vec<Waiting>,
}

async fn waiting(db: &Db, project_id: i64, fixer_id: i64) -> Result<Vec<Waiting>, DbError> {
    let members: Vec<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT u.username, c.public_key FROM project_members m JOIN users u ON u.id = m.user_id \
         JOIN user_credentials c ON c.user_id = u.id \
         LEFT JOIN project_key_seals s ON s.project_id = m.project_id AND s.user_id = u.id \
         AND s.recipient_public_key = c.public_key \
         WHERE m.project_id = $1 AND u.is_active = TRUE AND u.id <> $2 AND s.user_id IS NULL \
         ORDER BY u.username",
    )
    .bind(project_id)
    .bind(fixer_id)
    .fetch_all(db.pool())
    .await?;
    let invites: Vec<(i64, Vec<u8>)> = sqlx::query_as(
        "SELECT i.id, i.public_key FROM invite_projects ip JOIN invites i ON i.id = ip.invite_id \
         WHERE ip.project_id = $1 AND ip.sealed IS NULL AND i.expires_at > $2 ORDER BY i.id",
    )
    .bind(project_id)
    .bind(now())
    .fetch_all(db.pool())
    .await?;
    let members = members.into_iter().map(|(username, key)| Waiting {
        username: Some(username),
        invite_id: None,
        public_key: BASE64.encode(key),
    });
    let invites = invites.into_iter().map(|(id, key)| Waiting {
        username: None,
        invite_id: Some(id),
        public_key: BASE64.encode(key),
    });
    Ok(members.chain(invites).collect())
}

/// Every project where the caller may and can restore someone's access (their own key opens,
/// someone waits). Empty for Super Admins and plain Researchers. One query finds the projects
/// with someone waiting, so a page load stays cheap whatever the number of projects.
pub async fn pending_for(db: &Db, fixer: &User) -> Result<Vec<PendingAccess>, ProjectError> {
    use app::domain::roles::Role;
    let scope = match fixer.role {
        Role::UnitAdmin | Role::UnitPersonnel => "p.unit_id = $1",
        Role::Researcher => {
            "p.id IN (SELECT project_id FROM project_members WHERE user_id = $2 AND is_owner = TRUE)"
        }
        Role::SuperAdmin => return Ok(Vec::new()),
    };
    let candidates: Vec<super::Project> = sqlx::query_as(&format!(
        "{} WHERE p.is_active = TRUE AND {scope} AND (\
         EXISTS (SELECT 1 FROM project_members m JOIN users u ON u.id = m.user_id \
         JOIN user_credentials c ON c.user_id = u.id \
         LEFT JOIN project_key_seals s ON s.project_id = m.project_id AND s.user_id = u.id \
         AND s.recipient_public_key = c.public_key \
         WHERE m.project_id = p.id AND u.is_active = TRUE AND u.id <> $2 AND s.user_id IS NULL) \
         OR EXISTS (SELECT 1 FROM invite_projects ip JOIN invites i ON i.id = ip.invite_id \
         WHERE ip.project_id = p.id AND ip.sealed IS NULL AND i.expires_at > $3)) ORDER BY p.public_id",
        super::SELECT_PROJECT
    ))
    .bind(fixer.unit_id.unwrap_or_default())
    .bind(fixer.id)
    .bind(now())
    .fetch_all(db.pool())
    .await?;
    let mut found = Vec::new();
    for project in candidates {
        let capacity = super::capacity(db, fixer, &project).await?;
        let key = key_path(db, fixer, &project, capacity).await?;
        if key.access() != Some(true) {
            continue; // the caller's own access is pending: they cannot help yet
        }
        let waiting = waiting(db, project.id, fixer.id).await?;
        found.push(PendingAccess { public_id: project.public_id, key, waiting });
    }
    Ok(found)
}

/// What the fixer's browser sends: the project key sealed to a waiting member or invite.
#[derive(Debug, Deserialize)]
pub struct Restore {
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub invite_id: Option<i64>,
    pub sealed: String,
}

pub async fn restore(db: &Db, fixer: &User, public_id: &str, restore: Restore) -> Result<(), ProjectError> {
    let (project, capacity) = super::visible(db, fixer, public_id).await?;
    let sealed = super::decode_sealed("sealed", &restore.sealed)?;
    match (restore.username, restore.invite_id) {
        (Some(username), None) => {
            let target: Option<(i64, String, Vec<u8>)> = sqlx::query_as(
                "SELECT u.id, u.username, c.public_key FROM project_members m JOIN users u ON u.id = m.user_id \
                 JOIN user_credentials c ON c.user_id = u.id \
                 WHERE m.project_id = $1 AND LOWER(u.username) = LOWER($2) AND u.is_active = TRUE",
            )
            .bind(project.id)
            .bind(username.trim())
            .fetch_optional(db.pool())
            .await?;
            let (target_id, target_name, target_key) = target.ok_or_else(|| {
                ProjectError::Invalid(format!(
                    "{} is not a member of the project {}.",
                    username.trim(),
                    public_id
                ))
            })?;
            rules::may_restore_access(capacity, fixer.id, target_id)?;
            ensure_fixer_holds_key(db, fixer, &project, capacity).await?;
            if seals::current(db, SealedKey::Project, project.id, target_id).await?.is_some() {
                return Err(ProjectError::AlreadyAssociated(format!(
                    "{target_name} already has access to the project {public_id}."
                )));
            }
            let mut tx = db.pool().begin().await?;
            seals::store(&mut *tx, SealedKey::Project, project.id, target_id, &target_key, &sealed, fixer.id)
                .await?;
            let event = AuditEvent {
                details: Some(format!("project {public_id}")),
                ..AuditEvent::new(Some(fixer.id), "project-access-restored", Some(&target_name))
            };
            audit::record(&mut *tx, event).await?;
            tx.commit().await?;
            Ok(())
        }
        (None, Some(invite_id)) => {
            rules::may_restore_access(capacity, fixer.id, -1)?;
            ensure_fixer_holds_key(db, fixer, &project, capacity).await?;
            let sealed_now = sqlx::query(
                "UPDATE invite_projects SET sealed = $1 WHERE invite_id = $2 AND project_id = $3 AND sealed IS NULL \
                 AND invite_id IN (SELECT id FROM invites WHERE expires_at > $4)",
            )
            .bind(sealed)
            .bind(invite_id)
            .bind(project.id)
            .bind(now())
            .execute(db.pool())
            .await?;
            if sealed_now.rows_affected() != 1 {
                return Err(ProjectError::Invalid(
                    "No invitation to this project is waiting for its key.".into(),
                ));
            }
            Ok(())
        }
        _ => {
            Err(ProjectError::Invalid("Name either a member ('username') or an invite ('invite_id').".into()))
        }
    }
}

async fn ensure_fixer_holds_key(
    db: &Db,
    fixer: &User,
    project: &super::Project,
    capacity: Capacity,
) -> Result<(), ProjectError> {
    match key_path(db, fixer, project, capacity).await?.access() {
        Some(true) => Ok(()),
        _ => Err(ProjectError::NoAccessYourself),
    }
}
