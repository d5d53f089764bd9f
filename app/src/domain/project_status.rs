//! A project's status and its one transition function (DDS §4, the parity reference for every
//! rule and message). Pure: the server loads a [`ProjectState`] under a row lock, asks
//! [`decide`] or [`extend`], and records the answer in the same transaction.
//!
//! Deviation from DDS (docs/deviations.md): a deadline extension is recorded as an extension,
//! not as a fake `Expired` row, so extensions and re-releases from Expired are counted apart
//! (at most 2 and 3) and the status history shows what really happened.

use serde::{Deserialize, Serialize};

use crate::domain::permissions::Denied;
use crate::domain::projects::Capacity;

/// DDS's project statuses. "Aborted" is not a status: it is a flag on an Archived project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// DDS's caps on the days a project stays Available or Expired.
pub const MAX_DAYS_AVAILABLE: u32 = 90;
pub const MAX_DAYS_EXPIRED: u32 = 30;
/// DDS's `MAX_RELEASES_FROM_EXPIRED` and `MAX_DEADLINE_EXTENSIONS`.
pub const MAX_RELEASES_FROM_EXPIRED: u32 = 3;
pub const MAX_DEADLINE_EXTENSIONS: u32 = 2;

const DAY: i64 = 86_400;

/// What the rules need to know of a project, read under its row lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectState {
    pub status: ProjectStatus,
    pub aborted: bool,
    /// The current deadline (unix seconds): kept while retracted, so a re-release keeps it.
    pub deadline: Option<i64>,
    /// Whether the project was ever Available (DDS's `released` date is set).
    pub released: bool,
    /// How often it went Available → Expired (by the job or by hand).
    pub times_expired: u32,
    pub releases_from_expired: u32,
    pub extensions: u32,
}

impl ProjectState {
    /// A project as it is created.
    pub fn new() -> ProjectState {
        ProjectState {
            status: ProjectStatus::InProgress,
            aborted: false,
            deadline: None,
            released: false,
            times_expired: 0,
            releases_from_expired: 0,
            extensions: 0,
        }
    }

    /// Whole days left before the deadline (0 once it passed).
    pub fn days_left(&self, now: i64) -> u32 {
        self.deadline.map_or(0, |deadline| ((deadline - now).max(0) / DAY) as u32)
    }
}

impl Default for ProjectState {
    fn default() -> Self {
        ProjectState::new()
    }
}

/// The unit's defaults (DDS: `days_in_available` 90, `days_in_expired` 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitDeadlines {
    pub days_in_available: u32,
    pub days_in_expired: u32,
}

impl Default for UnitDeadlines {
    fn default() -> Self {
        UnitDeadlines { days_in_available: MAX_DAYS_AVAILABLE, days_in_expired: MAX_DAYS_EXPIRED }
    }
}

/// A status change asked for (DDS's `dds project status release|retract|expire|archive|delete`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum StatusChange {
    /// To Available; `deadline` in days (the unit's default when absent).
    Release {
        #[serde(default)]
        deadline: Option<i64>,
    },
    /// Back to In Progress (uploads allowed again; the deadline keeps running).
    Retract,
    /// To Expired by hand; `deadline` in days before archiving.
    Expire {
        #[serde(default)]
        deadline: Option<i64>,
    },
    /// To Archived; `aborted` clears the metadata and is required once the project was released.
    Archive {
        #[serde(default)]
        aborted: bool,
    },
    /// To Deleted: only a project never made Available.
    Delete,
}

impl StatusChange {
    pub fn target(self) -> ProjectStatus {
        match self {
            StatusChange::Release { .. } => ProjectStatus::Available,
            StatusChange::Retract => ProjectStatus::InProgress,
            StatusChange::Expire { .. } => ProjectStatus::Expired,
            StatusChange::Archive { .. } => ProjectStatus::Archived,
            StatusChange::Delete => ProjectStatus::Deleted,
        }
    }
}

