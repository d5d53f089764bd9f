//! Who may touch a project's data, and when (DDS §1.2 and §4.3): listing, uploading,
//! overwriting, deleting and downloading files, by capacity and project status. Pure rules;
//! the server asks them for every files and transfer endpoint, the pages mirror them.

use crate::domain::permissions::Denied;
use crate::domain::project_status::ProjectStatus;
use crate::domain::projects::Capacity;

/// What the caller wants to do with the project's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataAction {
    List,
    Upload,
    /// Replacing an existing file with a new version.
    Overwrite,
    Delete,
    Download,
}

/// Refused: not shown at all (outsiders), or a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataRefusal {
    NotFound,
    Denied(Denied),
}

fn denied(sentence: &'static str) -> Result<(), DataRefusal> {
    Err(DataRefusal::Denied(Denied(sentence)))
}

/// The one decision for every data action.
pub fn may(
    capacity: Capacity,
    action: DataAction,
    status: ProjectStatus,
    released: bool,
) -> Result<(), DataRefusal> {
    use DataAction::*;
    use ProjectStatus::*;
    let staff = matches!(capacity, Capacity::Staff(_));
    let member = matches!(capacity, Capacity::Owner | Capacity::Member);
    match capacity {
        Capacity::Outsider => return Err(DataRefusal::NotFound),
        Capacity::Operator => return denied("Super Admins have no access to project data."),
        _ => {}
    }
    match action {
        List if staff => match status {
            Deleted | Archived => denied("The project's data has been removed."),
            _ => Ok(()),
        },
        List => match status {
            InProgress => denied("The project's data is not available yet: it is still being prepared."),
            Deleted | Archived => denied("The project's data has been removed."),
            _ => Ok(()),
        },
        Upload | Overwrite | Delete if member => denied("Only Unit Admins and Unit Personnel can upload or change files."),
        Upload if status == InProgress => Ok(()),
        Overwrite if status == InProgress && !released => Ok(()),
        Overwrite if status == InProgress => {
            denied("Files cannot be overwritten in a project that has been made available previously.")
        }
        Delete if status == InProgress && !released => Ok(()),
        Delete if status == InProgress => denied(
            "Existing project contents cannot be deleted since the project has been previously made available to recipients.",
        ),
        Upload | Overwrite => denied("Project not in right status to upload/modify files."),
        Delete => denied("Project Status prevents files from being deleted."),
        Download => match (status, staff) {
            (Available, _) | (InProgress, true) => Ok(()),
            _ => denied("Current Project status limits file download."),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roles::Role;

    const ALL_ACTIONS: [DataAction; 5] = [
        DataAction::List,
        DataAction::Upload,
        DataAction::Overwrite,
        DataAction::Delete,
        DataAction::Download,
    ];

    /// DDS's matrix, written out as a table of what is allowed.
    fn expected(staff: bool, action: DataAction, status: ProjectStatus, released: bool) -> bool {
        use DataAction::*;
        use ProjectStatus::*;
        match (action, status) {
            (_, Deleted | Archived) => false,
            (List, InProgress) => staff,
            (List, _) => true,
            (Upload, InProgress) => staff,
            (Overwrite | Delete, InProgress) => staff && !released,
            (Upload | Overwrite | Delete, _) => false,
            (Download, Available) => true,
            (Download, InProgress) => staff,
            (Download, Expired) => false,
        }
    }

    #[test]
    fn every_action_status_and_capacity() {
        for status in ProjectStatus::ALL {
            for released in [false, true] {
                for action in ALL_ACTIONS {
                    for capacity in [Capacity::Staff(Role::UnitAdmin), Capacity::Staff(Role::UnitPersonnel)] {
                        assert_eq!(
                            may(capacity, action, status, released).is_ok(),
                            expected(true, action, status, released),
                            "{capacity:?} {action:?} {status} released={released}"
                        );
                    }
                    for capacity in [Capacity::Owner, Capacity::Member] {
                        assert_eq!(
                            may(capacity, action, status, released).is_ok(),
                            expected(false, action, status, released),
                            "{capacity:?} {action:?} {status} released={released}"
                        );
                    }
                    assert!(matches!(
                        may(Capacity::Operator, action, status, released),
                        Err(DataRefusal::Denied(_))
                    ));
                    assert_eq!(may(Capacity::Outsider, action, status, released), Err(DataRefusal::NotFound));
                }
            }
        }
    }

    #[test]
    fn refusals_use_dds_sentences() {
        let staff = Capacity::Staff(Role::UnitAdmin);
        let sentence = |result: Result<(), DataRefusal>| match result {
            Err(DataRefusal::Denied(Denied(text))) => text,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(
            sentence(may(staff, DataAction::Upload, ProjectStatus::Available, true)),
            "Project not in right status to upload/modify files."
        );
        assert_eq!(
            sentence(may(Capacity::Member, DataAction::Download, ProjectStatus::InProgress, false)),
            "Current Project status limits file download."
        );
        assert!(sentence(may(staff, DataAction::Delete, ProjectStatus::InProgress, true))
            .starts_with("Existing project contents cannot be deleted"));
    }
}
