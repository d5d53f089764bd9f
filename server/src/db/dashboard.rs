//! What the unit dashboard reads: a handful of aggregate queries for the overview and one page
//! of projects. Each is bounded by the unit and served by an index (`projects_unit_status`,
//! `projects_unit_created`, `audit_events_unit`, `invites_unit`, the members' primary key), so
//! a unit of 10,000 projects costs a page, never a table.

use app::api::dashboard::{AccessPending, ActivityEvent, UnitProject, UpcomingDeadline};
use app::domain::dashboard::{
    ActivityFilter, ProjectFilter, ProjectSort, TimeCursor, ACCESS_PENDING_SHOWN, ACTIVITY_PAGE_SIZE,
    PAGE_SIZE,
};
use app::domain::ids::UnitId;
use app::domain::project_status::ProjectStatus;

use super::{projects::parse_status, DatabaseKind, Db, DbError};
use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;
use sqlx::Any;

/// The unit's figures that live on its row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitFigures {
    pub name: String,
    pub quota_bytes: i64,
    pub used_bytes: i64,
    pub warning_level: f64,
}

pub async fn unit_figures(db: &Db, unit: UnitId) -> Result<Option<UnitFigures>, DbError> {
    Ok(sqlx::query_as("SELECT name, quota_bytes, used_bytes, warning_level FROM units WHERE id = $1")
        .bind(unit)
        .fetch_optional(db.pool())
        .await?)
}

/// How many projects the unit has in each status (statuses without one left out).
pub async fn projects_by_status(db: &Db, unit: UnitId) -> Result<Vec<(ProjectStatus, i64)>, DbError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM projects WHERE unit_id = $1 GROUP BY status")
            .bind(unit)
            .fetch_all(db.pool())
            .await?;
    rows.into_iter().map(|(status, count)| Ok((parse_status(&status)?, count))).collect()
}

/// Audit events `action` of the unit on UTC days `first_day` (days since 1970) and after, from
/// the per-day counts the `unit_delivery_counted` trigger keeps (migration 0017).
pub async fn deliveries_since(db: &Db, unit: UnitId, action: &str, first_day: i64) -> Result<i64, DbError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) FROM unit_delivery_days \
         WHERE unit_id = $1 AND action = $2 AND day >= $3",
    )
    .bind(unit)
    .bind(action)
    .bind(first_day)
    .fetch_one(db.pool())
    .await?;
    Ok(count)
}

/// Unexpired invites into the unit or to one of its projects.
pub async fn pending_invites(db: &Db, unit: UnitId, now: i64) -> Result<i64, DbError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM invites i WHERE i.expires_at > $2 AND (i.unit_id = $1 OR EXISTS \
         (SELECT 1 FROM invite_projects ip JOIN projects p ON p.id = ip.project_id \
         WHERE ip.invite_id = i.id AND p.unit_id = $1))",
    )
    .bind(unit)
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    Ok(count)
}

/// The first members waiting for access (oldest project first) and how many wait in all, from
/// the `access_pending` rows its triggers keep (migration 0017): the first entries of an index
/// range of the unit, never a join over every membership nor a sort of everyone waiting.
pub async fn access_pending(db: &Db, unit: UnitId) -> Result<(Vec<AccessPending>, i64), DbError> {
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM access_pending WHERE unit_id = $1")
        .bind(unit)
        .fetch_one(db.pool())
        .await?;
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT p.public_id, u.username FROM access_pending a JOIN projects p ON p.id = a.project_id \
         JOIN users u ON u.id = a.user_id WHERE a.unit_id = $1 \
         ORDER BY a.project_id, a.user_id LIMIT {ACCESS_PENDING_SHOWN}"
    ))
    .bind(unit)
    .fetch_all(db.pool())
    .await?;
    let shown = rows.into_iter().map(|(project, username)| AccessPending { project, username }).collect();
    Ok((shown, total))
}

/// Available projects whose deadline falls between `now` and `until`, soonest first.
pub async fn deadlines(
    db: &Db,
    unit: UnitId,
    now: i64,
    until: i64,
) -> Result<Vec<UpcomingDeadline>, DbError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT public_id, title, deadline FROM projects WHERE unit_id = $1 AND status = 'Available' \
         AND deadline > $2 AND deadline <= $3 ORDER BY deadline, public_id LIMIT 50",
    )
    .bind(unit)
    .bind(now)
    .bind(until)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(project, title, deadline)| UpcomingDeadline { project, title, deadline })
        .collect())
}

#[derive(sqlx::FromRow)]
struct ProjectRow {
    total: i64,
    public_id: String,
    title: String,
    pi: String,
    status: String,
    size_bytes: i64,
    file_count: i64,
    members: i64,
    deadline: Option<i64>,
    last_delivery_at: Option<i64>,
    created_at: i64,
}

