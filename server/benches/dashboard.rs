//! The unit dashboard at scale (`scripts/bench-dashboard`): the dev unit grown to 10,000
//! projects, 1,000 more users (two members per project, one in ten waiting for access),
//! 1,000,000 files, 200,000 audit events and a year of monthly usage per project, then each
//! dashboard page, as the server renders it (HTML with its data), loaded at concurrency 10 by a
//! signed-in Unit Admin. A baseline (`GET /auth/me`: the cost of any authenticated request) is
//! measured in the same run and each page's p99 is also given as a ratio to it. SQLite by
//! default; PostgreSQL when `DATABASE_URL` names a server. The last line is
//! `dashboard p99 <ms>` (the worst page).

use std::time::{Duration, Instant};

use dds_server::db::{seed, Db};

#[path = "../tests/support/config.rs"]
mod config;
#[path = "../tests/support/login.rs"]
mod login;

const PROJECTS: i64 = 10_000;
const USERS: i64 = 1_000;
const FILES_PER_PROJECT: i64 = 100;
const EVENTS: i64 = 200_000;
const MONTHS: i64 = 12;
const CONCURRENCY: usize = 10;
const DAY: i64 = 86_400;

/// The pages a Unit Admin opens, with what makes each one work (a filter, a deep page).
const PAGES: &[(&str, &str)] = &[
    ("overview", "/unit"),
    ("projects filtered", "/unit?status=Available&sort=size&page=40"),
    ("projects searched", "/unit?q=bench%20project%2012&sort=last_delivery"),
    ("usage", "/unit/usage"),
    ("usage deep page", "/unit/usage?page=350"),
    ("activity", "/unit/activity"),
    ("activity filtered", "/unit/activity?action=files-downloaded"),
];

fn env_secs(name: &str, default: u64) -> Duration {
    Duration::from_secs(std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default))
}

/// `WITH RECURSIVE n(i)`: the numbers 1 to `count` (SQLite and PostgreSQL alike).
fn numbers(count: i64) -> String {
    format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})")
}

