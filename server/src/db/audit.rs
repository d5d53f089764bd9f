//! The activity log (`audit_events`): who did what to whom. Never holds secrets: actions are
//! fixed names, targets are usernames or ids.

use super::{now, DbError};

/// Records an event inside the caller's transaction or on the pool.
pub async fn record<'e, E>(
    executor: E,
    actor_user_id: Option<i64>,
    action: &str,
    target: Option<&str>,
    details: Option<&str>,
) -> Result<(), DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_events (at, actor_user_id, action, target, details) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now())
    .bind(actor_user_id)
    .bind(action)
    .bind(target)
    .bind(details)
    .execute(executor)
    .await?;
    Ok(())
}
