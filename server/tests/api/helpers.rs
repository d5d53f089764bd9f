use std::net::SocketAddr;

use std::sync::Arc;

use dds_server::clock::ManualClock;
use dds_server::config::Config;
use dds_server::startup::{self, Running};
use dds_server::state::AppState;

use crate::config_support::{config_in, create_postgres_database, drop_postgres_database};

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
            drop_postgres_database(&postgres_admin_url(), &name).await;
        }
    }
}

/// The PostgreSQL server tests create their databases on (scripts/test.sh sets it).
pub fn postgres_admin_url() -> String {
    std::env::var("DDS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// Configuration for a test server: everything on port 0 under a fresh folder.
pub async fn test_config(
    backend: Backend,
    extra: &[(&str, &str)],
) -> (Config, tempfile::TempDir, Option<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let postgres = match backend {
        Backend::Postgres => Some(create_postgres_database(&postgres_admin_url(), "dds_test").await),
        Backend::Sqlite => None,
    };
    let config = config_in(dir.path(), postgres.as_ref().map(|(_, url)| url.as_str()), extra);
    (config, dir, postgres.map(|(name, _)| name))
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
pub async fn project_id(db: &dds_server::db::Db, public_id: &str) -> app::domain::ids::ProjectId {
    let (id,): (app::domain::ids::ProjectId,) =
        sqlx::query_as("SELECT id FROM projects WHERE public_id = $1")
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

/// Stores `body` at `key` as a browser uploads: a multipart upload of one presigned part.
pub async fn store_as_browser(
    client: &reqwest::Client,
    store: &dds_server::storage::ObjectStore,
    bucket: &dds_server::storage::bucket::BucketName,
    key: &str,
    body: Vec<u8>,
) {
    let upload_id = store.create_multipart_upload(bucket, key).await.unwrap();
    let part = store
        .presign_upload_part(
            bucket,
            key,
            &upload_id,
            1,
            body.len() as i64,
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap();
    let mut put = client.put(&part.url).body(body);
    for (name, value) in &part.headers {
        put = put.header(name, value);
    }
    let response = put.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    store.complete_multipart_upload(bucket, key, &upload_id, &[etag]).await.unwrap();
}
