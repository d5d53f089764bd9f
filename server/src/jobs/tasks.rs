//! Durable tasks: work that must finish even if the server dies half-way (removing a project's
//! objects and bucket, the objects of deleted files). One row per task in `tasks`, inserted in
//! the transaction that decides the work; a replica claims a due row with a lease (one
//! conditional UPDATE, so one replica runs it), does it idempotently, and marks it done, or
//! records the error and retries with backoff. A task whose runner died is claimed again once
//! its lease ends. Super Admins see tasks that keep failing, with their last error.

use std::sync::LazyLock;
use std::time::Duration;

use sqlx::{Any, Transaction};
use tokio::sync::{watch, Notify};

use crate::db::{Db, DbError};
use crate::storage::bucket::BucketName;
use crate::storage::{ObjectStore, StorageError};

/// How long a claimed task may run before another replica may take it over.
pub const LEASE_SECS: i64 = 10 * 60;
/// How often a replica looks for due tasks when nothing wakes it.
pub const POLL: Duration = Duration::from_secs(5);

static WAKE: LazyLock<Notify> = LazyLock::new(Notify::new);

/// Tells this process's runner that a task is waiting (others find it at their next poll).
pub fn wake() {
    WAKE.notify_one();
}

/// Seconds to wait before attempt `attempts + 1`: 10 s doubling, at most an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    (10_i64 << attempts.clamp(0, 9)).min(3600)
}

#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("object storage: {0}")]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for TaskError {
    fn from(err: sqlx::Error) -> Self {
        TaskError::Db(DbError::from(err))
    }
}

/// Queues removing a project's objects and bucket (deletion, archiving, abort).
pub async fn enqueue_project_removal(
    tx: &mut Transaction<'_, Any>,
    project_id: i64,
    bucket: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    enqueue(tx, "remove_project_data", project_id, bucket, now).await
}

/// Queues removing the objects of deleted files of a project (its bucket stays).
pub async fn enqueue_deleted_objects(
    tx: &mut Transaction<'_, Any>,
    project_id: i64,
    bucket: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    enqueue(tx, "remove_deleted_objects", project_id, bucket, now).await
}

