//! The projects aggregate: a project, its status history, its members (read here; written by
//! `projects::members`). Rows decode into the structs below; every list is one query.

use app::domain::ids::{ProjectId, UnitId, UserId};
use app::domain::project_status::{ProjectState, ProjectStatus};
use sqlx::{Any, Transaction};

use super::{Db, DbError};

/// One project row, with its unit's display name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Project {
    pub id: ProjectId,
    pub public_id: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub title: String,
    pub description: String,
    pub pi: String,
    pub public_key: Vec<u8>,
    pub unit_public_key: Vec<u8>,
    pub unit_sealed_key: Vec<u8>,
    pub created_at: i64,
}

pub(crate) const SELECT_PROJECT: &str =
    "SELECT p.id, p.public_id, p.unit_id, u.external_display_name AS unit_name, p.title, \
     p.description, p.pi, p.public_key, p.unit_public_key, p.unit_sealed_key, p.created_at \
     FROM projects p JOIN units u ON u.id = p.unit_id";

/// An active project by its public id.
pub async fn by_public_id(db: &Db, public_id: &str) -> Result<Option<Project>, DbError> {
    Ok(sqlx::query_as(&format!("{SELECT_PROJECT} WHERE p.public_id = $1 AND p.is_active = TRUE"))
        .bind(public_id.trim())
        .fetch_optional(db.pool())
        .await?)
}

/// A Researcher's membership of a project: `Some(is_owner)`. On the pool or inside the caller's
/// transaction.
pub async fn membership<'e, E>(
    executor: E,
    project_id: ProjectId,
    user_id: UserId,
) -> Result<Option<bool>, DbError>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT CAST(CASE WHEN is_owner THEN 1 ELSE 0 END AS BIGINT) FROM project_members \
         WHERE project_id = $1 AND user_id = $2",
    )
    .bind(project_id)
    .bind(user_id)
    .fetch_optional(executor)
    .await?;
    Ok(row.map(|(owner,)| owner != 0))
}

/// How many projects the user is a Project Owner of.
pub async fn owned_count(db: &Db, user_id: UserId) -> Result<i64, DbError> {
    let (owned,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM project_members WHERE user_id = $1 AND is_owner = TRUE")
            .bind(user_id)
            .fetch_one(db.pool())
            .await?;
    Ok(owned)
}

/// The latest status of a project as stored (`None`: no history yet).
pub async fn current_status(db: &Db, project_id: ProjectId) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT status FROM projects WHERE id = $1")
        .bind(project_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(status,)| status))
}

/// A status as stored (the CHECK constraint admits only `ProjectStatus`'s spellings).
pub fn parse_status(stored: &str) -> Result<ProjectStatus, DbError> {
    ProjectStatus::parse(stored)
        .ok_or_else(|| DbError::Internal(format!("unknown project status '{stored}' in the database")))
}

/// A project's lifecycle columns: what the status machine and the data rules decide on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Lifecycle {
    pub id: ProjectId,
    pub unit_id: UnitId,
    pub title: String,
    pub bucket: Option<String>,
    pub status: String,
    pub is_aborted: i64,
    pub deadline: Option<i64>,
    pub released_at: Option<i64>,
    pub times_expired: i64,
    pub releases_from_expired: i64,
    pub extensions: i64,
    pub is_active: i64,
}

const LIFECYCLE_COLUMNS: &str =
    "id, unit_id, title, bucket, status, CAST(CASE WHEN is_aborted THEN 1 ELSE 0 END AS BIGINT) AS is_aborted, \
     deadline, released_at, times_expired, releases_from_expired, extensions, \
     CAST(CASE WHEN is_active THEN 1 ELSE 0 END AS BIGINT) AS is_active";

