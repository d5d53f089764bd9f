//! `/projects/{public_id}/status`: the status history, a change (release, retract, expire,
//! archive, delete) and a deadline extension (DDS §4; rules in `domain::project_status`).

use serde::{Deserialize, Serialize};

use crate::domain::project_status::{ProjectStatus, StatusChange};

pub const PROJECT_STATUS: &str = "/projects/{public_id}/status";

/// `POST`: a change, with DDS's `send_email` (the release mail; default on).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeStatus {
    #[serde(flatten)]
    pub change: StatusChange,
    #[serde(default = "yes")]
    pub send_email: bool,
}

fn yes() -> bool {
    true
}

/// `PATCH`: a deadline extension; unconfirmed, it answers 409 with what would happen.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtendDeadline {
    /// Days to add (the unit's `days_in_available` when absent).
    pub new_deadline_in: Option<i64>,
    #[serde(default)]
    pub confirmed: bool,
}

/// The project's status as `GET` and every change answer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusView {
    pub status: ProjectStatus,
    pub aborted: bool,
    /// Unix seconds (UTC); kept while retracted.
    pub deadline: Option<i64>,
    pub released_at: Option<i64>,
    pub releases_from_expired_left: u32,
    pub extensions_left: u32,
    /// Newest first.
    pub history: Vec<HistoryLine>,
    /// What a change did, as a sentence ("Project X updated to status Y …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryLine {
    pub status: ProjectStatus,
    pub aborted: bool,
    pub deadline: Option<i64>,
    pub at: i64,
    /// "deadline extended" and the like, beside the status.
    pub note: Option<String>,
}
