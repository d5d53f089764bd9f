//! The audit trail (`audit_events`): who did what to which account. Never holds secrets: actions
//! are fixed names, targets are usernames or ids.

use super::{now, DbError};
use app::domain::ids::UserId;

/// One event. `actor_user_id` becomes NULL if that account is deleted later.
pub struct AuditEvent<'a> {
    pub actor_user_id: Option<UserId>,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub details: Option<String>,
    pub request_id: Option<&'a str>,
}

impl<'a> AuditEvent<'a> {
    /// An event without details or request id.
    pub fn new(actor_user_id: Option<UserId>, action: &'a str, target: Option<&'a str>) -> AuditEvent<'a> {
        AuditEvent { actor_user_id, action, target, details: None, request_id: None }
    }
}

/// Records an event on the pool or inside the caller's transaction (so it commits with the change).
pub async fn record<'e, E>(executor: E, event: AuditEvent<'_>) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_events (at, actor_user_id, action, target, details, request_id) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now())
    .bind(event.actor_user_id)
    .bind(event.action)
    .bind(event.target)
    .bind(event.details)
    .bind(event.request_id)
    .execute(executor)
    .await?;
    Ok(())
}
