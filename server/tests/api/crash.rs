//! A real `dds serve` process is killed (SIGKILL) while it removes a project's data; a new one,
//! started on the same database and data folder, finishes the removal once the dead process's
//! lease has run out (its clock moved past the lease through `DDS_CLOCK_OFFSET_FILE`): the
//! bucket is gone, and no file row, open version or size is left behind.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use app::domain::ids::ProjectId;
use dds_server::config::Config;
use dds_server::db::seed::DEV_PROJECT;
use dds_server::db::Db;
use dds_server::jobs::tasks;
use dds_server::storage::bucket::BucketName;
use dds_server::storage::{ObjectStore, S3Settings};

use crate::both_backends;
use crate::config_support::{create_postgres_database, drop_postgres_database};
use crate::files::upload;
use crate::helpers::{postgres_admin_url, store_as_browser, Backend};

const OBJECTS: usize = 3000;
const OBJECT_BYTES: usize = 10;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The settings of one portal, shared by both processes and by this test's own connections.
struct Setup {
    vars: Vec<(String, String)>,
    dir: tempfile::TempDir,
    url: String,
    s3_port: u16,
    postgres_db: Option<String>,
}

impl Setup {
    async fn new(backend: Backend) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let (port, s3_port) = (free_port(), free_port());
        let mut vars = vec![
            ("DDS_DATA_DIR".to_string(), dir.path().display().to_string()),
            ("DDS_LISTEN".to_string(), format!("127.0.0.1:{port}")),
            ("DDS_S3_LISTEN".to_string(), format!("127.0.0.1:{s3_port}")),
            ("DDS_SITE_ROOT".to_string(), dir.path().join("site").display().to_string()),
            ("DDS_CLOCK_OFFSET_FILE".to_string(), dir.path().join("clock-offset").display().to_string()),
            ("DATABASE_URL".to_string(), String::new()),
        ];
        let mut postgres_db = None;
        if backend == Backend::Postgres {
            let (name, url) = create_postgres_database(&postgres_admin_url(), "dds_test").await;
            vars.push(("DATABASE_URL".to_string(), url));
            postgres_db = Some(name);
        }
        Setup { vars, dir, url: format!("http://127.0.0.1:{port}"), s3_port, postgres_db }
    }

    fn var(&self, name: &str) -> Option<String> {
        self.vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn dds(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dds"));
        command.args(args);
        for (name, value) in &self.vars {
            command.env(name, value);
        }
        command
    }

    /// Starts `dds serve` and waits until it answers `/status`.
    async fn serve(&self, log: &str) -> Child {
        let log = std::fs::File::create(self.dir.path().join(log)).unwrap();
        let mut child = self
            .dds(&["serve"])
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("dds serve starts");
        let client = reqwest::Client::new();
        for _ in 0..300 {
            assert!(child.try_wait().unwrap().is_none(), "dds serve exited early");
            if let Ok(response) = client.get(format!("{}/status", self.url)).send().await {
                if response.status().is_success() {
                    return child;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("dds serve did not become healthy");
    }

    async fn db(&self) -> Db {
        let config = Config::load_from(None, |name| self.var(name)).unwrap();
        dds_server::startup::open_database(&config).await.unwrap()
    }

    /// The embedded S3 endpoint of the running portal, with its data folder's credentials.
    fn store(&self) -> ObjectStore {
        let credentials = dds_server::storage::embedded::data_dir_credentials(self.dir.path()).unwrap();
        let endpoint = format!("http://127.0.0.1:{}", self.s3_port);
        ObjectStore::new(&S3Settings {
            endpoint: endpoint.clone(),
            public_endpoint: endpoint,
            access_key: credentials.access_key,
            secret_key: credentials.secret_key,
            region: "us-east-1".to_string(),
            bucket_prefix: "dds".to_string(),
        })
    }

    fn move_clock(&self, secs: i64) {
        std::fs::write(self.dir.path().join("clock-offset"), secs.to_string()).unwrap();
    }

    fn server_log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    async fn finish(self) {
        if let Some(name) = &self.postgres_db {
            drop_postgres_database(&postgres_admin_url(), name).await;
        }
    }
}

/// Stores `OBJECTS` small objects as a browser would (a multipart upload of one presigned part),
/// 16 at a time, and records a file row for each.
async fn fill(db: &Db, store: &ObjectStore, bucket: &BucketName, project_id: ProjectId) {
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..16 {
        let (store, bucket) = (store.clone(), bucket.clone());
        workers.spawn(async move {
            let client = reqwest::Client::new();
            for i in (worker..OBJECTS).step_by(16) {
                store_as_browser(
                    &client,
                    &store,
                    &bucket,
                    &format!("object-{i:05}"),
                    vec![1u8; OBJECT_BYTES],
                )
                .await;
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
    for i in 0..OBJECTS {
        upload(db, project_id, &format!("folder-{}/file-{i:05}", i % 10), OBJECT_BYTES as i64, 1).await;
    }
}

async fn count(db: &Db, sql: &str, project_id: ProjectId) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).bind(project_id).fetch_one(db.pool()).await.unwrap();
    n
}

async fn a_killed_server_leaves_a_removal_that_the_next_one_finishes(backend: Backend) {
    let setup = Setup::new(backend).await;
    let seeded = setup.dds(&["init-db", "dev"]).output().unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let mut first = setup.serve("first.log").await;

    let db = setup.db().await;
    let store = setup.store();
    let bucket = store.bucket_for(DEV_PROJECT).unwrap();
    store.ensure_bucket(&bucket).await.unwrap();
    let (project_id,): (ProjectId,) =
        sqlx::query_as("UPDATE projects SET bucket = $1 WHERE public_id = $2 RETURNING id")
            .bind(bucket.as_str())
            .bind(DEV_PROJECT)
            .fetch_one(db.pool())
            .await
            .unwrap();
    fill(&db, &store, &bucket, project_id).await;
    let unit_used_before: (i64,) = sqlx::query_as(
        "SELECT used_bytes FROM units WHERE id = (SELECT unit_id FROM projects WHERE id = $1)",
    )
    .bind(project_id)
    .fetch_one(db.pool())
    .await
    .unwrap();

    // The project's data is to go (as archiving decides it); the running server takes the task
    // at its next poll and removes the objects 1,000 at a time, in key order.
    let mut tx = db.begin().await.unwrap();
    tasks::enqueue_project_removal(&mut tx, project_id, Some(bucket.as_str()), dds_server::db::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Every 100th object, watched: the first one gone means the removal is under way.
    let sample: Vec<String> = (0..OBJECTS).step_by(100).map(|i| format!("object-{i:05}")).collect();
    let mut started = false;
    'watch: for _ in 0..2000 {
        for key in &sample {
            if store.object_size(&bucket, key).await.is_err() {
                started = true;
                break 'watch;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(started, "the first server never started the removal:\n{}", setup.server_log("first.log"));
    first.kill().unwrap(); // SIGKILL: no shutdown, no clean-up
    first.wait().unwrap();

    let open_tasks = "SELECT COUNT(*) FROM tasks WHERE project_id = $1 AND done_at IS NULL";
    assert_eq!(count(&db, open_tasks, project_id).await, 1, "the removal was left unfinished");
    // The embedded endpoint died with the process: look at its folder (a bucket is a folder).
    let bucket_dir = setup.dir.path().join("s3").join(bucket.as_str());
    assert!(bucket_dir.is_dir(), "the bucket was left behind");

    // A new server on the same data; its clock is past the dead one's lease.
    setup.move_clock(tasks::LEASE_SECS + 60);
    let mut second = setup.serve("second.log").await;
    let mut finished = false;
    for _ in 0..600 {
        if count(&db, open_tasks, project_id).await == 0 {
            finished = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(finished, "the second server did not finish the removal:\n{}", setup.server_log("second.log"));

    assert!(!store.bucket_exists(&bucket).await.unwrap(), "the bucket is gone");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM files WHERE project_id = $1", project_id).await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM folders WHERE project_id = $1", project_id).await, 0);
    let open_versions = "SELECT COUNT(*) FROM file_versions WHERE project_id = $1 AND removed_at IS NULL";
    assert_eq!(count(&db, open_versions, project_id).await, 0, "every version is marked removed");
    assert_eq!(count(&db, "SELECT stored_bytes FROM projects WHERE id = $1", project_id).await, 0);
    let (unit_used_after,): (i64,) = sqlx::query_as(
        "SELECT used_bytes FROM units WHERE id = (SELECT unit_id FROM projects WHERE id = $1)",
    )
    .bind(project_id)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(unit_used_after, 0, "the unit's usage drops by the project's {} bytes", unit_used_before.0);

    // The second server stops cleanly.
    #[cfg(unix)]
    {
        let _ = Command::new("kill").args(["-INT", &second.id().to_string()]).status();
    }
    let _ = second.wait();
    db.close().await;
    setup.finish().await;
}
both_backends!(
    a_killed_server_leaves_a_removal_that_the_next_one_finishes,
    a_killed_server_leaves_a_removal_that_the_next_one_finishes
);
