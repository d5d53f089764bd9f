//! The signed-in user as pages see it.

use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub username: String,
    pub name: String,
    pub role: Role,
    pub email: String,
    /// "email" or "totp".
    pub second_factor: String,
}
