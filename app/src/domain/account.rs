//! The signed-in user as pages see it.

use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;
use crate::domain::second_factor::SecondFactor;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedInUser {
    pub username: String,
    pub name: String,
    pub role: Role,
    pub email: String,
    /// Staff: their unit (`None` for Researchers and Super Admins).
    #[serde(default)]
    pub unit_id: Option<i64>,
    pub second_factor: SecondFactor,
}
