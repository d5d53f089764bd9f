//! Authentication attempts per account and per client address, stored in the database so the
//! limit holds across replicas: at most [`MAX_ATTEMPTS`] per [`WINDOW_SECS`] in each bucket.

use crate::db::{now, Db, DbError};

pub const MAX_ATTEMPTS: i64 = 10;
pub const WINDOW_SECS: i64 = 3600;
/// DDS's message (HTTP 429).
pub const TOO_MANY: &str = "Too many authentication requests in one hour";

/// Records an attempt in every bucket; `false` when any bucket is over the limit (the attempt
/// is still recorded, so hammering does not reset the window).
pub async fn record_attempt(db: &Db, buckets: &[String]) -> Result<bool, DbError> {
    let at = now();
    let mut allowed = true;
    let mut tx = db.pool().begin().await?;
    for bucket in buckets {
        sqlx::query("INSERT INTO auth_attempts (bucket, at) VALUES ($1, $2)")
            .bind(bucket)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM auth_attempts WHERE bucket = $1 AND at > $2")
                .bind(bucket)
                .bind(at - WINDOW_SECS)
                .fetch_one(&mut *tx)
                .await?;
        allowed &= count <= MAX_ATTEMPTS;
    }
    tx.commit().await?;
    Ok(allowed)
}

/// Forgets attempts older than the window (run by the cleanup job).
pub async fn prune(db: &Db) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM auth_attempts WHERE at <= $1")
        .bind(now() - WINDOW_SECS)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

pub fn user_bucket(username: &str) -> String {
    format!("user:{}", username.to_lowercase())
}

pub fn ip_bucket(ip: std::net::IpAddr) -> String {
    format!("ip:{ip}")
}
