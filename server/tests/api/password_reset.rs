//! Password reset by email link, as a browser does it: request, link from the outbox, a NEW key
//! pair and credentials from the new password.

use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as BASE64URL};
use base64::Engine;
use dds_server::accounts::password_reset;
use dds_server::db::seed::{self, DEV_PASSWORD, DEV_UNIT_DISPLAY_NAME};
use serde_json::{json, Value};
use wasm_crypto::{KdfParams, MasterKey, PrivateKey, Salt};

use crate::auth::{auth_key_for, latest_code, login, seeded, signed_in};
use crate::both_backends;
use crate::helpers::{spawn_app, Backend, Browser, TestApp};

pub(crate) const NEW_PASSWORD: &str = "a brand new passphrase";

/// Every mail in the outbox to `email` containing `marker`, oldest first.
pub(crate) fn mails_to(app: &TestApp, email: &str, marker: &str) -> Vec<String> {
    let mut mails: Vec<_> = std::fs::read_dir(app.outbox())
        .map(|dir| dir.flatten().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.metadata().unwrap().modified().unwrap(), std::fs::read_to_string(e.path()).unwrap()))
        .filter(|(_, text)| text.contains(&format!("To: {email}")) && text.contains(marker))
        .collect();
    mails.sort_by_key(|(modified, _)| *modified);
    mails.into_iter().map(|(_, text)| text).collect()
}

/// The tokens of the reset links mailed to `email`, oldest first (mails written within the file
/// system's timestamp granularity may come in either order).
fn reset_tokens(app: &TestApp, email: &str) -> Vec<String> {
    mails_to(app, email, "/reset-password/")
        .iter()
        .map(|mail| {
            // Long lines (the link) are quoted-printable: join the soft line breaks.
            let text = mail.replace("=\r\n", "");
            let at = text.find("/reset-password/").unwrap() + "/reset-password/".len();
            text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
        })
        .collect()
}

/// The token of the newest reset link mailed to `email`.
pub(crate) fn reset_token(app: &TestApp, email: &str) -> String {
    reset_tokens(app, email).pop().expect("a reset mail")
}

/// The browser's side of completing a reset: a new key pair and credentials from `password`.
fn new_credentials(username: &str, password: &str) -> Value {
    let salt = Salt::random();
    let master = MasterKey::derive(password.as_bytes(), &salt, KdfParams::DEFAULT).unwrap();
    let key = PrivateKey::generate();
    json!({
        "salt": BASE64.encode(salt.0),
        "kdf": { "memory_kib": 65536, "iterations": 3, "parallelism": 1 },
        "auth_key": BASE64.encode(master.auth_key().as_bytes()),
        "public_key": BASE64.encode(key.public_key().as_bytes()),
        "wrapped_private_key": BASE64.encode(master.kek().wrap(&key, username).as_bytes()),
    })
}

pub(crate) async fn request_reset(browser: &Browser, email: &str) -> reqwest::Response {
    browser.post("/api/v1/password-reset", json!({ "email": email })).await
}

pub(crate) async fn complete(browser: &Browser, token: &str, username: &str) -> reqwest::Response {
    browser.post(&format!("/api/v1/password-reset/{token}"), new_credentials(username, NEW_PASSWORD)).await
}

/// Logs in with `password` and the emailed code: the status of the last step, and the browser.
pub(crate) async fn log_in_as(app: &TestApp, username: &str, email: &str, password: &str) -> (u16, Browser) {
    let browser = app.browser();
    let auth_key = auth_key_for(&browser, username, password).await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": username, "auth_key": auth_key })).await;
    if response.status() != 200 {
        return (response.status().as_u16(), browser);
    }
    let code = latest_code(app, email).expect("a code was mailed");
    let status = browser.post("/api/v1/auth/second-factor", json!({ "code": code })).await.status().as_u16();
    (status, browser)
}

async fn log_in_with(app: &TestApp, username: &str, email: &str, password: &str) -> u16 {
    log_in_as(app, username, email, password).await.0
}