async fn run(db: &Db, sql: &str) {
    sqlx::query(sql).execute(db.pool()).await.unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// Grows the seeded unit in a few set-based statements (row by row would take the benchmark's
/// whole budget): the figures stay consistent (project sizes are their files', the unit's usage
/// the projects').
async fn seed_at_scale(db: &Db, now: i64) {
    let (unit,): (i64,) = sqlx::query_as("SELECT unit_id FROM projects WHERE public_id = $1")
        .bind(seed::DEV_PROJECT)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let numbers_users = numbers(USERS);
    run(
        db,
        &format!(
            "{numbers_users} INSERT INTO users (username, name, role, unit_id, is_active, created_at) \
             SELECT 'benchuser' || i, 'Bench User ' || i, 'Researcher', NULL, TRUE, {now} FROM n"
        ),
    )
    .await;
    run(
        db,
        "INSERT INTO emails (user_id, email, is_primary) SELECT id, username || '@example.org', TRUE \
         FROM users WHERE username LIKE 'benchuser%'",
    )
    .await;
    let statuses = "CASE i % 5 WHEN 0 THEN 'In Progress' WHEN 1 THEN 'Available' WHEN 2 THEN 'Expired' \
                    WHEN 3 THEN 'Archived' ELSE 'Available' END";
    let size = FILES_PER_PROJECT * 1_000_000;
    sqlx::query(&format!(
        "{} INSERT INTO projects (public_id, unit_id, title, description, pi, public_key, unit_public_key, \
         unit_sealed_key, is_active, created_at, status, deadline, size_bytes, stored_bytes, file_count, \
         last_delivery_at) \
         SELECT 'bench' || i, {unit}, 'Bench project ' || i, '', 'pi' || (i % 97) || '@example.org', $1, $1, $1, \
         TRUE, {now} - i * 60, {statuses}, CASE WHEN i % 5 IN (1, 4) THEN {now} + (i % 60) * {DAY} END, \
         {size} + i, {size} + i, {FILES_PER_PROJECT}, CASE WHEN i % 3 = 0 THEN NULL ELSE {now} - i * 30 END FROM n",
        numbers(PROJECTS)
    ))
    .bind(vec![0u8; 32])
    .execute(db.pool())
    .await
    .unwrap();
    run(
        db,
        &format!(
            "UPDATE units SET used_bytes = (SELECT SUM(stored_bytes) FROM projects WHERE unit_id = {unit}) WHERE id = {unit}"
        ),
    )
    .await;
    // Two members per project: the Project Owner holds the key; one in ten members waits.
    run(
        db,
        &format!(
            "INSERT INTO project_members (project_id, user_id, is_owner, added_at) \
             SELECT p.id, u.id, TRUE, {now} FROM projects p JOIN users u \
             ON u.username = 'benchuser' || (1 + p.id % {USERS}) WHERE p.public_id LIKE 'bench%'"
        ),
    )
    .await;
    run(
        db,
        &format!(
            "INSERT INTO project_members (project_id, user_id, is_owner, added_at) \
             SELECT p.id, u.id, FALSE, {now} FROM projects p JOIN users u \
             ON u.username = 'benchuser' || (1 + (p.id * 7 + 3) % {USERS}) WHERE p.public_id LIKE 'bench%' \
             AND NOT EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.user_id = u.id)"
        ),
    )
    .await;
    println!("  {PROJECTS} projects, {USERS} users, their members");
    // A million files, 100 per project (one statement per thousand projects keeps each bounded).
    for chunk in 0..PROJECTS / 1_000 {
        run(
            db,
            &format!(
                "{} INSERT INTO files (project_id, path, folder_path, name, size_bytes, stored_bytes, created_at, updated_at) \
                 SELECT p.id, 'run/reads_' || n.i || '.fastq.gz', 'run', 'reads_' || n.i || '.fastq.gz', 1000000, 1000000, \
                 {now}, {now} FROM projects p, n WHERE p.public_id LIKE 'bench%' AND p.id % {} = {chunk}",
                numbers(FILES_PER_PROJECT),
                PROJECTS / 1_000
            ),
        )
        .await;
    }
    println!("  {} files", PROJECTS * FILES_PER_PROJECT);
    run(
        db,
        &format!(
            "{} INSERT INTO audit_events (at, actor_user_id, action, target, unit_id, project_id) \
             SELECT {now} - i * 20, NULL, CASE WHEN i % 4 = 0 THEN 'files-downloaded' ELSE 'file-uploaded' END, \
             'bench' || (1 + i % {PROJECTS}) || '/run/reads.fastq.gz', {unit}, \
             (SELECT id FROM projects WHERE public_id = 'bench' || (1 + i % {PROJECTS})) FROM n",
            numbers(EVENTS)
        ),
    )
    .await;
    println!("  {EVENTS} audit events");
    for month in 0..MONTHS {
        let end = app::domain::dates::month_start(now, -month);
        run(
            db,
            &format!(
                "INSERT INTO usage_records (project_id, period_start, period_end, byte_hours, created_at, unit_id) \
                 SELECT id, {end} - 30 * {DAY}, {end}, size_bytes * 720.0, {end}, unit_id FROM projects WHERE unit_id = {unit}"
            ),
        )
        .await;
    }
    println!("  {} usage records", PROJECTS * MONTHS);
    // Fresh statistics, as a database that grew this large over time would have.
    run(db, "ANALYZE").await;
}

struct Summary {
    p50: f64,
    p99: f64,
    per_second: f64,
    errors: usize,
}

/// `CONCURRENCY` clients GET `url` in a loop for `length`.
async fn hammer(client: &reqwest::Client, length: Duration, url: String) -> Summary {
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (client, url) = (client.clone(), url.clone());
        workers.spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0;
            while started.elapsed() < length {
                let sent = Instant::now();
                match client.get(&url).send().await {
                    Ok(response) if response.status().is_success() => {
                        let body = response.text().await.unwrap_or_default();
                        // A page that rendered a refusal or an error instead of its data.
                        if body.contains("data-testid=\"dashboard-refused\"")
                            || body.contains("data-testid=\"projects-error\"")
                        {
                            errors += 1;
                        } else {
                            times.push(sent.elapsed().as_secs_f64() * 1000.0);
                        }
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
        "{name:<20} p50 {:>7.2} ms  p99 {:>7.2} ms  {:>7.0} req/s  errors {}  (p99 {:.1}x the baseline's)",
        summary.p50,
        summary.p99,
        summary.per_second,
        summary.errors,
        summary.p99 / baseline.p99
    );
}

async fn sign_in(client: &reqwest::Client, base: &str, outbox: &std::path::Path) {
    let auth_key = login::auth_key(client, base, "unitadmin_1", seed::DEV_PASSWORD).await;
    let answer = login::post(
        client,
        base,
        "/api/v1/auth/login",
        serde_json::json!({ "username": "unitadmin_1", "auth_key": auth_key }),
    )
    .await;
    assert!(answer.status().is_success(), "login: {}", answer.status());
    let mut code = None;
    for _ in 0..200 {
        code = login::latest_code(outbox, "unitadmin_1@example.com");
        if code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let code = code.expect("the one-time code was mailed");
    let answer =
        login::post(client, base, "/api/v1/auth/second-factor", serde_json::json!({ "code": code })).await;
    assert!(answer.status().is_success(), "second factor: {}", answer.status());
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let postgres = std::env::var("DATABASE_URL").ok().filter(|url| url.starts_with("postgres"));
    let fresh_db = match &postgres {
        Some(admin) => Some(config::create_postgres_database(admin, "dds_bench_dashboard").await),
        None => None,
    };
    let config = config::config_in(dir.path(), fresh_db.as_ref().map(|(_, url)| url.as_str()), &[]);
    let running = dds_server::startup::start(config).await.expect("server starts");
    let db = running.state.db.clone();
    seed::dev(&db).await.expect("seed");
    let backend = if postgres.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("seeding ({backend}) ...");
    let seeding = Instant::now();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    seed_at_scale(&db, now).await;
    println!("seeded in {:.1} s", seeding.elapsed().as_secs_f64());

    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    sign_in(&client, &base, &dir.path().join("outbox")).await;

    let length = env_secs("BENCH_SECONDS", 5);
    let baseline = hammer(&client, length, format!("{base}/api/v1/auth/me")).await;
    let mut results = Vec::new();
    for (name, path) in PAGES {
        results.push((name, hammer(&client, length, format!("{base}{path}")).await));
    }
    println!("concurrency {CONCURRENCY}, {} s per page, {backend}", length.as_secs());
    report("baseline (me)", &baseline, &baseline);
    for (name, summary) in &results {
        report(name, summary, &baseline);
    }
    running.shutdown().await.expect("clean shutdown");
    if let (Some(admin), Some((name, _))) = (postgres, fresh_db) {
        config::drop_postgres_database(&admin, &name).await;
    }
    let errors: usize = results.iter().map(|(_, s)| s.errors).sum::<usize>() + baseline.errors;
    assert_eq!(errors, 0, "every page rendered its data");
    if std::env::var_os("BENCH_KEEP").is_some() {
        // For looking at the query plans afterwards (sqlite3 <dir>/dds.sqlite).
        println!("data kept in {}", dir.keep().display());
    }
    let worst = results.iter().map(|(_, s)| s.p99).fold(0.0_f64, f64::max);
    println!("dashboard p99 {worst:.1}");
}
