//! Two servers on one PostgreSQL database, as replicas behind a load balancer run (ROADMAP 5):
//! a session made on one is valid on the other, and a due job runs on exactly one of them.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use dds_server::db::now;
use dds_server::db::seed::DEV_PASSWORD;
use dds_server::jobs::{self, Job, Outcome};
use reqwest::cookie::CookieStore;
use serde_json::{json, Value};
use wasm_crypto::{KdfParams, MasterKey, Salt};

use crate::auth::{latest_code, seeded};
use crate::helpers::{spawn_app_with, Backend};

#[tokio::test]
async fn two_servers_on_one_database_share_sessions_and_run_each_due_job_once() {
    let first = seeded(Backend::Postgres).await;
    let url = first.state().config.database.url.clone();
    // The second server: its own data folder, ports and embedded S3, the first one's database.
    let second = spawn_app_with(Backend::Sqlite, &[("DATABASE_URL", url.as_str())]).await;
    assert_eq!(second.state().config.database.url, url);

    // Signed in through the first server; the same cookie is recognised by the second.
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder().cookie_provider(jar.clone()).build().unwrap();
    let origin = format!("http://{}", first.addr);
    let post =
        |path: &str, body: Value| client.post(first.url(path)).header("origin", &origin).json(&body).send();
    let pre: Value = post("/api/v1/auth/prelogin", json!({ "username": "unitadmin_1" }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let salt = Salt::from_slice(&BASE64.decode(pre["salt"].as_str().unwrap()).unwrap()).unwrap();
    let master = MasterKey::derive(DEV_PASSWORD.as_bytes(), &salt, KdfParams::DEFAULT).unwrap();
    let auth_key = BASE64.encode(master.auth_key().as_bytes());
    let sent =
        post("/api/v1/auth/login", json!({ "username": "unitadmin_1", "auth_key": auth_key })).await.unwrap();
    assert_eq!(sent.status(), 200);
    first.mail_delivered().await;
    let code = latest_code(&first, "unitadmin_1@example.com").unwrap();
    assert_eq!(post("/api/v1/auth/second-factor", json!({ "code": code })).await.unwrap().status(), 200);
    let cookie = jar.cookies(&first.url("/").parse().unwrap()).expect("a session cookie");
    let other = reqwest::Client::new();
    let answer =
        other.get(second.url("/api/v1/auth/me")).header("cookie", cookie.clone()).send().await.unwrap();
    assert_eq!(answer.status(), 200, "the second server knows the session");
    let me: Value = answer.json().await.unwrap();
    assert_eq!(me["username"], "unitadmin_1");
    // Logging out through the second server ends it on the first too.
    let logout = other
        .post(second.url("/api/v1/auth/logout"))
        .header("cookie", cookie)
        .header("origin", format!("http://{}", second.addr))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(logout.status().is_success(), "{}", logout.status());
    assert_eq!(
        client.get(first.url("/api/v1/auth/me")).send().await.unwrap().status(),
        401,
        "ended everywhere"
    );

    // Both replicas find every job due at the same moment: each runs on exactly one.
    let at = now() + 30 * 86_400;
    first.clock.set(at);
    second.clock.set(at);
    let (first_jobs, second_jobs) = (first.job_context(), second.job_context());
    let (a, b) =
        tokio::join!(jobs::run_due(&first_jobs, "replica-a"), jobs::run_due(&second_jobs, "replica-b"));
    for job in Job::ALL {
        let ran = [&a, &b]
            .iter()
            .filter(|outcomes| outcomes.iter().any(|(j, o)| *j == job && matches!(o, Outcome::Ran { .. })))
            .count();
        assert_eq!(ran, 1, "{job:?}: {a:?} {b:?}");
    }
    second.stop().await;
    first.stop().await;
}
