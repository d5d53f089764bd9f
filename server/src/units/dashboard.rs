//! The unit dashboard (`/unit`): unit staff read their own unit; `app::domain::dashboard` decides
//! who and how far, `db::dashboard` reads it with bounded, indexed queries.

use std::collections::HashMap;

use app::api::dashboard::{
    ActivityPage, ActivityQuery, ProjectQuery, ProjectUsage, StatusCount, UnitOverview, UnitProjectPage,
    UnitUsage, UsageQuery,
};
use app::domain::dashboard::{
    dashboard_access, delivery_window_start, page_count, usage_month_of, usage_months, ActivityFilter,
    ProjectFilter, DEADLINE_WINDOW_DAYS, PAGE_SIZE,
};
use app::domain::dates::{month_start, utc_month};
use app::domain::ids::UnitId;
use app::domain::project_status::ProjectStatus;
use app::domain::quota::QuotaCheck;

use crate::db::users::User;
use crate::db::{dashboard, Db, DbError};

const DAY: i64 = 86_400;

#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error("{0}")]
    Denied(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("Your unit could not be found.")]
    NoUnit,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The caller's unit, if the caller may read the dashboard.
fn unit_of(user: &User) -> Result<UnitId, DashboardError> {
    dashboard_access(&user.actor()).map(|(unit, _)| unit).map_err(|denied| DashboardError::Denied(denied.0))
}

/// The caller's unit at a glance.
pub async fn overview(db: &Db, user: &User, now: i64) -> Result<UnitOverview, DashboardError> {
    let (unit, access) =
        dashboard_access(&user.actor()).map_err(|denied| DashboardError::Denied(denied.0))?;
    let figures = dashboard::unit_figures(db, unit).await?.ok_or(DashboardError::NoUnit)?;
    let counted = dashboard::projects_by_status(db, unit).await?;
    let projects_by_status = ProjectStatus::ALL
        .into_iter()
        .map(|status| StatusCount {
            status,
            count: counted.iter().find(|(s, _)| *s == status).map_or(0, |(_, count)| *count),
        })
        .collect();
    let first_day = delivery_window_start(now);
    let (access_pending, access_pending_total) = dashboard::access_pending(db, unit).await?;
    Ok(UnitOverview {
        over_warning_level: QuotaCheck::over_warning_level(
            figures.used_bytes,
            figures.quota_bytes,
            figures.warning_level,
        ),
        unit_name: figures.name,
        access,
        quota_bytes: figures.quota_bytes,
        used_bytes: figures.used_bytes,
        warning_level: figures.warning_level,
        projects_by_status,
        uploads_completed: dashboard::deliveries_since(db, unit, "file-uploaded", first_day).await?,
        downloads: dashboard::deliveries_since(db, unit, "files-downloaded", first_day).await?,
        pending_invites: dashboard::pending_invites(db, unit, now).await?,
        access_pending,
        access_pending_total,
        deadlines: dashboard::deadlines(db, unit, now, now + DEADLINE_WINDOW_DAYS * DAY).await?,
    })
}

/// One page of the caller's unit's projects.
pub async fn projects(db: &Db, user: &User, query: &ProjectQuery) -> Result<UnitProjectPage, DashboardError> {
    let unit = unit_of(user)?;
    let filter = ProjectFilter::parse(query).map_err(DashboardError::Invalid)?;
    let (projects, total) = dashboard::projects(db, unit, &filter).await?;
    Ok(UnitProjectPage { projects, total, page: filter.page, page_count: page_count(total) })
}

/// One page of the caller's unit's activity (its audit events), newest first.
pub async fn activity(db: &Db, user: &User, query: &ActivityQuery) -> Result<ActivityPage, DashboardError> {
    let unit = unit_of(user)?;
    let filter = ActivityFilter::parse(query).map_err(DashboardError::Invalid)?;
    let (events, next) = dashboard::activity(db, unit, &filter).await?;
    Ok(ActivityPage { events, next: next.map(|cursor| cursor.encode()) })
}

/// The usage report's months and the range of `period_end` that counts for them.
struct Report {
    months: Vec<i64>,
    from: i64,
    to: i64,
}

