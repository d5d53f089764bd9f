//! Password change as the browser does it: the private key is re-wrapped, never replaced.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Value};
use wasm_crypto::{KdfParams, MasterKey, Salt, WrappedPrivateKey};

use crate::auth::{auth_key_for, latest_code, login, seeded};
use crate::both_backends;
use crate::helpers::{Backend, Browser};

const NEW_PASSWORD: &str = "a much better passphrase";

fn params(keys: &Value) -> KdfParams {
    KdfParams {
        memory_kib: keys["kdf"]["memory_kib"].as_u64().unwrap() as u32,
        iterations: keys["kdf"]["iterations"].as_u64().unwrap() as u32,
        parallelism: keys["kdf"]["parallelism"].as_u64().unwrap() as u32,
    }
}

/// The browser's side of a password change; `current` is what the user typed as current.
async fn change_password(browser: &Browser, username: &str, current: &str) -> reqwest::Response {
    let keys: Value = browser.get("/api/v1/users/me/keys").await.json().await.unwrap();
    let old_salt = Salt::from_slice(&BASE64.decode(keys["salt"].as_str().unwrap()).unwrap()).unwrap();
    let old = MasterKey::derive(current.as_bytes(), &old_salt, params(&keys)).unwrap();
    let wrapped =
        WrappedPrivateKey::from_bytes(BASE64.decode(keys["wrapped_private_key"].as_str().unwrap()).unwrap())
            .unwrap();
    // With a wrong current password the browser could stop here (unwrap fails); send anyway to
    // prove the server checks too.
    let key = old.kek().unwrap(&wrapped, username).unwrap_or_else(|_| wasm_crypto::PrivateKey::generate());
    let salt = Salt::random();
    let new = MasterKey::derive(NEW_PASSWORD.as_bytes(), &salt, KdfParams::DEFAULT).unwrap();
    browser
        .post(
            "/api/v1/users/me/password",
            json!({
                "current_auth_key": BASE64.encode(old.auth_key().as_bytes()),
                "salt": BASE64.encode(salt.0),
                "kdf": { "memory_kib": 65536, "iterations": 3, "parallelism": 1 },
                "auth_key": BASE64.encode(new.auth_key().as_bytes()),
                "wrapped_private_key": BASE64.encode(new.kek().wrap(&key, username).as_bytes()),
            }),
        )
        .await
}

async fn password_change_keeps_the_key_pair_and_ends_sessions(backend: Backend) {
    let app = seeded(backend).await;
    let browser = app.browser();
    assert_eq!(login(&app, &browser, "researchuser_1").await.status(), 200);
    let before: Value = browser.get("/api/v1/users/me/keys").await.json().await.unwrap();

    let wrong = change_password(&browser, "researchuser_1", "not my password").await;
    assert_eq!(wrong.status(), 400);
    assert_eq!(wrong.json::<Value>().await.unwrap()["error"], "Entered current password is incorrect!");

    assert_eq!(change_password(&browser, "researchuser_1", "password").await.status(), 204);
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 401, "sessions ended");

    // The old password no longer works; the new one does, and unwraps the same key pair.
    let fresh = app.browser();
    let old_key = auth_key_for(&fresh, "researchuser_1", "password").await;
    let response =
        fresh.post("/api/v1/auth/login", json!({ "username": "researchuser_1", "auth_key": old_key })).await;
    assert_eq!(response.status(), 401);
    let new_key = auth_key_for(&fresh, "researchuser_1", NEW_PASSWORD).await;
    let response =
        fresh.post("/api/v1/auth/login", json!({ "username": "researchuser_1", "auth_key": new_key })).await;
    assert_eq!(response.status(), 200);
    let code = latest_code(&app, "researchuser_1@example.com").unwrap();
    assert_eq!(fresh.post("/api/v1/auth/second-factor", json!({ "code": code })).await.status(), 200);
    let after: Value = fresh.get("/api/v1/users/me/keys").await.json().await.unwrap();
    assert_eq!(after["public_key"], before["public_key"], "same key pair: no access lost");
    let salt = Salt::from_slice(&BASE64.decode(after["salt"].as_str().unwrap()).unwrap()).unwrap();
    let master = MasterKey::derive(NEW_PASSWORD.as_bytes(), &salt, params(&after)).unwrap();
    let wrapped =
        WrappedPrivateKey::from_bytes(BASE64.decode(after["wrapped_private_key"].as_str().unwrap()).unwrap())
            .unwrap();
    let key = master.kek().unwrap(&wrapped, "researchuser_1").unwrap();
    assert_eq!(BASE64.encode(key.public_key().as_bytes()), after["public_key"].as_str().unwrap());
    app.stop().await;
}
both_backends!(password_change, password_change_keeps_the_key_pair_and_ends_sessions);

