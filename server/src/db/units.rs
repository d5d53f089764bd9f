//! The units aggregate (its key pair and seals live in `accounts::unit_keys` and `seals`).

use app::api::units::{UnitSettings, UnitView};
use app::domain::ids::{ProjectId, UnitId};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

use super::{Db, DbError};

#[derive(sqlx::FromRow)]
struct UnitRow {
    public_id: String,
    name: String,
    external_display_name: String,
    contact_email: String,
    internal_ref: String,
    quota_bytes: i64,
    warning_level: f64,
    days_in_available: i64,
    days_in_expired: i64,
    bucket_prefix: String,
    used_bytes: i64,
    created_at: i64,
    projects: i64,
    active_projects: i64,
    staff: i64,
}

impl From<UnitRow> for UnitView {
    fn from(row: UnitRow) -> UnitView {
        UnitView {
            settings: UnitSettings {
                public_id: row.public_id,
                name: row.name,
                external_display_name: row.external_display_name,
                contact_email: row.contact_email,
                internal_ref: row.internal_ref,
                quota_bytes: row.quota_bytes,
                warning_level: row.warning_level,
                days_in_available: row.days_in_available,
                days_in_expired: row.days_in_expired,
                bucket_prefix: row.bucket_prefix,
            },
            used_bytes: row.used_bytes,
            projects: row.projects,
            active_projects: row.active_projects,
            staff: row.staff,
            created_at: row.created_at,
        }
    }
}

// Counts come from grouped subqueries joined once: no query per unit.
const SELECT_UNITS: &str = "SELECT u.public_id, u.name, u.external_display_name, u.contact_email, u.internal_ref, \
     u.quota_bytes, u.warning_level, u.days_in_available, u.days_in_expired, u.bucket_prefix, u.used_bytes, u.created_at, \
     COALESCE(p.total, 0) AS projects, COALESCE(p.active, 0) AS active_projects, COALESCE(s.staff, 0) AS staff \
     FROM units u \
     LEFT JOIN (SELECT unit_id, COUNT(*) AS total, \
                SUM(CASE WHEN status IN ('In Progress', 'Available', 'Expired') THEN 1 ELSE 0 END) AS active \
                FROM projects GROUP BY unit_id) p ON p.unit_id = u.id \
     LEFT JOIN (SELECT unit_id, COUNT(*) AS staff FROM users WHERE unit_id IS NOT NULL GROUP BY unit_id) s ON s.unit_id = u.id";

/// Every unit with its usage and counts, by name: one query.
pub async fn list(db: &Db) -> Result<Vec<UnitView>, DbError> {
    let rows: Vec<UnitRow> =
        sqlx::query_as(&format!("{SELECT_UNITS} ORDER BY u.name")).fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(UnitView::from).collect())
}

/// A unit with its usage and counts.
pub async fn by_public_id(db: &Db, public_id: &str) -> Result<Option<UnitView>, DbError> {
    let row: Option<UnitRow> = sqlx::query_as(&format!("{SELECT_UNITS} WHERE u.public_id = $1"))
        .bind(public_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(UnitView::from))
}

/// Binds the settings a unit's edit may change, as `$1` to `$8`.
fn bind_editable<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    unit: &'q UnitSettings,
) -> Query<'q, Any, AnyArguments<'q>> {
    query
        .bind(&unit.name)
        .bind(&unit.external_display_name)
        .bind(&unit.contact_email)
        .bind(unit.quota_bytes)
        .bind(unit.warning_level)
        .bind(unit.days_in_available)
        .bind(unit.days_in_expired)
        .bind(&unit.bucket_prefix)
}

