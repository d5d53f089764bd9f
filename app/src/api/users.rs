//! Administering accounts (`/users`): unit staff their unit's, Super Admins everyone's.

use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;
use crate::domain::second_factor::SecondFactor;

/// `GET` (query: [`UserQuery`]) → `[UserSummary]`: one page of at most [`USERS_SHOWN`], by
/// username.
pub const USERS: &str = "/users";
/// The most accounts one page shows: the next page starts after its last username.
pub const USERS_SHOWN: i64 = 200;

/// Which accounts to list: those whose username, name or email contains `q` (every one the
/// caller may see without it), from the first username after `after` on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserQuery {
    pub q: Option<String>,
    pub after: Option<String>,
}
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
    pub second_factor: SecondFactor,
    /// When the account last completed a login (absent: not since this was recorded).
    pub last_login: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activation {
    pub active: bool,
}
