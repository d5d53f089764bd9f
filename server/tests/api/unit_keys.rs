//! Unit keys (DESIGN §3) as the browsers handle them: made by the first staff member, sealed
//! into staff invites by staff, restored by a colleague when a member's access is pending.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use dds_server::db::seed::DEV_PASSWORD;
use serde_json::{json, Value};
use wasm_crypto::{
    open_private_key, seal_private_key, InviteToken, KdfParams, MasterKey, PrivateKey, PublicKey, Salt,
    Sealed, WrappedPrivateKey,
};

use crate::auth::{auth_key_for, latest_code, seeded, signed_in};
use crate::both_backends;
use crate::helpers::{Backend, Browser, TestApp};
use crate::invites::invite_link;

pub(crate) fn b64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

pub(crate) fn unb64(value: &Value) -> Vec<u8> {
    BASE64.decode(value.as_str().expect("a base64 string")).unwrap()
}

/// The signed-in user's private key, unwrapped as the login page does.
pub(crate) async fn my_private_key(browser: &Browser, username: &str, password: &str) -> PrivateKey {
    let keys: Value = browser.get("/api/v1/users/me/keys").await.json().await.unwrap();
    let salt = Salt::from_slice(&unb64(&keys["salt"])).unwrap();
    let master = MasterKey::derive(password.as_bytes(), &salt, KdfParams::DEFAULT).unwrap();
    let wrapped = WrappedPrivateKey::from_bytes(unb64(&keys["wrapped_private_key"])).unwrap();
    master.kek().unwrap(&wrapped, username).unwrap()
}

/// The unit key as a member's browser opens it, and what the server said.
pub(crate) async fn open_unit_key(browser: &Browser, username: &str, password: &str) -> (PrivateKey, Value) {
    let keys: Value = browser.get("/api/v1/units/me/keys").await.json().await.unwrap();
    let sealed = Sealed::from_bytes(unb64(&keys["sealed_unit_key"])).unwrap();
    let unit_key = open_private_key(&my_private_key(browser, username, password).await, &sealed).unwrap();
    assert_eq!(b64(unit_key.public_key().as_bytes()), keys["unit_public_key"], "the unit's key");
    (unit_key, keys)
}

pub(crate) fn sealed_to(key: &PrivateKey, recipient: &[u8]) -> String {
    b64(seal_private_key(&PublicKey::from_slice(recipient).unwrap(), key).unwrap().as_bytes())
}

/// An invite made in the inviter's browser, with the unit key sealed to it when given.
pub(crate) fn staff_invite(
    email: &str,
    role: &str,
    unit_id: Option<i64>,
    unit_key: Option<&PrivateKey>,
) -> (Value, InviteToken) {
    let token = InviteToken::generate();
    let key = PrivateKey::generate();
    let mut body = json!({
        "email": email, "role": role, "unit_id": unit_id,
        "token": b64(token.as_bytes()),
        "public_key": b64(key.public_key().as_bytes()),
        "wrapped_private_key": b64(token.wrap(&key).as_bytes()),
    });
    if let Some(unit_key) = unit_key {
        body["sealed_unit_key"] = sealed_to(unit_key, key.public_key().as_bytes()).into();
    }
    (body, token)
}

