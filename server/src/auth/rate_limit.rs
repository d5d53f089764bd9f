//! Failed authentication attempts per bucket (an account, a client address, …), stored in the
//! database so the limit holds across replicas: after a bucket's limit of failures within
//! [`WINDOW_SECS`], further attempts are refused until the window moves on.
//!
//! An attempt is recorded BEFORE the credential is checked ([`reserve`]), atomically with the
//! check of the limit, so concurrent requests cannot all pass a limit that is counted after the
//! fact; a successful attempt is then forgiven ([`forgive`]): only failures count, so many
//! colleagues behind one NAT address can all log in (deviations.md 7).

use crate::db::{now, rate_limits, Db, DbError};

/// The limit of an account's failures from one address (DDS: 10 per hour), and of
/// password-reset requests.
pub const MAX_ATTEMPTS: i64 = 10;
/// The limit of an account's failures from all addresses together (guessing spread over many
/// addresses).
pub const ACCOUNT_MAX: i64 = 20;
/// The limit of one address's failures across all accounts: much higher, so that one person
/// behind an institute's proxy or NAT cannot lock colleagues out of accounts it never tried.
pub const ADDRESS_MAX: i64 = 100;
pub const WINDOW_SECS: i64 = 3600;
/// DDS's message (HTTP 429).
pub const TOO_MANY: &str = "Too many authentication requests in one hour";

/// A bucket and the number of attempts it admits within the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub key: String,
    pub max: i64,
}

/// Attempts recorded by [`reserve`]: kept as failures unless [`forgive`]n.
#[derive(Debug)]
#[must_use = "forgive the attempt when it succeeds"]
pub struct Attempt {
    ids: Vec<i64>,
}

/// A refused attempt: how long until every bucket admits one again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub retry_after_secs: i64,
}

impl Refused {
    /// DDS's sentence, and when to try again (in whole minutes, rounded up).
    pub fn message(&self) -> String {
        let minutes = (self.retry_after_secs.max(1) + 59) / 60;
        let unit = if minutes == 1 { "minute" } else { "minutes" };
        format!("{TOO_MANY}. Try again in {minutes} {unit}.")
    }
}

/// Records one attempt in every bucket, unless a bucket already holds its limit within the
/// window: then nothing is recorded and the answer is [`Refused`], saying when to try again.
///
/// Atomic across requests and replicas: each bucket's lock row is written first (sorted, so two
/// requests never wait on each other crosswise), which holds the row until commit on PostgreSQL
/// and takes SQLite's write lock, so a concurrent reservation counts this one.
pub async fn reserve(db: &Db, buckets: &[Bucket]) -> Result<Result<Attempt, Refused>, DbError> {
    let mut sorted: Vec<&Bucket> = buckets.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    sorted.dedup_by(|a, b| a.key == b.key);
    let at = now();
    let mut tx = db.begin().await?;
    for bucket in &sorted {
        rate_limits::lock_bucket(&mut tx, &bucket.key).await?;
    }
    let since = at - WINDOW_SECS;
    let mut free_at = None;
    for bucket in &sorted {
        let count = rate_limits::count_since(&mut tx, &bucket.key, since).await?;
        if count >= bucket.max {
            // Admits again once enough of its attempts have left the window.
            let oldest = rate_limits::nth_since(&mut tx, &bucket.key, since, count - bucket.max).await?;
            let bucket_free_at = oldest.unwrap_or(at) + WINDOW_SECS;
            free_at = Some(free_at.map_or(bucket_free_at, |t: i64| t.max(bucket_free_at)));
        }
    }
    if let Some(free_at) = free_at {
        tx.rollback().await?;
        return Ok(Err(Refused { retry_after_secs: (free_at - at).max(1) }));
    }
    let mut ids = Vec::with_capacity(sorted.len());
    for bucket in &sorted {
        ids.push(rate_limits::insert(&mut tx, &bucket.key, at).await?);
    }
    tx.commit().await?;
    Ok(Ok(Attempt { ids }))
}

/// Takes back a reserved attempt that succeeded (or was never checked).
pub async fn forgive(db: &Db, attempt: Attempt) -> Result<(), DbError> {
    for id in attempt.ids {
        rate_limits::delete(db, id).await?;
    }
    Ok(())
}

/// Forgets attempts older than the window as of `at`, and the lock rows of empty buckets (run by
/// the cleanup job).
pub async fn prune(db: &Db, at: i64) -> Result<u64, DbError> {
    rate_limits::delete_before(db, at - WINDOW_SECS).await
}

/// Whose credentials an attempt tries.
#[derive(Debug, Clone, Copy)]
pub enum Account<'a> {
    /// The account the name resolved to (however the name was spelled).
    Id(app::domain::ids::UserId),
    /// A (valid) name no account has: counted like an account, so the limits do not tell.
    Unknown(&'a str),
}

/// The buckets of a login step (or of giving the password again) for `account` from `ip`: the
/// account from this address, the account, and the address.
pub fn login_buckets(account: Account<'_>, ip: std::net::IpAddr) -> [Bucket; 3] {
    let account = match account {
        Account::Id(id) => format!("id:{id}"),
        Account::Unknown(name) => format!("name:{}", name.to_ascii_lowercase()),
    };
    [
        Bucket { key: format!("account-ip:{account}@{ip}"), max: MAX_ATTEMPTS },
        Bucket { key: format!("account:{account}"), max: ACCOUNT_MAX },
        address_bucket(ip),
    ]
}

/// An address's failures across accounts (also: second-factor steps without a pending login).
pub fn address_bucket(ip: std::net::IpAddr) -> Bucket {
    Bucket { key: format!("ip:{ip}"), max: ADDRESS_MAX }
}

/// Password-reset requests, per address and per email. Counted apart from login failures, so
/// asking for resets cannot lock anyone out of logging in; every request counts.
pub fn reset_buckets(ip: std::net::IpAddr, email: &str) -> [Bucket; 2] {
    [
        Bucket { key: format!("reset-ip:{ip}"), max: MAX_ATTEMPTS },
        Bucket { key: format!("reset-email:{}", email.trim().to_lowercase()), max: MAX_ATTEMPTS },
    ]
}

#[cfg(test)]
mod tests {
    use super::Refused;

    #[test]
    fn a_refusal_says_when_to_try_again_in_whole_minutes() {
        let after = |secs| Refused { retry_after_secs: secs }.message();
        assert_eq!(after(3600), "Too many authentication requests in one hour. Try again in 60 minutes.");
        assert_eq!(after(3541), "Too many authentication requests in one hour. Try again in 60 minutes.");
        assert_eq!(after(61), "Too many authentication requests in one hour. Try again in 2 minutes.");
        assert_eq!(after(1), "Too many authentication requests in one hour. Try again in 1 minute.");
        assert_eq!(after(0), "Too many authentication requests in one hour. Try again in 1 minute.");
    }
}
