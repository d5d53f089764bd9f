//! Failed authentication attempts per account and per client address, stored in the database so
//! the limit holds across replicas: after [`MAX_ATTEMPTS`] failures within [`WINDOW_SECS`] in a
//! bucket, further attempts are refused until the window moves on. Successful logins do not
//! count, so many colleagues behind one NAT address can all log in.

use crate::db::{now, Db, DbError};

pub const MAX_ATTEMPTS: i64 = 10;
pub const WINDOW_SECS: i64 = 3600;
/// DDS's message (HTTP 429).
pub const TOO_MANY: &str = "Too many authentication requests in one hour";

/// `false` when any bucket already holds [`MAX_ATTEMPTS`] failures within the window.
pub async fn allowed(db: &Db, buckets: &[String]) -> Result<bool, DbError> {
    for bucket in buckets {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM auth_attempts WHERE bucket = $1 AND at > $2")
                .bind(bucket)
                .bind(now() - WINDOW_SECS)
                .fetch_one(db.pool())
                .await?;
        if count >= MAX_ATTEMPTS {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Records a failed attempt in every bucket.
pub async fn record_failure(db: &Db, buckets: &[String]) -> Result<(), DbError> {
    let at = now();
    let mut tx = db.pool().begin().await?;
    for bucket in buckets {
        sqlx::query("INSERT INTO auth_attempts (bucket, at) VALUES ($1, $2)")
            .bind(bucket)
            .bind(at)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
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

/// Password-reset requests, per address and per email. Counted apart from login failures, so
/// asking for resets cannot lock anyone out of logging in.
pub fn reset_buckets(ip: std::net::IpAddr, email: &str) -> [String; 2] {
    [format!("reset-ip:{ip}"), format!("reset-email:{}", email.trim().to_lowercase())]
}
