//! Uploads under way: one row per file being sent to S3 as a multipart upload, from its start
//! (quota reserved, path claimed) to its completion or abort, with a check per part whose URL
//! was asked (migration 0015).

use app::domain::ids::{ProjectId, UnitId, UserId};
use sqlx::{Any, Transaction};

use super::{Db, DbError};

/// A new upload, before S3 has created its multipart upload.
#[derive(Debug, Clone)]
pub struct NewUpload<'a> {
    pub public_id: &'a str,
    pub project_id: ProjectId,
    pub path: &'a str,
    pub object_key: &'a str,
    pub size_bytes: i64,
    pub stored_bytes: i64,
    pub segment_size: i64,
    pub part_size: i64,
    pub part_count: i64,
    pub header: &'a [u8],
    pub overwrite: bool,
    pub started_by: UserId,
    pub now: i64,
}

/// An upload with its project, as the handlers need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Upload {
    pub id: i64,
    pub public_id: String,
    pub project_id: ProjectId,
    pub project_public_id: String,
    pub bucket: Option<String>,
    pub path: String,
    pub object_key: String,
    pub s3_upload_id: Option<String>,
    pub size_bytes: i64,
    pub stored_bytes: i64,
    pub segment_size: i64,
    pub part_size: i64,
    pub part_count: i64,
    pub header: Vec<u8>,
    /// 1 when an existing file gets a new version (booleans decode as integers on both backends).
    pub overwrite: i64,
    pub started_by: Option<String>,
    pub started_at: i64,
    pub touched_at: i64,
}

const COLUMNS: &str = "u.id, u.public_id, u.project_id, p.public_id AS project_public_id, p.bucket, u.path, \
     u.object_key, u.s3_upload_id, u.size_bytes, u.stored_bytes, u.segment_size, u.part_size, u.part_count, \
     u.header, CAST(CASE WHEN u.overwrite THEN 1 ELSE 0 END AS BIGINT) AS overwrite, s.username AS started_by, u.started_at, u.touched_at \
     FROM uploads u JOIN projects p ON p.id = u.project_id LEFT JOIN users s ON s.id = u.started_by";

pub async fn insert(tx: &mut Transaction<'_, Any>, new: &NewUpload<'_>) -> Result<i64, DbError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO uploads (public_id, project_id, path, object_key, size_bytes, stored_bytes, segment_size, \
         part_size, part_count, header, overwrite, started_by, started_at, touched_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(new.public_id)
    .bind(new.project_id)
    .bind(new.path)
    .bind(new.object_key)
    .bind(new.size_bytes)
    .bind(new.stored_bytes)
    .bind(new.segment_size)
    .bind(new.part_size)
    .bind(new.part_count)
    .bind(new.header)
    .bind(new.overwrite)
    .bind(new.started_by)
    .bind(new.now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Notes the id S3 gave the multipart upload.
pub async fn set_s3_upload_id(db: &Db, id: i64, s3_upload_id: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE uploads SET s3_upload_id = $1 WHERE id = $2")
        .bind(s3_upload_id)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn by_public_id(db: &Db, public_id: &str) -> Result<Option<Upload>, DbError> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} WHERE u.public_id = $1"))
        .bind(public_id)
        .fetch_optional(db.pool())
        .await?)
}

/// The project's unfinished uploads, oldest first.
pub async fn of_project(db: &Db, project_id: ProjectId) -> Result<Vec<Upload>, DbError> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} WHERE u.project_id = $1 ORDER BY u.started_at, u.id"))
        .bind(project_id)
        .fetch_all(db.pool())
        .await?)
}

/// Of `paths`, those with an unfinished upload.
pub async fn pending_at(db: &Db, project_id: ProjectId, paths: &[String]) -> Result<Vec<Upload>, DbError> {
    let mut found = Vec::new();
    for chunk in paths.chunks(super::IN_LIST_CHUNK) {
        let sql = format!(
            "SELECT {COLUMNS} WHERE u.project_id = $1 AND u.path IN ({})",
            super::placeholders(2, chunk.len())
        );
        let mut query = sqlx::query_as(&sql).bind(project_id);
        for path in chunk {
            query = query.bind(path);
        }
        found.extend(query.fetch_all(db.pool()).await?);
    }
    Ok(found)
}

/// Stored bytes promised to the unit's uploads under way (counted against its quota until each
/// completes or ends).
pub async fn reserved_in_unit(tx: &mut Transaction<'_, Any>, unit_id: UnitId) -> Result<i64, DbError> {
    let (reserved,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(u.stored_bytes), 0) AS BIGINT) FROM uploads u \
         JOIN projects p ON p.id = u.project_id WHERE p.unit_id = $1",
    )
    .bind(unit_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(reserved)
}

/// A part's check as first recorded, if its URL was asked before.
pub async fn part_check(
    tx: &mut Transaction<'_, Any>,
    upload_id: i64,
    number: i64,
) -> Result<Option<Vec<u8>>, DbError> {
    let row: Option<(Vec<u8>,)> =
        sqlx::query_as("SELECT plaintext_mac FROM upload_parts WHERE upload_id = $1 AND number = $2")
            .bind(upload_id)
            .bind(number)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(check,)| check))
}

pub async fn insert_part_check(
    tx: &mut Transaction<'_, Any>,
    upload_id: i64,
    number: i64,
    check: &[u8],
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO upload_parts (upload_id, number, plaintext_mac) VALUES ($1, $2, $3)")
        .bind(upload_id)
        .bind(number)
        .bind(check)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Notes the ETag of a sent part (whose check was recorded when its URL was asked); whether
/// there was such a part.
pub async fn set_part_etag(
    tx: &mut Transaction<'_, Any>,
    upload_id: i64,
    number: i64,
    etag: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE upload_parts SET etag = $1 WHERE upload_id = $2 AND number = $3")
        .bind(etag)
        .bind(upload_id)
        .bind(number)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A part whose URL was asked: its check and, once reported, its ETag.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordedPart {
    pub number: i64,
    pub plaintext_mac: Vec<u8>,
    pub etag: Option<String>,
}

/// Every recorded part, by part number.
pub async fn recorded_parts(db: &Db, upload_id: i64) -> Result<Vec<RecordedPart>, DbError> {
    Ok(sqlx::query_as(
        "SELECT number, plaintext_mac, etag FROM upload_parts WHERE upload_id = $1 ORDER BY number",
    )
    .bind(upload_id)
    .fetch_all(db.pool())
    .await?)
}

/// A sign of life: the cleanup job leaves the upload alone for a while longer.
pub async fn touch(tx: &mut Transaction<'_, Any>, id: i64, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE uploads SET touched_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes the row (and its part checks); whether it was still there.
pub async fn remove(tx: &mut Transaction<'_, Any>, id: i64) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM uploads WHERE id = $1").bind(id).execute(&mut **tx).await?;
    Ok(done.rows_affected() > 0)
}

/// Uploads with no sign of life since `before`, at most `limit` of them.
pub async fn idle(db: &Db, before: i64, limit: i64) -> Result<Vec<Upload>, DbError> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} WHERE u.touched_at < $1 ORDER BY u.touched_at LIMIT $2"))
        .bind(before)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// The version a completed upload recorded (its object key is the upload's id), with the
/// project it belongs to: a completion asked twice answers the same.
pub async fn completed_version(db: &Db, object_key: &str) -> Result<Option<(String, String, i64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT p.public_id, v.path, v.size_bytes FROM file_versions v JOIN projects p ON p.id = v.project_id \
         WHERE v.object_key = $1",
    )
    .bind(object_key)
    .fetch_optional(db.pool())
    .await?)
}
