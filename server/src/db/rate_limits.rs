//! The rate-limit aggregate: recorded authentication attempts per bucket (`auth_attempts`) and
//! one lock row per bucket (`auth_attempt_locks`) that serialises the reservations of a bucket.
//! The rules (limits, window, which buckets) live in `auth::rate_limit`.

use sqlx::{Any, Transaction};

use super::{Db, DbError};

/// Writes the bucket's lock row inside the reservation's transaction: holds the row until commit
/// on PostgreSQL and takes SQLite's write lock.
pub async fn lock_bucket(tx: &mut Transaction<'_, Any>, bucket: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO auth_attempt_locks (bucket) VALUES ($1) \
         ON CONFLICT (bucket) DO UPDATE SET bucket = excluded.bucket",
    )
    .bind(bucket)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Attempts recorded in the bucket after `since`.
pub async fn count_since(tx: &mut Transaction<'_, Any>, bucket: &str, since: i64) -> Result<i64, DbError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM auth_attempts WHERE bucket = $1 AND at > $2")
        .bind(bucket)
        .bind(since)
        .fetch_one(&mut **tx)
        .await?;
    Ok(count)
}

/// Records an attempt at `at`; its id.
pub async fn insert(tx: &mut Transaction<'_, Any>, bucket: &str, at: i64) -> Result<i64, DbError> {
    let (id,): (i64,) = sqlx::query_as("INSERT INTO auth_attempts (bucket, at) VALUES ($1, $2) RETURNING id")
        .bind(bucket)
        .bind(at)
        .fetch_one(&mut **tx)
        .await?;
    Ok(id)
}

pub async fn delete(db: &Db, id: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM auth_attempts WHERE id = $1").bind(id).execute(db.pool()).await?;
    Ok(())
}

/// Deletes the attempts made at or before `before`, then the lock rows of empty buckets; how
/// many attempts went.
pub async fn delete_before(db: &Db, before: i64) -> Result<u64, DbError> {
    let done =
        sqlx::query("DELETE FROM auth_attempts WHERE at <= $1").bind(before).execute(db.pool()).await?;
    sqlx::query(
        "DELETE FROM auth_attempt_locks WHERE NOT EXISTS \
         (SELECT 1 FROM auth_attempts a WHERE a.bucket = auth_attempt_locks.bucket)",
    )
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// When the `nth` oldest attempt (from 0) of `bucket` since `since` was made: the one whose
/// leaving the window lets the bucket admit again.
pub async fn nth_since(
    tx: &mut Transaction<'_, Any>,
    bucket: &str,
    since: i64,
    nth: i64,
) -> Result<Option<i64>, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT at FROM auth_attempts WHERE bucket = $1 AND at > $2 ORDER BY at, id LIMIT 1 OFFSET $3",
    )
    .bind(bucket)
    .bind(since)
    .bind(nth)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(at,)| at))
}
