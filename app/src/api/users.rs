//! Administering accounts (`/users`): unit staff their unit's, Super Admins everyone's.

use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;

/// `GET` → `[UserSummary]`.
pub const USERS: &str = "/users";
/// `PATCH` [`Activation`] → 204; `DELETE` → 204.
pub const USER: &str = "/users/{username}";
/// `DELETE` → 204: a Super Admin sends a user who lost their authenticator back to emailed codes.
pub const USER_TOTP: &str = "/users/{username}/totp";

/// One line of the users page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub username: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activation {
    pub active: bool,
}
