//! Listing at scale (`scripts/bench-listing`): a project with 100,000 files in 1,000 folders,
//! seeded through the code that records a completed upload (`db::files::record_version`), then
//! 20 s at concurrency 10 against one folder level and 20 s against the project list, over
//! HTTP as a signed-in Unit Admin. A baseline (`GET /auth/me`: the cost of any authenticated
//! request) is measured in the same run and each result is also given as a ratio to it.
//! SQLite by default; PostgreSQL when `DATABASE_URL` names a server (a fresh database is made
//! on it and dropped afterwards). The last line is `listing p99 <ms>`.

use std::time::Instant;

use app::domain::file_paths::FilePath;
use dds_server::db::files::{record_version, NewVersion};
use dds_server::db::seed;

#[path = "../tests/support/bench.rs"]
mod bench;
#[path = "../tests/support/config.rs"]
mod config;
#[path = "../tests/support/login.rs"]
mod login;

use bench::{any_body, env_secs, hammer, report, sign_in, CONCURRENCY};

const FOLDERS: usize = 1_000;
const FILES_PER_FOLDER: usize = 100;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let postgres = std::env::var("DATABASE_URL").ok().filter(|url| url.starts_with("postgres"));
    let fresh_db = match &postgres {
        Some(admin) => Some(config::create_postgres_database(admin, "dds_bench").await),
        None => None,
    };
    let config = config::config_in(dir.path(), fresh_db.as_ref().map(|(_, url)| url.as_str()), &[]);
    let running = dds_server::startup::start(config).await.expect("server starts");
    let db = running.state.db.clone();
    seed::dev(&db).await.expect("seed");
    let (project_id,): (app::domain::ids::ProjectId,) =
        sqlx::query_as("SELECT id FROM projects WHERE public_id = $1")
            .bind(seed::DEV_PROJECT)
            .fetch_one(db.pool())
            .await
            .unwrap();

    let backend = if postgres.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("seeding {} files in {FOLDERS} folders ({backend}) ...", FOLDERS * FILES_PER_FOLDER);
    let seeding = Instant::now();
    for folder in 0..FOLDERS {
        let mut tx = db.begin().await.unwrap();
        for file in 0..FILES_PER_FOLDER {
            let path =
                FilePath::parse(&format!("run{:02}/sample{folder:04}/reads_{file:03}.fastq.gz", folder % 20))
                    .unwrap();
            let key = format!("{folder}-{file}");
            let size = 1_000_000 + (folder * FILES_PER_FOLDER + file) as i64;
            let version = NewVersion {
                project_id,
                path: &path,
                object_key: &key,
                size_bytes: size,
                stored_bytes: size + 4096,
                sha256_sealed: None,
                uploaded_by: None,
                now: 1_800_000_000,
            };
            record_version(&mut tx, version).await.expect("record a version");
        }
        tx.commit().await.unwrap();
    }
    println!("seeded in {:.1} s", seeding.elapsed().as_secs_f64());

    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    sign_in(&client, &base, &dir.path().join("outbox"), "unitadmin_1").await;

    let length = env_secs("BENCH_SECONDS", 20);
    let me = format!("{base}/api/v1/auth/me");
    let baseline = hammer(&client, length / 4, move |_| me.clone(), any_body).await;
    let project = seed::DEV_PROJECT;
    let files = format!("{base}/api/v1/projects/{project}/files");
    let folder = hammer(
        &client,
        length,
        move |i| {
            let folder = i * 7919 % FOLDERS;
            format!("{files}?path=run{:02}/sample{folder:04}", folder % 20)
        },
        any_body,
    )
    .await;
    let list = format!("{base}/api/v1/projects");
    let projects = hammer(&client, length, move |_| list.clone(), any_body).await;
    println!("concurrency {CONCURRENCY}, {} s per run, {backend}", length.as_secs());
    report("baseline (me)", &baseline, &baseline);
    report("folder listing", &folder, &baseline);
    report("project list", &projects, &baseline);
    running.shutdown().await.expect("clean shutdown");
    if let (Some(admin), Some((name, _))) = (postgres, fresh_db) {
        config::drop_postgres_database(&admin, &name).await;
    }
    assert_eq!(folder.errors + projects.errors + baseline.errors, 0, "every request succeeded");
    println!("listing p99 {:.1}", folder.p99.max(projects.p99));
}
