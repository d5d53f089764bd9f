//! Units (DDS §2): Super Admins create and edit them from the console and `dds unit`. One check
//! (`app::domain::units::check`) for both; names unique by constraint, a clash answered as a
//! sentence.

use app::api::units::{UnitSettings, UnitView};
use app::domain::units::check;

use crate::db::{Db, DbError};

#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    #[error("{0}")]
    Invalid(String),
    #[error("There is no unit '{0}'.")]
    NotFound(String),
    #[error("A unit with this public id, name or internal reference exists already.")]
    Taken,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for UnitError {
    fn from(err: sqlx::Error) -> Self {
        match DbError::from(err) {
            DbError::Duplicate(_) => UnitError::Taken,
            other => UnitError::Db(other),
        }
    }
}

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

/// Every unit with its usage, by name.
pub async fn list(db: &Db) -> Result<Vec<UnitView>, UnitError> {
    let sql = format!("{SELECT_UNITS} ORDER BY u.name");
    let rows: Vec<UnitRow> = sqlx::query_as(&sql).fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(UnitView::from).collect())
}

pub async fn get(db: &Db, public_id: &str) -> Result<UnitView, UnitError> {
    let sql = format!("{SELECT_UNITS} WHERE u.public_id = $1");
    let row: Option<UnitRow> = sqlx::query_as(&sql).bind(public_id).fetch_optional(db.pool()).await?;
    row.map(UnitView::from).ok_or_else(|| UnitError::NotFound(public_id.to_string()))
}

fn trimmed(settings: &UnitSettings) -> UnitSettings {
    UnitSettings {
        public_id: settings.public_id.trim().to_string(),
        name: settings.name.trim().to_string(),
        external_display_name: settings.external_display_name.trim().to_string(),
        contact_email: settings.contact_email.trim().to_lowercase(),
        internal_ref: settings.internal_ref.trim().to_string(),
        bucket_prefix: settings.bucket_prefix.trim().to_string(),
        ..settings.clone()
    }
}

/// Creates a unit. Two creations of one name at once: one wins, the other gets `Taken`.
pub async fn create(db: &Db, settings: &UnitSettings, now: i64) -> Result<UnitView, UnitError> {
    let unit = trimmed(settings);
    check(&unit).map_err(UnitError::Invalid)?;
    sqlx::query(
        "INSERT INTO units (public_id, name, external_display_name, contact_email, internal_ref, quota_bytes, \
         warning_level, days_in_available, days_in_expired, bucket_prefix, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&unit.public_id)
    .bind(&unit.name)
    .bind(&unit.external_display_name)
    .bind(&unit.contact_email)
    .bind(&unit.internal_ref)
    .bind(unit.quota_bytes)
    .bind(unit.warning_level)
    .bind(unit.days_in_available)
    .bind(unit.days_in_expired)
    .bind(&unit.bucket_prefix)
    .bind(now)
    .execute(db.pool())
    .await?;
    get(db, &unit.public_id).await
}

/// Edits a unit. Its public id and internal reference stay (project ids and buckets are made
/// from them): a change to either is refused with a sentence.
pub async fn update(db: &Db, public_id: &str, settings: &UnitSettings) -> Result<UnitView, UnitError> {
    let current = get(db, public_id).await?;
    let unit = trimmed(settings);
    if unit.public_id != current.settings.public_id || unit.internal_ref != current.settings.internal_ref {
        return Err(UnitError::Invalid(
            "A unit's public id and internal reference cannot change: project ids and buckets are made from them.".into(),
        ));
    }
    check(&unit).map_err(UnitError::Invalid)?;
    sqlx::query(
        "UPDATE units SET name = $1, external_display_name = $2, contact_email = $3, quota_bytes = $4, \
         warning_level = $5, days_in_available = $6, days_in_expired = $7, bucket_prefix = $8, quota_warned_at = NULL \
         WHERE public_id = $9",
    )
    .bind(&unit.name)
    .bind(&unit.external_display_name)
    .bind(&unit.contact_email)
    .bind(unit.quota_bytes)
    .bind(unit.warning_level)
    .bind(unit.days_in_available)
    .bind(unit.days_in_expired)
    .bind(&unit.bucket_prefix)
    .bind(public_id)
    .execute(db.pool())
    .await?;
    get(db, public_id).await
}