impl Report {
    fn at(now: i64) -> Report {
        let months = usage_months(now);
        let (from, to) = (months[0], month_start(months[months.len() - 1], 1));
        Report { months, from, to }
    }

    /// Each project's byte-hours per month (zero where nothing was recorded).
    async fn of_projects(
        &self,
        db: &Db,
        unit: UnitId,
        projects: Vec<(String, String)>,
    ) -> Result<Vec<ProjectUsage>, DbError> {
        let (Some(first), Some(last)) = (projects.first(), projects.last()) else {
            return Ok(Vec::new());
        };
        let records = dashboard::usage_of_range(db, unit, (&first.0, &last.0), self.from, self.to).await?;
        let mut usage: Vec<ProjectUsage> = projects
            .into_iter()
            .map(|(public_id, title)| ProjectUsage {
                public_id,
                title,
                byte_hours: vec![0.0; self.months.len()],
            })
            .collect();
        let index: HashMap<String, usize> =
            usage.iter().enumerate().map(|(i, project)| (project.public_id.clone(), i)).collect();
        for (public_id, period_end, byte_hours) in records {
            if let (Some(&i), Some(month)) = (index.get(&public_id), usage_month_of(&self.months, period_end))
            {
                usage[i].byte_hours[month] += byte_hours;
            }
        }
        Ok(usage)
    }
}

/// The caller's unit's byte-hours per month, in all and for one page of its projects.
pub async fn usage(db: &Db, user: &User, query: &UsageQuery, now: i64) -> Result<UnitUsage, DashboardError> {
    let unit = unit_of(user)?;
    let page = query.page().map_err(DashboardError::Invalid)?;
    let report = Report::at(now);
    let mut totals = vec![0.0; report.months.len()];
    for (period_end, byte_hours) in dashboard::usage_totals(db, unit, report.from, report.to).await? {
        if let Some(month) = usage_month_of(&report.months, period_end) {
            totals[month] += byte_hours;
        }
    }
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    let listed = dashboard::projects_by_id(db, unit, "", offset, PAGE_SIZE).await?;
    let projects = report.of_projects(db, unit, listed).await?;
    let total_projects = dashboard::project_count(db, unit).await?;
    Ok(UnitUsage {
        months: report.months.iter().map(|start| utc_month(*start)).collect(),
        totals,
        projects,
        total_projects,
        page,
        page_count: page_count(total_projects),
    })
}

/// Projects per chunk of the CSV export.
const CSV_CHUNK: i64 = 500;

/// The usage report of every project of the caller's unit as CSV (`project,title,month,
/// byte_hours`, every month of the report), produced a chunk of projects at a time.
pub fn usage_csv(
    db: Db,
    user: &User,
    now: i64,
) -> Result<impl futures::Stream<Item = Result<String, DbError>> + Send + 'static, DashboardError> {
    let unit = unit_of(user)?;
    let report = std::sync::Arc::new(Report::at(now));
    let start = (db, Some(String::new()), report);
    Ok(futures::stream::try_unfold(start, move |(db, after, report)| async move {
        let Some(after) = after else {
            return Ok(None);
        };
        let mut text =
            if after.is_empty() { "project,title,month,byte_hours\n".to_string() } else { String::new() };
        let listed = dashboard::projects_by_id(&db, unit, &after, 0, CSV_CHUNK).await?;
        let next = (listed.len() as i64 == CSV_CHUNK).then(|| listed[listed.len() - 1].0.clone());
        for project in report.of_projects(&db, unit, listed).await? {
            for (month, byte_hours) in report.months.iter().zip(&project.byte_hours) {
                let line =
                    [csv_field(&project.public_id), csv_field(&project.title), utc_month(*month)].join(",");
                text.push_str(&format!("{line},{byte_hours}\n"));
            }
        }
        Ok(Some((text, (db, next, report))))
    }))
}

/// A CSV field: quoted when it holds a separator, a quote or a line break; a leading `=`, `+`,
/// `-` or `@` is defused with a `'`, so a spreadsheet never runs a title as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain title"), "plain title");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }
}
