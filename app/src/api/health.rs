//! `GET /status` (outside `/api/v1`, for load balancers and monitoring): the version and the
//! health of the database and the object store; 200 when both answer, 503 otherwise.

use serde::{Deserialize, Serialize};

/// The path, at the site root (not under [`super::BASE`]).
pub const STATUS: &str = "/status";

/// Whether a part the portal depends on answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Ok,
    Unavailable,
}

impl Health {
    pub fn of(answers: bool) -> Health {
        if answers {
            Health::Ok
        } else {
            Health::Unavailable
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusReport {
    pub version: String,
    pub database: Health,
    pub storage: Health,
}

impl StatusReport {
    pub fn healthy(&self) -> bool {
        self.database == Health::Ok && self.storage == Health::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_keeps_its_wire_spelling() {
        let report =
            StatusReport { version: "1.0.0".into(), database: Health::Ok, storage: Health::of(false) };
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(json, r#"{"version":"1.0.0","database":"ok","storage":"unavailable"}"#);
        assert!(!report.healthy());
    }
}
