//! Messages of the day (`/motd`: public to read, Super Admins write and mail them) and
//! maintenance mode (`/maintenance`, Super Admins).

use serde::{Deserialize, Serialize};

/// `GET` → `[Motd]` (the active ones); `POST` [`NewMotd`] → 201 [`super::Created`].
pub const MOTDS: &str = "/motd";
/// `DELETE` → 204 (deactivates it).
pub const MOTD: &str = "/motd/{id}";
/// `POST` [`SendMotd`] → 202 [`Sending`] (the mail queue delivers).
pub const MOTD_SEND: &str = "/motd/{id}/send";
/// `GET` → [`Maintenance`]; `PUT` [`Maintenance`] → [`Maintenance`].
pub const MAINTENANCE: &str = "/maintenance";

/// An active message with its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Motd {
    pub id: i64,
    pub message: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMotd {
    pub message: String,
}

/// Who receives a mailed message of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// Every active account.
    All,
    /// Active Unit Admins and Unit Personnel.
    UnitUsers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendMotd {
    pub audience: Audience,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sending {
    pub recipients: usize,
}

/// Whether maintenance mode is on (everyone but Super Admins gets 503).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Maintenance {
    pub active: bool,
}
