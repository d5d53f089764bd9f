//! The database lease behind the scheduler: a due job is claimed by one UPDATE whose condition
//! (not leased, last run long enough ago) is re-checked by the database under concurrency, so
//! exactly one replica wins. A replica that dies mid-job loses the lease when it runs out.

use crate::db::{Db, DbError};

/// Claims `job` for `holder` if it is due at `now` (last run at least `every_secs` ago) and nobody
/// holds it; the lease lasts `lease_secs`.
pub async fn claim(
    db: &Db,
    job: &str,
    holder: &str,
    now: i64,
    every_secs: i64,
    lease_secs: i64,
) -> Result<bool, DbError> {
    sqlx::query("INSERT INTO job_schedule (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .bind(job)
        .execute(db.pool())
        .await?;
    let claimed = sqlx::query(
        "UPDATE job_schedule SET holder = $2, lease_until = $3 \
         WHERE name = $1 AND lease_until < $4 AND last_run_at <= $5",
    )
    .bind(job)
    .bind(holder)
    .bind(now + lease_secs)
    .bind(now)
    .bind(now - every_secs)
    .execute(db.pool())
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Records a finished run and gives the lease back.
pub async fn finish(db: &Db, job: &str, holder: &str, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE job_schedule SET last_run_at = $3, lease_until = 0, holder = NULL \
         WHERE name = $1 AND holder = $2",
    )
    .bind(job)
    .bind(holder)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Gives the lease back after a failed run, so the next tick (of any replica) retries it.
pub async fn release(db: &Db, job: &str, holder: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE job_schedule SET lease_until = 0, holder = NULL WHERE name = $1 AND holder = $2")
        .bind(job)
        .bind(holder)
        .execute(db.pool())
        .await?;
    Ok(())
}
