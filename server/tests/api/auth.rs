//! The login flow over HTTP, as the browser does it: pre-login, auth_key derived with
//! wasm-crypto (never the password), the emailed one-time code from the outbox.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use dds_server::db::seed::{self, DEV_PASSWORD};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, Browser, TestApp};

/// What the browser sends at login: auth_key derived from the password and pre-login's salt.
pub async fn auth_key_for(browser: &Browser, username: &str, password: &str) -> String {
    crate::login_support::auth_key(&browser.client, &browser.base, username, password).await
}

/// The newest one-time code mailed to `email`.
pub fn latest_code(app: &TestApp, email: &str) -> Option<String> {
    crate::login_support::latest_code(&app.outbox(), email)
}

pub async fn login(app: &TestApp, browser: &Browser, username: &str) -> reqwest::Response {
    let auth_key = auth_key_for(browser, username, DEV_PASSWORD).await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": username, "auth_key": auth_key })).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let code = latest_code(app, &format!("{username}@example.com")).expect("a code was mailed");
    browser.post("/api/v1/auth/second-factor", json!({ "code": code })).await
}

/// A browser signed in as `username` (dev password, emailed code).
pub async fn signed_in(app: &TestApp, username: &str) -> Browser {
    let browser = app.browser();
    assert_eq!(login(app, &browser, username).await.status(), 200, "{username}");
    browser
}

pub async fn seeded(backend: Backend) -> TestApp {
    let app = spawn_app(backend).await;
    seed::dev(&app.state().db).await.unwrap();
    app
}

async fn login_with_emailed_code_signs_in(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 401);
    let response = login(&app, &browser, "unitadmin_1").await;
    assert_eq!(response.status(), 200);
    let me: Value = browser.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["username"], "unitadmin_1");
    assert_eq!(me["role"], "Unit Admin");
    assert!(me["unit_id"].is_i64());

    // Logout ends the session.
    assert_eq!(browser.post("/api/v1/auth/logout", json!({})).await.status(), 204);
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 401);
    app.stop().await;
}
both_backends!(login_journey, login_with_emailed_code_signs_in);

