//! Unit keys (DESIGN §3) as the browsers handle them: made by the first staff member, granted to
//! colleagues only by a Unit Admin's approval (docs/security.md "Threat model").

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use dds_server::db::seed::DEV_PASSWORD;
use serde_json::{json, Value};
use wasm_crypto::{
    open_private_key, seal_private_key, KdfParams, MasterKey, PrivateKey, PublicKey, Salt, Sealed,
    WrappedPrivateKey,
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

/// What a staff invite sends: no key material.
pub(crate) fn staff_invite(email: &str, role: &str, unit_id: Option<i64>) -> Value {
    crate::invites::invite_body(email, role, unit_id)
}

/// The invitee's browser: reads the invite, makes the key pair, and (the unit's first staff
/// member only) a unit key, like the registration page. The invite's details.
pub(crate) async fn register(app: &TestApp, email: &str, username: &str) -> Value {
    let link = invite_link(app, email);
    let visitor = app.browser();
    let details: Value = visitor.get(&format!("/api/v1/invites/by-token/{link}")).await.json().await.unwrap();
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
    let staff = details["role"] == "Unit Admin" || details["role"] == "Unit Personnel";
    if staff && details["unit_has_key"] == false {
        let made = PrivateKey::generate();
        body["unit_public_key"] = b64(made.public_key().as_bytes()).into();
        body["sealed_unit_key"] = sealed_to(&made, key.public_key().as_bytes()).into();
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

/// The signed-in user's own public key (as their account page shows its fingerprint).
pub(crate) async fn my_public_key(browser: &Browser) -> PublicKey {
    let keys: Value = browser.get("/api/v1/users/me/keys").await.json().await.unwrap();
    PublicKey::from_slice(&unb64(&keys["public_key"])).unwrap()
}

/// An approver's browser: the fingerprint it shows for a waiting member (computed from the key
/// the approval seals to) and the approval body.
pub(crate) fn approval_for(key: &PrivateKey, waiting: &Value) -> (String, Value) {
    let public_key = unb64(&waiting["public_key"]);
    let shown = PublicKey::from_slice(&public_key).unwrap().fingerprint();
    let body = json!({
        "username": waiting["username"],
        "public_key": waiting["public_key"],
        "sealed": sealed_to(key, &public_key),
    });
    (shown, body)
}

/// Mails telling `email` that someone waits for access.
pub(crate) fn waiting_mails(app: &TestApp, email: &str) -> Vec<String> {
    std::fs::read_dir(app.outbox())
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .filter(|text| text.contains(&format!("To: {email}")) && text.contains("is waiting for access"))
        .collect()
}

const UNIT_APPROVALS: &str = "/api/v1/units/me/keys/approvals";

async fn staff_wait_for_a_unit_admins_approval(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let (unit_key, keys) = open_unit_key(&admin, "unitadmin_1", DEV_PASSWORD).await;
    assert_eq!(keys["waiting"], json!([]), "every seeded member holds the key");
    assert_eq!(keys["may_approve"], true);

    assert_eq!(
        admin
            .post("/api/v1/invites", staff_invite("new.staff@example.org", "Unit Personnel", None))
            .await
            .status(),
        201
    );
    let details = register(&app, "new.staff@example.org", "new_staff").await;
    assert_eq!(details["unit_has_key"], true);

    // The newcomer holds nothing: the invite carried no key and nothing was sealed on the way.
    let member = sign_in_new(&app, "new_staff", "new.staff@example.org").await;
    let mine: Value = member.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert_eq!(mine["sealed_unit_key"], Value::Null, "{mine}");
    assert_eq!((mine["may_approve"].clone(), mine["waiting"].clone()), (json!(false), json!([])));
    let their_key = my_public_key(&member).await;

    // The Unit Admins holding the key are told (never Unit Personnel, never the newcomer).
    for holder in ["unitadmin_1@example.com", "unitadmin_2@example.com", "unitadmin_3@example.com"] {
        let mails = waiting_mails(&app, holder);
        assert_eq!(mails.len(), 1, "{holder}");
        assert!(mails[0].contains("/users"), "{}", mails[0]);
    }
    assert!(waiting_mails(&app, "unituser_1@example.com").is_empty());
    assert!(waiting_mails(&app, "new.staff@example.org").is_empty());

    // The Unit Admin sees who waits, with what identifies them; Unit Personnel see nobody.
    let keys: Value = admin.get("/api/v1/units/me/keys").await.json().await.unwrap();
    let waiting = keys["waiting"].as_array().unwrap().clone();
    assert_eq!(waiting.len(), 1, "{keys}");
    let entry = &waiting[0];
    assert_eq!(
        (&entry["username"], &entry["name"], &entry["email"], &entry["role"], &entry["origin"]),
        (
            &json!("new_staff"),
            &json!("New Staff"),
            &json!("new.staff@example.org"),
            &json!("Unit Personnel"),
            &json!("registration")
        )
    );
    assert!(entry["invited_by"].as_str().unwrap().ends_with("(unitadmin_1)"), "{entry}");
    let (shown, approval) = approval_for(&unit_key, entry);
    assert_eq!(shown, their_key.fingerprint(), "the approver's page shows the newcomer's fingerprint");
    let personnel = signed_in(&app, "unituser_1").await;
    let theirs: Value = personnel.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert_eq!((theirs["may_approve"].clone(), theirs["waiting"].clone()), (json!(false), json!([])));

    // Refused: Unit Personnel (even holding the key), the newcomer, a Super Admin, a Researcher.
    for (browser, status, sentence) in [
        (&personnel, 403, "Only Unit Admins who hold the unit key approve access to it."),
        (&member, 403, "Only Unit Admins who hold the unit key approve access to it."),
    ] {
        let response = browser.post(UNIT_APPROVALS, approval.clone()).await;
        assert_eq!(response.status(), status);
        assert_eq!(response.json::<Value>().await.unwrap()["error"], sentence);
    }
    for username in ["superadmin", "researchuser_1"] {
        let response = signed_in(&app, username).await.post(UNIT_APPROVALS, approval.clone()).await;
        assert_eq!(response.status(), 403, "{username}");
    }
    // A key other than the one shown (a substituted or changed key) is refused.
    let mut substituted = approval.clone();
    substituted["public_key"] = b64(PrivateKey::generate().public_key().as_bytes()).into();
    let response = admin.post(UNIT_APPROVALS, substituted).await;
    assert_eq!(response.status(), 409);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "new_staff's key changed since the page was loaded: compare the new fingerprint and approve again."
    );
    let mine: Value = member.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert_eq!(mine["sealed_unit_key"], Value::Null, "nothing was sealed by the refusals");

    // The Unit Admin approves: the newcomer opens the unit's key.
    assert_eq!(admin.post(UNIT_APPROVALS, approval.clone()).await.status(), 204);
    let again = admin.post(UNIT_APPROVALS, approval).await;
    assert_eq!(again.status(), 400);
    assert_eq!(
        again.json::<Value>().await.unwrap()["error"],
        "new_staff already has access to the unit's data."
    );
    let (opened, _) = open_unit_key(&member, "new_staff", "a long passphrase").await;
    assert_eq!(opened.public_key(), unit_key.public_key());
    let keys: Value = admin.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert_eq!(keys["waiting"], json!([]));
    app.stop().await;
}
both_backends!(approved_by_a_unit_admin, staff_wait_for_a_unit_admins_approval);

/// Security finding (issue 10, HIGH): a Super Admin invited a Unit Admin into a unit and, with
/// the colleagues' browsers sealing automatically, obtained the unit key. Now the newcomer (even
/// if the Super Admin registered in their place) gets no key until a Unit Admin approves, and a
/// Super Admin can never approve.
async fn a_super_admin_invited_unit_admin_gets_no_key_until_approved(backend: Backend) {
    let app = seeded(backend).await;
    let operator = signed_in(&app, "superadmin").await;
    let (unit_id,): (i64,) = sqlx::query_as("SELECT id FROM units WHERE public_id = 'unit-1'")
        .fetch_one(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(
        operator
            .post("/api/v1/invites", staff_invite("later@example.org", "Unit Admin", Some(unit_id)))
            .await
            .status(),
        201
    );
    register(&app, "later@example.org", "later_admin").await;
    let newcomer = sign_in_new(&app, "later_admin", "later@example.org").await;

    // Colleagues open pages (any page, many times): nothing is sealed without an approval.
    for username in ["unitadmin_1", "unituser_2"] {
        let colleague = signed_in(&app, username).await;
        for _ in 0..2 {
            assert_eq!(colleague.get("/api/v1/units/me/keys").await.status(), 200);
            assert_eq!(colleague.get("/projects").await.status(), 200);
        }
    }
    let mine: Value = newcomer.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert!(mine["sealed_unit_key"].is_null(), "{mine}");
    // As a Unit Admin without the key, the newcomer cannot approve anyone (itself included).
    let (unit_key, keys) =
        open_unit_key(&signed_in(&app, "unitadmin_2").await, "unitadmin_2", DEV_PASSWORD).await;
    let (_, approval) = approval_for(&unit_key, &keys["waiting"][0]);
    assert_eq!(keys["waiting"][0]["username"], "later_admin");
    let response = newcomer.post(UNIT_APPROVALS, approval.clone()).await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "You do not have access to your unit's key yourself; a Unit Admin must approve you first."
    );
    let response = operator.post(UNIT_APPROVALS, approval.clone()).await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "Only Unit Admins and Unit Personnel hold a unit key."
    );
    let mine: Value = newcomer.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert!(mine["sealed_unit_key"].is_null(), "{mine}");

    // A Unit Admin of the unit approves.
    let admin = signed_in(&app, "unitadmin_2").await;
    assert_eq!(admin.post(UNIT_APPROVALS, approval).await.status(), 204);
    let (opened, _) = open_unit_key(&newcomer, "later_admin", "a long passphrase").await;
    assert_eq!(opened.public_key(), unit_key.public_key());

    // A new key pair (as a password reset makes) makes a member wait again, shown as a reset.
    let db = &app.state().db;
    let user = dds_server::db::users::by_username(db, "unituser_1").await.unwrap().unwrap();
    let fresh =
        dds_server::auth::credentials::derive_for_seed("another passphrase", "unituser_1").into_stored();
    dds_server::db::users::set_credentials(db, user.id, &fresh).await.unwrap();
    sqlx::query("UPDATE user_credentials SET key_origin = 'password-reset' WHERE user_id = $1")
        .bind(user.id)
        .execute(db.pool())
        .await
        .unwrap();
    let keys: Value = admin.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert_eq!(keys["waiting"][0]["username"], "unituser_1");
    assert_eq!(keys["waiting"][0]["origin"], "password-reset");
    app.stop().await;
}
both_backends!(super_admin_invites_get_no_key, a_super_admin_invited_unit_admin_gets_no_key_until_approved);

async fn the_first_staff_member_makes_the_unit_key(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let unit_id = crate::helpers::add_second_unit(db).await;
    let admin = signed_in(&app, "superadmin").await;
    assert_eq!(
        admin
            .post("/api/v1/invites", staff_invite("first@example.org", "Unit Admin", Some(unit_id)))
            .await
            .status(),
        201
    );
    let details = register(&app, "first@example.org", "first_admin").await;
    assert_eq!(details["unit_has_key"], false, "no unit key before the first member");

    let first = sign_in_new(&app, "first_admin", "first@example.org").await;
    let (_, keys) = open_unit_key(&first, "first_admin", "a long passphrase").await;
    assert_eq!(keys["waiting"], json!([]));
    // Unit 1's members see nothing of unit 2.
    let other = signed_in(&app, "unitadmin_1").await;
    let ours: Value = other.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert_ne!(ours["unit_public_key"], keys["unit_public_key"]);
    let (unit_key, _) = open_unit_key(&other, "unitadmin_1", DEV_PASSWORD).await;
    let cross = json!({
        "username": "first_admin",
        "public_key": b64(my_public_key(&first).await.as_bytes()),
        "sealed": sealed_to(&unit_key, unit_key.public_key().as_bytes()),
    });
    assert_eq!(other.post(UNIT_APPROVALS, cross).await.status(), 404);
    // A second member of that unit cannot make another unit key: they wait.
    assert_eq!(
        admin
            .post("/api/v1/invites", staff_invite("second@example.org", "Unit Admin", Some(unit_id)))
            .await
            .status(),
        201
    );
    assert_eq!(register(&app, "second@example.org", "second_admin").await["unit_has_key"], true);
    let second = sign_in_new(&app, "second_admin", "second@example.org").await;
    let mine: Value = second.get("/api/v1/units/me/keys").await.json().await.unwrap();
    assert!(mine["sealed_unit_key"].is_null());
    assert_eq!(mine["unit_public_key"], keys["unit_public_key"]);
    app.stop().await;
}
both_backends!(first_member, the_first_staff_member_makes_the_unit_key);

#[tokio::test]
async fn only_staff_hold_unit_keys_and_bad_input_is_refused() {
    let app = seeded(Backend::Sqlite).await;
    let approval = |username: &str| json!({ "username": username, "public_key": b64(&[9; 32]), "sealed": b64(&[0; 80]) });
    for username in ["superadmin", "researchuser_1"] {
        let browser = signed_in(&app, username).await;
        let response = browser.get("/api/v1/units/me/keys").await;
        assert_eq!(response.status(), 403, "{username}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"],
            "Only Unit Admins and Unit Personnel hold a unit key."
        );
        assert_eq!(browser.post(UNIT_APPROVALS, approval("unitadmin_1")).await.status(), 403, "{username}");
    }
    let admin = signed_in(&app, "unitadmin_1").await;
    let mut short = approval("unituser_1");
    short["sealed"] = "AAAA".into();
    let short = admin.post(UNIT_APPROVALS, short).await;
    assert_eq!(short.status(), 400);
    assert_eq!(short.json::<Value>().await.unwrap()["error"], "'sealed' must be 80 bytes in base64.");
    let mut bad_key = approval("unituser_1");
    bad_key["public_key"] = "AAAA".into();
    let bad_key = admin.post(UNIT_APPROVALS, bad_key).await;
    assert_eq!(bad_key.status(), 400);
    assert_eq!(bad_key.json::<Value>().await.unwrap()["error"], "'public_key' must be 32 bytes in base64.");
    assert_eq!(admin.post(UNIT_APPROVALS, approval("nobody_here")).await.status(), 404);
    // Another letter case or a look-alike is not the member.
    assert_eq!(admin.post(UNIT_APPROVALS, approval("UNITUSER_1")).await.status(), 404);
    assert_eq!(admin.post(UNIT_APPROVALS, approval("unıtuser_1")).await.status(), 404);
    app.stop().await;
}