/// The invitee's browser: reads the invite, makes the key pair and handles the unit key like
/// the registration page (re-seal from the invite, make one for a unit without, else pending).
pub(crate) async fn register(app: &TestApp, email: &str, token: &InviteToken, username: &str) -> Value {
    let link = invite_link(app, email);
    let visitor = app.browser();
    let details: Value = visitor.get(&format!("/api/v1/invites/by-token/{link}")).await.json().await.unwrap();
    let invite_key = token
        .unwrap(&WrappedPrivateKey::from_bytes(unb64(&details["wrapped_private_key"])).unwrap())
        .unwrap();
    let salt = Salt::random();
    let master = MasterKey::derive(b"a long passphrase", &salt, KdfParams::DEFAULT).unwrap();
    let key = PrivateKey::generate();
    let mut body = json!({
        "name": "New Staff", "username": username,
        "salt": b64(&salt.0),
        "kdf": { "memory_kib": 65536, "iterations": 3, "parallelism": 1 },
        "auth_key": b64(master.auth_key().as_bytes()),
        "public_key": b64(key.public_key().as_bytes()),
        "wrapped_private_key": b64(master.kek().wrap(&key, username).as_bytes()),
    });
    let unit_key = match (details["sealed_unit_key"].is_string(), details["unit_public_key"].is_string()) {
        (true, _) => Some(
            open_private_key(&invite_key, &Sealed::from_bytes(unb64(&details["sealed_unit_key"])).unwrap())
                .unwrap(),
        ),
        (false, false) => {
            let made = PrivateKey::generate();
            body["unit_public_key"] = b64(made.public_key().as_bytes()).into();
            Some(made)
        }
        (false, true) => None,
    };
    if let Some(unit_key) = unit_key {
        body["sealed_unit_key"] = sealed_to(&unit_key, key.public_key().as_bytes()).into();
    }
    let accepted = visitor.post(&format!("/api/v1/invites/by-token/{link}/accept"), body).await;
    assert_eq!(accepted.status(), 201, "{:?}", accepted.text().await);
    details
}

pub(crate) async fn sign_in_new(app: &TestApp, username: &str, email: &str) -> Browser {
    let browser = app.browser();
    let auth_key = auth_key_for(&browser, username, "a long passphrase").await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": username, "auth_key": auth_key })).await;
    assert_eq!(response.status(), 200);
    let code = latest_code(app, email).unwrap();
    assert_eq!(browser.post("/api/v1/auth/second-factor", json!({ "code": code })).await.status(), 200);
    browser
}

async fn staff_share_the_unit_key_through_invites(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let (unit_key, keys) = open_unit_key(&admin, "unitadmin_1", DEV_PASSWORD).await;
    assert_eq!(keys["pending"], json!([]), "every seeded member holds the key");

    let (invite, token) = staff_invite("new.staff@example.org", "Unit Personnel", None, Some(&unit_key));
    assert_eq!(admin.post("/api/v1/invites", invite).await.status(), 201);
    let details = register(&app, "new.staff@example.org", &token, "new_staff").await;
    assert_eq!(details["unit_public_key"], keys["unit_public_key"]);

    let member = sign_in_new(&app, "new_staff", "new.staff@example.org").await;
    let (opened, _) = open_unit_key(&member, "new_staff", "a long passphrase").await;
    assert_eq!(opened.public_key(), unit_key.public_key());
    let keys: Value = admin.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert_eq!(keys["pending"], json!([]));
    app.stop().await;
}
both_backends!(shared_through_invites, staff_share_the_unit_key_through_invites);

async fn a_colleague_restores_pending_access(backend: Backend) {
    let app = seeded(backend).await;
    // A Super Admin has no unit key: the member it invites starts with access pending.
    let admin = signed_in(&app, "superadmin").await;
    let (unit_id,): (i64,) = sqlx::query_as("SELECT id FROM units WHERE public_id = 'unit-1'")
        .fetch_one(app.state().db.pool())
        .await
        .unwrap();
    let (invite, token) = staff_invite("later@example.org", "Unit Admin", Some(unit_id), None);
    assert_eq!(admin.post("/api/v1/invites", invite).await.status(), 201);
    register(&app, "later@example.org", &token, "later_admin").await;
    let newcomer = sign_in_new(&app, "later_admin", "later@example.org").await;
    let mine: Value = newcomer.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert!(mine["sealed_unit_key"].is_null(), "{mine}");

    let colleague = signed_in(&app, "unituser_2").await;
    let (unit_key, keys) = open_unit_key(&colleague, "unituser_2", DEV_PASSWORD).await;
    let pending = keys["pending"].as_array().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["username"], "later_admin");
    // The newcomer cannot restore others while waiting; nobody restores across units.
    let seal = json!({ "username": "later_admin", "sealed": sealed_to(&unit_key, &unb64(&pending[0]["public_key"])) });
    let response = newcomer.post("/api/v1/units/me/keys/seals", seal.clone()).await;
    assert_eq!(response.status(), 403);

    assert_eq!(colleague.post("/api/v1/units/me/keys/seals", seal.clone()).await.status(), 204);
    let again = colleague.post("/api/v1/units/me/keys/seals", seal).await;
    assert_eq!(again.status(), 400);
    assert_eq!(
        again.json::<Value>().await.unwrap()["error"],
        "later_admin already has access to the unit's data."
    );
    let (opened, _) = open_unit_key(&newcomer, "later_admin", "a long passphrase").await;
    assert_eq!(opened.public_key(), unit_key.public_key());

    // A new key pair (as a password reset makes) makes the member pending again.
    let db = &app.state().db;
    let user = dds_server::db::users::by_username(db, "unituser_1").await.unwrap().unwrap();
    let fresh =
        dds_server::auth::credentials::derive_for_seed("another passphrase", "unituser_1").into_stored();
    dds_server::db::users::set_credentials(db, user.id, &fresh).await.unwrap();
    let keys: Value = colleague.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert_eq!(keys["pending"][0]["username"], "unituser_1");
    app.stop().await;
}
both_backends!(restored_by_a_colleague, a_colleague_restores_pending_access);