async fn forgotten_password_is_reset_with_a_new_key_pair(backend: Backend) {
    let app = seeded(backend).await;
    let email = "researchuser_1@example.com";
    let session = signed_in(&app, "researchuser_1").await;
    let keys_before: Value = session.get("/api/v1/users/me/keys").await.json().await.unwrap();

    let visitor = app.browser();
    let response = request_reset(&visitor, "ResearchUser_1@Example.com").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap()["message"],
        password_reset::neutral_answer("ResearchUser_1@Example.com")
    );
    let mail = mails_to(&app, email, "/reset-password/").pop().unwrap();
    assert!(mail.contains("Subject: WARNING! Password Reset Request for the Data Delivery System"));
    assert!(mail.contains("lose access to ALL data"));
    let token = reset_token(&app, email);
    assert_eq!(BASE64URL.decode(&token).unwrap().len(), 32);

    let details: Value = visitor.get(&format!("/api/v1/password-reset/{token}")).await.json().await.unwrap();
    assert_eq!(details, json!({ "username": "researchuser_1", "email": email }));

    let done = complete(&visitor, &token, "researchuser_1").await;
    assert_eq!(done.status(), 200);
    // Researchers: the units of their projects (the seeded project's unit).
    assert_eq!(
        done.json::<Value>().await.unwrap(),
        json!({ "units_to_contact": [{ "name": DEV_UNIT_DISPLAY_NAME, "contact_email": "support@example.com" }] })
    );

    assert_eq!(session.get("/api/v1/auth/me").await.status(), 401, "every session ended");
    assert_eq!(log_in_with(&app, "researchuser_1", email, DEV_PASSWORD).await, 401, "old password");
    let (status, fresh) = log_in_as(&app, "researchuser_1", email, NEW_PASSWORD).await;
    assert_eq!(status, 200, "new password");
    let keys_after: Value = fresh.get("/api/v1/users/me/keys").await.json().await.unwrap();
    assert_ne!(keys_after["public_key"], keys_before["public_key"], "a new key pair");

    // The link works once.
    for response in [
        visitor.get(&format!("/api/v1/password-reset/{token}")).await,
        complete(&visitor, &token, "researchuser_1").await,
    ] {
        assert_eq!(response.status(), 410);
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"],
            "You have already used this link to change your password. Please request a new password \
             reset if you wish to continue."
        );
    }
    // Recorded without secrets.
    let (action, details): (String, Option<String>) = sqlx::query_as(
        "SELECT action, details FROM audit_events WHERE target = 'researchuser_1' ORDER BY id DESC",
    )
    .fetch_one(app.state().db.pool())
    .await
    .unwrap();
    assert_eq!(action, "password-reset");
    assert!(!details.unwrap_or_default().contains(&token));
    app.stop().await;
}
both_backends!(reset_journey, forgotten_password_is_reset_with_a_new_key_pair);

