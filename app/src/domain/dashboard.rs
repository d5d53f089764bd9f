//! The unit dashboard (`/unit`): who sees it and how far, what its windows are, and what a
//! projects query may ask (filter, search, sort, page). Pure rules: the server checks a query
//! here before it reaches SQL, and the page builds its links from the same [`ProjectFilter`].

use serde::{Deserialize, Serialize};

use crate::domain::ids::UnitId;
use crate::domain::permissions::{Actor, Denied};
use crate::domain::project_status::ProjectStatus;
use crate::domain::roles::Role;
use crate::domain::search::{contains_pattern, read_search};

/// Deadlines shown on the overview: those within this many days.
pub const DEADLINE_WINDOW_DAYS: i64 = 14;
/// Deliveries counted on the overview: those of the last this many days.
pub const DELIVERY_WINDOW_DAYS: i64 = 30;

/// The first UTC day (days since 1970) of the overview's delivery window at `now`: today and
/// the `DELIVERY_WINDOW_DAYS - 1` days before it, whole days, as deliveries are counted per day.
pub fn delivery_window_start(now: i64) -> i64 {
    now.div_euclid(86_400) - (DELIVERY_WINDOW_DAYS - 1)
}
/// Projects per page of the list.
pub const PAGE_SIZE: i64 = 25;
/// Members waiting for access listed on the overview (the count says how many in all).
pub const ACCESS_PENDING_SHOWN: i64 = 10;

/// How far a member of unit staff reaches into the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DashboardAccess {
    /// Unit Admins: everything, with the actions.
    Manage,
    /// Unit Personnel: the figures and lists, no administration of accounts.
    ReadOnly,
}

/// Who may open the unit dashboard, and for which unit: unit staff, their own unit only.
pub fn dashboard_access(actor: &Actor) -> Result<(UnitId, DashboardAccess), Denied> {
    let access = dashboard_role(actor.role)?;
    match actor.unit_id {
        Some(unit) => Ok((unit, access)),
        None => Err(Denied("Your account belongs to no unit.")),
    }
}

/// How far a role reaches in the dashboard (before its unit is looked at).
pub fn dashboard_role(role: Role) -> Result<DashboardAccess, Denied> {
    match role {
        Role::UnitAdmin => Ok(DashboardAccess::Manage),
        Role::UnitPersonnel => Ok(DashboardAccess::ReadOnly),
        Role::SuperAdmin => {
            Err(Denied("The unit dashboard is for unit staff; Super Admins have the admin console."))
        }
        Role::Researcher => Err(Denied("Only Unit Admins and Unit Personnel can see the unit dashboard.")),
    }
}

/// The order of the project list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectSort {
    #[default]
    Newest,
    Oldest,
    Title,
    /// Soonest deadline first; projects without one last.
    Deadline,
    /// Largest first.
    Size,
    /// Most recent delivery first; projects never delivered to last.
    LastDelivery,
}

impl ProjectSort {
    pub const ALL: [ProjectSort; 6] = [
        ProjectSort::Newest,
        ProjectSort::Oldest,
        ProjectSort::Title,
        ProjectSort::Deadline,
        ProjectSort::Size,
        ProjectSort::LastDelivery,
    ];

    /// Its spelling in a query string.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectSort::Newest => "newest",
            ProjectSort::Oldest => "oldest",
            ProjectSort::Title => "title",
            ProjectSort::Deadline => "deadline",
            ProjectSort::Size => "size",
            ProjectSort::LastDelivery => "last_delivery",
        }
    }

    /// What the sort menu says.
    pub fn label(self) -> &'static str {
        match self {
            ProjectSort::Newest => "Newest first",
            ProjectSort::Oldest => "Oldest first",
            ProjectSort::Title => "Title (A to Z)",
            ProjectSort::Deadline => "Deadline (soonest first)",
            ProjectSort::Size => "Size (largest first)",
            ProjectSort::LastDelivery => "Last delivery (latest first)",
        }
    }

    pub fn parse(value: &str) -> Option<ProjectSort> {
        ProjectSort::ALL.into_iter().find(|sort| sort.as_str() == value)
    }
}