async fn the_first_staff_member_makes_the_unit_key(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let unit_id = crate::helpers::add_second_unit(db).await;
    let admin = signed_in(&app, "superadmin").await;
    let (invite, token) = staff_invite("first@example.org", "Unit Admin", Some(unit_id), None);
    assert_eq!(admin.post("/api/v1/invites", invite).await.status(), 201);
    let details = register(&app, "first@example.org", &token, "first_admin").await;
    assert!(details["unit_public_key"].is_null(), "no unit key before the first member");

    let first = sign_in_new(&app, "first_admin", "first@example.org").await;
    let (_, keys) = open_unit_key(&first, "first_admin", "a long passphrase").await;
    assert_eq!(keys["pending"], json!([]));
    // Unit 1's members see nothing of unit 2.
    let other = signed_in(&app, "unitadmin_1").await;
    let ours: Value = other.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert_ne!(ours["unit_public_key"], keys["unit_public_key"]);
    let (unit_key, _) = open_unit_key(&other, "unitadmin_1", DEV_PASSWORD).await;
    let cross = json!({ "username": "first_admin", "sealed": sealed_to(&unit_key, unit_key.public_key().as_bytes()) });
    assert_eq!(other.post("/api/v1/units/me/keys/seals", cross).await.status(), 404);
    app.stop().await;
}
both_backends!(first_member, the_first_staff_member_makes_the_unit_key);

#[tokio::test]
async fn only_staff_hold_unit_keys_and_bad_input_is_refused() {
    let app = seeded(Backend::Sqlite).await;
    for username in ["superadmin", "researchuser_1"] {
        let browser = signed_in(&app, username).await;
        let response = browser.get("/api/v1/units/me/keys").await;
        assert_eq!(response.status(), 403, "{username}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"],
            "Only Unit Admins and Unit Personnel hold a unit key."
        );
        let seal = json!({ "username": "unitadmin_1", "sealed": b64(&[0; 80]) });
        assert_eq!(browser.post("/api/v1/units/me/keys/seals", seal).await.status(), 403, "{username}");
    }
    let admin = signed_in(&app, "unitadmin_1").await;
    let short = admin
        .post("/api/v1/units/me/keys/seals", json!({ "username": "unituser_1", "sealed": "AAAA" }))
        .await;
    assert_eq!(short.status(), 400);
    assert_eq!(short.json::<Value>().await.unwrap()["error"], "'sealed' must be 80 bytes in base64.");
    let unknown = json!({ "username": "nobody_here", "sealed": b64(&[0; 80]) });
    assert_eq!(admin.post("/api/v1/units/me/keys/seals", unknown).await.status(), 404);
    // A researcher invite carries no unit key.
    let (mut invite, _) = staff_invite("r@example.org", "Researcher", None, None);
    invite["sealed_unit_key"] = b64(&[0; 80]).into();
    let refused = admin.post("/api/v1/invites", invite).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"],
        "Only unit staff invites carry the unit key."
    );
    app.stop().await;
}