/// `ORDER BY` of a sort; every one ends on the id, so pages never overlap. "Nothing yet" sorts
/// last (a `CASE`, as SQLite and PostgreSQL place NULLs differently). Each is an index of
/// migration 0018 read forwards or backwards: change both together.
fn order_by(sort: ProjectSort) -> &'static str {
    match sort {
        ProjectSort::Newest => "p.created_at DESC, p.id DESC",
        ProjectSort::Oldest => "p.created_at, p.id",
        ProjectSort::Title => "LOWER(p.title), p.id",
        ProjectSort::Deadline => "CASE WHEN p.deadline IS NULL THEN 1 ELSE 0 END, p.deadline, p.id",
        ProjectSort::Size => "p.size_bytes DESC, p.id DESC",
        ProjectSort::LastDelivery => {
            "CASE WHEN p.last_delivery_at IS NULL THEN 0 ELSE 1 END DESC, p.last_delivery_at DESC, p.id DESC"
        }
    }
}

/// One page of the unit's projects under `filter`, and how many match in all. The page is
/// picked by id alone (only ids and sort keys are sorted; migration 0018's indexes give the
/// newest and the largest projects, filtered by status or not, in order without sorting), then
/// its rows are read. Unsearched, the count is an index range; searched, every project of the
/// unit is read once, so one pass counts the matches (a window) while it picks the page. Only
/// the page's projects have their members counted.
pub async fn projects(
    db: &Db,
    unit: UnitId,
    filter: &ProjectFilter,
) -> Result<(Vec<UnitProject>, i64), DbError> {
    // Case-insensitive containment without lower-casing every row: SQLite's LIKE ignores ASCII
    // case as its LOWER does (no more), PostgreSQL's ILIKE ignores case as its LOWER does.
    let like = match db.kind() {
        DatabaseKind::Sqlite => "LIKE",
        DatabaseKind::Postgres => "ILIKE",
    };
    let status = filter.status.map(ProjectStatus::as_str);
    let pattern = filter.like_pattern();
    // Only the filters in use are conditions (an `$n IS NULL OR` would keep the planner from
    // the status indexes); placeholders are numbered in the order they are bound.
    let mut conditions = vec!["p.unit_id = $1".to_string()];
    let mut bound = 1;
    if status.is_some() {
        bound += 1;
        conditions.push(format!("p.status = ${bound}"));
    }
    if pattern.is_some() {
        bound += 1;
        conditions.push(format!(
            "(p.public_id {like} ${bound} ESCAPE '\\' OR p.title {like} ${bound} ESCAPE '\\' \
             OR p.pi {like} ${bound} ESCAPE '\\')"
        ));
    }
    let conditions = conditions.join(" AND ");
    let searched = pattern.is_some();
    let order = order_by(filter.sort);
    let total_column = if searched { "COUNT(*) OVER ()" } else { "0" };
    let sql = format!(
        "SELECT p.id, p.public_id, p.title, p.pi, p.status, p.size_bytes, p.file_count, p.deadline, \
         p.last_delivery_at, p.created_at, page.total, \
         (SELECT COUNT(*) FROM project_members m WHERE m.project_id = p.id) AS members \
         FROM (SELECT p.id, {total_column} AS total FROM projects p WHERE {conditions} \
         ORDER BY {order} LIMIT {PAGE_SIZE} OFFSET ${}) page JOIN projects p ON p.id = page.id \
         ORDER BY {order}",
        bound + 1
    );
    let pattern = pattern.as_deref();
    let rows = bind_filters(sqlx::query_as::<_, ProjectRow>(&sql), unit, status, pattern)
        .bind(filter.offset())
        .fetch_all(db.pool())
        .await?;
    // Unsearched, or past the last page (the window counted nothing): counted on its own.
    let total = match rows.first() {
        Some(row) if searched => row.total,
        _ => {
            let sql = format!("SELECT COUNT(*) FROM projects p WHERE {conditions}");
            bind_filters(sqlx::query_as::<_, (i64,)>(&sql), unit, status, pattern)
                .fetch_one(db.pool())
                .await?
                .0
        }
    };
    let projects = rows
        .into_iter()
        .map(|row| {
            Ok(UnitProject {
                status: parse_status(&row.status)?,
                public_id: row.public_id,
                title: row.title,
                pi: row.pi,
                size_bytes: row.size_bytes,
                file_count: row.file_count,
                members: row.members,
                deadline: row.deadline,
                last_delivery: row.last_delivery_at,
                created_at: row.created_at,
            })
        })
        .collect::<Result<_, DbError>>()?;
    Ok((projects, total))
}

