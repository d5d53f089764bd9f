//! The unit dashboard (`/unit`): the caller's unit at a glance, and its projects filtered,
//! searched, sorted and paged. Unit staff only, their own unit (`domain::dashboard`).

use serde::{Deserialize, Serialize};

pub use crate::domain::dashboard::{ActivityQuery, DashboardAccess, ProjectQuery, ProjectSort, UsageQuery};
use crate::domain::project_status::ProjectStatus;

/// `GET` → [`UnitOverview`].
pub const UNIT_OVERVIEW: &str = "/units/me/overview";
/// `GET` (query: [`ProjectQuery`]) → [`UnitProjectPage`].
pub const UNIT_PROJECTS: &str = "/units/me/projects";

/// `GET` (query: [`ActivityQuery`]) → [`ActivityPage`].
pub const UNIT_ACTIVITY: &str = "/units/me/activity";

/// `GET` (query: [`UsageQuery`]) → [`UnitUsage`].
pub const UNIT_USAGE: &str = "/units/me/usage";
/// `GET` → `text/csv`: every project's byte-hours per month of the report, one line each
/// (`project,title,month,byte_hours`), streamed.
pub const UNIT_USAGE_CSV: &str = "/units/me/usage.csv";

/// The overview of the caller's unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitOverview {
    pub unit_name: String,
    pub access: DashboardAccess,
    pub quota_bytes: i64,
    pub used_bytes: i64,
    /// The share of the quota past which the unit is warned (DDS's `warning_level`, 0 to 1).
    pub warning_level: f64,
    pub over_warning_level: bool,
    /// Active projects by status, every status listed (zero included), in DDS's order.
    pub projects_by_status: Vec<StatusCount>,
    /// Files whose upload completed in the last `domain::dashboard::DELIVERY_WINDOW_DAYS` days.
    pub uploads_completed: i64,
    /// Downloads asked in that window (one per file or folder asked).
    pub downloads: i64,
    pub pending_invites: i64,
    /// Members who wait for a project key, the first few by project.
    pub access_pending: Vec<AccessPending>,
    pub access_pending_total: i64,
    /// Available projects whose deadline falls in the next
    /// `domain::dashboard::DEADLINE_WINDOW_DAYS` days, soonest first.
    pub deadlines: Vec<UpcomingDeadline>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub status: ProjectStatus,
    pub count: i64,
}

/// A project member without the project key ("access pending"): unit staff and the project's
/// owners can approve them on the project page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessPending {
    pub project: String,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpcomingDeadline {
    pub project: String,
    pub title: String,
    pub deadline: i64,
}

/// One line of the unit's project list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitProject {
    pub public_id: String,
    pub title: String,
    pub pi: String,
    pub status: ProjectStatus,
    pub size_bytes: i64,
    pub file_count: i64,
    pub members: i64,
    pub deadline: Option<i64>,
    pub last_delivery: Option<i64>,
    pub created_at: i64,
}

/// One page of the unit's projects and what it was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitProjectPage {
    pub projects: Vec<UnitProject>,
    /// Projects matching the filter, on every page.
    pub total: i64,
    pub page: i64,
    pub page_count: i64,
}

/// One event of the unit's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityEvent {
    pub at: i64,
    /// Who did it (absent: the portal itself, or an account deleted since).
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub project: Option<String>,
    pub details: Option<String>,
}

/// One page of the unit's activity, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityPage {
    pub events: Vec<ActivityEvent>,
    /// Pass as `before` for the next (older) page; absent on the last one.
    pub next: Option<String>,
}

/// The unit's storage use over the report's months (`domain::dashboard::usage_months`):
/// byte-hours in all and per project, one page of projects (by id) at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitUsage {
    /// "2026-01", oldest first.
    pub months: Vec<String>,
    /// The unit's byte-hours in each month.
    pub totals: Vec<f64>,
    pub projects: Vec<ProjectUsage>,
    pub total_projects: i64,
    pub page: i64,
    pub page_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectUsage {
    pub public_id: String,
    pub title: String,
    /// Byte-hours in each month of the report.
    pub byte_hours: Vec<f64>,
}