async fn wrong_password_and_unknown_user_get_the_same_answer(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    for (username, password) in [("researchuser_1", "wrong password"), ("nobody_here", "password")] {
        let auth_key = auth_key_for(&browser, username, password).await;
        let response =
            browser.post("/api/v1/auth/login", json!({ "username": username, "auth_key": auth_key })).await;
        assert_eq!(response.status(), 401, "{username}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "Invalid username or password.");
    }
    app.stop().await;
}
both_backends!(bad_credentials, wrong_password_and_unknown_user_get_the_same_answer);

async fn prelogin_does_not_reveal_which_accounts_exist(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    let ask = |name: &'static str| {
        let browser = &browser;
        async move {
            browser
                .post("/api/v1/auth/prelogin", json!({ "username": name }))
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let real = ask("unituser_1").await;
    let fake = ask("ghost_user").await;
    assert_eq!(fake, ask("ghost_user").await, "a made-up salt is stable");
    assert_ne!(fake["salt"], ask("ghost_user2").await["salt"]);
    assert_eq!(real["kdf"], fake["kdf"], "same parameters for real and unknown users");
    let fields = |v: &Value| {
        let mut names: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        names.extend(v["kdf"].as_object().unwrap().keys().map(|k| format!("kdf.{k}")));
        names.sort();
        names
    };
    assert_eq!(fields(&real), fields(&fake), "the same fields");
    assert_eq!(BASE64.decode(fake["salt"].as_str().unwrap()).unwrap().len(), 16);
    assert_eq!(BASE64.decode(real["salt"].as_str().unwrap()).unwrap().len(), 16);
    let default = wasm_crypto::KdfParams::DEFAULT;
    assert_eq!(
        fake["kdf"],
        json!({ "algorithm": "argon2id", "memory_kib": default.memory_kib, "iterations": default.iterations, "parallelism": default.parallelism })
    );
    app.stop().await;
}
both_backends!(prelogin_answers, prelogin_does_not_reveal_which_accounts_exist);

/// Ten logins with a wrong password, each refused as such; the wrong auth_key used.
async fn ten_wrong_logins(browser: &Browser, username: &str) -> String {
    let wrong = auth_key_for(browser, username, "not the password").await;
    for attempt in 1..=10 {
        let response =
            browser.post("/api/v1/auth/login", json!({ "username": username, "auth_key": wrong })).await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    wrong
}

async fn eleventh_attempt_in_an_hour_is_refused(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    ten_wrong_logins(&browser, "researchuser_2").await;
    let right = auth_key_for(&browser, "researchuser_2", DEV_PASSWORD).await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": "researchuser_2", "auth_key": right })).await;
    assert_eq!(response.status(), 429);
    // When to try again: once the oldest failure leaves the hour (in the header and the sentence).
    let retry: i64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((3500..=3600).contains(&retry), "Retry-After {retry}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Too many authentication requests in one hour. Try again in 60 minutes.");
    app.stop().await;
}
both_backends!(rate_limit, eleventh_attempt_in_an_hour_is_refused);

async fn deactivated_users_cannot_log_in_and_lose_their_session(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let browser = app.browser();
    assert_eq!(login(&app, &browser, "unituser_1").await.status(), 200);
    let user = dds_server::db::users::by_username(db, "unituser_1").await.unwrap().unwrap();
    dds_server::db::users::set_active(db, user.id, false).await.unwrap();
    let me = browser.get("/api/v1/auth/me").await;
    assert_eq!(me.status(), 403);
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 401, "the session was ended");

    let other = app.browser();
    let auth_key = auth_key_for(&other, "unituser_1", DEV_PASSWORD).await;
    let response =
        other.post("/api/v1/auth/login", json!({ "username": "unituser_1", "auth_key": auth_key })).await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Your account has been deactivated. You cannot use the DDS.");
    app.stop().await;
}
both_backends!(deactivation, deactivated_users_cannot_log_in_and_lose_their_session);

#[tokio::test]
async fn one_time_codes_are_single_use_and_must_match() {
    let app = seeded(Backend::Sqlite).await;
    let browser = app.browser();
    // No login yet.
    let response = browser.post("/api/v1/auth/second-factor", json!({ "code": "12345678" })).await;
    assert_eq!(response.status(), 400);

    let auth_key = auth_key_for(&browser, "researchuser_1", DEV_PASSWORD).await;
    browser.post("/api/v1/auth/login", json!({ "username": "researchuser_1", "auth_key": auth_key })).await;
    let code = latest_code(&app, "researchuser_1@example.com").unwrap();
    let wrong = if code == "00000000" { "11111111" } else { "00000000" };
    let response = browser.post("/api/v1/auth/second-factor", json!({ "code": wrong })).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Invalid one-time authentication code.");
    assert_eq!(browser.post("/api/v1/auth/second-factor", json!({ "code": code })).await.status(), 200);

    // The same code again, in a fresh login: it was consumed.
    let again = app.browser();
    let auth_key = auth_key_for(&again, "researchuser_1", DEV_PASSWORD).await;
    again.post("/api/v1/auth/login", json!({ "username": "researchuser_1", "auth_key": auth_key })).await;
    let response = again.post("/api/v1/auth/second-factor", json!({ "code": code })).await;
    assert_eq!(response.status(), 400, "a used code is not accepted twice");
    app.stop().await;
}

#[tokio::test]
async fn session_cookie_is_httponly_and_samesite_lax() {
    let app = seeded(Backend::Sqlite).await;
    let browser = app.browser();
    let response = login(&app, &browser, "superadmin").await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("dds_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    app.stop().await;
}

#[tokio::test]
async fn cross_site_writes_with_a_session_cookie_are_refused() {
    let app = seeded(Backend::Sqlite).await;
    let browser = app.browser();
    assert_eq!(login(&app, &browser, "unitadmin_2").await.status(), 200);
    let response = browser
        .client
        .post(format!("{}/api/v1/auth/logout", browser.base))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Cross-site request refused.");
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 200, "still signed in");
    app.stop().await;
}

#[tokio::test]
async fn malformed_requests_get_clear_errors() {
    let app = seeded(Backend::Sqlite).await;
    let browser = app.browser();
    let response = browser.post("/api/v1/auth/login", json!({ "username": "x" })).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().starts_with("Invalid request body"), "{body}");
    let response = browser.post("/api/v1/auth/login", json!({ "username": "x", "auth_key": "***" })).await;
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "The authentication key must be base64.");
    let short = BASE64.encode([1u8; 5]);
    let response = browser.post("/api/v1/auth/login", json!({ "username": "x", "auth_key": short })).await;
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "The authentication key must be 32 bytes.");
    app.stop().await;
}

