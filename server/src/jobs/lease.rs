//! The database lease behind the scheduler: a due job is claimed by one UPDATE whose condition
//! (not leased, last run long enough ago) is re-checked by the database under concurrency, so
//! exactly one replica wins. A replica that dies mid-job loses the lease when it runs out.

use crate::db::job_schedule::{self, Lease};
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
    job_schedule::claim(db, Lease { job, holder, now }, now + lease_secs, now - every_secs).await
}

/// Records a finished run and gives the lease back.
pub async fn finish(db: &Db, job: &str, holder: &str, now: i64) -> Result<(), DbError> {
    job_schedule::finish(db, Lease { job, holder, now }).await
}

/// Gives the lease back after a failed run, so the next tick (of any replica) retries it.
pub async fn release(db: &Db, job: &str, holder: &str) -> Result<(), DbError> {
    job_schedule::release(db, job, holder).await
}