/// Binds the project list's filters in use (`None`: not a condition), in the order `projects`
/// numbers their placeholders: the unit, the status, the search pattern.
fn bind_filters<'q, O>(
    query: QueryAs<'q, Any, O, AnyArguments<'q>>,
    unit: UnitId,
    status: Option<&'q str>,
    pattern: Option<&'q str>,
) -> QueryAs<'q, Any, O, AnyArguments<'q>> {
    let query = query.bind(unit);
    let query = match status {
        Some(status) => query.bind(status),
        None => query,
    };
    match pattern {
        Some(pattern) => query.bind(pattern),
        None => query,
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    at: i64,
    actor: Option<String>,
    action: String,
    target: Option<String>,
    project: Option<String>,
    details: Option<String>,
}

/// One page of the unit's events under `filter`, newest first, and where the next page starts
/// (`audit_events_unit` or `audit_events_unit_action` read in order, from the cursor on).
pub async fn activity(
    db: &Db,
    unit: UnitId,
    filter: &ActivityFilter,
) -> Result<(Vec<ActivityEvent>, Option<TimeCursor>), DbError> {
    let cursor = filter.before.unwrap_or(TimeCursor::NEWEST);
    let action = if filter.action.is_some() { "AND e.action = $4" } else { "AND $4 IS NULL" };
    let rows: Vec<EventRow> = sqlx::query_as(&format!(
        "SELECT e.id, e.at, a.username AS actor, e.action, e.target, p.public_id AS project, e.details \
         FROM audit_events e LEFT JOIN users a ON a.id = e.actor_user_id LEFT JOIN projects p ON p.id = e.project_id \
         WHERE e.unit_id = $1 {action} AND (e.at, e.id) < ($2, $3) \
         ORDER BY e.at DESC, e.id DESC LIMIT {}",
        ACTIVITY_PAGE_SIZE + 1
    ))
    .bind(unit)
    .bind(cursor.at)
    .bind(cursor.id)
    .bind(filter.action)
    .fetch_all(db.pool())
    .await?;
    let more = rows.len() as i64 > ACTIVITY_PAGE_SIZE;
    let mut events: Vec<(TimeCursor, ActivityEvent)> = rows
        .into_iter()
        .map(|row| {
            let event = ActivityEvent {
                at: row.at,
                actor: row.actor,
                action: row.action,
                target: row.target,
                project: row.project,
                details: row.details,
            };
            (TimeCursor { at: row.at, id: row.id }, event)
        })
        .collect();
    events.truncate(ACTIVITY_PAGE_SIZE as usize);
    let next = if more { events.last().map(|(cursor, _)| *cursor) } else { None };
    Ok((events.into_iter().map(|(_, event)| event).collect(), next))
}

/// The unit's byte-hours per usage run (`period_end`) between `from` and `to` (exclusive,
/// inclusive): a few rows of `unit_usage_periods`, which its triggers keep (migration 0017).
pub async fn usage_totals(db: &Db, unit: UnitId, from: i64, to: i64) -> Result<Vec<(i64, f64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT period_end, byte_hours FROM unit_usage_periods WHERE unit_id = $1 AND period_end > $2 \
         AND period_end <= $3",
    )
    .bind(unit)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?)
}

/// The unit's projects after `after` (by public id), `limit` at most: (public id, title).
pub async fn projects_by_id(
    db: &Db,
    unit: UnitId,
    after: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT public_id, title FROM projects WHERE unit_id = $1 AND public_id > $2 ORDER BY public_id LIMIT $3 OFFSET $4",
    )
    .bind(unit)
    .bind(after)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?)
}

/// How many projects the unit has.
pub async fn project_count(db: &Db, unit: UnitId) -> Result<i64, DbError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM projects WHERE unit_id = $1")
        .bind(unit)
        .fetch_one(db.pool())
        .await?;
    Ok(count)
}

/// The usage records between `from` and `to` of the unit's projects from `first` to `last`
/// (public ids, inclusive): (public id, period end, byte-hours), by project then period.
pub async fn usage_of_range(
    db: &Db,
    unit: UnitId,
    (first, last): (&str, &str),
    from: i64,
    to: i64,
) -> Result<Vec<(String, i64, f64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT p.public_id, r.period_end, r.byte_hours FROM projects p JOIN usage_records r ON r.project_id = p.id \
         WHERE p.unit_id = $1 AND p.public_id >= $2 AND p.public_id <= $3 AND r.period_end > $4 AND r.period_end <= $5 \
         ORDER BY p.public_id, r.period_end",
    )
    .bind(unit)
    .bind(first)
    .bind(last)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?)
}