#[tokio::test]
async fn successful_logins_do_not_count_toward_the_limit() {
    // Colleagues behind one NAT address share it: only failures may lock it.
    let app = seeded(Backend::Sqlite).await;
    let browser = app.browser();
    let auth_key = auth_key_for(&browser, "unitadmin_1", DEV_PASSWORD).await;
    for attempt in 1..=12 {
        let response = browser
            .post("/api/v1/auth/login", json!({ "username": "unitadmin_1", "auth_key": auth_key }))
            .await;
        assert_eq!(response.status(), 200, "attempt {attempt}");
    }
    app.stop().await;
}

/// Sends `n` requests at once; their statuses and error sentences.
async fn all_at_once(requests: Vec<reqwest::RequestBuilder>) -> Vec<(u16, String)> {
    let mut tasks = tokio::task::JoinSet::new();
    for request in requests {
        tasks.spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body["error"].as_str().unwrap_or_default().to_string())
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.unwrap());
    }
    answers
}

async fn concurrent_wrong_logins_cannot_pass_the_limit(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    let wrong = auth_key_for(&browser, "researchuser_2", "not the password").await;
    let requests = (0..40)
        .map(|_| {
            app.client
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({ "username": "researchuser_2", "auth_key": wrong }))
        })
        .collect();
    let answers = all_at_once(requests).await;
    let count = |status: u16| answers.iter().filter(|(s, _)| *s == status).count();
    assert_eq!(count(200), 0, "{answers:?}");
    assert!(count(401) <= 10, "at most 10 reach the hash check: {answers:?}");
    // The rest are refused by the limit, or (on a loaded machine) find no free hash slot in time.
    assert_eq!(count(401) + count(429) + count(503), 40, "{answers:?}");
    app.stop().await;
}
both_backends!(concurrent_logins, concurrent_wrong_logins_cannot_pass_the_limit);

async fn concurrent_code_guesses_compare_at_most_five(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    let auth_key = auth_key_for(&browser, "researchuser_1", DEV_PASSWORD).await;
    let response = browser
        .post("/api/v1/auth/login", json!({ "username": "researchuser_1", "auth_key": auth_key }))
        .await;
    assert_eq!(response.status(), 200);
    let code = latest_code(&app, "researchuser_1@example.com").unwrap();
    let requests = (0..30)
        .map(|i| {
            let guess = format!("{:08}", (code.parse::<u32>().unwrap() + 1 + i) % 100_000_000);
            browser
                .client
                .post(format!("{}/api/v1/auth/second-factor", browser.base))
                .header("origin", &browser.base)
                .json(&json!({ "code": guess }))
        })
        .collect();
    let answers = all_at_once(requests).await;
    let compared = answers.iter().filter(|(_, e)| e == "Invalid one-time authentication code.").count();
    assert!(compared <= 5, "at most five guesses compared: {answers:?}");
    assert!(answers.iter().all(|(status, _)| *status == 400 || *status == 429), "{answers:?}");
    let response = browser.post("/api/v1/auth/second-factor", json!({ "code": code })).await;
    assert_ne!(response.status(), 200, "the code is void after five wrong tries");
    app.stop().await;
}
both_backends!(concurrent_codes, concurrent_code_guesses_compare_at_most_five);

async fn logins_beyond_the_hash_check_bound_get_503_with_retry_after(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, &[("DDS_LOGIN_CONCURRENCY", "1")]).await;
    seed::dev(&app.state().db).await.unwrap();
    let browser = app.browser();
    let auth_key = auth_key_for(&browser, "unituser_1", DEV_PASSWORD).await;
    let body = json!({ "username": "unituser_1", "auth_key": auth_key });
    // Another check holds the only slot for longer than a login waits.
    let held = app.state().hash_slots.acquire().await.unwrap();
    let response = browser.post("/api/v1/auth/login", body.clone()).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    let error: Value = response.json().await.unwrap();
    assert_eq!(
        error["error"],
        "The portal is busy checking other logins. Please try again in a few seconds."
    );
    drop(held);
    assert_eq!(browser.post("/api/v1/auth/login", body).await.status(), 200);
    app.stop().await;
}
both_backends!(hash_check_bound, logins_beyond_the_hash_check_bound_get_503_with_retry_after);