async fn expired_replaced_unknown_and_malformed_requests(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let visitor = app.browser();
    let invalid = "That is an invalid or expired token";

    // Expired.
    assert_eq!(request_reset(&visitor, "unituser_1@example.com").await.status(), 200);
    let late = reset_token(&app, "unituser_1@example.com");
    sqlx::query("UPDATE password_resets SET expires_at = $1").bind(1_i64).execute(db.pool()).await.unwrap();
    let response = visitor.get(&format!("/api/v1/password-reset/{late}")).await;
    assert_eq!(response.status(), 410);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], invalid);
    assert_eq!(complete(&visitor, &late, "unituser_1").await.status(), 410);

    // A new request replaces the unused earlier link.
    assert_eq!(request_reset(&visitor, "unituser_2@example.com").await.status(), 200);
    let first = reset_token(&app, "unituser_2@example.com");
    assert_eq!(request_reset(&visitor, "unituser_2@example.com").await.status(), 200);
    let others: Vec<String> =
        reset_tokens(&app, "unituser_2@example.com").into_iter().filter(|t| *t != first).collect();
    assert_eq!(others.len(), 1, "a second, different link");
    let second = others[0].clone();
    let replaced = visitor.get(&format!("/api/v1/password-reset/{first}")).await;
    assert_eq!(replaced.status(), 404);
    assert_eq!(replaced.json::<Value>().await.unwrap()["error"], invalid);
    assert_eq!(visitor.get(&format!("/api/v1/password-reset/{second}")).await.status(), 200);

    // Unknown addresses get the same answer, and nothing is mailed.
    let response = request_reset(&visitor, "nobody@example.org").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap()["message"],
        password_reset::neutral_answer("nobody@example.org")
    );
    assert!(mails_to(&app, "nobody@example.org", "").is_empty());
    for forged in [BASE64URL.encode([7u8; 32]), "not-a-real-token".to_string(), BASE64URL.encode([7u8; 5])] {
        let response = visitor.get(&format!("/api/v1/password-reset/{forged}")).await;
        assert_eq!(response.status(), 404, "{forged}");
        assert_eq!(response.json::<Value>().await.unwrap()["error"], invalid);
    }

    // Malformed bodies: a sentence, and the link stays usable.
    let cases = [
        ("/api/v1/password-reset".to_string(), json!({ "email": 5 }), "Invalid request body"),
        (
            "/api/v1/password-reset".to_string(),
            json!({ "email": "not an address" }),
            "Enter a valid email address.",
        ),
        (format!("/api/v1/password-reset/{second}"), json!({ "salt": "x" }), "Invalid request body"),
    ];
    for (path, body, sentence) in cases {
        let response = visitor.post(&path, body.clone()).await;
        assert_eq!(response.status(), 400, "{body}");
        let error = response.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_string();
        assert!(error.starts_with(sentence), "{error}");
    }
    let mut short = new_credentials("unituser_2", NEW_PASSWORD);
    short["wrapped_private_key"] = json!(BASE64.encode([3u8; 10]));
    let response = visitor.post(&format!("/api/v1/password-reset/{second}"), short).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "'wrapped_private_key' must be 60 bytes in base64."
    );
    let mut weak = new_credentials("unituser_2", NEW_PASSWORD);
    weak["kdf"] = json!({ "memory_kib": 1024, "iterations": 1, "parallelism": 1 });
    let response = visitor.post(&format!("/api/v1/password-reset/{second}"), weak).await;
    assert_eq!(response.status(), 400);
    assert!(response.json::<Value>().await.unwrap()["error"]
        .as_str()
        .unwrap()
        .contains("memory below 19 MiB"));
    assert_eq!(complete(&visitor, &second, "unituser_2").await.status(), 200);
    app.stop().await;
}
both_backends!(reset_refusals, expired_replaced_unknown_and_malformed_requests);

async fn deactivated_accounts_cannot_reset(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let visitor = app.browser();
    // A link issued before the deactivation stops working too.
    assert_eq!(request_reset(&visitor, "researchuser_2@example.com").await.status(), 200);
    let token = reset_token(&app, "researchuser_2@example.com");
    let user = dds_server::db::users::by_username(db, "researchuser_2").await.unwrap().unwrap();
    dds_server::db::users::set_active(db, user.id, false).await.unwrap();

    let deactivated = "Your account is deactivated. You cannot reset your password.";
    let response = request_reset(&visitor, "researchuser_2@example.com").await;
    assert_eq!(response.status(), 403);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], deactivated);
    assert_eq!(mails_to(&app, "researchuser_2@example.com", "/reset-password/").len(), 1, "no new mail");
    for response in [
        visitor.get(&format!("/api/v1/password-reset/{token}")).await,
        complete(&visitor, &token, "researchuser_2").await,
    ] {
        assert_eq!(response.status(), 403);
        assert_eq!(response.json::<Value>().await.unwrap()["error"], deactivated);
    }
    app.stop().await;
}
both_backends!(reset_deactivated, deactivated_accounts_cannot_reset);

async fn every_role_may_reset_and_learns_whom_to_contact(backend: Backend) {
    let app = seeded(backend).await;
    let visitor = app.browser();
    let unit = json!([{ "name": DEV_UNIT_DISPLAY_NAME, "contact_email": "support@example.com" }]);
    let cases = [
        ("superadmin", json!([])),
        ("unitadmin_1", unit.clone()),
        ("unituser_1", unit.clone()),
        ("researchuser_1", unit.clone()),
    ];
    for (username, expected) in cases {
        let email = format!("{username}@example.com");
        assert_eq!(request_reset(&visitor, &email).await.status(), 200, "{username}");
        let response = complete(&visitor, &reset_token(&app, &email), username).await;
        assert_eq!(response.status(), 200, "{username}");
        assert_eq!(response.json::<Value>().await.unwrap()["units_to_contact"], expected, "{username}");
        assert_eq!(log_in_with(&app, username, &email, NEW_PASSWORD).await, 200, "{username}");
    }
    // The Unit Admin's reset warned the unit's other Unit Admins, nobody else.
    let lost = "Subject: WARNING! A Unit Admin has lost access";
    for colleague in ["unitadmin_2", "unitadmin_3"] {
        let mails = mails_to(&app, &format!("{colleague}@example.com"), lost);
        assert_eq!(mails.len(), 1, "{colleague}");
        assert!(mails[0].contains("Unitadmin 1 (unitadmin_1, unitadmin_1@example.com)"), "{}", mails[0]);
        assert!(mails[0].contains("fingerprint") && !mails[0].contains("automatically"), "{}", mails[0]);
    }
    for other in ["unitadmin_1", "unituser_1", "unituser_2", "superadmin"] {
        assert!(mails_to(&app, &format!("{other}@example.com"), lost).is_empty(), "{other}");
    }
    app.stop().await;
}
both_backends!(reset_by_role, every_role_may_reset_and_learns_whom_to_contact);

