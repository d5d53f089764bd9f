//! The tasks aggregate (`tasks`): durable work with its lease, attempts and last error. What a
//! task does and when it is retried lives in `jobs::tasks`; what a finished task writes to a
//! project's files is in `db::files`.

use app::api::tasks::OpenTask;
use app::domain::ids::ProjectId;
use sqlx::{Any, Transaction};

use super::{Db, DbError};

/// What a new task stores.
pub struct NewTask<'a> {
    pub kind: &'a str,
    pub project_id: ProjectId,
    pub bucket: Option<&'a str>,
    pub delete_bucket: bool,
    /// When it was queued; it is due at once.
    pub now: i64,
}

/// Queues a task inside the transaction that decides its work.
pub async fn insert(tx: &mut Transaction<'_, Any>, new: NewTask<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO tasks (kind, project_id, bucket, delete_bucket, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(new.kind)
    .bind(new.project_id)
    .bind(new.bucket)
    .bind(new.delete_bucket)
    .bind(new.now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A claimed task.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub project_id: Option<ProjectId>,
    pub bucket: Option<String>,
    pub attempts: i64,
}

/// Claims the next task due at `now` whose lease is free, for `holder` until `lease_until`,
/// counting the attempt: one conditional update, so of concurrent claims one wins.
pub async fn claim_next(
    db: &Db,
    holder: &str,
    now: i64,
    lease_until: i64,
) -> Result<Option<Claimed>, DbError> {
    Ok(sqlx::query_as(
        "UPDATE tasks SET holder = $1, lease_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM tasks WHERE done_at IS NULL AND next_attempt_at <= $3 AND lease_until < $3 \
                     ORDER BY next_attempt_at, id LIMIT 1) \
           AND done_at IS NULL AND lease_until < $3 \
         RETURNING id, kind, project_id, bucket, attempts",
    )
    .bind(holder)
    .bind(lease_until)
    .bind(now)
    .fetch_optional(db.pool())
    .await?)
}

/// Marks `holder`'s task done at `now`.
pub async fn mark_done(db: &Db, id: i64, holder: &str, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE tasks SET done_at = $1, holder = NULL, last_error = NULL WHERE id = $2 AND holder = $3",
    )
    .bind(now)
    .bind(id)
    .bind(holder)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Records `holder`'s failed attempt and gives the lease back; retried at `retry_at`.
pub async fn mark_failed(db: &Db, id: i64, holder: &str, error: &str, retry_at: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE tasks SET last_error = $1, next_attempt_at = $2, lease_until = 0, holder = NULL \
         WHERE id = $3 AND holder = $4",
    )
    .bind(error)
    .bind(retry_at)
    .bind(id)
    .bind(holder)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// At most `limit` unfinished tasks, the oldest first, as Super Admins see them.
pub async fn open(db: &Db, limit: i64) -> Result<Vec<OpenTask>, DbError> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.kind, p.public_id AS project, t.attempts, t.next_attempt_at, t.last_error, t.created_at \
         FROM tasks t LEFT JOIN projects p ON p.id = t.project_id \
         WHERE t.done_at IS NULL ORDER BY t.created_at, t.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// Makes an unfinished task due at `now`; false when there is no such unfinished task.
pub async fn make_due(db: &Db, id: i64, now: i64) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE tasks SET next_attempt_at = $1 WHERE id = $2 AND done_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}