/// A projects query as it arrives (the page's URL, the API's query string): every part
/// optional, nothing trusted until [`ProjectFilter::parse`] has read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectQuery {
    /// A status, as DDS spells it ("In Progress", "Available", ...).
    pub status: Option<String>,
    /// Text the public id, title or PI contains (case-insensitive).
    pub q: Option<String>,
    /// newest, oldest, title, deadline, size or last_delivery.
    pub sort: Option<String>,
    /// From 1.
    pub page: Option<i64>,
}

/// A checked projects query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFilter {
    pub status: Option<ProjectStatus>,
    /// Trimmed, never empty.
    pub search: Option<String>,
    pub sort: ProjectSort,
    /// From 1.
    pub page: i64,
}

impl Default for ProjectFilter {
    /// The first page of every project, newest first.
    fn default() -> ProjectFilter {
        ProjectFilter { status: None, search: None, sort: ProjectSort::default(), page: 1 }
    }
}

impl ProjectFilter {
    /// Reads a query; a part that makes no sense is refused with a sentence, never ignored.
    pub fn parse(query: &ProjectQuery) -> Result<ProjectFilter, String> {
        let status = match query.status.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(ProjectStatus::parse(text).ok_or_else(|| {
                format!(
                    "'{text}' is not a project status: use one of {}.",
                    ProjectStatus::ALL.map(ProjectStatus::as_str).join(", ")
                )
            })?),
        };
        let search = read_search(query.q.as_deref())?;
        let sort = match query.sort.as_deref().map(str::trim) {
            None | Some("") => ProjectSort::default(),
            Some(text) => ProjectSort::parse(text).ok_or_else(|| {
                format!(
                    "'{text}' is not a way to sort projects: use one of {}.",
                    ProjectSort::ALL.map(ProjectSort::as_str).join(", ")
                )
            })?,
        };
        let page = query.page.unwrap_or(1);
        if page < 1 {
            return Err("Pages are numbered from 1.".into());
        }
        Ok(ProjectFilter { status, search, sort, page })
    }

    /// Rows skipped before this page.
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(PAGE_SIZE)
    }

    /// The search as a LIKE pattern that matches only itself, lower-cased (the query says
    /// `LOWER(column) LIKE $n ESCAPE '\'`).
    pub fn like_pattern(&self) -> Option<String> {
        self.search.as_deref().map(contains_pattern)
    }

    /// The query string of this filter at `page` (for links; defaults left out).
    pub fn query_string(&self, page: i64) -> String {
        let mut parts = Vec::new();
        if let Some(status) = self.status {
            parts.push(format!("status={}", crate::api::query_value(status.as_str())));
        }
        if let Some(search) = &self.search {
            parts.push(format!("q={}", crate::api::query_value(search)));
        }
        if self.sort != ProjectSort::default() {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if page != 1 {
            parts.push(format!("page={page}"));
        }
        parts.join("&")
    }
}