/// What to record for an allowed change, and what follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The project's state after the change.
    pub state: ProjectState,
    /// The first release: DDS sets `projects.released`.
    pub first_release: bool,
    /// Release mail to the project's researchers (with the deadline).
    pub release_mail: bool,
    /// Title, description and PI cleared, members and key seals removed (delete, abort).
    pub clears_metadata: bool,
    /// Objects and bucket removed by a durable task (delete, archive).
    pub removes_data: bool,
}

/// Why a change is refused: who may not, or what the rules forbid (DDS's messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("{0}")]
    Denied(Denied),
    /// The project is not shown to the caller at all (404, never a hint that it exists).
    #[error("Project access denied.")]
    NotFound,
    #[error("{0}")]
    Rule(String),
    /// The first call of a deadline extension: nothing changed until it is confirmed.
    #[error("{0}")]
    NeedsConfirmation(String),
}

fn rule(message: impl Into<String>) -> StatusError {
    StatusError::Rule(message.into())
}

/// Only the unit's staff change a project's status (DDS §1.2).
pub fn may_change_status(capacity: Capacity) -> Result<(), StatusError> {
    match capacity {
        Capacity::Staff(_) => Ok(()),
        Capacity::Owner | Capacity::Member => Err(StatusError::Denied(Denied(
            "Only Unit Admins and Unit Personnel can change the status of a project.",
        ))),
        Capacity::Operator => {
            Err(StatusError::Denied(Denied("Super Admins cannot change the status of a project.")))
        }
        Capacity::Outsider => Err(StatusError::NotFound),
    }
}

/// The end of `now`'s day (23:59:59 UTC), from which DDS counts deadlines.
pub fn end_of_day(now: i64) -> i64 {
    now - now.rem_euclid(DAY) + DAY - 1
}

/// DDS's deadline check: a positive number of days, at most `max`.
fn deadline_days(days: Option<i64>, default: u32, max: u32) -> Result<i64, StatusError> {
    let days = days.unwrap_or(i64::from(default.min(max)));
    if days <= 0 {
        return Err(rule("The deadline needs to be a positive integer."));
    }
    if days > i64::from(max) {
        return Err(rule(format!("The deadline needs to be less than (or equal to) {max} days.")));
    }
    Ok(days)
}

/// The one decision on every status change: who, from which status, to which, with what.
pub fn decide(
    capacity: Capacity,
    state: &ProjectState,
    change: StatusChange,
    unit: UnitDeadlines,
    now: i64,
) -> Result<Transition, StatusError> {
    may_change_status(capacity)?;
    apply(state, change, unit, now)
}

