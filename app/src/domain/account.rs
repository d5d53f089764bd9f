//! The signed-in user as pages see it.

use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;
use crate::domain::second_factor::SecondFactor;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub username: String,
    pub name: String,
    pub role: Role,
    pub email: String,
    pub second_factor: SecondFactor,
}

/// The answer to a login's password step (`POST /api/v1/auth/login`), given only after the
/// password was right: the second factor that comes next, and the account's
/// username as registered, whatever letter case was typed. The private key is wrapped with the
/// registered username in its AAD, so the browser unwraps it with this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginAnswer {
    pub username: String,
    pub second_factor: SecondFactor,
}