/// Pages needed for `total` projects (at least one, the empty page).
pub fn page_count(total: i64) -> i64 {
    ((total.max(0) + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

/// Events per page of the activity list.
pub const ACTIVITY_PAGE_SIZE: i64 = 50;

/// The actions of a unit's activity, as the audit trail names them, with what the filter says.
pub const ACTIVITY_ACTIONS: &[(&str, &str)] = &[
    ("file-uploaded", "File uploaded"),
    ("files-downloaded", "Download"),
    ("files-deleted", "Files deleted"),
    ("upload-cancelled", "Upload cancelled"),
    ("project-created", "Project created"),
    ("project-details-changed", "Project details changed"),
    ("project-status:Available", "Project released"),
    ("project-status:In Progress", "Project retracted"),
    ("project-status:Expired", "Project expired"),
    ("project-status:Archived", "Project archived"),
    ("project-status:Deleted", "Project deleted"),
    ("project-deadline-extended", "Deadline extended"),
    ("project-member-added", "Member added"),
    ("project-member-changed", "Member's capacity changed"),
    ("project-owner-set", "Project Owner set"),
    ("project-owner-cleared", "Project Owner cleared"),
    ("project-access-approved", "Project access approved"),
    ("project-access-revoked", "Project access revoked"),
    ("project-invite-revoked", "Invite taken out of a project"),
    ("unit-key-created", "Unit key created"),
    ("unit-key-approved", "Unit key access approved"),
    ("account.self_deleted", "Account deleted by its owner"),
    ("account.second_factor_email", "Second factor back to emailed codes"),
];

/// What a person reads for an action (the action itself for one this list does not know).
pub fn action_label(action: &str) -> &str {
    ACTIVITY_ACTIONS.iter().find(|(name, _)| *name == action).map_or(action, |(_, label)| label)
}

/// An activity query as it arrives: an action to keep, and where the page starts (the
/// previous page's `next`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityQuery {
    pub action: Option<String>,
    pub before: Option<String>,
}

/// Where a page of a newest-first list (events, invites) starts: below this row's time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeCursor {
    pub at: i64,
    pub id: i64,
}

impl TimeCursor {
    /// Above every row: the first page.
    pub const NEWEST: TimeCursor = TimeCursor { at: i64::MAX, id: i64::MAX };

    /// `at.id`, as pages link to the next.
    pub fn encode(self) -> String {
        format!("{}.{}", self.at, self.id)
    }

    pub fn decode(text: &str) -> Option<TimeCursor> {
        let (at, id) = text.split_once('.')?;
        Some(TimeCursor { at: at.parse().ok()?, id: id.parse().ok()? })
    }
}

/// A checked activity query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivityFilter {
    pub action: Option<&'static str>,
    pub before: Option<TimeCursor>,
}

impl ActivityFilter {
    pub fn parse(query: &ActivityQuery) -> Result<ActivityFilter, String> {
        let action = match query.action.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                ACTIVITY_ACTIONS
                    .iter()
                    .find(|(name, _)| *name == text)
                    .map(|(name, _)| *name)
                    .ok_or_else(|| format!("'{text}' is not an action the activity list knows."))?,
            ),
        };
        let before = match query.before.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(TimeCursor::decode(text).ok_or_else(|| {
                "That page of the activity does not exist; start again from the newest.".to_string()
            })?),
        };
        Ok(ActivityFilter { action, before })
    }

    /// The query string of this filter starting at `before` (for links).
    pub fn query_string(&self, before: Option<TimeCursor>) -> String {
        let mut parts = Vec::new();
        if let Some(action) = self.action {
            parts.push(format!("action={}", crate::api::query_value(action)));
        }
        if let Some(cursor) = before {
            parts.push(format!("before={}", cursor.encode()));
        }
        parts.join("&")
    }
}

/// Months the usage report covers, the current one included.
pub const USAGE_MONTHS: i64 = 12;

/// The first seconds of the usage report's months, oldest first, ending with the month of `now`.
pub fn usage_months(now: i64) -> Vec<i64> {
    (1 - USAGE_MONTHS..=0).map(|offset| crate::domain::dates::month_start(now, offset)).collect()
}

/// The month (an index into `months`) a usage record ending at `period_end` counts for: the
/// month its last second falls in (the monthly run at midnight on the 1st counts for the month
/// before). `None` outside the report.
pub fn usage_month_of(months: &[i64], period_end: i64) -> Option<usize> {
    let last_second = period_end - 1;
    let end = crate::domain::dates::month_start(*months.last()?, 1);
    if last_second >= end {
        return None;
    }
    months.partition_point(|start| *start <= last_second).checked_sub(1)
}

/// A usage query: the page of projects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageQuery {
    pub page: Option<i64>,
}