/// A wrong login for `username`, as sent through a proxy that names the client `forwarded_for`.
async fn wrong_login_via(app: &TestApp, wrong: &str, username: &str, forwarded_for: &str) -> u16 {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "username": username, "auth_key": wrong }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn forwarded_for_from_an_untrusted_peer_is_ignored(backend: Backend) {
    let app = seeded(backend).await; // no trusted proxies
    let wrong = auth_key_for(&app.browser(), "researchuser_2", "not the password").await;
    for attempt in 1..=10 {
        let claimed = format!("198.51.100.{attempt}");
        assert_eq!(wrong_login_via(&app, &wrong, "researchuser_2", &claimed).await, 401);
    }
    // A new claimed address does not buy new tries: the peer's own address counts.
    assert_eq!(wrong_login_via(&app, &wrong, "researchuser_2", "203.0.113.77").await, 429);
    app.stop().await;
}
both_backends!(untrusted_forwarded_for, forwarded_for_from_an_untrusted_peer_is_ignored);

async fn forwarded_for_from_a_trusted_proxy_names_the_client(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, &[("DDS_TRUSTED_PROXIES", "127.0.0.1, ::1")]).await;
    seed::dev(&app.state().db).await.unwrap();
    let wrong = auth_key_for(&app.browser(), "researchuser_2", "not the password").await;
    for _ in 1..=10 {
        // The left part is whatever the client sent; the proxy appended the address it saw.
        assert_eq!(wrong_login_via(&app, &wrong, "researchuser_2", "10.9.9.9, 198.51.100.1").await, 401);
    }
    assert_eq!(wrong_login_via(&app, &wrong, "researchuser_2", "198.51.100.1").await, 429);
    // Another client behind the same proxy is a different address.
    assert_eq!(wrong_login_via(&app, &wrong, "researchuser_2", "198.51.100.2").await, 401);
    app.stop().await;
}
both_backends!(trusted_forwarded_for, forwarded_for_from_a_trusted_proxy_names_the_client);

async fn failures_for_one_account_do_not_lock_another_from_the_same_address(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    let wrong = ten_wrong_logins(&browser, "researchuser_2").await;
    let locked =
        browser.post("/api/v1/auth/login", json!({ "username": "researchuser_2", "auth_key": wrong })).await;
    assert_eq!(locked.status(), 429);
    // A colleague behind the same address logs in.
    assert_eq!(login(&app, &app.browser(), "researchuser_1").await.status(), 200);
    app.stop().await;
}
both_backends!(per_account_and_address, failures_for_one_account_do_not_lock_another_from_the_same_address);

async fn the_session_table_holds_no_cookie_value(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    let response = login(&app, &browser, "unitadmin_1").await;
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
    assert!(value.len() >= 16, "{cookie}");
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, data FROM sessions").fetch_all(app.state().db.pool()).await.unwrap();
    assert!(!rows.is_empty());
    for (id, data) in &rows {
        assert!(!id.contains(&value) && !data.contains(&value), "the cookie's value is stored");
    }
    use sha2::Digest;
    let hashed = hex::encode(sha2::Sha256::digest(value.as_bytes()));
    assert!(rows.iter().any(|(id, _)| *id == hashed), "the session is stored under the id's SHA-256");
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 200, "and the session works");
    app.stop().await;
}
both_backends!(hashed_session_ids, the_session_table_holds_no_cookie_value);