/// Takes the project's row lock inside `tx` (an `UPDATE` of the row: a row lock on PostgreSQL,
/// the write lock on SQLite) and reads its lifecycle, active or not. A concurrent change waits
/// for `tx` to end and then sees what it wrote.
pub async fn lock(tx: &mut Transaction<'_, Any>, public_id: &str) -> Result<Option<Lifecycle>, DbError> {
    Ok(sqlx::query_as(&format!(
        "UPDATE projects SET updated_at = updated_at WHERE public_id = $1 RETURNING {LIFECYCLE_COLUMNS}"
    ))
    .bind(public_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// A project's lifecycle, without a lock.
pub async fn lifecycle(db: &Db, public_id: &str) -> Result<Option<Lifecycle>, DbError> {
    Ok(sqlx::query_as(&format!("SELECT {LIFECYCLE_COLUMNS} FROM projects WHERE public_id = $1"))
        .bind(public_id)
        .fetch_optional(db.pool())
        .await?)
}

/// The project's status and whether it was ever released, as the data rules need them.
pub async fn data_state(db: &Db, project_id: ProjectId) -> Result<(ProjectStatus, bool), DbError> {
    let (status, released): (String, i64) = sqlx::query_as(
        "SELECT status, CAST(CASE WHEN released_at IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM projects WHERE id = $1",
    )
    .bind(project_id)
    .fetch_one(db.pool())
    .await?;
    Ok((parse_status(&status)?, released != 0))
}

/// A status change to record: the project row's new state and a history line.
pub struct NewStatus<'a> {
    pub state: &'a ProjectState,
    /// The project's first release: `released_at` is set now.
    pub first_release: bool,
    pub is_active: bool,
    pub changed_by: Option<UserId>,
    pub note: Option<&'a str>,
    pub at: i64,
}

/// Writes a status change to the project row and its history (inside the caller's transaction,
/// under the row lock).
pub async fn record_status(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    new: NewStatus<'_>,
) -> Result<(), DbError> {
    let next = new.state;
    sqlx::query(
        "UPDATE projects SET status = $1, is_aborted = $2, deadline = $3, \
         released_at = CASE WHEN $4 THEN $5 ELSE released_at END, times_expired = $6, \
         releases_from_expired = $7, extensions = $8, is_active = $9, updated_at = $5 WHERE id = $10",
    )
    .bind(next.status.as_str())
    .bind(next.aborted)
    .bind(next.deadline)
    .bind(new.first_release)
    .bind(new.at)
    .bind(i64::from(next.times_expired))
    .bind(i64::from(next.releases_from_expired))
    .bind(i64::from(next.extensions))
    .bind(new.is_active)
    .bind(project_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO project_statuses (project_id, status, is_aborted, deadline, created_at, changed_by, note, seq) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COALESCE(MAX(seq), 0) + 1 FROM project_statuses WHERE project_id = $1))",
    )
    .bind(project_id)
    .bind(next.status.as_str())
    .bind(next.aborted)
    .bind(next.deadline)
    .bind(new.at)
    .bind(new.changed_by)
    .bind(new.note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Changes title, description and PI.
pub async fn set_details(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    title: &str,
    description: &str,
    pi: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query("UPDATE projects SET title = $1, description = $2, pi = $3, updated_at = $4 WHERE id = $5")
        .bind(title)
        .bind(description)
        .bind(pi)
        .bind(now)
        .bind(project_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Clears title, description and PI, the members and the invites' links to the project (DDS,
/// at deletion and abort). The row (and its bucket name) stays for billing.
pub async fn clear_metadata(tx: &mut Transaction<'_, Any>, project_id: ProjectId) -> Result<(), DbError> {
    sqlx::query("UPDATE projects SET title = '', description = '', pi = '' WHERE id = $1")
        .bind(project_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM project_members WHERE project_id = $1")
        .bind(project_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM invite_projects WHERE project_id = $1")
        .bind(project_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One line of a project's status history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub status: String,
    pub is_aborted: i64,
    pub deadline: Option<i64>,
    pub created_at: i64,
    pub note: Option<String>,
}

/// The project's status history, newest first.
pub async fn status_history(db: &Db, project_id: ProjectId) -> Result<Vec<HistoryRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT status, CAST(CASE WHEN is_aborted THEN 1 ELSE 0 END AS BIGINT) AS is_aborted, deadline, created_at, note \
         FROM project_statuses WHERE project_id = $1 ORDER BY seq DESC, created_at DESC",
    )
    .bind(project_id)
    .fetch_all(db.pool())
    .await?)
}

/// The public ids of the Available or Expired projects whose deadline is `now` or earlier, the
/// earliest deadline first.
pub async fn past_deadline(db: &Db, now: i64) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT public_id FROM projects WHERE status IN ('Available', 'Expired') AND deadline <= $1 ORDER BY deadline",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(public_id,)| public_id).collect())
}

/// An Available project whose deadline a reminder is due for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReminderDue {
    pub id: ProjectId,
    pub public_id: String,
    pub title: String,
    pub deadline: i64,
}

/// The Available projects whose deadline is after `now` and no later than `until`, not yet
/// reminded `days_before` days before that deadline.
pub async fn reminders_due(
    db: &Db,
    now: i64,
    until: i64,
    days_before: i64,
) -> Result<Vec<ReminderDue>, DbError> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.public_id, p.title, p.deadline FROM projects p WHERE p.status = 'Available' \
         AND p.deadline > $1 AND p.deadline <= $2 AND NOT EXISTS (SELECT 1 FROM deadline_reminders r \
         WHERE r.project_id = p.id AND r.deadline = p.deadline AND r.days_before = $3)",
    )
    .bind(now)
    .bind(until)
    .bind(days_before)
    .fetch_all(db.pool())
    .await?)
}

