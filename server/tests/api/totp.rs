//! Switching to an authenticator app, logging in with it, replay refusal, Super Admin reset.

use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::auth::{auth_key_for, latest_code, login, seeded};
use crate::both_backends;
use crate::helpers::{Backend, Browser, TestApp};

pub fn code_at(secret: &str, offset_steps: i64) -> String {
    let raw = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, raw, None, String::new());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    totp.generate((now + offset_steps * 30) as u64)
}

async fn password_step(browser: &Browser, username: &str) -> Value {
    let auth_key = auth_key_for(browser, username, dds_server::db::seed::DEV_PASSWORD).await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": username, "auth_key": auth_key })).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

pub async fn enable_totp(app: &TestApp, username: &str) -> String {
    let browser = app.browser();
    assert_eq!(login(app, &browser, username).await.status(), 200);
    // Changing the second factor asks for the password again (its auth_key).
    let auth_key = auth_key_for(&browser, username, dds_server::db::seed::DEV_PASSWORD).await;
    let setup: Value =
        browser.post("/api/v1/users/me/totp", json!({ "auth_key": auth_key })).await.json().await.unwrap();
    let secret = setup["secret"].as_str().unwrap().to_string();
    assert!(
        setup["uri"].as_str().unwrap().starts_with("otpauth://totp/Data%20Delivery%20System:"),
        "{setup}"
    );
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let wrong = browser
        .post("/api/v1/users/me/totp/confirm", json!({ "code": "000000", "auth_key": auth_key }))
        .await;
    assert_eq!(wrong.status(), 400);
    let confirmed = browser
        .post("/api/v1/users/me/totp/confirm", json!({ "code": code_at(&secret, 0), "auth_key": auth_key }))
        .await;
    assert_eq!(confirmed.status(), 204);
    let me: Value = browser.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["second_factor"], "totp");
    secret
}

async fn authenticator_app_replaces_emailed_codes(backend: Backend) {
    let app = seeded(backend).await;
    let secret = enable_totp(&app, "unitadmin_2").await;
    let mails_before = std::fs::read_dir(app.outbox()).unwrap().count();

    let browser = app.browser();
    assert_eq!(password_step(&browser, "unitadmin_2").await["second_factor"], "totp");
    assert_eq!(std::fs::read_dir(app.outbox()).unwrap().count(), mails_before, "no code mailed");
    // The current step was used to confirm the setup: the next one (within the ±1 window) works.
    let next = code_at(&secret, 1);
    assert_eq!(browser.post("/api/v1/auth/second-factor", json!({ "code": next })).await.status(), 200);

    // The same code again: refused.
    let again = app.browser();
    password_step(&again, "unitadmin_2").await;
    let response = again.post("/api/v1/auth/second-factor", json!({ "code": next })).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["error"],
        "This code was already used. Wait for the next code from your authenticator app."
    );
    app.stop().await;
}
both_backends!(totp_login, authenticator_app_replaces_emailed_codes);

#[tokio::test]
async fn super_admin_resets_a_lost_authenticator() {
    let app = seeded(Backend::Sqlite).await;
    enable_totp(&app, "unituser_2").await;
    let admin = app.browser();
    assert_eq!(login(&app, &admin, "superadmin").await.status(), 200);
    let url = format!("{}/api/v1/users/unituser_2/totp", admin.base);
    let response = admin.client.delete(&url).header("origin", &admin.base).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let missing = format!("{}/api/v1/users/nobody_at_all/totp", admin.base);
    let response = admin.client.delete(&missing).header("origin", &admin.base).send().await.unwrap();
    assert_eq!(response.status(), 404);

    let browser = app.browser();
    assert_eq!(password_step(&browser, "unituser_2").await["second_factor"], "email");
    assert!(latest_code(&app, "unituser_2@example.com").is_some());
    app.stop().await;
}

async fn changing_the_second_factor_asks_for_the_password(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    assert_eq!(login(&app, &browser, "unituser_1").await.status(), 200);
    // A stolen cookie alone: no auth_key, or a wrong one.
    let missing = browser.post("/api/v1/users/me/totp", json!({})).await;
    assert_eq!(missing.status(), 400);
    let wrong_key = auth_key_for(&browser, "unituser_1", "not the password").await;
    let wrong = browser.post("/api/v1/users/me/totp", json!({ "auth_key": wrong_key })).await;
    assert_eq!(wrong.status(), 400);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "Entered current password is incorrect!");
    let confirm = browser
        .post("/api/v1/users/me/totp/confirm", json!({ "code": "123456", "auth_key": wrong_key }))
        .await;
    assert_eq!(confirm.status(), 400);
    assert_eq!(confirm.json::<Value>().await.unwrap()["error"], "Entered current password is incorrect!");
    let back = browser.post("/api/v1/users/me/second-factor/email", json!({ "auth_key": wrong_key })).await;
    assert_eq!(back.json::<Value>().await.unwrap()["error"], "Entered current password is incorrect!");
    let row: Option<(Option<Vec<u8>>,)> = sqlx::query_as(
        "SELECT totp_pending_secret FROM second_factors f JOIN users u ON u.id = f.user_id \
         WHERE u.username = 'unituser_1'",
    )
    .fetch_optional(app.state().db.pool())
    .await
    .unwrap();
    assert!(row.and_then(|(secret,)| secret).is_none(), "no authenticator secret was set up");
    // With the password: the setup starts.
    let right = auth_key_for(&browser, "unituser_1", dds_server::db::seed::DEV_PASSWORD).await;
    let ok = browser.post("/api/v1/users/me/totp", json!({ "auth_key": right })).await;
    assert_eq!(ok.status(), 200);
    app.stop().await;
}
both_backends!(totp_needs_password, changing_the_second_factor_asks_for_the_password);
