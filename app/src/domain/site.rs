//! Facts about this deployment that pages need while rendering.

use serde::{Deserialize, Serialize};

/// Provided by the server as context for every render and server function.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// The portal's version (the server crate's version).
    pub version: String,
    /// Origin of the S3 endpoint browsers upload to and download from (for the CSP `connect-src`).
    pub storage_origin: String,
}

/// What every page announces in its banner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notices {
    /// Active messages of the day, newest first.
    pub motds: Vec<String>,
    /// Maintenance is on: only Super Admins can work.
    pub maintenance: bool,
}