/// Records in the caller's transaction that the reminder for this deadline goes now; `false`
/// if it was recorded already (another replica sends it).
pub async fn claim_reminder(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    deadline: i64,
    days_before: i64,
    now: i64,
) -> Result<bool, DbError> {
    let inserted = sqlx::query(
        "INSERT INTO deadline_reminders (project_id, deadline, days_before, sent_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(project_id)
    .bind(deadline)
    .bind(days_before)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() != 0)
}

/// What a release mail says of a project.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReleaseFacts {
    pub public_id: String,
    pub title: String,
    pub status: String,
    pub deadline: Option<i64>,
}

pub async fn release_facts(db: &Db, project_id: ProjectId) -> Result<Option<ReleaseFacts>, DbError> {
    Ok(sqlx::query_as("SELECT public_id, title, status, deadline FROM projects WHERE id = $1")
        .bind(project_id)
        .fetch_optional(db.pool())
        .await?)
}

/// What a new project stores.
pub struct NewProject<'a> {
    pub unit_id: UnitId,
    pub title: &'a str,
    pub description: &'a str,
    pub pi: &'a str,
    pub public_key: Vec<u8>,
    pub unit_public_key: Vec<u8>,
    pub unit_sealed_key: Vec<u8>,
    pub created_by: UserId,
    pub created_at: i64,
    pub status: &'a str,
}

/// Takes the unit's next project number and stores the project with its first status, inside
/// the caller's transaction (two creations never share an id). `public_id` makes the public id
/// from the unit's internal reference and the number. Returns the row id and the public id.
pub async fn insert(
    tx: &mut Transaction<'_, Any>,
    new: NewProject<'_>,
    public_id: impl FnOnce(&str, i64) -> String,
) -> Result<(ProjectId, String), DbError> {
    let (counter, internal_ref): (i64, String) = sqlx::query_as(
        "UPDATE units SET project_counter = project_counter + 1 WHERE id = $1 \
         RETURNING project_counter, internal_ref",
    )
    .bind(new.unit_id)
    .fetch_one(&mut **tx)
    .await?;
    let public_id = public_id(&internal_ref, counter);
    let (project_id,): (ProjectId,) = sqlx::query_as(
        "INSERT INTO projects (public_id, unit_id, title, description, pi, public_key, unit_public_key, \
         unit_sealed_key, is_active, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9, $10) RETURNING id",
    )
    .bind(&public_id)
    .bind(new.unit_id)
    .bind(new.title)
    .bind(new.description)
    .bind(new.pi)
    .bind(new.public_key)
    .bind(new.unit_public_key)
    .bind(new.unit_sealed_key)
    .bind(new.created_by)
    .bind(new.created_at)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO project_statuses (project_id, status, is_aborted, created_at) VALUES ($1, $2, FALSE, $3)")
        .bind(project_id)
        .bind(new.status)
        .bind(new.created_at)
        .execute(&mut **tx)
        .await?;
    Ok((project_id, public_id))
}

