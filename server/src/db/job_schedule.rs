//! The job-schedule aggregate (`job_schedule`): one row per scheduled job, with its last run and
//! the lease of the replica running it. The scheduler's rules live in `jobs::lease`.

use super::{Db, DbError};

/// The lease of a job: which job, which replica asks, at what time.
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub job: &'a str,
    pub holder: &'a str,
    pub now: i64,
}

/// Claims the job for the holder until `lease_until` if nobody holds it and it last ran at or
/// before `last_run_before`: one conditional update (the row is created first if missing), so
/// of concurrent claims one wins.
pub async fn claim(
    db: &Db,
    lease: Lease<'_>,
    lease_until: i64,
    last_run_before: i64,
) -> Result<bool, DbError> {
    sqlx::query("INSERT INTO job_schedule (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .bind(lease.job)
        .execute(db.pool())
        .await?;
    let claimed = sqlx::query(
        "UPDATE job_schedule SET holder = $2, lease_until = $3 \
         WHERE name = $1 AND lease_until < $4 AND last_run_at <= $5",
    )
    .bind(lease.job)
    .bind(lease.holder)
    .bind(lease_until)
    .bind(lease.now)
    .bind(last_run_before)
    .execute(db.pool())
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Records the holder's run as done at `now` and gives the lease back.
pub async fn finish(db: &Db, lease: Lease<'_>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE job_schedule SET last_run_at = $3, lease_until = 0, holder = NULL \
         WHERE name = $1 AND holder = $2",
    )
    .bind(lease.job)
    .bind(lease.holder)
    .bind(lease.now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Gives the holder's lease back without recording a run.
pub async fn release(db: &Db, job: &str, holder: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE job_schedule SET lease_until = 0, holder = NULL WHERE name = $1 AND holder = $2")
        .bind(job)
        .bind(holder)
        .execute(db.pool())
        .await?;
    Ok(())
}