/// The rules of the transition table, once the caller may change the status at all.
fn apply(
    state: &ProjectState,
    change: StatusChange,
    unit: UnitDeadlines,
    now: i64,
) -> Result<Transition, StatusError> {
    use ProjectStatus::*;
    let from = state.status;
    let to = change.target();
    if matches!(from, Deleted | Archived) {
        return Err(rule(format!("Cannot change status for a project that has the status '{from}'.")));
    }
    if from == to {
        return Err(rule(format!("The project already has the status '{from}'.")));
    }
    let mut next = ProjectState { status: to, ..*state };
    let mut transition = Transition {
        state: next,
        first_release: false,
        release_mail: false,
        clears_metadata: false,
        removes_data: false,
    };
    match (from, change) {
        (InProgress | Expired, StatusChange::Release { deadline }) => {
            if from == Expired && state.releases_from_expired >= MAX_RELEASES_FROM_EXPIRED {
                return Err(rule(
                    "Project availability limit: Project cannot be made Available any more times",
                ));
            }
            let days = deadline_days(deadline, unit.days_in_available, MAX_DAYS_AVAILABLE)?;
            if from == InProgress && state.released {
                // A retracted project keeps its deadline: retracting does not pause the countdown.
            } else {
                next.deadline = Some(end_of_day(now) + days * DAY);
            }
            if from == Expired {
                next.releases_from_expired += 1;
            }
            next.released = true;
            transition.first_release = !state.released;
            transition.release_mail = true;
        }
        (Available, StatusChange::Retract) => {}
        (Available, StatusChange::Expire { deadline }) => {
            let days = deadline_days(deadline, unit.days_in_expired, MAX_DAYS_EXPIRED)?;
            next.deadline = Some(end_of_day(now) + days * DAY);
            next.times_expired += 1;
        }
        (InProgress | Available | Expired, StatusChange::Archive { aborted }) => {
            if from == InProgress && state.released && !aborted {
                return Err(rule(
                    "This project has been made available before: archiving it from In Progress requires the abort flag.",
                ));
            }
            next.aborted = aborted;
            next.deadline = None;
            transition.clears_metadata = aborted;
            transition.removes_data = true;
        }
        (InProgress, StatusChange::Delete) => {
            if state.released {
                return Err(rule(
                    "You cannot delete a project that has been made available previously. Please abort the project if you wish to proceed.",
                ));
            }
            next.deadline = None;
            transition.clears_metadata = true;
            transition.removes_data = true;
        }
        (Available | Expired, StatusChange::Delete) if state.released => {
            return Err(rule(
                "You cannot delete a project that has been made available previously. Please abort the project if you wish to proceed.",
            ));
        }
        _ => return Err(rule(format!("You cannot change the status from '{from}' to '{to}'."))),
    }
    transition.state = next;
    Ok(transition)
}

/// A deadline extension (DDS `PATCH /proj/status`): only while Available, at most
/// [`MAX_DEADLINE_EXTENSIONS`] times, `days` ≤ the unit's `days_in_available` and days left +
/// `days` ≤ 90. Two steps: unconfirmed, it answers what would happen and changes nothing.
pub fn extend(
    capacity: Capacity,
    state: &ProjectState,
    days: Option<i64>,
    confirmed: bool,
    unit: UnitDeadlines,
    now: i64,
) -> Result<ProjectState, StatusError> {
    may_change_status(capacity)?;
    if state.status != ProjectStatus::Available {
        return Err(rule("The deadline can only be extended while the project is Available."));
    }
    if state.extensions >= MAX_DEADLINE_EXTENSIONS {
        return Err(rule("Project availability limit: The maximum number of changes in data availability has been reached."));
    }
    let days = deadline_days(days, unit.days_in_available, unit.days_in_available.min(MAX_DAYS_AVAILABLE))?;
    let left = i64::from(state.days_left(now));
    if left + days > i64::from(MAX_DAYS_AVAILABLE) {
        return Err(rule(format!(
            "The new deadline needs to be less than (or equal to) {MAX_DAYS_AVAILABLE} days from today: {left} days are left, so it can be extended by at most {} days.",
            i64::from(MAX_DAYS_AVAILABLE) - left
        )));
    }
    if !confirmed {
        let remaining = MAX_DEADLINE_EXTENSIONS - state.extensions;
        return Err(StatusError::NeedsConfirmation(format!(
            "Operation must be confirmed before proceeding. The deadline will move {days} days later ({} days from today). You can extend the deadline {remaining} more time{}, including this one.",
            left + days,
            if remaining == 1 { "" } else { "s" },
        )));
    }
    let base = state.deadline.unwrap_or_else(|| end_of_day(now));
    Ok(ProjectState { deadline: Some(base + days * DAY), extensions: state.extensions + 1, ..*state })
}

