//! The audit trail (`audit_events`): who did what to which account or project. Never holds
//! secrets: actions are fixed names, targets are usernames or ids. An event about a project
//! names it (and so its unit): the unit dashboard reads a unit's events by index.

use super::{now, DbError};
use app::domain::ids::{ProjectId, UnitId, UserId};

/// One event. `actor_user_id` becomes NULL if that account is deleted later.
pub struct AuditEvent<'a> {
    pub actor_user_id: Option<UserId>,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub details: Option<String>,
    pub request_id: Option<&'a str>,
    /// The unit concerned; for an event about a project, its project's unit when unset.
    pub unit_id: Option<UnitId>,
    pub project_id: Option<ProjectId>,
}

impl<'a> AuditEvent<'a> {
    /// An event without details or request id.
    pub fn new(actor_user_id: Option<UserId>, action: &'a str, target: Option<&'a str>) -> AuditEvent<'a> {
        AuditEvent {
            actor_user_id,
            action,
            target,
            details: None,
            request_id: None,
            unit_id: None,
            project_id: None,
        }
    }

    /// The event concerns this project (and its unit).
    pub fn on_project(self, project_id: ProjectId) -> AuditEvent<'a> {
        AuditEvent { project_id: Some(project_id), ..self }
    }

    /// The event concerns this unit.
    pub fn in_unit(self, unit_id: UnitId) -> AuditEvent<'a> {
        AuditEvent { unit_id: Some(unit_id), ..self }
    }
}

/// Records an event on the pool or inside the caller's transaction (so it commits with the change).
pub async fn record<'e, E>(executor: E, event: AuditEvent<'_>) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_events (at, actor_user_id, action, target, details, request_id, project_id, unit_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, (SELECT unit_id FROM projects WHERE id = $7)))",
    )
    .bind(now())
    .bind(event.actor_user_id)
    .bind(event.action)
    .bind(event.target)
    .bind(event.details)
    .bind(event.request_id)
    .bind(event.project_id)
    .bind(event.unit_id)
    .execute(executor)
    .await?;
    Ok(())
}