/// The primary addresses of the project's active Researchers (its members), in the caller's
/// transaction: whom a release or a reminder mail goes to.
pub async fn researcher_emails(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT e.email FROM project_members m JOIN users u ON u.id = m.user_id \
         JOIN emails e ON e.user_id = u.id AND e.is_primary = TRUE WHERE m.project_id = $1 AND u.is_active = TRUE",
    )
    .bind(project_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(email,)| email).collect())
}

/// Names the project's bucket (inside the creating transaction).
pub async fn set_bucket(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    bucket: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE projects SET bucket = $1 WHERE id = $2")
        .bind(bucket)
        .bind(project_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Which projects a listing covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    All,
    Unit(UnitId),
    /// The projects the user is a member of.
    MemberOf,
}

/// One line of a listing with what decides the viewer's capacity and access, read in the same
/// query (no query per project).
#[derive(sqlx::FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub project: Project,
    pub status: Option<String>,
    /// The viewer's membership: 1 owner, 0 member, NULL none.
    pub membership: Option<i64>,
    /// Whether the viewer holds a seal of the project key made for their current public key.
    pub own_seal: i64,
    /// Whether the project key is sealed to the unit's current key.
    pub unit_key_current: i64,
}

/// The active projects of `scope` as `viewer` sees them, newest first: one query.
pub async fn listed(db: &Db, scope: Scope, viewer: UserId) -> Result<Vec<Listed>, DbError> {
    let (filter, unit) = match scope {
        Scope::All => ("TRUE", 0),
        Scope::Unit(unit) => ("p.unit_id = $1", unit.0),
        Scope::MemberOf => ("m.user_id IS NOT NULL", 0),
    };
    Ok(sqlx::query_as(&format!(
        "SELECT p.id, p.public_id, p.unit_id, u.external_display_name AS unit_name, p.title, p.description, p.pi, \
         p.public_key, p.unit_public_key, p.unit_sealed_key, p.created_at, \
         p.status \
         AS status, \
         CAST(CASE WHEN m.user_id IS NULL THEN NULL WHEN m.is_owner THEN 1 ELSE 0 END AS BIGINT) AS membership, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM project_key_seals ks JOIN user_credentials c \
         ON c.user_id = ks.user_id AND c.public_key = ks.recipient_public_key \
         WHERE ks.project_id = p.id AND ks.user_id = $2) THEN 1 ELSE 0 END AS BIGINT) AS own_seal, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM unit_keys k WHERE k.unit_id = p.unit_id \
         AND k.public_key = p.unit_public_key) THEN 1 ELSE 0 END AS BIGINT) AS unit_key_current \
         FROM projects p JOIN units u ON u.id = p.unit_id \
         LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = $2 \
         WHERE p.is_active = TRUE AND ({filter}) ORDER BY p.created_at DESC, p.id DESC"
    ))
    .bind(unit)
    .bind(viewer)
    .fetch_all(db.pool())
    .await?)
}

/// Every project with a bucket: (id, public id, bucket).
pub async fn with_buckets(db: &Db) -> Result<Vec<(ProjectId, String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, public_id, bucket FROM projects WHERE bucket IS NOT NULL ORDER BY public_id",
    )
    .fetch_all(db.pool())
    .await?)
}
