//! Durable tasks: work that must finish even if the server dies half-way (removing a project's
//! objects and bucket, the objects of deleted files). One row per task in `tasks`, inserted in
//! the transaction that decides the work; a replica claims a due row with a lease (one
//! conditional UPDATE, so one replica runs it), does it idempotently, and marks it done, or
//! records the error and retries with backoff. A task whose runner died is claimed again once
//! its lease ends. Super Admins see tasks that keep failing, with their last error.

use app::domain::ids::ProjectId;
use std::sync::LazyLock;
use std::time::Duration;

use sqlx::{Any, Transaction};
use tokio::sync::{watch, Notify};

use crate::db::tasks::{self as repo, Claimed, NewTask};
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

/// Queues removing a project's objects and bucket (deletion, archiving, abort).
pub async fn enqueue_project_removal(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    bucket: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    enqueue(tx, "remove_project_data", project_id, bucket, now).await
}

/// Queues removing the objects of deleted files of a project (its bucket stays).
pub async fn enqueue_deleted_objects(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    bucket: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    enqueue(tx, "remove_deleted_objects", project_id, bucket, now).await
}

async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    kind: &str,
    project_id: ProjectId,
    bucket: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    let delete_bucket = kind == "remove_project_data";
    repo::insert(tx, NewTask { kind, project_id, bucket, delete_bucket, now }).await
}

async fn claim(db: &Db, holder: &str, now: i64) -> Result<Option<Claimed>, DbError> {
    repo::claim_next(db, holder, now, now + LEASE_SECS).await
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
                repo::mark_done(db, task.id, holder, now()).await?;
                tracing::info!(task = task.id, kind = %task.kind, "task done");
                finished += 1;
            }
            Err(err) => {
                let retry_at = now() + backoff_secs(task.attempts);
                tracing::warn!(task = task.id, kind = %task.kind, attempts = task.attempts, error = %err, "task failed; retried later");
                repo::mark_failed(db, task.id, holder, &err.to_string(), retry_at).await?;
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
            crate::db::files::forget_project_files(db, project_id, now).await?;
        }
        "remove_deleted_objects" => {
            let doomed = crate::db::files::doomed_versions(db, project_id).await?;
            if let Some(bucket) = bucket_of(task)? {
                let bucket = &bucket;
                let keys: Vec<String> = doomed.iter().map(|version| version.object_key.clone()).collect();
                store.remove_objects(bucket, &keys).await?;
            }
            for version in doomed {
                crate::db::files::mark_version_removed(db, version.id, now).await?;
            }
        }
        other => tracing::error!(task = task.id, kind = other, "unknown task kind; marked done"),
    }
    Ok(())
}

pub use app::api::tasks::OpenTask;

/// Unfinished tasks, the oldest first, with their project's public id.
pub async fn open_tasks(db: &Db, limit: i64) -> Result<Vec<OpenTask>, DbError> {
    repo::open(db, limit).await
}

/// Makes an unfinished task due now (a Super Admin's retry after fixing its cause). False when
/// there is no such unfinished task.
pub async fn retry_now(db: &Db, id: i64, now: i64) -> Result<bool, DbError> {
    let due = repo::make_due(db, id, now).await?;
    if due {
        wake();
    }
    Ok(due)
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
