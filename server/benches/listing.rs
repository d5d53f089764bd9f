//! Listing at scale (`scripts/bench-listing`): a project with 100,000 files in 1,000 folders,
//! seeded through the code that records a completed upload (`db::files::record_version`), then
//! 20 s at concurrency 10 against one folder level and 20 s against the project list, over
//! HTTP as a signed-in Unit Admin. A baseline (`GET /auth/me`: the cost of any authenticated
//! request) is measured in the same run and each result is also given as a ratio to it.
//! SQLite by default; PostgreSQL when `DATABASE_URL` names a server (a fresh database is made
//! on it and dropped afterwards). The last line is `listing p99 <ms>`.

use std::time::{Duration, Instant};

use app::domain::file_paths::FilePath;
use dds_server::db::files::{record_version, NewVersion};
use dds_server::db::seed;

#[path = "../tests/support/config.rs"]
mod config;
#[path = "../tests/support/login.rs"]
mod login;

const FOLDERS: usize = 1_000;
const FILES_PER_FOLDER: usize = 100;
const CONCURRENCY: usize = 10;

fn env_secs(name: &str, default: u64) -> Duration {
    Duration::from_secs(std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default))
}

struct Summary {
    p50: f64,
    p99: f64,
    per_second: f64,
    errors: usize,
}

/// `CONCURRENCY` clients GET a URL from `next_url` in a loop for `length`.
async fn hammer(
    client: &reqwest::Client,
    length: Duration,
    next_url: impl Fn(usize) -> String + Send + Sync + 'static,
) -> Summary {
    let started = Instant::now();
    let next_url = std::sync::Arc::new(next_url);
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..CONCURRENCY {
        let (client, next_url) = (client.clone(), next_url.clone());
        workers.spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0;
            let mut i = worker;
            while started.elapsed() < length {
                let url = next_url(i);
                i += CONCURRENCY;
                let sent = Instant::now();
                match client.get(&url).send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        times.push(sent.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (times, errors)
        });
    }
    let results = workers.join_all().await;
    let elapsed = started.elapsed().as_secs_f64();
    let errors = results.iter().map(|(_, e)| e).sum();
    let mut times: Vec<f64> = results.into_iter().flat_map(|(t, _)| t).collect();
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        let index = ((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1));
        times.get(index).copied().unwrap_or(f64::NAN)
    };
    Summary { p50: at(0.50), p99: at(0.99), per_second: times.len() as f64 / elapsed, errors }
}

fn report(name: &str, summary: &Summary, baseline: &Summary) {
    println!(
        "{name:<16} p50 {:>7.2} ms  p99 {:>7.2} ms  {:>8.0} req/s  errors {}  (p99 {:.1}x the baseline's)",
        summary.p50,
        summary.p99,
        summary.per_second,
        summary.errors,
        summary.p99 / baseline.p99
    );
}

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
    let auth_key = login::auth_key(&client, &base, "unitadmin_1", seed::DEV_PASSWORD).await;
    let answer = login::post(
        &client,
        &base,
        "/api/v1/auth/login",
        serde_json::json!({ "username": "unitadmin_1", "auth_key": auth_key }),
    )
    .await;
    assert!(answer.status().is_success(), "login: {}", answer.status());
    let outbox = dir.path().join("outbox");
    let mut code = None;
    for _ in 0..200 {
        code = login::latest_code(&outbox, "unitadmin_1@example.com");
        if code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let code = code.expect("the one-time code was mailed");
    let answer =
        login::post(&client, &base, "/api/v1/auth/second-factor", serde_json::json!({ "code": code })).await;
    assert!(answer.status().is_success(), "second factor: {}", answer.status());

    let length = env_secs("BENCH_SECONDS", 20);
    let me = format!("{base}/api/v1/auth/me");
    let baseline = hammer(&client, length / 4, move |_| me.clone()).await;
    let project = seed::DEV_PROJECT;
    let files = format!("{base}/api/v1/projects/{project}/files");
    let folder = hammer(&client, length, move |i| {
        let folder = i * 7919 % FOLDERS;
        format!("{files}?path=run{:02}/sample{folder:04}", folder % 20)
    })
    .await;
    let list = format!("{base}/api/v1/projects");
    let projects = hammer(&client, length, move |_| list.clone()).await;
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