async fn look_alike_names_get_no_tries_of_their_own(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    // PostgreSQL's LOWER() folds the dotted capital I to 'i': these would match unitadmin_1 there.
    for name in ["UNİTADMİN_1", "unİtadmin_1", "unitadmın_1"] {
        let response = browser.post("/api/v1/auth/prelogin", json!({ "username": name })).await;
        assert_eq!(response.status(), 400, "{name}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "The username may contain only letters, digits, '_', '.' and '-'.");
        let key = BASE64.encode([7u8; 32]);
        let response = browser.post("/api/v1/auth/login", json!({ "username": name, "auth_key": key })).await;
        assert_eq!(response.status(), 400, "{name}");
    }
    // Spellings that are valid share the account's limit: it is keyed on the account, not the text.
    let wrong = auth_key_for(&browser, "unitadmin_1", "not the password").await;
    for (attempt, name) in ["unitadmin_1", "UNITADMIN_1", "UnitAdmin_1"].iter().cycle().take(10).enumerate() {
        let response =
            browser.post("/api/v1/auth/login", json!({ "username": name, "auth_key": wrong })).await;
        assert_eq!(response.status(), 401, "attempt {attempt} as {name}");
    }
    let right = auth_key_for(&browser, "unitadmin_1", DEV_PASSWORD).await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": "uNITADMIN_1", "auth_key": right })).await;
    assert_eq!(response.status(), 429);
    app.stop().await;
}
both_backends!(look_alike_names, look_alike_names_get_no_tries_of_their_own);

async fn api_answers_are_never_cached(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    let anonymous = browser.get("/api/v1/auth/me").await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["cache-control"], "no-store", "error answers too");
    let pre = browser.post("/api/v1/auth/prelogin", json!({ "username": "unituser_1" })).await;
    assert_eq!(pre.headers()["cache-control"], "no-store");
    assert_eq!(login(&app, &browser, "unituser_1").await.headers()["cache-control"], "no-store");
    for path in ["/api/v1/users/me/keys", "/api/v1/auth/me", "/api/v1/auth/session-key", "/api/v1/nowhere"] {
        let response = browser.get(path).await;
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    app.stop().await;
}
both_backends!(no_store, api_answers_are_never_cached);

async fn the_password_step_names_the_registered_username(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    let auth_key = auth_key_for(&browser, "UnitAdmin_1", DEV_PASSWORD).await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": "UnitAdmin_1", "auth_key": auth_key })).await;
    assert_eq!(response.status(), 200);
    let answer: app::api::auth::LoginAnswer = response.json().await.unwrap();
    assert_eq!(answer.username, "unitadmin_1", "the key's AAD names the registered username");
    assert_eq!(answer.second_factor, app::domain::second_factor::SecondFactor::Email);
    // A wrong password learns nothing of the kind.
    let wrong = auth_key_for(&browser, "UnitAdmin_1", "not the password").await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": "UnitAdmin_1", "auth_key": wrong })).await;
    assert_eq!(response.status(), 401);
    assert!(!response.text().await.unwrap().contains("unitadmin_1"));
    app.stop().await;
}
both_backends!(registered_username, the_password_step_names_the_registered_username);

/// The stored session of `username` (one): its data and expiry.
async fn stored_session(app: &TestApp, username: &str) -> (String, Value, i64) {
    let (id, data, expires_at): (String, String, i64) = sqlx::query_as(
        "SELECT s.id, s.data, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE u.username = $1",
    )
    .bind(username)
    .fetch_one(app.state().db.pool())
    .await
    .unwrap();
    (id, serde_json::from_str(&data).unwrap(), expires_at)
}

async fn rewrite_session(app: &TestApp, id: &str, data: &Value, expires_at: i64) {
    sqlx::query("UPDATE sessions SET data = $1, expires_at = $2 WHERE id = $3")
        .bind(data.to_string())
        .bind(expires_at)
        .bind(id)
        .execute(app.state().db.pool())
        .await
        .unwrap();
}

async fn activity_extends_the_idle_expiry_within_the_absolute_limit(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    assert_eq!(login(&app, &browser, "unituser_2").await.status(), 200);
    let now = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    // Last active two minutes ago, 30 s of idle time left.
    let (id, mut data, _) = stored_session(&app, "unituser_2").await;
    data["last_seen"] = json!(now() - 120);
    rewrite_session(&app, &id, &data, now() + 30).await;
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 200);
    let (_, _, expires_at) = stored_session(&app, "unituser_2").await;
    assert!(expires_at >= now() + 3600 - 60, "the idle expiry moved on: {expires_at} vs {}", now());

    // Active, but signed in 12 h ago: over.
    let (id, mut data, expires_at) = stored_session(&app, "unituser_2").await;
    data["authenticated_at"] = json!(now() - 12 * 3600 - 1);
    rewrite_session(&app, &id, &data, expires_at).await;
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 401);
    app.stop().await;
}
both_backends!(idle_expiry, activity_extends_the_idle_expiry_within_the_absolute_limit);
