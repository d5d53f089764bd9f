//! `/statistics`: DDS's reporting figures for Super Admins (its `dds stats`), live: accounts by
//! role, units, projects by status, data stored now and ever uploaded, byte-hours last month and
//! in all.

use serde::{Deserialize, Serialize};

use super::dashboard::StatusCount;
use crate::domain::roles::Role;

/// `GET` → [`PortalStatistics`] (Super Admins).
pub const STATISTICS: &str = "/statistics";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalStatistics {
    pub units: i64,
    /// Accounts by role, every role listed (zero included).
    pub users_by_role: Vec<RoleCount>,
    /// Researchers who own at least one project.
    pub project_owners: i64,
    /// Projects by status, every status listed.
    pub projects_by_status: Vec<StatusCount>,
    /// Bytes stored now (DDS's `tb_stored_now`).
    pub stored_bytes: i64,
    /// Bytes ever uploaded (DDS's `tb_uploaded_since_start`).
    pub uploaded_bytes: i64,
    /// Byte-hours recorded for last month, and in all.
    pub byte_hours_last_month: f64,
    pub byte_hours_total: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleCount {
    pub role: Role,
    pub count: i64,
}
