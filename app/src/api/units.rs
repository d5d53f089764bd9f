//! `/units`: Super Admins list, create and edit units (DDS's `create-unit`, in the web too).

use serde::{Deserialize, Serialize};

pub use crate::domain::units::UnitSettings;

pub const UNITS: &str = "/units";
pub const UNIT: &str = "/units/{public_id}";

/// One unit in the Super Admin console, with its usage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitView {
    #[serde(flatten)]
    pub settings: UnitSettings,
    pub used_bytes: i64,
    pub projects: i64,
    pub active_projects: i64,
    pub staff: i64,
    pub created_at: i64,
}
