//! What the Super Admins' statistics read: aggregates over small tables (users, units, projects)
//! and the units' usage totals per run; never a scan of files or their versions (what was ever
//! uploaded is kept on each unit, `units.uploaded_bytes`).

use super::{projects::parse_status, Db, DbError};
use app::domain::project_status::ProjectStatus;
use app::domain::roles::Role;

/// Accounts by role (roles without one left out).
pub async fn users_by_role(db: &Db) -> Result<Vec<(Role, i64)>, DbError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT role, COUNT(*) FROM users GROUP BY role").fetch_all(db.pool()).await?;
    rows.into_iter()
        .map(|(role, count)| {
            Role::parse(&role)
                .map(|role| (role, count))
                .ok_or_else(|| DbError::Internal(format!("unknown role {role}")))
        })
        .collect()
}

/// Accounts that own at least one project.
pub async fn project_owners(db: &Db) -> Result<i64, DbError> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(DISTINCT user_id) FROM project_members WHERE is_owner = TRUE")
            .fetch_one(db.pool())
            .await?;
    Ok(count)
}

/// Projects by status, over every unit.
pub async fn projects_by_status(db: &Db) -> Result<Vec<(ProjectStatus, i64)>, DbError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM projects GROUP BY status").fetch_all(db.pool()).await?;
    rows.into_iter().map(|(status, count)| Ok((parse_status(&status)?, count))).collect()
}

/// (units, bytes stored now, bytes ever uploaded).
pub async fn units_and_bytes(db: &Db) -> Result<(i64, i64, i64), DbError> {
    let (units, stored, uploaded): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(used_bytes) AS BIGINT), CAST(SUM(uploaded_bytes) AS BIGINT) FROM units",
    )
    .fetch_one(db.pool())
    .await?;
    Ok((units, stored.unwrap_or(0), uploaded.unwrap_or(0)))
}

/// Byte-hours of the usage runs ending between `from` (exclusive) and `to` (inclusive), and in
/// all: from each unit's totals per run (`unit_usage_periods`, kept by triggers), a few rows per
/// unit and month instead of every project's records.
pub async fn byte_hours(db: &Db, from: i64, to: i64) -> Result<(f64, f64), DbError> {
    let (window, total): (Option<f64>, Option<f64>) = sqlx::query_as(
        "SELECT SUM(CASE WHEN period_end > $1 AND period_end <= $2 THEN byte_hours ELSE 0 END), SUM(byte_hours) \
         FROM unit_usage_periods",
    )
    .bind(from)
    .bind(to)
    .fetch_one(db.pool())
    .await?;
    Ok((window.unwrap_or(0.0), total.unwrap_or(0.0)))
}