impl UsageQuery {
    /// The page asked for, from 1.
    pub fn page(&self) -> Result<i64, String> {
        match self.page.unwrap_or(1) {
            page if page >= 1 => Ok(page),
            _ => Err("Pages are numbered from 1.".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    fn actor(role: Role, unit: Option<i64>) -> Actor {
        Actor { user_id: UserId(1), role, unit_id: unit.map(UnitId) }
    }

    fn query(status: Option<&str>, q: Option<&str>, sort: Option<&str>, page: Option<i64>) -> ProjectQuery {
        ProjectQuery {
            status: status.map(String::from),
            q: q.map(String::from),
            sort: sort.map(String::from),
            page,
        }
    }

    #[test]
    fn unit_admins_manage_personnel_read_and_everyone_else_is_refused() {
        assert_eq!(
            dashboard_access(&actor(Role::UnitAdmin, Some(4))),
            Ok((UnitId(4), DashboardAccess::Manage))
        );
        assert_eq!(
            dashboard_access(&actor(Role::UnitPersonnel, Some(4))),
            Ok((UnitId(4), DashboardAccess::ReadOnly))
        );
        assert!(dashboard_access(&actor(Role::Researcher, None)).unwrap_err().0.contains("Only Unit Admins"));
        assert!(dashboard_access(&actor(Role::SuperAdmin, None)).unwrap_err().0.contains("admin console"));
        assert!(dashboard_access(&actor(Role::UnitAdmin, None)).is_err(), "staff without a unit");
    }

    #[test]
    fn an_empty_query_is_the_first_page_of_the_newest_projects() {
        let filter = ProjectFilter::parse(&ProjectQuery::default()).unwrap();
        assert_eq!(filter, ProjectFilter { status: None, search: None, sort: ProjectSort::Newest, page: 1 });
        assert_eq!(filter.offset(), 0);
        assert_eq!(filter.query_string(1), "");
        let blank = ProjectFilter::parse(&query(Some(" "), Some("  "), Some(""), None)).unwrap();
        assert_eq!(blank, filter, "blank parts are absent parts");
    }

    #[test]
    fn every_part_is_read_and_written_back_the_same() {
        let filter =
            ProjectFilter::parse(&query(Some("In Progress"), Some(" RNA seq "), Some("deadline"), Some(3)))
                .unwrap();
        assert_eq!(filter.status, Some(ProjectStatus::InProgress));
        assert_eq!(filter.search.as_deref(), Some("RNA seq"));
        assert_eq!(filter.sort, ProjectSort::Deadline);
        assert_eq!(filter.offset(), 2 * PAGE_SIZE);
        assert_eq!(filter.query_string(4), "status=In%20Progress&q=RNA%20seq&sort=deadline&page=4");
        for sort in ProjectSort::ALL {
            assert_eq!(ProjectSort::parse(sort.as_str()), Some(sort));
            let json = serde_json::to_string(&sort).unwrap();
            assert_eq!(json, format!("\"{}\"", sort.as_str()), "the wire spells sorts as the URL does");
        }
    }

    #[test]
    fn nonsense_is_refused_with_a_sentence() {
        let status = ProjectFilter::parse(&query(Some("in progress"), None, None, None)).unwrap_err();
        assert!(
            status.starts_with("'in progress' is not a project status: use one of In Progress,"),
            "{status}"
        );
        let sort = ProjectFilter::parse(&query(None, None, Some("members"), None)).unwrap_err();
        assert!(sort.contains("not a way to sort projects"), "{sort}");
        assert_eq!(
            ProjectFilter::parse(&query(None, None, None, Some(0))).unwrap_err(),
            "Pages are numbered from 1."
        );
        assert!(ProjectFilter::parse(&query(None, None, None, Some(-3))).is_err());
        let long = "é".repeat(crate::domain::search::MAX_SEARCH_CHARS + 1);
        assert!(ProjectFilter::parse(&query(None, Some(&long), None, None)).unwrap_err().contains("at most"));
    }

    #[test]
    fn a_huge_page_does_not_overflow() {
        let filter = ProjectFilter::parse(&query(None, None, None, Some(i64::MAX))).unwrap();
        assert_eq!(filter.offset(), i64::MAX);
    }

    #[test]
    fn a_search_matches_only_itself() {
        let filter = ProjectFilter::parse(&query(None, Some("50%_a\\B"), None, None)).unwrap();
        assert_eq!(filter.like_pattern().as_deref(), Some("%50\\%\\_a\\\\b%"));
        assert_eq!(ProjectFilter::default().like_pattern(), None);
    }

    #[test]
    fn pages_cover_every_project() {
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(1), 1);
        assert_eq!(page_count(PAGE_SIZE), 1);
        assert_eq!(page_count(PAGE_SIZE + 1), 2);
        assert_eq!(page_count(10_000), 400);
    }

    #[test]
    fn the_activity_keeps_known_actions_and_pages_by_cursor() {
        let empty = ActivityFilter::parse(&ActivityQuery::default()).unwrap();
        assert_eq!(empty, ActivityFilter::default());
        assert_eq!(empty.query_string(None), "");
        let query = ActivityQuery {
            action: Some("project-status:Available".into()),
            before: Some("1700000000.42".into()),
        };
        let filter = ActivityFilter::parse(&query).unwrap();
        assert_eq!(filter.action, Some("project-status:Available"));
        assert_eq!(filter.before, Some(TimeCursor { at: 1_700_000_000, id: 42 }));
        assert_eq!(
            filter.query_string(Some(TimeCursor { at: 5, id: 6 })),
            "action=project-status%3AAvailable&before=5.6"
        );
        assert_eq!(action_label("project-status:Available"), "Project released");
        assert_eq!(action_label("something-new"), "something-new");
        let unknown = ActivityQuery { action: Some("drop table".into()), before: None };
        assert!(ActivityFilter::parse(&unknown).unwrap_err().contains("not an action"));
        for bad in ["", "x", "1.", ".2", "1.2.3", "a.b"] {
            let query = ActivityQuery { action: None, before: Some(bad.into()) };
            if bad.is_empty() {
                assert!(ActivityFilter::parse(&query).is_ok());
            } else {
                assert!(ActivityFilter::parse(&query).is_err(), "{bad}");
            }
        }
    }

    #[test]
    fn usage_counts_for_the_month_its_period_ends_in() {
        let day = 86_400;
        let now = 1_798_761_599; // 2026-12-31 23:59:59
        let months = usage_months(now);
        assert_eq!(months.len(), USAGE_MONTHS as usize);
        assert_eq!(crate::domain::dates::utc_month(months[0]), "2026-01");
        assert_eq!(crate::domain::dates::utc_month(months[11]), "2026-12");
        // The run at midnight on 1 December counts for November.
        assert_eq!(usage_month_of(&months, months[11]), Some(10));
        assert_eq!(usage_month_of(&months, months[11] + day), Some(11));
        assert_eq!(usage_month_of(&months, months[0]), None, "December of the year before");
        assert_eq!(usage_month_of(&months, months[0] + 1), Some(0));
        assert_eq!(usage_month_of(&months, now + 1), Some(11), "midnight on 1 January: December");
        assert_eq!(usage_month_of(&months, now + 2), None, "after the report");
        assert_eq!(UsageQuery { page: Some(0) }.page().unwrap_err(), "Pages are numbered from 1.");
        assert_eq!(UsageQuery::default().page(), Ok(1));
    }

    #[test]
    fn the_delivery_window_is_thirty_whole_days_ending_today() {
        let today = 20_000;
        let noon = today * 86_400 + 43_200;
        assert_eq!(delivery_window_start(noon), today - 29);
        assert_eq!(delivery_window_start(today * 86_400), today - 29, "midnight is today");
        assert_eq!(delivery_window_start(today * 86_400 - 1), today - 30, "a second before is yesterday");
    }
}
