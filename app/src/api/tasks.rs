//! `/tasks`: durable background tasks still open (failing or waiting), for Super Admins, and a
//! retry that makes one due now.

use serde::{Deserialize, Serialize};

pub const TASKS: &str = "/tasks";
pub const TASK_RETRY: &str = "/tasks/{id}/retry";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct OpenTask {
    pub id: i64,
    /// `remove_project_data` or `remove_deleted_objects`.
    pub kind: String,
    /// The project's public id.
    pub project: Option<String>,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}
