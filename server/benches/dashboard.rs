//! The unit dashboard at scale (`scripts/bench-dashboard`): the dev unit grown to 10,000
//! projects, 1,000 more users (two members per project, all waiting for access),
//! 1,000,000 files, 200,000 audit events and a year of monthly usage per project, then each
//! dashboard page, as the server renders it (HTML with its data), loaded at concurrency 10 by a
//! signed-in Unit Admin. A baseline (`GET /auth/me`: the cost of any authenticated request) is
//! measured in the same run and each page's p99 is also given as a ratio to it. SQLite by
//! default; PostgreSQL when `DATABASE_URL` names a server. The last line is
//! `dashboard p99 <ms>` (the worst page).

use std::time::Instant;

use dds_server::config::DatabaseKind;
use dds_server::db::{seed, Db};

#[path = "../tests/support/bench.rs"]
mod bench;
#[path = "../tests/support/config.rs"]
mod config;
#[path = "../tests/support/login.rs"]
mod login;

use bench::{any_body, env_secs, hammer, report, sign_in, CONCURRENCY};

const PROJECTS: i64 = 10_000;
const USERS: i64 = 1_000;
const FILES_PER_PROJECT: i64 = 100;
const EVENTS: i64 = 200_000;
const MONTHS: i64 = 12;
const INVITES: i64 = 2_000;
const DAY: i64 = 86_400;

/// The pages a Unit Admin opens, with what makes each one work (a filter, a deep page).
const PAGES: &[(&str, &str)] = &[
    ("overview", "/unit"),
    ("projects", "/unit/projects"),
    ("projects filtered", "/unit/projects?status=Available&sort=size&page=40"),
    ("projects searched", "/unit/projects?q=bench%20project%2012&sort=last_delivery"),
    // A sort no index gives: every project of the unit sorted (by id and title only).
    ("projects by title", "/unit/projects?sort=title&page=200"),
    ("usage", "/unit/usage"),
    ("usage deep page", "/unit/usage?page=350"),
    ("activity", "/unit/activity"),
    ("activity filtered", "/unit/activity?action=files-downloaded"),
    // These two tabs render their frame on the server and load their lists once hydrated (below).
    ("users", "/unit/users"),
    ("invites", "/unit/invites"),
];

/// What the Users and Invites tabs load in the browser, as the Unit Admin (JSON).
const LISTS: &[(&str, &str)] = &[
    ("users list", "/api/v1/users"),
    ("invites list", "/api/v1/invites"),
    ("users list searched", "/api/v1/users?q=unit"),
];

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
    // Two members per project, none holding its key yet: all 20,000 wait for access (the
    // overview's worst case).
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
    // Pending invites: to the unit's staff, and to researchers from its Unit Admin.
    let token = match db.kind() {
        DatabaseKind::Sqlite => "CAST('bench-invite-' || i AS BLOB)",
        DatabaseKind::Postgres => "convert_to('bench-invite-' || i, 'UTF8')",
    };
    run(
        db,
        &format!(
            "{} INSERT INTO invites (email, role, unit_id, invited_by, token_hash, created_at, expires_at) \
             SELECT 'invitee' || i || '@example.org', CASE WHEN i % 2 = 0 THEN 'Unit Personnel' ELSE 'Researcher' END, \
             CASE WHEN i % 2 = 0 THEN {unit} END, (SELECT id FROM users WHERE username = 'unitadmin_1'), {token}, \
             {now} - i * 60, {now} + 7 * {DAY} - i * 60 FROM n",
            numbers(INVITES)
        ),
    )
    .await;
    println!("  {INVITES} invites");
    // Fresh statistics, as a database that grew this large over time would have.
    run(db, "ANALYZE").await;
}

/// A page that rendered its data (not a refusal or an error in its place).
fn rendered(body: &str) -> bool {
    !body.contains("data-testid=\"dashboard-refused\"") && !body.contains("data-testid=\"projects-error\"")
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
    sign_in(&client, &base, &dir.path().join("outbox"), "unitadmin_1").await;

    let length = env_secs("BENCH_SECONDS", 5);
    let me = format!("{base}/api/v1/auth/me");
    let baseline = hammer(&client, length, move |_| me.clone(), any_body).await;
    let mut results = Vec::new();
    for (name, path) in PAGES {
        let url = format!("{base}{path}");
        results.push((*name, hammer(&client, length, move |_| url.clone(), rendered).await));
    }
    let listed = |body: &str| body.starts_with('[') && body.contains("\"email\"");
    for (name, path) in LISTS {
        let url = format!("{base}{path}");
        results.push((*name, hammer(&client, length, move |_| url.clone(), listed).await));
    }
    // A page of older invites, from the middle of the list.
    let older = format!("{base}/api/v1/invites?before={}.0", now - INVITES / 2 * 60);
    results.push(("invites list older", hammer(&client, length, move |_| older.clone(), listed).await));
    // The Super Admin console's statistics (its page loads them once hydrated).
    let super_admin = reqwest::Client::builder().cookie_store(true).build().unwrap();
    sign_in(&super_admin, &base, &dir.path().join("outbox"), "superadmin").await;
    let statistics = format!("{base}/api/v1/statistics");
    let answered = |body: &str| body.contains("\"users_by_role\"");
    results.push((
        "admin statistics",
        hammer(&super_admin, length, move |_| statistics.clone(), answered).await,
    ));
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
