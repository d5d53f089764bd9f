use std::net::SocketAddr;

use std::sync::Arc;

use dds_server::clock::ManualClock;
use dds_server::config::Config;
use dds_server::startup::{self, Running};
use dds_server::state::AppState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs the same test body against SQLite and PostgreSQL: `both_backends!(name, body_fn)`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:path) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                $body($crate::helpers::Backend::Sqlite).await;
            }
            #[tokio::test]
            async fn postgres() {
                $body($crate::helpers::Backend::Postgres).await;
            }
        }
    };
}

pub struct TestApp {
    /// The server's clock (jobs, expiry): stands at the start time until a test moves it.
    pub clock: Arc<ManualClock>,
    pub addr: SocketAddr,
    pub s3_addr: SocketAddr,
    pub client: reqwest::Client,
    running: Option<Running>,
    postgres_db: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The mail outbox folder of this app.
    pub fn outbox(&self) -> std::path::PathBuf {
        self._dir.path().join("outbox")
    }

    /// The data folder (SQLite file, S3 data, outbox).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// A browser-like client: keeps cookies and sends the portal's Origin on writes.
    pub fn browser(&self) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: format!("http://{}", self.addr),
            db: self.state().db.clone(),
        }
    }

    /// Waits until the mail queue holds no due message (each was delivered or failed an
    /// attempt), at most a few seconds: mail is delivered after the request that queued it.
    pub async fn mail_delivered(&self) {
        mail_delivered(&self.state().db).await;
    }

    pub fn state(&self) -> &AppState {
        &self.running.as_ref().expect("running").state
    }

    /// What the scheduler hands a job in this app (its clock included).
    pub fn job_context(&self) -> dds_server::jobs::JobContext {
        dds_server::jobs::JobContext::from_state(self.state())
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await.expect("clean shutdown");
        }
        if let Some(name) = self.postgres_db.take() {
            drop_postgres_database(&name).await;
        }
    }
}

/// The PostgreSQL server tests create their databases on (scripts/test.sh sets it).
fn postgres_admin_url() -> String {
    std::env::var("DDS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

async fn create_postgres_database() -> (String, String) {
    use sqlx::Connection;
    let admin = postgres_admin_url();
    let name = format!("dds_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL tests need a server at {admin} (DDS_TEST_POSTGRES_URL): {e}"));
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    let base = admin.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin).to_string();
    (name.clone(), format!("{base}/{name}"))
}

async fn drop_postgres_database(name: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
        let _ = sqlx::Executor::execute(
            &mut conn,
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
        )
        .await;
    }
}

/// Configuration for a test server: everything on port 0 under a fresh folder.
pub async fn test_config(
    backend: Backend,
    extra: &[(&str, &str)],
) -> (Config, tempfile::TempDir, Option<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut vars: Vec<(String, String)> = vec![
        ("DDS_DATA_DIR".into(), dir.path().display().to_string()),
        ("DDS_LISTEN".into(), "127.0.0.1:0".into()),
        ("DDS_S3_LISTEN".into(), "127.0.0.1:0".into()),
        ("DDS_SITE_ROOT".into(), dir.path().join("site").display().to_string()),
    ];
    let mut postgres_db = None;
    if backend == Backend::Postgres {
        let (name, url) = create_postgres_database().await;
        vars.push(("DATABASE_URL".into(), url));
        postgres_db = Some(name);
    }
    for (k, v) in extra {
        vars.push((k.to_string(), v.to_string()));
    }
    let config =
        Config::load_from(None, |name| vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .expect("valid test configuration");
    (config, dir, postgres_db)
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    // Server logs in the test output (shown for failing tests).
    dds_server::telemetry::init(dds_server::config::LogFormat::Pretty);
    let (config, dir, postgres_db) = test_config(backend, extra).await;
    let clock = Arc::new(ManualClock::at_system_time());
    let running = startup::start_with_clock(config, clock.clone()).await.expect("server starts");
    TestApp {
        clock,
        addr: running.addr,
        s3_addr: running.s3_addr.unwrap_or(running.addr),
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
        running: Some(running),
        postgres_db,
        _dir: dir,
    }
}

/// Waits until `db`'s mail queue holds no due message, at most 5 s.
pub async fn mail_delivered(db: &dds_server::db::Db) {
    for _ in 0..500 {
        let due = dds_server::mail::queue::due_count(db, dds_server::db::now()).await.expect("mail queue");
        if due == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// A client that behaves like the portal's own pages: cookies, same-origin `Origin` header.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    db: dds_server::db::Db,
}

impl Browser {
    /// Another handle on the same browser (same cookies), e.g. for concurrent requests.
    pub fn same_session(&self) -> Browser {
        Browser { client: self.client.clone(), base: self.base.clone(), db: self.db.clone() }
    }

    /// A write, as a page sends it. Returns once the mail it queued (if any) was delivered, as a
    /// person reading the outbox would see it.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        let response = self
            .client
            .post(format!("{}{}", self.base, path))
            .header("origin", &self.base)
            .json(&body)
            .send()
            .await
            .unwrap();
        mail_delivered(&self.db).await;
        response
    }

    /// Any other write (PATCH, DELETE, PUT) with a JSON body, as a page sends it.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        let response = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .header("origin", &self.base)
            .json(&body)
            .send()
            .await
            .unwrap();
        mail_delivered(&self.db).await;
        response
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{}", self.base, path)).send().await.unwrap()
    }
}

/// Status and JSON body of a response (a string for an empty or non-JSON body).
pub async fn answer(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// The row id of the project with this public id.
pub async fn project_id(db: &dds_server::db::Db, public_id: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM projects WHERE public_id = $1")
        .bind(public_id)
        .fetch_one(db.pool())
        .await
        .expect("the project exists");
    id
}

/// A second unit ("unit-2", display name "Second") beside the seeded one; its id.
pub async fn add_second_unit(db: &dds_server::db::Db) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO units (public_id, name, external_display_name, contact_email, internal_ref, quota_bytes, created_at) \
         VALUES ('unit-2', 'Unit 2', 'Second', 'u2@example.com', 'second', 1, 0) RETURNING id",
    )
    .fetch_one(db.pool())
    .await
    .expect("a second unit");
    id
}
