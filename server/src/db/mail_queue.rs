//! The outgoing-mail aggregate (`outgoing_mail`): queued messages, their sealed bodies, claims
//! and attempts. Sealing, backoff and delivery live in `mail::queue`.

use sqlx::AnyConnection;

use super::{Db, DbError};

/// What a queued message stores: its body is already sealed.
pub struct NewMail<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a [u8],
    /// When it was queued; it is due at once.
    pub at: i64,
}

/// Queues a message through `conn` (a pooled connection or a transaction); its id.
pub async fn insert(conn: &mut AnyConnection, new: NewMail<'_>) -> Result<i64, DbError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outgoing_mail (recipient, subject, body, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(new.recipient)
    .bind(new.subject)
    .bind(new.body)
    .bind(new.at)
    .bind(new.at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// How many messages are due at `at` and not yet sent or given up (including ones being sent).
pub async fn due_count(db: &Db, at: i64) -> Result<i64, DbError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM outgoing_mail \
         WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1",
    )
    .bind(at)
    .fetch_one(db.pool())
    .await?;
    Ok(count)
}

/// Ids of at most `limit` messages due at `at` whose claim is free, oldest first.
pub async fn claimable(db: &Db, at: i64, limit: i64) -> Result<Vec<i64>, DbError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM outgoing_mail WHERE sent_at IS NULL AND failed_at IS NULL \
         AND next_attempt_at <= $1 AND lease_until < $1 ORDER BY id LIMIT $2",
    )
    .bind(at)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A claimed message: the attempt's number, recipient, subject and sealed body.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub attempts: i64,
    pub recipient: String,
    pub subject: String,
    pub body: Vec<u8>,
}

/// Claims message `id` for `holder` until `lease_until` if it is still due at `at` and
/// unclaimed, counting the attempt; `None` when another worker has it.
pub async fn claim(
    db: &Db,
    id: i64,
    holder: &str,
    at: i64,
    lease_until: i64,
) -> Result<Option<Claimed>, DbError> {
    Ok(sqlx::query_as(
        "UPDATE outgoing_mail SET holder = $2, lease_until = $3, attempts = attempts + 1 \
         WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $4 \
         AND lease_until < $4 \
         RETURNING attempts, recipient, subject, body",
    )
    .bind(id)
    .bind(holder)
    .bind(lease_until)
    .bind(at)
    .fetch_optional(db.pool())
    .await?)
}

/// Marks `holder`'s message sent at `at`, its body erased.
pub async fn mark_sent(db: &Db, id: i64, holder: &str, at: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE outgoing_mail SET sent_at = $3, holder = NULL, lease_until = 0, last_error = NULL, \
         body = $4 WHERE id = $1 AND holder = $2",
    )
    .bind(id)
    .bind(holder)
    .bind(at)
    .bind(Vec::<u8>::new())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A failed attempt of `holder`'s message.
pub struct Failure<'a> {
    pub error: &'a str,
    /// Set when the message is given up: then its body is erased (the last error stays).
    pub failed_at: Option<i64>,
    pub next_attempt_at: i64,
}

/// Records a failed attempt and gives the claim back.
pub async fn mark_failed(db: &Db, id: i64, holder: &str, failure: Failure<'_>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE outgoing_mail SET holder = NULL, lease_until = 0, last_error = $3, failed_at = $4, \
         next_attempt_at = $5, body = CASE WHEN $6 THEN $7 ELSE body END WHERE id = $1 AND holder = $2",
    )
    .bind(id)
    .bind(holder)
    .bind(failure.error)
    .bind(failure.failed_at)
    .bind(failure.next_attempt_at)
    .bind(failure.failed_at.is_some())
    .bind(Vec::<u8>::new())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Deletes the messages sent before `sent_before` or given up before `failed_before`; how many.
pub async fn delete_old(db: &Db, sent_before: i64, failed_before: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM outgoing_mail WHERE sent_at < $1 OR failed_at < $2")
        .bind(sent_before)
        .bind(failed_before)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