async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    kind: &str,
    project_id: i64,
    bucket: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO tasks (kind, project_id, bucket, delete_bucket, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(kind)
    .bind(project_id)
    .bind(bucket)
    .bind(kind == "remove_project_data")
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A claimed task.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Claimed {
    id: i64,
    kind: String,
    project_id: Option<i64>,
    bucket: Option<String>,
    attempts: i64,
}

async fn claim(db: &Db, holder: &str, now: i64) -> Result<Option<Claimed>, DbError> {
    let claimed = sqlx::query_as(
        "UPDATE tasks SET holder = $1, lease_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM tasks WHERE done_at IS NULL AND next_attempt_at <= $3 AND lease_until < $3 \
                     ORDER BY next_attempt_at, id LIMIT 1) \
           AND done_at IS NULL AND lease_until < $3 \
         RETURNING id, kind, project_id, bucket, attempts",
    )
    .bind(holder)
    .bind(now + LEASE_SECS)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    Ok(claimed)
}

/// Runs every due task once; answers how many finished.
pub async fn run_due(
    db: &Db,
    store: &ObjectStore,
    holder: &str,
    now: impl Fn() -> i64,
) -> Result<u64, DbError> {
    let mut finished = 0;
    while let Some(task) = claim(db, holder, now()).await? {
        match perform(db, store, &task, now()).await {
            Ok(()) => {
                sqlx::query("UPDATE tasks SET done_at = $1, holder = NULL, last_error = NULL WHERE id = $2 AND holder = $3")
                    .bind(now())
                    .bind(task.id)
                    .bind(holder)
                    .execute(db.pool())
                    .await?;
                tracing::info!(task = task.id, kind = %task.kind, "task done");
                finished += 1;
            }
            Err(err) => {
                let retry_at = now() + backoff_secs(task.attempts);
                tracing::warn!(task = task.id, kind = %task.kind, attempts = task.attempts, error = %err, "task failed; retried later");
                sqlx::query(
                    "UPDATE tasks SET last_error = $1, next_attempt_at = $2, lease_until = 0, holder = NULL \
                     WHERE id = $3 AND holder = $4",
                )
                .bind(err.to_string())
                .bind(retry_at)
                .bind(task.id)
                .bind(holder)
                .execute(db.pool())
                .await?;
            }
        }
    }
    Ok(finished)
}

/// The task's bucket, checked as a bucket name before anything is sent.
fn bucket_of(task: &Claimed) -> Result<Option<BucketName>, TaskError> {
    task.bucket
        .as_deref()
        .map(BucketName::parse)
        .transpose()
        .map_err(|e| TaskError::Storage(StorageError::Invalid(e.to_string())))
}

async fn perform(db: &Db, store: &ObjectStore, task: &Claimed, now: i64) -> Result<(), TaskError> {
    let Some(project_id) = task.project_id else { return Ok(()) };
    match task.kind.as_str() {
        "remove_project_data" => {
            if let Some(bucket) = bucket_of(task)? {
                let bucket = &bucket;
                store.abort_all_uploads(bucket).await?;
                while store.remove_some_objects(bucket).await? > 0 {}
                store.delete_bucket(bucket).await?;
            }
            forget_project_files(db, project_id, now).await?;
        }
        "remove_deleted_objects" => {
            let doomed: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, object_key FROM file_versions WHERE project_id = $1 AND file_id IS NULL AND removed_at IS NULL",
            )
            .bind(project_id)
            .fetch_all(db.pool())
            .await?;
            if let Some(bucket) = bucket_of(task)? {
                let bucket = &bucket;
                let keys: Vec<String> = doomed.iter().map(|(_, key)| key.clone()).collect();
                store.remove_objects(bucket, &keys).await?;
            }
            for (id, _) in doomed {
                sqlx::query("UPDATE file_versions SET removed_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(db.pool())
                    .await?;
            }
        }
        other => tracing::error!(task = task.id, kind = other, "unknown task kind; marked done"),
    }
    Ok(())
}

/// After the objects are gone: versions closed and marked removed, file and folder rows gone,
/// the project's and the unit's sizes down, in one transaction.
async fn forget_project_files(db: &Db, project_id: i64, now: i64) -> Result<(), DbError> {
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "UPDATE file_versions SET deleted_at = COALESCE(deleted_at, $1), removed_at = COALESCE(removed_at, $1) \
         WHERE project_id = $2",
    )
    .bind(now)
    .bind(project_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM files WHERE project_id = $1").bind(project_id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM folders WHERE project_id = $1").bind(project_id).execute(&mut *tx).await?;
    sqlx::query(
        "UPDATE units SET used_bytes = used_bytes - (SELECT stored_bytes FROM projects WHERE id = $1) \
         WHERE id = (SELECT unit_id FROM projects WHERE id = $1)",
    )
    .bind(project_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE projects SET size_bytes = 0, stored_bytes = 0, file_count = 0 WHERE id = $1")
        .bind(project_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub use app::api::tasks::OpenTask;

/// Unfinished tasks, the oldest first, with their project's public id.
pub async fn open_tasks(db: &Db, limit: i64) -> Result<Vec<OpenTask>, DbError> {
    Ok(sqlx::query_as::<_, OpenTaskRow>(
        "SELECT t.id, t.kind, p.public_id AS project, t.attempts, t.next_attempt_at, t.last_error, t.created_at \
         FROM tasks t LEFT JOIN projects p ON p.id = t.project_id \
         WHERE t.done_at IS NULL ORDER BY t.created_at, t.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|row| OpenTask {
        id: row.id,
        kind: row.kind,
        project: row.project,
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at,
        last_error: row.last_error,
        created_at: row.created_at,
    })
    .collect())
}

#[derive(sqlx::FromRow)]
struct OpenTaskRow {
    id: i64,
    kind: String,
    project: Option<String>,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    created_at: i64,
}

/// Makes an unfinished task due now (a Super Admin's retry after fixing its cause). False when
/// there is no such unfinished task.
pub async fn retry_now(db: &Db, id: i64, now: i64) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE tasks SET next_attempt_at = $1 WHERE id = $2 AND done_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    if done.rows_affected() == 1 {
        wake();
    }
    Ok(done.rows_affected() == 1)
}

/// The runner of one replica, until `stop` turns true.
pub async fn runner(
    db: Db,
    store: ObjectStore,
    clock: crate::clock::SharedClock,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let holder = uuid::Uuid::new_v4().to_string();
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        if let Err(err) = run_due(&db, &store, &holder, || clock.now()).await {
            tracing::error!(error = %err, "cannot run the durable tasks");
        }
        tokio::select! {
            _ = stop.changed() => {}
            _ = WAKE.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}
