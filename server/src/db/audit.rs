//! The audit trail (`audit_events`): who did what to which account. Never holds secrets.

use super::{now, Db, DbError};

/// One event. `actor_user_id` becomes NULL if that account is deleted later.
pub struct AuditEvent<'a> {
    pub actor_user_id: Option<i64>,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub details: Option<String>,
    pub request_id: Option<&'a str>,
}

pub async fn record(db: &Db, event: AuditEvent<'_>) -> Result<(), DbError> {
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
    .execute(db.pool())
    .await?;
    Ok(())
}