#[tokio::test]
async fn weak_key_derivation_or_malformed_fields_are_refused() {
    let app = seeded(Backend::Sqlite).await;
    let browser = app.browser();
    assert_eq!(login(&app, &browser, "unituser_1").await.status(), 200);
    let key32 = BASE64.encode([1u8; 32]);
    let body = |kdf: Value, wrapped: String| json!({ "current_auth_key": key32, "salt": BASE64.encode([2u8; 16]), "kdf": kdf, "auth_key": key32, "wrapped_private_key": wrapped });
    let good_wrapped = BASE64.encode([3u8; 60]);
    let weak = browser
        .post(
            "/api/v1/users/me/password",
            body(json!({ "memory_kib": 1024, "iterations": 1, "parallelism": 1 }), good_wrapped.clone()),
        )
        .await;
    assert_eq!(weak.status(), 400);
    assert!(weak.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("memory below 19 MiB"));
    // Above the floor but not the portal's parameters: they would set the account apart.
    let unusual = browser
        .post(
            "/api/v1/users/me/password",
            body(
                json!({ "memory_kib": 65536 + 1024, "iterations": 3, "parallelism": 1 }),
                good_wrapped.clone(),
            ),
        )
        .await;
    assert_eq!(unusual.status(), 400);
    assert_eq!(
        unusual.json::<Value>().await.unwrap()["error"],
        "The key derivation must use the portal's parameters (memory 65536 KiB, 3 iterations, parallelism 1)."
    );
    let short = browser
        .post(
            "/api/v1/users/me/password",
            body(json!({ "memory_kib": 65536, "iterations": 3, "parallelism": 1 }), BASE64.encode([3u8; 10])),
        )
        .await;
    assert_eq!(short.status(), 400);
    assert_eq!(
        short.json::<Value>().await.unwrap()["error"],
        "'wrapped_private_key' must be 60 bytes in base64."
    );
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 200, "nothing changed");
    app.stop().await;
}

async fn a_login_begun_with_the_old_password_cannot_complete(backend: Backend) {
    let app = seeded(backend).await;
    let owner = app.browser();
    assert_eq!(login(&app, &owner, "researchuser_1").await.status(), 200);
    // Someone who knew the old password got through the password step and waits for the code.
    let intruder = app.browser();
    let old_key = auth_key_for(&intruder, "researchuser_1", "password").await;
    let response = intruder
        .post("/api/v1/auth/login", json!({ "username": "researchuser_1", "auth_key": old_key }))
        .await;
    assert_eq!(response.status(), 200);
    let code = latest_code(&app, "researchuser_1@example.com").unwrap();

    assert_eq!(change_password(&owner, "researchuser_1", "password").await.status(), 204);
    let (code_hash,): (Option<String>,) = sqlx::query_as(
        "SELECT code_hash FROM second_factors f JOIN users u ON u.id = f.user_id \
         WHERE u.username = 'researchuser_1'",
    )
    .fetch_one(app.state().db.pool())
    .await
    .unwrap();
    assert!(code_hash.is_none(), "the emailed code is void");
    let response = intruder.post("/api/v1/auth/second-factor", json!({ "code": code })).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "Please log in with your username and password first.");
    assert_eq!(intruder.get("/api/v1/auth/me").await.status(), 401);
    app.stop().await;
}
both_backends!(pending_login_after_change, a_login_begun_with_the_old_password_cannot_complete);
