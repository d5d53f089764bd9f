//! What storage costs over time: file versions not yet invoiced to their end, and the
//! `usage_records` (byte-hours per project and period) the monthly job writes.

use app::domain::ids::ProjectId;
use sqlx::{Any, Transaction};

use super::{Db, DbError};

/// Where a version stands for invoicing.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct VersionRow {
    pub id: i64,
    pub stored_bytes: i64,
    pub uploaded_at: i64,
    pub deleted_at: Option<i64>,
    pub invoiced_at: Option<i64>,
}

/// Versions uploaded before `now` and not yet invoiced to their end.
const NOT_INVOICED: &str =
    "uploaded_at < $1 AND (invoiced_at IS NULL OR deleted_at IS NULL OR invoiced_at < deleted_at)";

/// The projects with versions not yet invoiced to their end.
pub async fn projects_to_invoice(db: &Db, now: i64) -> Result<Vec<ProjectId>, DbError> {
    let rows: Vec<(ProjectId,)> =
        sqlx::query_as(&format!("SELECT DISTINCT project_id FROM file_versions WHERE {NOT_INVOICED}"))
            .bind(now)
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The project's versions not yet invoiced to their end, inside the caller's transaction.
pub async fn versions_to_invoice(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    now: i64,
) -> Result<Vec<VersionRow>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT id, stored_bytes, uploaded_at, deleted_at, invoiced_at FROM file_versions \
         WHERE {NOT_INVOICED} AND project_id = $2"
    ))
    .bind(now)
    .bind(project_id)
    .fetch_all(&mut **tx)
    .await?)
}

/// Marks a version invoiced up to `at`.
pub async fn set_invoiced(tx: &mut Transaction<'_, Any>, version_id: i64, at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE file_versions SET invoiced_at = $1 WHERE id = $2")
        .bind(at)
        .bind(version_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a project's byte-hours for the period from `start` to `end` (written at `end`);
/// a period already recorded stays as it is. Whether a row was written.
pub async fn record(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    start: i64,
    end: i64,
    byte_hours: f64,
) -> Result<bool, DbError> {
    let row = sqlx::query(
        "INSERT INTO usage_records (project_id, period_start, period_end, byte_hours, created_at, unit_id) \
         VALUES ($1, $2, $3, $4, $3, (SELECT unit_id FROM projects WHERE id = $1)) \
         ON CONFLICT (project_id, period_start) DO NOTHING",
    )
    .bind(project_id)
    .bind(start)
    .bind(end)
    .bind(byte_hours)
    .execute(&mut **tx)
    .await?;
    Ok(row.rows_affected() == 1)
}