async fn first_super_admin_chooses_a_password_by_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let state = app.state();
    let admin = dds_server::config::SuperAdminConfig {
        username: Some("root_admin".into()),
        name: Some("Root Admin".into()),
        email: Some("root@example.org".into()),
    };
    seed::production(&state.db, &admin).await.unwrap();
    let sent = password_reset::send_first_password_link(
        &state.db,
        &state.mailer,
        &state.config.public_url,
        "root_admin",
    )
    .await
    .unwrap();
    assert_eq!(sent.as_deref(), Some("root@example.org"));
    app.mail_delivered().await;
    let setup = format!("Subject: {}", password_reset::SETUP_SUBJECT);
    assert_eq!(mails_to(&app, "root@example.org", &setup).len(), 1, "titled as the set-up it is");
    assert!(mails_to(&app, "root@example.org", "WARNING").is_empty());
    let token = reset_token(&app, "root@example.org");
    let visitor = app.browser();
    assert_eq!(complete(&visitor, &token, "root_admin").await.status(), 200);
    assert_eq!(log_in_with(&app, "root_admin", "root@example.org", NEW_PASSWORD).await, 200);
    // Once a password exists, no more links are sent this way.
    let again = password_reset::send_first_password_link(
        &state.db,
        &state.mailer,
        &state.config.public_url,
        "root_admin",
    )
    .await
    .unwrap();
    assert_eq!(again, None);
    app.stop().await;
}
both_backends!(reset_first_super_admin, first_super_admin_chooses_a_password_by_link);

#[tokio::test]
async fn eleventh_reset_request_in_an_hour_is_refused_without_locking_logins() {
    let app = seeded(Backend::Sqlite).await;
    let visitor = app.browser();
    for i in 1..=10 {
        let response = request_reset(&visitor, &format!("unknown{i}@example.org")).await;
        assert_eq!(response.status(), 200, "request {i}");
    }
    let response = request_reset(&visitor, "researchuser_1@example.com").await;
    assert_eq!(response.status(), 429);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "Too many authentication requests in one hour. Try again in 60 minutes."
    );
    assert!(mails_to(&app, "researchuser_1@example.com", "/reset-password/").is_empty());
    // Counted apart from login failures: logging in from the same address still works.
    assert_eq!(login(&app, &app.browser(), "researchuser_1").await.status(), 200);
    app.stop().await;
}

async fn a_login_begun_before_a_reset_cannot_complete(backend: Backend) {
    let app = seeded(backend).await;
    let intruder = app.browser();
    let old_key = auth_key_for(&intruder, "researchuser_2", "password").await;
    let response = intruder
        .post("/api/v1/auth/login", json!({ "username": "researchuser_2", "auth_key": old_key }))
        .await;
    assert_eq!(response.status(), 200);
    let code = crate::auth::latest_code(&app, "researchuser_2@example.com").unwrap();

    let owner = app.browser();
    assert_eq!(request_reset(&owner, "researchuser_2@example.com").await.status(), 200);
    let token = reset_token(&app, "researchuser_2@example.com");
    assert_eq!(complete(&owner, &token, "researchuser_2").await.status(), 200);

    let response = intruder.post("/api/v1/auth/second-factor", json!({ "code": code })).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Please log in with your username and password first.");
    app.stop().await;
}
both_backends!(pending_login_after_reset, a_login_begun_before_a_reset_cannot_complete);