/// What the deadline jobs do to a project now (DDS's `set-available-to-expired` and
/// `set-expired-to-archived`): Available → Expired with the unit's days, Expired → Archived
/// (not aborted); nothing before the deadline or in other statuses.
pub fn by_deadline(state: &ProjectState, unit: UnitDeadlines, now: i64) -> Option<Transition> {
    let passed = state.deadline.is_some_and(|deadline| deadline <= now);
    let change = match state.status {
        ProjectStatus::Available if passed => StatusChange::Expire { deadline: None },
        ProjectStatus::Expired if passed => StatusChange::Archive { aborted: false },
        _ => return None,
    };
    apply(state, change, unit, now).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::roles::Role;

    const NOW: i64 = 1_780_000_000 + 3_600; // some time of day, not midnight
    const STAFF: [Capacity; 2] = [Capacity::Staff(Role::UnitAdmin), Capacity::Staff(Role::UnitPersonnel)];
    const OTHERS: [Capacity; 4] = [Capacity::Owner, Capacity::Member, Capacity::Operator, Capacity::Outsider];

    fn state(status: ProjectStatus, released: bool) -> ProjectState {
        let deadline =
            (status != ProjectStatus::InProgress || released).then_some(end_of_day(NOW) + 10 * DAY);
        ProjectState { status, released, deadline, ..ProjectState::new() }
    }

    fn changes() -> [StatusChange; 6] {
        [
            StatusChange::Release { deadline: None },
            StatusChange::Retract,
            StatusChange::Expire { deadline: None },
            StatusChange::Archive { aborted: false },
            StatusChange::Archive { aborted: true },
            StatusChange::Delete,
        ]
    }

    /// DDS's transition table (§4.1), with `released` = "has been Available".
    fn allowed(from: ProjectStatus, released: bool, change: StatusChange) -> bool {
        use ProjectStatus::*;
        match (from, change) {
            (InProgress, StatusChange::Release { .. }) => true,
            (InProgress, StatusChange::Archive { aborted }) => aborted || !released,
            (InProgress, StatusChange::Delete) => !released,
            (
                Available,
                StatusChange::Retract | StatusChange::Expire { .. } | StatusChange::Archive { .. },
            ) => true,
            (Expired, StatusChange::Release { .. } | StatusChange::Archive { .. }) => true,
            _ => false,
        }
    }

    #[test]
    fn every_transition_for_every_capacity() {
        for from in ProjectStatus::ALL {
            for released in [false, true] {
                if from != ProjectStatus::InProgress && !released {
                    continue; // every other status implies a release
                }
                let before = state(from, released);
                for change in changes() {
                    for capacity in STAFF {
                        let answer = decide(capacity, &before, change, UnitDeadlines::default(), NOW);
                        assert_eq!(
                            answer.is_ok(),
                            allowed(from, released, change),
                            "{from} (released {released}) by {capacity:?}: {change:?} → {answer:?}"
                        );
                        if let Ok(transition) = answer {
                            assert_eq!(transition.state.status, change.target());
                        } else if matches!(from, ProjectStatus::Archived | ProjectStatus::Deleted) {
                            assert_eq!(
                                answer.unwrap_err().to_string(),
                                format!("Cannot change status for a project that has the status '{from}'.")
                            );
                        }
                    }
                    for capacity in OTHERS {
                        let answer = decide(capacity, &before, change, UnitDeadlines::default(), NOW);
                        match capacity {
                            Capacity::Outsider => assert_eq!(answer, Err(StatusError::NotFound)),
                            _ => assert!(matches!(answer, Err(StatusError::Denied(_))), "{capacity:?}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn release_sets_the_deadline_from_the_unit_and_caps_it() {
        let staff = STAFF[0];
        let fresh = ProjectState::new();
        let unit = UnitDeadlines { days_in_available: 30, days_in_expired: 10 };
        let released = decide(staff, &fresh, StatusChange::Release { deadline: None }, unit, NOW).unwrap();
        assert_eq!(released.state.deadline, Some(end_of_day(NOW) + 30 * DAY), "the unit's default");
        assert!(released.first_release && released.release_mail && released.state.released);
        let given = decide(staff, &fresh, StatusChange::Release { deadline: Some(90) }, unit, NOW).unwrap();
        assert_eq!(given.state.deadline, Some(end_of_day(NOW) + 90 * DAY));
        for (days, message) in [
            (0, "The deadline needs to be a positive integer."),
            (-3, "The deadline needs to be a positive integer."),
            (91, "The deadline needs to be less than (or equal to) 90 days."),
        ] {
            let refused = decide(staff, &fresh, StatusChange::Release { deadline: Some(days) }, unit, NOW);
            assert_eq!(refused, Err(StatusError::Rule(message.into())), "{days}");
        }
        let available = released.state;
        let expired = decide(staff, &available, StatusChange::Expire { deadline: None }, unit, NOW).unwrap();
        assert_eq!(expired.state.deadline, Some(end_of_day(NOW) + 10 * DAY));
        assert_eq!(expired.state.times_expired, 1);
        let refused = decide(staff, &available, StatusChange::Expire { deadline: Some(31) }, unit, NOW);
        assert_eq!(
            refused,
            Err(StatusError::Rule("The deadline needs to be less than (or equal to) 30 days.".into()))
        );
    }

    #[test]
    fn end_of_day_is_23_59_59_utc() {
        assert_eq!(end_of_day(0), DAY - 1);
        assert_eq!(end_of_day(DAY - 1), DAY - 1);
        assert_eq!(end_of_day(DAY), 2 * DAY - 1);
    }

    #[test]
    fn retract_keeps_the_deadline_and_a_re_release_keeps_it_too() {
        let staff = STAFF[1];
        let unit = UnitDeadlines::default();
        let available =
            decide(staff, &ProjectState::new(), StatusChange::Release { deadline: Some(5) }, unit, NOW)
                .unwrap()
                .state;
        let retracted = decide(staff, &available, StatusChange::Retract, unit, NOW).unwrap();
        assert_eq!(retracted.state.deadline, available.deadline);
        assert!(!retracted.release_mail && !retracted.removes_data);
        let later = NOW + 2 * DAY;
        let again =
            decide(staff, &retracted.state, StatusChange::Release { deadline: Some(60) }, unit, later)
                .unwrap();
        assert_eq!(again.state.deadline, available.deadline, "the countdown does not pause");
        assert!(!again.first_release && again.release_mail);
    }

    #[test]
    fn at_most_three_releases_from_expired() {
        let staff = STAFF[0];
        let unit = UnitDeadlines::default();
        let mut project =
            decide(staff, &ProjectState::new(), StatusChange::Release { deadline: None }, unit, NOW)
                .unwrap()
                .state;
        for round in 0..MAX_RELEASES_FROM_EXPIRED {
            project =
                decide(staff, &project, StatusChange::Expire { deadline: None }, unit, NOW).unwrap().state;
            project = decide(staff, &project, StatusChange::Release { deadline: None }, unit, NOW)
                .unwrap_or_else(|e| panic!("re-release {round}: {e}"))
                .state;
        }
        project = decide(staff, &project, StatusChange::Expire { deadline: None }, unit, NOW).unwrap().state;
        assert_eq!(
            decide(staff, &project, StatusChange::Release { deadline: None }, unit, NOW),
            Err(StatusError::Rule(
                "Project availability limit: Project cannot be made Available any more times".into()
            ))
        );
        assert!(decide(staff, &project, StatusChange::Archive { aborted: false }, unit, NOW).is_ok());
    }

    #[test]
    fn delete_only_before_the_first_release_abort_after() {
        let staff = STAFF[0];
        let unit = UnitDeadlines::default();
        let deleted = decide(staff, &ProjectState::new(), StatusChange::Delete, unit, NOW).unwrap();
        assert!(deleted.clears_metadata && deleted.removes_data);
        let retracted = state(ProjectStatus::InProgress, true);
        let refused = decide(staff, &retracted, StatusChange::Delete, unit, NOW).unwrap_err();
        assert!(refused.to_string().starts_with("You cannot delete a project that has been made available"));
        for from in [ProjectStatus::Available, ProjectStatus::Expired] {
            let refused = decide(staff, &state(from, true), StatusChange::Delete, unit, NOW).unwrap_err();
            assert!(refused.to_string().contains("Please abort the project"), "{from}");
        }
        let plain =
            decide(staff, &retracted, StatusChange::Archive { aborted: false }, unit, NOW).unwrap_err();
        assert!(plain.to_string().contains("requires the abort flag"));
        let aborted = decide(staff, &retracted, StatusChange::Archive { aborted: true }, unit, NOW).unwrap();
        assert!(aborted.state.aborted && aborted.clears_metadata && aborted.removes_data);
        let archived = decide(
            staff,
            &state(ProjectStatus::Expired, true),
            StatusChange::Archive { aborted: false },
            unit,
            NOW,
        )
        .unwrap();
        assert!(!archived.clears_metadata && archived.removes_data, "archiving keeps the metadata");
    }

    #[test]
    fn deadline_extensions_are_confirmed_capped_and_counted() {
        let staff = STAFF[0];
        let unit = UnitDeadlines::default();
        let available = state(ProjectStatus::Available, true); // 10 days left
        let first = extend(staff, &available, Some(30), false, unit, NOW);
        match first {
            Err(StatusError::NeedsConfirmation(text)) => {
                assert!(text.starts_with("Operation must be confirmed before proceeding."), "{text}");
                assert!(text.contains("40 days from today") && text.contains("2 more times"), "{text}");
            }
            other => panic!("expected a confirmation step, got {other:?}"),
        }
        let once = extend(staff, &available, Some(30), true, unit, NOW).unwrap();
        assert_eq!(once.deadline, Some(end_of_day(NOW) + 40 * DAY));
        assert_eq!((once.extensions, once.status, once.times_expired), (1, ProjectStatus::Available, 0));
        let too_far = extend(staff, &once, Some(51), true, unit, NOW).unwrap_err();
        assert!(too_far.to_string().contains("at most 50 days"), "{too_far}");
        let twice = extend(staff, &once, Some(50), true, unit, NOW).unwrap();
        assert_eq!(twice.deadline, Some(end_of_day(NOW) + 90 * DAY));
        assert_eq!(
            extend(staff, &twice, Some(1), true, unit, NOW),
            Err(StatusError::Rule(
                "Project availability limit: The maximum number of changes in data availability has been reached.".into()
            ))
        );
        let small_unit = UnitDeadlines { days_in_available: 20, days_in_expired: 30 };
        assert!(extend(staff, &available, Some(21), true, small_unit, NOW).is_err(), "above the unit's days");
        assert!(extend(staff, &available, Some(0), true, unit, NOW).is_err());
        for from in [ProjectStatus::InProgress, ProjectStatus::Expired, ProjectStatus::Archived] {
            assert!(extend(staff, &state(from, true), Some(5), true, unit, NOW).is_err(), "{from}");
        }
        for capacity in OTHERS {
            assert!(extend(capacity, &available, Some(5), true, unit, NOW).is_err(), "{capacity:?}");
        }
    }

    #[test]
    fn the_jobs_move_projects_past_their_deadline() {
        let available = state(ProjectStatus::Available, true);
        let deadline = available.deadline.unwrap();
        let unit = UnitDeadlines { days_in_available: 90, days_in_expired: 7 };
        assert_eq!(by_deadline(&available, unit, deadline - 1), None);
        let expired = by_deadline(&available, unit, deadline).expect("expires at the deadline").state;
        assert_eq!(expired.status, ProjectStatus::Expired);
        assert_eq!(expired.deadline, Some(end_of_day(deadline) + 7 * DAY), "the unit's days in Expired");
        let archived =
            by_deadline(&expired, unit, expired.deadline.unwrap()).expect("archived at the deadline");
        assert_eq!((archived.state.status, archived.state.aborted), (ProjectStatus::Archived, false));
        assert!(archived.removes_data && !archived.clears_metadata);
        let retracted = state(ProjectStatus::InProgress, true);
        assert_eq!(by_deadline(&retracted, unit, deadline + DAY), None, "retracted projects wait");
        assert_eq!(ProjectState::new().days_left(NOW), 0);
        assert_eq!(available.days_left(NOW), 10);
    }

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