/// Stores a new unit (a taken name, public id or reference: `DbError::Duplicate`).
pub async fn insert(db: &Db, unit: &UnitSettings, now: i64) -> Result<(), DbError> {
    let query = sqlx::query(
        "INSERT INTO units (name, external_display_name, contact_email, quota_bytes, warning_level, \
         days_in_available, days_in_expired, bucket_prefix, public_id, internal_ref, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    );
    bind_editable(query, unit)
        .bind(&unit.public_id)
        .bind(&unit.internal_ref)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Stores a unit's editable settings (its public id and internal reference stay); a changed
/// setting may warrant a new quota warning, so the last one is forgotten.
pub async fn update(db: &Db, public_id: &str, unit: &UnitSettings) -> Result<(), DbError> {
    let query = sqlx::query(
        "UPDATE units SET name = $1, external_display_name = $2, contact_email = $3, quota_bytes = $4, \
         warning_level = $5, days_in_available = $6, days_in_expired = $7, bucket_prefix = $8, quota_warned_at = NULL \
         WHERE public_id = $9",
    );
    bind_editable(query, unit).bind(public_id).execute(db.pool()).await?;
    Ok(())
}

/// The name a unit shows to people outside it (DDS's `external_display_name`).
pub async fn display_name(db: &Db, unit_id: UnitId) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT external_display_name FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(name,)| name))
}

/// How long a unit's projects stay Available and Expired (days), read in the caller's transaction.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Deadlines {
    pub days_in_available: i64,
    pub days_in_expired: i64,
}

pub async fn deadlines(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unit_id: UnitId,
) -> Result<Deadlines, DbError> {
    Ok(sqlx::query_as("SELECT days_in_available, days_in_expired FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_one(&mut **tx)
        .await?)
}

/// A unit's quota and what it uses (bytes stored, kept with the file rows).
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Usage {
    pub quota_bytes: i64,
    pub used_bytes: i64,
}

/// The quota and usage of the project's unit.
pub async fn usage_of_project(db: &Db, project_id: ProjectId) -> Result<Usage, DbError> {
    Ok(sqlx::query_as(
        "SELECT u.quota_bytes, u.used_bytes FROM units u JOIN projects p ON p.unit_id = u.id WHERE p.id = $1",
    )
    .bind(project_id)
    .fetch_one(db.pool())
    .await?)
}

/// A unit's usage against its quota, and whether its contact was warned (and when).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuotaState {
    pub id: UnitId,
    pub name: String,
    pub contact_email: String,
    pub used_bytes: i64,
    pub quota_bytes: i64,
    pub warning_level: f64,
    pub quota_warned_at: Option<i64>,
}

/// Every unit's usage against its quota.
pub async fn quota_states(db: &Db) -> Result<Vec<QuotaState>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, name, contact_email, used_bytes, quota_bytes, warning_level, quota_warned_at FROM units",
    )
    .fetch_all(db.pool())
    .await?)
}

/// Records in the caller's transaction that the unit is warned now; `false` if it was already.
pub async fn claim_quota_warning(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unit_id: UnitId,
    now: i64,
) -> Result<bool, DbError> {
    let claimed =
        sqlx::query("UPDATE units SET quota_warned_at = $1 WHERE id = $2 AND quota_warned_at IS NULL")
            .bind(now)
            .bind(unit_id)
            .execute(&mut **tx)
            .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Forgets the unit's quota warning (its usage dropped below the level).
pub async fn clear_quota_warning(db: &Db, unit_id: UnitId) -> Result<(), DbError> {
    sqlx::query("UPDATE units SET quota_warned_at = NULL WHERE id = $1")
        .bind(unit_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The unit's quota and usage, with its row locked until the transaction ends: quota checks
/// of concurrent uploads to any of its projects take turns.
pub async fn lock_usage(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unit_id: UnitId,
) -> Result<Usage, DbError> {
    Ok(sqlx::query_as(
        "UPDATE units SET used_bytes = used_bytes WHERE id = $1 RETURNING quota_bytes, used_bytes",
    )
    .bind(unit_id)
    .fetch_one(&mut **tx)
    .await?)
}
