//! A project's status (DDS §4). The transition rules live beside the enum (added with the
//! projects issue); this is the one spelling on the wire, in the database and in pages.

use serde::{Deserialize, Serialize};

/// DDS's project statuses. "Aborted" is not a status: it is a flag on an Archived project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProjectStatus {
    #[serde(rename = "In Progress")]
    InProgress,
    Available,
    Expired,
    Archived,
    Deleted,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 5] = [
        ProjectStatus::InProgress,
        ProjectStatus::Available,
        ProjectStatus::Expired,
        ProjectStatus::Archived,
        ProjectStatus::Deleted,
    ];

    /// DDS's spelling, used in messages and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::InProgress => "In Progress",
            ProjectStatus::Available => "Available",
            ProjectStatus::Expired => "Expired",
            ProjectStatus::Archived => "Archived",
            ProjectStatus::Deleted => "Deleted",
        }
    }

    pub fn parse(value: &str) -> Option<ProjectStatus> {
        ProjectStatus::ALL.into_iter().find(|status| status.as_str() == value)
    }
}

impl std::fmt::Display for ProjectStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_on_the_wire_and_in_the_database() {
        for status in ProjectStatus::ALL {
            assert_eq!(ProjectStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(ProjectStatus::parse("in progress"), None);
        assert_eq!(ProjectStatus::parse("Aborted"), None);
    }
}
