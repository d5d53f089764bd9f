//! Projects (DESIGN §3; DDS §1.2, §5, §6.6) as the browsers use them: project keys made, sealed
//! and opened with the real wasm-crypto. Wherever a test says someone has access, it proves it by
//! opening the seal with their private key and comparing with the project's public key.

use dds_server::db::seed::{DEV_PASSWORD, DEV_PROJECT};
use serde_json::{json, Value};
use wasm_crypto::{
    open_private_key, InviteToken, KdfParams, MasterKey, PrivateKey, Salt, Sealed, WrappedPrivateKey,
};

use crate::auth::{seeded, signed_in};
use crate::both_backends;
use crate::helpers::{add_second_unit, Backend, Browser, TestApp};
use crate::invites::invite_link;
use crate::password_reset::{complete, log_in_as, mails_to, request_reset, reset_token, NEW_PASSWORD};
use crate::unit_keys::{
    b64, my_private_key, open_unit_key, register, sealed_to, sign_in_new, staff_invite, unb64,
};

/// The password `unit_keys::register` and `sign_in_new` use for new accounts.
const NEW_ACCOUNT_PASSWORD: &str = "a long passphrase";
const NOT_FOUND: &str = "There is no such project, or you do not have access to it.";
const NOT_ENOUGH: &str = "Your unit does not have enough Unit Admins. At least two Unit Admins are required for a project to be created.";
const ONLY_TWO: &str = "Your unit has only two Unit Admins. If both lose access to their keys (for example by resetting their passwords), the data of this project cannot be recovered. Invite a third Unit Admin, or confirm to create the project anyway.";
const OWN_ACCESS_PENDING: &str =
    "Your browser cannot open the project key: your own access is pending until a colleague restores it.";

/// Status and JSON body (a string for an empty or non-JSON body).
async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn get(browser: &Browser, path: &str) -> (u16, Value) {
    answer(browser.get(&format!("/api/v1{path}")).await).await
}

async fn post(browser: &Browser, path: &str, body: Value) -> (u16, Value) {
    answer(browser.post(&format!("/api/v1{path}"), body).await).await
}

async fn details(browser: &Browser, public_id: &str) -> Value {
    let (status, body) = get(browser, &format!("/projects/{public_id}")).await;
    assert_eq!(status, 200, "{public_id}: {body}");
    body
}

fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        list.as_array().unwrap().iter().map(|p| p["public_id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

/// A member line of the project page: (username, is_owner, access).
fn members(details: &Value) -> Vec<(String, bool, bool)> {
    details["members"]
        .as_array()
        .unwrap_or_else(|| panic!("members shown: {details}"))
        .iter()
        .map(|m| (m["username"].as_str().unwrap().to_string(), m["is_owner"] == true, m["access"] == true))
        .collect()
}

fn member(name: &str, owner: bool, access: bool) -> (String, bool, bool) {
    (name.to_string(), owner, access)
}

/// What the creating staff member's browser sends: a new project key pair, its private key
/// sealed to the unit key.
fn new_project(title: &str, unit_public_key: &[u8]) -> (Value, PrivateKey) {
    let key = PrivateKey::generate();
    let body = json!({
        "title": title,
        "description": "Whole genome sequencing of the samples.",
        "pi": "PI.Person@Uni.example.org",
        "public_key": b64(key.public_key().as_bytes()),
        "unit_public_key": b64(unit_public_key),
        "unit_sealed_key": sealed_to(&key, unit_public_key),
    });
    (body, key)
}

/// A staff member creates a project from their browser: its public id and key.
async fn create_project(
    browser: &Browser,
    username: &str,
    password: &str,
    confirmed: bool,
) -> (String, PrivateKey) {
    let (unit_key, _) = open_unit_key(browser, username, password).await;
    let (mut body, key) = new_project("A project", unit_key.public_key().as_bytes());
    body["confirmed"] = confirmed.into();
    let (status, created) = post(browser, "/projects", body).await;
    assert_eq!(status, 201, "{username}: {created}");
    (created["public_id"].as_str().unwrap().to_string(), key)
}

/// The project private key as a staff member's browser reaches it: the unit key, then the
/// project key sealed to it. Checked against the project's public key.
async fn key_via_unit(browser: &Browser, username: &str, password: &str, public_id: &str) -> PrivateKey {
    let details = details(browser, public_id).await;
    assert_eq!(details["key"]["via"], "unit_key", "{username}: {details}");
    assert_eq!(details["access"], true, "{username}");
    let (unit_key, _) = open_unit_key(browser, username, password).await;
    let sealed = Sealed::from_bytes(unb64(&details["key"]["sealed"])).unwrap();
    let key = open_private_key(&unit_key, &sealed).expect("the unit key opens the project key");
    assert_eq!(b64(key.public_key().as_bytes()), details["public_key"], "{username}: the project's key");
    key
}

/// The project private key as a Researcher's browser reaches it: their own seal, opened with
/// their private key. Checked against the project's public key.
async fn key_as_member(browser: &Browser, username: &str, password: &str, public_id: &str) -> PrivateKey {
    let details = details(browser, public_id).await;
    assert_eq!(details["key"]["via"], "member", "{username}: {details}");
    assert_eq!(details["access"], true, "{username}");
    let mine = my_private_key(browser, username, password).await;
    let sealed = Sealed::from_bytes(unb64(&details["key"]["sealed"])).unwrap();
    let key = open_private_key(&mine, &sealed).expect("the member's key opens the project key");
    assert_eq!(b64(key.public_key().as_bytes()), details["public_key"], "{username}: the project's key");
    key
}

/// The caller's project page says their access is pending.
async fn assert_pending(browser: &Browser, who: &str, public_id: &str) {
    let details = details(browser, public_id).await;
    assert_eq!(details["key"], json!({ "via": "pending" }), "{who}: {details}");
    assert_eq!(details["access"], false, "{who}");
}

/// An invite made in the inviter's browser; to a project, with its key sealed to the invite key
/// when the browser has it. The invite key pair is returned too.
fn invite(
    email: &str,
    project: Option<&str>,
    owner: bool,
    project_key: Option<&PrivateKey>,
) -> (Value, InviteToken, PrivateKey) {
    let (mut body, token, invite_key) = plain_invite(email, "Researcher");
    body["project"] = project.into();
    body["owner"] = owner.into();
    if let Some(project_key) = project_key {
        body["sealed_project_key"] = sealed_to(project_key, invite_key.public_key().as_bytes()).into();
    }
    (body, token, invite_key)
}

fn plain_invite(email: &str, role: &str) -> (Value, InviteToken, PrivateKey) {
    let token = InviteToken::generate();
    let key = PrivateKey::generate();
    let body = json!({
        "email": email, "role": role, "unit_id": null,
        "token": b64(token.as_bytes()),
        "public_key": b64(key.public_key().as_bytes()),
        "wrapped_private_key": b64(token.wrap(&key).as_bytes()),
    });
    (body, token, key)
}

/// What the registration page reads for the invite mailed to `email`.
async fn invite_details(app: &TestApp, email: &str) -> Value {
    let link = invite_link(app, email);
    let (status, details) = get(&app.browser(), &format!("/invites/by-token/{link}")).await;
    assert_eq!(status, 200, "{details}");
    details
}

/// The invitee's browser opens a project key the invite carries with the invite key from the link.
fn open_from_invite(details: &Value, token: &InviteToken, project: &Value) -> PrivateKey {
    let wrapped = WrappedPrivateKey::from_bytes(unb64(&details["wrapped_private_key"])).unwrap();
    let invite_key = token.unwrap(&wrapped).expect("the link's token unwraps the invite key");
    open_private_key(&invite_key, &Sealed::from_bytes(unb64(&project["sealed"])).unwrap())
        .expect("the invite key opens the project key")
}

/// The invitee's browser registers: a new key pair and, when `reseal`, every project key the
/// invite carries re-sealed to it (as the registration page does). The invite's details.
async fn register_researcher(
    app: &TestApp,
    email: &str,
    token: &InviteToken,
    username: &str,
    reseal: bool,
) -> Value {
    let details = invite_details(app, email).await;
    assert_eq!(details["role"], "Researcher");
    let salt = Salt::random();
    let master = MasterKey::derive(NEW_ACCOUNT_PASSWORD.as_bytes(), &salt, KdfParams::DEFAULT).unwrap();
    let key = PrivateKey::generate();
    let mut project_keys = Vec::new();
    for project in details["projects"].as_array().unwrap() {
        if reseal && project["sealed"].is_string() {
            let project_key = open_from_invite(&details, token, project);
            project_keys.push(json!({
                "project": project["public_id"],
                "sealed": sealed_to(&project_key, key.public_key().as_bytes()),
            }));
        }
    }
    let body = json!({
        "name": "New Researcher", "username": username,
        "salt": b64(&salt.0),
        "kdf": { "memory_kib": 65536, "iterations": 3, "parallelism": 1 },
        "auth_key": b64(master.auth_key().as_bytes()),
        "public_key": b64(key.public_key().as_bytes()),
        "wrapped_private_key": b64(master.kek().wrap(&key, username).as_bytes()),
        "project_keys": project_keys,
    });
    let link = invite_link(app, email);
    let (status, accepted) = post(&app.browser(), &format!("/invites/by-token/{link}/accept"), body).await;
    assert_eq!(status, 201, "{username}: {accepted}");
    details
}

/// A second unit ("unit-2", internal ref "second") with `admins` Unit Admins invited by the
/// Super Admin and registered (the first makes the unit key; later ones wait for it). The first
/// Unit Admin's browser.
async fn second_unit(app: &TestApp, admins: usize) -> Browser {
    let unit_id = add_second_unit(&app.state().db).await;
    add_unit_admins(app, unit_id, 0, admins).await;
    sign_in_new(app, "admin2_0", "admin2_0@example.org").await
}

async fn add_unit_admins(app: &TestApp, unit_id: i64, from: usize, to: usize) {
    let operator = signed_in(app, "superadmin").await;
    for i in from..to {
        let email = format!("admin2_{i}@example.org");
        let (body, token) = staff_invite(&email, "Unit Admin", Some(unit_id), None);
        let (status, created) = post(&operator, "/invites", body).await;
        assert_eq!(status, 201, "{created}");
        register(app, &email, &token, &format!("admin2_{i}")).await;
    }
}

async fn unit_2_id(app: &TestApp) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM units WHERE public_id = 'unit-2'")
        .fetch_one(app.state().db.pool())
        .await
        .unwrap();
    id
}

/// Takes away a staff member's unit key seal, as a lost key pair would.
async fn lose_unit_key(app: &TestApp, username: &str) {
    let user = dds_server::db::users::by_username(&app.state().db, username).await.unwrap().unwrap();
    sqlx::query("DELETE FROM unit_key_seals WHERE user_id = $1")
        .bind(user.id)
        .execute(app.state().db.pool())
        .await
        .unwrap();
}

// 1. Creation.

async fn unit_staff_create_projects_others_are_refused(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let (unit_key, _) = open_unit_key(&admin, "unitadmin_1", DEV_PASSWORD).await;
    let unit_public = unit_key.public_key().as_bytes().to_vec();

    // Super Admins and Researchers do not create projects.
    for username in ["superadmin", "researchuser_1"] {
        let browser = signed_in(&app, username).await;
        let (status, body) = post(&browser, "/projects", new_project("Refused", &unit_public).0).await;
        assert_eq!(status, 403, "{username}");
        assert_eq!(body["error"], "Only Unit Admins and Unit Personnel can create projects.", "{username}");
    }

    // A Unit Admin and a Unit Personnel do: ids follow the unit's counter (the seed made 00001).
    let (first, first_key) = create_project(&admin, "unitadmin_1", DEV_PASSWORD, false).await;
    assert_eq!(first, "someunit00002");
    let personnel = signed_in(&app, "unituser_1").await;
    let (second, second_key) = create_project(&personnel, "unituser_1", DEV_PASSWORD, false).await;
    assert_eq!(second, "someunit00003");
    // Every staff member of the unit reaches both through the unit key.
    let colleague = signed_in(&app, "unitadmin_2").await;
    for (browser, username) in
        [(&admin, "unitadmin_1"), (&personnel, "unituser_1"), (&colleague, "unitadmin_2")]
    {
        let opened = key_via_unit(browser, username, DEV_PASSWORD, &first).await;
        assert_eq!(opened.public_key(), first_key.public_key(), "{username}");
        let opened = key_via_unit(browser, username, DEV_PASSWORD, &second).await;
        assert_eq!(opened.public_key(), second_key.public_key(), "{username}");
    }
    let page = details(&personnel, &first).await;
    assert_eq!(page["title"], "A project");
    assert_eq!(page["description"], "Whole genome sequencing of the samples.");
    assert_eq!(page["pi"], "pi.person@uni.example.org");
    assert_eq!(page["status"], "In Progress");
    assert_eq!(page["unit"], "Display Name");
    assert_eq!(page["capacity"], "Unit Personnel");
    assert_eq!(page["members"], json!([]));
    assert_eq!(page["invites"], json!([]));
    assert_eq!(page["may_add_researchers"], true);

    // Bad details: a sentence each.
    let long_title = "t".repeat(256);
    let cases = [
        ("title", json!(" "), "The project needs a title."),
        ("title", json!(long_title), "The title can be at most 255 characters."),
        ("description", json!("  "), "The project needs a description."),
        ("pi", json!("not an address"), "The PI must be given as a valid email address."),
        ("pi", json!("pi@uni"), "The PI must be given as a valid email address."),
        ("public_key", json!("AAAA"), "'public_key' must be 32 bytes in base64."),
        ("unit_sealed_key", json!("AAAA"), "'unit_sealed_key' must be 80 bytes in base64."),
    ];
    for (field, value, sentence) in cases {
        let (mut body, _) = new_project("Bad", &unit_public);
        body[field] = value;
        let (status, answer) = post(&admin, "/projects", body).await;
        assert_eq!(status, 400, "{field}: {answer}");
        assert_eq!(answer["error"], sentence, "{field}");
    }
    // Sealed to a key that is not the unit's.
    let stranger = PrivateKey::generate();
    let (status, answer) =
        post(&admin, "/projects", new_project("Wrong unit key", stranger.public_key().as_bytes()).0).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["error"],
        "The project key was sealed to a unit key that is not your unit's. Reload the page and try again."
    );
    // A creator whose own unit key access is pending cannot have sealed it.
    lose_unit_key(&app, "unituser_2").await;
    let waiting = signed_in(&app, "unituser_2").await;
    let (status, answer) = post(&waiting, "/projects", new_project("Pending", &unit_public).0).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["error"], OWN_ACCESS_PENDING);
    // The refusals used no project ids.
    let (third, _) = create_project(&colleague, "unitadmin_2", DEV_PASSWORD, false).await;
    assert_eq!(third, "someunit00004");
    app.stop().await;
}
both_backends!(creation, unit_staff_create_projects_others_are_refused);

async fn a_unit_needs_two_unit_admins_and_confirms_with_only_two(backend: Backend) {
    let app = seeded(backend).await;
    let first = second_unit(&app, 1).await;
    let (unit_key, _) = open_unit_key(&first, "admin2_0", NEW_ACCOUNT_PASSWORD).await;
    let (mut body, _) = new_project("Second unit", unit_key.public_key().as_bytes());
    body["confirmed"] = true.into();
    let (status, answer) = post(&first, "/projects", body.clone()).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["error"], NOT_ENOUGH, "confirming does not help");

    add_unit_admins(&app, unit_2_id(&app).await, 1, 2).await;
    body["confirmed"] = false.into();
    let (status, answer) = post(&first, "/projects", body.clone()).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"], ONLY_TWO);
    body["confirmed"] = true.into();
    let (status, answer) = post(&first, "/projects", body).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["public_id"], "second00001");
    key_via_unit(&first, "admin2_0", NEW_ACCOUNT_PASSWORD, "second00001").await;
    // The second Unit Admin still waits for the unit key, so for the project key too.
    let waiting = sign_in_new(&app, "admin2_1", "admin2_1@example.org").await;
    assert_pending(&waiting, "admin2_1", "second00001").await;

    // Unit 1 with only two active Unit Admins asks too.
    let db = &app.state().db;
    let third = dds_server::db::users::by_username(db, "unitadmin_3").await.unwrap().unwrap();
    dds_server::db::users::set_active(db, third.id, false).await.unwrap();
    let personnel = signed_in(&app, "unituser_1").await;
    let (unit_key, _) = open_unit_key(&personnel, "unituser_1", DEV_PASSWORD).await;
    let (body, _) = new_project("Two admins", unit_key.public_key().as_bytes());
    let (status, answer) = post(&personnel, "/projects", body).await;
    assert_eq!((status, answer["error"].as_str()), (409, Some(ONLY_TWO)));
    let (id, _) = create_project(&personnel, "unituser_1", DEV_PASSWORD, true).await;
    assert_eq!(id, "someunit00002");
    app.stop().await;
}
both_backends!(creation_unit_admins, a_unit_needs_two_unit_admins_and_confirms_with_only_two);

// 2. Listing and details.

async fn each_role_sees_its_projects(backend: Backend) {
    let app = seeded(backend).await;
    let other = second_unit(&app, 2).await;
    let (other_project, _) = create_project(&other, "admin2_0", NEW_ACCOUNT_PASSWORD, true).await;
    assert_eq!(other_project, "second00001");
    let admin = signed_in(&app, "unitadmin_1").await;
    let (own, _) = create_project(&admin, "unitadmin_1", DEV_PASSWORD, false).await;

    // Super Admins: every project, no keys.
    let operator = signed_in(&app, "superadmin").await;
    let (status, list) = get(&operator, "/projects").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&list), ["second00001", "someunit00001", "someunit00002"]);
    for project in list.as_array().unwrap() {
        assert_eq!(project["access"], Value::Null, "{project}");
        assert_eq!(project["capacity"], "Super Admin");
    }
    let page = details(&operator, DEV_PROJECT).await;
    assert_eq!(page["key"], json!({ "via": "none" }));
    assert_eq!(page["access"], Value::Null);
    assert_eq!(page["members"], Value::Null);
    assert_eq!(page["invites"], Value::Null);
    assert_eq!(page["may_add_researchers"], false);

    // Unit staff: their unit's projects, with the members.
    let personnel = signed_in(&app, "unituser_1").await;
    let cases = [(&admin, "unitadmin_1", "Unit Admin"), (&personnel, "unituser_1", "Unit Personnel")];
    let mut staff_key = None;
    for (browser, username, capacity) in cases {
        let (_, list) = get(browser, "/projects").await;
        assert_eq!(ids(&list), [DEV_PROJECT, own.as_str()], "{username}");
        for project in list.as_array().unwrap() {
            assert_eq!(project["access"], true, "{username}: {project}");
            assert_eq!(project["capacity"], capacity);
        }
        let page = details(browser, DEV_PROJECT).await;
        assert_eq!(
            members(&page),
            [member("researchuser_1", true, true), member("researchuser_2", false, true)],
            "{username}"
        );
        assert_eq!(page["invites"], json!([]));
        assert_eq!(page["may_add_researchers"], true);
        staff_key = Some(key_via_unit(browser, username, DEV_PASSWORD, DEV_PROJECT).await);
        let (status, answer) = get(browser, "/projects/second00001").await;
        assert_eq!((status, answer["error"].as_str()), (404, Some(NOT_FOUND)), "{username}");
    }
    // Another unit's staff: only theirs.
    let (_, list) = get(&other, "/projects").await;
    assert_eq!(ids(&list), ["second00001"]);
    for project in [DEV_PROJECT, own.as_str()] {
        let (status, answer) = get(&other, &format!("/projects/{project}")).await;
        assert_eq!((status, answer["error"].as_str()), (404, Some(NOT_FOUND)), "{project}");
    }

    // Researchers: their projects; the Project Owner sees the members, a member does not.
    let staff_key = staff_key.unwrap();
    let owner = signed_in(&app, "researchuser_1").await;
    let researcher = signed_in(&app, "researchuser_2").await;
    let cases = [
        (&owner, "researchuser_1", "Project Owner", true),
        (&researcher, "researchuser_2", "Researcher", false),
    ];
    for (browser, username, capacity, sees_members) in cases {
        let (_, list) = get(browser, "/projects").await;
        assert_eq!(ids(&list), [DEV_PROJECT], "{username}");
        assert_eq!(list[0]["capacity"], capacity);
        assert_eq!(list[0]["access"], true);
        let page = details(browser, DEV_PROJECT).await;
        assert_eq!(page["members"].is_array(), sees_members, "{username}: {page}");
        assert_eq!(page["invites"].is_array(), sees_members, "{username}");
        assert_eq!(page["may_add_researchers"], sees_members, "{username}");
        let opened = key_as_member(browser, username, DEV_PASSWORD, DEV_PROJECT).await;
        assert_eq!(opened.public_key(), staff_key.public_key(), "{username}");
        for project in [own.as_str(), "second00001", "nosuch00001"] {
            let (status, answer) = get(browser, &format!("/projects/{project}")).await;
            assert_eq!((status, answer["error"].as_str()), (404, Some(NOT_FOUND)), "{username} {project}");
        }
    }
    // Unknown ids get the same answer for everyone.
    let (status, answer) = get(&operator, "/projects/nosuch00001").await;
    assert_eq!((status, answer["error"].as_str()), (404, Some(NOT_FOUND)));
    app.stop().await;
}
both_backends!(visibility, each_role_sees_its_projects);

// 3. Inviting to a project.

async fn staff_and_project_owners_invite_researchers_to_a_project(backend: Backend) {
    let app = seeded(backend).await;
    let other = second_unit(&app, 1).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let personnel = signed_in(&app, "unituser_1").await;
    let owner = signed_in(&app, "researchuser_1").await;
    let admin_key = key_via_unit(&admin, "unitadmin_1", DEV_PASSWORD, DEV_PROJECT).await;
    let personnel_key = key_via_unit(&personnel, "unituser_1", DEV_PASSWORD, DEV_PROJECT).await;
    let owner_key = key_as_member(&owner, "researchuser_1", DEV_PASSWORD, DEV_PROJECT).await;

    // Allowed: a Unit Admin, a Unit Personnel (a Project Owner invite), the Project Owner, and a
    // Unit Admin whose browser did not seal the key (the invitee's access starts pending).
    let (ann, ann_token, _) = invite("ann@example.org", Some(DEV_PROJECT), false, Some(&admin_key));
    let (bob, bob_token, _) = invite("bob@example.org", Some(DEV_PROJECT), true, Some(&personnel_key));
    let (carl, carl_token, _) = invite("carl@example.org", Some(DEV_PROJECT), false, Some(&owner_key));
    let (dana, dana_token, _) = invite("dana@example.org", Some(DEV_PROJECT), false, None);
    for (browser, body) in [(&admin, ann), (&personnel, bob), (&owner, carl), (&admin, dana)] {
        let (status, created) = post(browser, "/invites", body).await;
        assert_eq!(status, 201, "{created}");
        assert!(created["id"].is_i64());
    }
    // The mails name the project and the capacity.
    let ann_mail = mails_to(&app, "ann@example.org", "/invite/").pop().unwrap().replace("=\r\n", "");
    assert!(ann_mail.contains("on behalf of Display Name"), "{ann_mail}");
    assert!(ann_mail.contains("as Researcher of the project someunit00001 (Seeded project)"), "{ann_mail}");
    let bob_mail = mails_to(&app, "bob@example.org", "/invite/").pop().unwrap().replace("=\r\n", "");
    assert!(
        bob_mail.contains("as Project Owner of the project someunit00001 (Seeded project)"),
        "{bob_mail}"
    );

    // Refused: a plain member, a Super Admin, another unit's staff.
    let researcher = signed_in(&app, "researchuser_2").await;
    let operator = signed_in(&app, "superadmin").await;
    let cases = [
        (&researcher, "Only unit staff and Project Owners can add users to a project."),
        (&operator, "Super Admins cannot give access to projects: they hold no project keys."),
        (&other, NOT_FOUND),
    ];
    for (browser, sentence) in cases {
        let (body, _, _) = invite("refused@example.org", Some(DEV_PROJECT), false, None);
        let (status, answer) = post(browser, "/invites", body).await;
        assert_eq!((status, answer["error"].as_str()), (403, Some(sentence)), "{answer}");
    }
    // Only Researchers go to a project; a Project Owner needs a project.
    let (mut staff, _, _) = invite("refused@example.org", Some(DEV_PROJECT), false, None);
    staff["role"] = "Unit Personnel".into();
    let (status, answer) = post(&admin, "/invites", staff).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"],
        "Only Researchers are invited to individual projects: unit staff reach every project of their unit."
    );
    let (status, answer) = post(&admin, "/invites", invite("refused@example.org", None, true, None).0).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("Project ID required to invite a 'Project Owner'."))
    );
    let (mut sealed, _, _) = invite("refused@example.org", None, false, Some(&admin_key));
    sealed["project"] = Value::Null;
    let (status, answer) = post(&admin, "/invites", sealed).await;
    assert_eq!((status, answer["error"].as_str()), (400, Some("Only project invites carry a project key.")));
    assert!(mails_to(&app, "refused@example.org", "").is_empty(), "nothing was mailed");

    // The project page lists the invites for staff and the Project Owner.
    let page = details(&owner, DEV_PROJECT).await;
    let invited: Vec<(String, bool)> = page["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["email"].as_str().unwrap().to_string(), i["is_owner"] == true))
        .collect();
    let expected = [("ann", false), ("bob", true), ("carl", false), ("dana", false)]
        .map(|(n, o)| (format!("{n}@example.org"), o));
    assert_eq!(invited, expected);

    // Registration: the invitee's browser re-seals the key the invite carries.
    let details_ann = register_researcher(&app, "ann@example.org", &ann_token, "ann_new", true).await;
    let project = &details_ann["projects"][0];
    assert_eq!(project["public_id"], DEV_PROJECT);
    assert_eq!(project["title"], "Seeded project");
    assert_eq!(project["is_owner"], false);
    let details_bob = register_researcher(&app, "bob@example.org", &bob_token, "bob_new", true).await;
    assert_eq!(details_bob["projects"][0]["is_owner"], true);
    // Carl's browser sends no re-sealed key; Dana's invite carried none.
    register_researcher(&app, "carl@example.org", &carl_token, "carl_new", false).await;
    let details_dana = register_researcher(&app, "dana@example.org", &dana_token, "dana_new", true).await;
    assert_eq!(details_dana["projects"][0]["sealed"], Value::Null);

    for (username, capacity) in [("ann_new", "Researcher"), ("bob_new", "Project Owner")] {
        let browser =
            sign_in_new(&app, username, &format!("{}@example.org", &username[..username.len() - 4])).await;
        let opened = key_as_member(&browser, username, NEW_ACCOUNT_PASSWORD, DEV_PROJECT).await;
        assert_eq!(opened.public_key(), admin_key.public_key(), "{username}");
        let (_, list) = get(&browser, "/projects").await;
        assert_eq!(list[0]["capacity"], capacity, "{username}");
        assert_eq!(list[0]["access"], true, "{username}");
    }
    for username in ["carl_new", "dana_new"] {
        let browser =
            sign_in_new(&app, username, &format!("{}@example.org", &username[..username.len() - 4])).await;
        assert_pending(&browser, username, DEV_PROJECT).await;
        let (_, list) = get(&browser, "/projects").await;
        assert_eq!(list[0]["access"], false, "{username}");
    }
    let page = details(&admin, DEV_PROJECT).await;
    assert_eq!(
        members(&page),
        [
            member("ann_new", false, true),
            member("bob_new", true, true),
            member("carl_new", false, false),
            member("dana_new", false, false),
            member("researchuser_1", true, true),
            member("researchuser_2", false, true),
        ]
    );
    assert_eq!(page["invites"], json!([]), "the invites were used");
    app.stop().await;
}
both_backends!(invites, staff_and_project_owners_invite_researchers_to_a_project);

// 4. Existing researchers and pending invites.

async fn existing_researchers_and_pending_invites_are_added(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let (project, project_key) = create_project(&admin, "unitadmin_1", DEV_PASSWORD, false).await;
    let path = format!("/projects/{project}");

    // An existing Researcher is added, with access pending until a browser seals the key.
    let add = |owner: bool| {
        invite("researchuser_2@example.com", Some(project.as_str()), owner, Some(&project_key)).0
    };
    let (status, answer) = post(&admin, "/invites", add(false)).await;
    assert_eq!((status, answer), (200, json!({ "added": "researchuser_2" })));
    assert!(mails_to(&app, "researchuser_2@example.com", "/invite/").is_empty(), "no invite mailed");
    assert_eq!(members(&details(&admin, &project).await), [member("researchuser_2", false, false)]);
    let researcher = signed_in(&app, "researchuser_2").await;
    let (_, list) = get(&researcher, "/projects").await;
    assert_eq!(ids(&list), [DEV_PROJECT, project.as_str()]);
    assert_pending(&researcher, "researchuser_2", &project).await;
    let (_, waiting) = get(&admin, "/projects/access/pending").await;
    assert_eq!(waiting[0]["public_id"], project.as_str(), "{waiting}");
    assert_eq!(waiting[0]["waiting"][0]["username"], "researchuser_2");

    // The same capacity again is refused; another capacity changes the Project Owner flag.
    let (status, answer) = post(&admin, "/invites", add(false)).await;
    assert_eq!(status, 403);
    assert_eq!(
        answer["error"],
        "researchuser_2 is already associated with the project someunit00002 in this capacity (Researcher)."
    );
    let (status, answer) = post(&admin, "/invites", add(true)).await;
    assert_eq!((status, answer), (200, json!({ "changed": "researchuser_2" })));
    assert_eq!(members(&details(&admin, &project).await), [member("researchuser_2", true, false)]);
    let (status, answer) = post(&admin, "/invites", add(true)).await;
    assert_eq!(status, 403);
    assert_eq!(
        answer["error"],
        "researchuser_2 is already associated with the project someunit00002 in this capacity (Project Owner)."
    );

    // Unit staff and Super Admins are not added to projects.
    for email in ["unituser_1@example.com", "superadmin@example.com"] {
        let body = invite(email, Some(project.as_str()), false, Some(&project_key)).0;
        let (status, answer) = post(&admin, "/invites", body).await;
        assert_eq!(status, 403, "{email}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("cannot be added to individual projects"),
            "{answer}"
        );
    }
    assert_eq!(members(&details(&admin, &project).await).len(), 1);

    // A pending Researcher invite now also leads to the project.
    let (plain, eve_token, _) = invite("eve@example.org", None, false, None);
    let (status, created) = post(&admin, "/invites", plain).await;
    assert_eq!(status, 201);
    let eve = created["id"].as_i64().unwrap();
    let (status, answer) = post(
        &admin,
        "/invites",
        invite("eve@example.org", Some(project.as_str()), false, Some(&project_key)).0,
    )
    .await;
    assert_eq!((status, answer), (200, json!({ "added_to_invite": eve })));
    let invited = invite_details(&app, "eve@example.org").await;
    assert_eq!(
        invited["projects"],
        json!([{ "public_id": project, "title": "A project", "is_owner": false, "sealed": null }])
    );
    let (status, answer) =
        post(&admin, "/invites", invite("eve@example.org", Some(project.as_str()), false, None).0).await;
    assert_eq!(status, 403);
    assert_eq!(
        answer["error"],
        "The invitation already gives access to the project someunit00002 in this capacity (Researcher)."
    );
    // A pending invite of unit staff is not turned into a project invite.
    let (staff, _) = staff_invite("staff@example.org", "Unit Personnel", None, None);
    assert_eq!(post(&admin, "/invites", staff).await.0, 201);
    let (status, answer) =
        post(&admin, "/invites", invite("staff@example.org", Some(project.as_str()), false, None).0).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("An invitation has already been sent to this email address."))
    );

    // A fixer's browser seals the key to the invite key, as the pending list asks.
    let (_, pending) = get(&admin, "/projects/access/pending").await;
    let entry = pending.as_array().unwrap().iter().find(|p| p["public_id"] == project.as_str()).unwrap();
    let waiting = entry["waiting"].as_array().unwrap();
    let invite_entry = waiting.iter().find(|w| w["invite_id"] == eve).expect("the invite waits");
    assert_eq!(invite_entry["public_key"], invited_public_key(&invited, &eve_token));
    let (unit_key, _) = open_unit_key(&admin, "unitadmin_1", DEV_PASSWORD).await;
    let opened =
        open_private_key(&unit_key, &Sealed::from_bytes(unb64(&entry["key"]["sealed"])).unwrap()).unwrap();
    assert_eq!(opened.public_key(), project_key.public_key());
    let seal = json!({ "invite_id": eve, "sealed": sealed_to(&opened, &unb64(&invite_entry["public_key"])) });
    let (status, _) = post(&admin, &format!("{path}/access"), seal.clone()).await;
    assert_eq!(status, 204);
    let (status, answer) = post(&admin, &format!("{path}/access"), seal).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("No invitation to this project is waiting for its key."))
    );
    let invited = invite_details(&app, "eve@example.org").await;
    let from_invite = open_from_invite(&invited, &eve_token, &invited["projects"][0]);
    assert_eq!(from_invite.public_key(), project_key.public_key());

    // Eve registers and holds the key.
    register_researcher(&app, "eve@example.org", &eve_token, "eve_new", true).await;
    let eve_browser = sign_in_new(&app, "eve_new", "eve@example.org").await;
    let opened = key_as_member(&eve_browser, "eve_new", NEW_ACCOUNT_PASSWORD, &project).await;
    assert_eq!(opened.public_key(), project_key.public_key());
    assert_eq!(
        members(&details(&admin, &project).await),
        [member("eve_new", false, true), member("researchuser_2", true, false)]
    );

    // A Project Owner adds an existing Researcher to their project and seals the key to them; a
    // plain member may not add anyone.
    let member_of_seeded = signed_in(&app, "researchuser_2").await;
    let add_eve =
        |project_key: Option<&PrivateKey>| invite("eve@example.org", Some(DEV_PROJECT), false, project_key).0;
    let (status, answer) = post(&member_of_seeded, "/invites", add_eve(None)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("Only unit staff and Project Owners can add users to a project."))
    );
    let owner = signed_in(&app, "researchuser_1").await;
    let owner_key = key_as_member(&owner, "researchuser_1", DEV_PASSWORD, DEV_PROJECT).await;
    let (status, answer) = post(&owner, "/invites", add_eve(Some(&owner_key))).await;
    assert_eq!((status, answer), (200, json!({ "added": "eve_new" })));
    assert_pending(&eve_browser, "eve_new", DEV_PROJECT).await;
    let (_, pending) = get(&owner, "/projects/access/pending").await;
    assert_eq!(pending[0]["public_id"], DEV_PROJECT, "{pending}");
    let waiting = &pending[0]["waiting"];
    assert_eq!(waiting.as_array().unwrap().len(), 1, "{pending}");
    assert_eq!(waiting[0]["username"], "eve_new");
    let seal =
        json!({ "username": "eve_new", "sealed": sealed_to(&owner_key, &unb64(&waiting[0]["public_key"])) });
    assert_eq!(post(&owner, &format!("/projects/{DEV_PROJECT}/access"), seal).await.0, 204);
    let opened = key_as_member(&eve_browser, "eve_new", NEW_ACCOUNT_PASSWORD, DEV_PROJECT).await;
    assert_eq!(opened.public_key(), owner_key.public_key());
    app.stop().await;
}
both_backends!(existing_researchers, existing_researchers_and_pending_invites_are_added);

/// The invite's public key, from the invite key the link's token unwraps.
fn invited_public_key(details: &Value, token: &InviteToken) -> Value {
    let wrapped = WrappedPrivateKey::from_bytes(unb64(&details["wrapped_private_key"])).unwrap();
    b64(token.unwrap(&wrapped).unwrap().public_key().as_bytes()).into()
}

// 5. Restoring access.

async fn access_is_restored_after_a_password_reset(backend: Backend) {
    let app = seeded(backend).await;
    let other = second_unit(&app, 1).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let personnel = signed_in(&app, "unituser_1").await;
    let owner = signed_in(&app, "researchuser_1").await;
    let operator = signed_in(&app, "superadmin").await;
    let project_key = key_via_unit(&admin, "unitadmin_1", DEV_PASSWORD, DEV_PROJECT).await;
    let access = format!("/projects/{DEV_PROJECT}/access");
    for browser in [&admin, &personnel, &owner, &operator, &other] {
        assert_eq!(get(browser, "/projects/access/pending").await, (200, json!([])), "nobody waits");
    }

    // researchuser_2 resets the password: a new key pair, the old seal is gone.
    let visitor = app.browser();
    assert_eq!(request_reset(&visitor, "researchuser_2@example.com").await.status(), 200);
    let token = reset_token(&app, "researchuser_2@example.com");
    assert_eq!(complete(&visitor, &token, "researchuser_2").await.status(), 200);
    let user = dds_server::db::users::by_username(&app.state().db, "researchuser_2").await.unwrap().unwrap();
    let (seals,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM project_key_seals WHERE user_id = $1")
        .bind(user.id)
        .fetch_one(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(seals, 0);
    let (status, researcher) =
        log_in_as(&app, "researchuser_2", "researchuser_2@example.com", NEW_PASSWORD).await;
    assert_eq!(status, 200);
    let (_, keys) = get(&researcher, "/users/me/keys").await;
    let new_public = keys["public_key"].clone();
    assert_pending(&researcher, "researchuser_2", DEV_PROJECT).await;
    let (_, list) = get(&researcher, "/projects").await;
    assert_eq!(list[0]["access"], false);
    assert_eq!(
        members(&details(&admin, DEV_PROJECT).await),
        [member("researchuser_1", true, true), member("researchuser_2", false, false)]
    );

    // Staff with the unit key and the Project Owner are asked; the member, the Super Admin and
    // another unit's staff are not.
    for (browser, via) in [(&admin, "unit_key"), (&personnel, "unit_key"), (&owner, "member")] {
        let (status, pending) = get(browser, "/projects/access/pending").await;
        assert_eq!(status, 200);
        assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
        assert_eq!(pending[0]["public_id"], DEV_PROJECT);
        assert_eq!(pending[0]["key"]["via"], via);
        assert_eq!(
            pending[0]["waiting"],
            json!([{ "username": "researchuser_2", "public_key": new_public }])
        );
    }
    for browser in [&researcher, &operator, &other] {
        assert_eq!(get(browser, "/projects/access/pending").await, (200, json!([])));
    }

    // Refusals.
    let for_member = |username: &str| json!({ "username": username, "sealed": sealed_to(&project_key, &unb64(&new_public)) });
    let self_refusal = "You cannot restore your own access: someone with access must do it.";
    let not_fixer = "Only unit staff and Project Owners can restore project access.";
    let cases = [
        (&researcher, for_member("researchuser_1"), 403, not_fixer),
        (&researcher, for_member("researchuser_2"), 403, self_refusal),
        (&owner, for_member("researchuser_1"), 403, self_refusal),
        (&operator, for_member("researchuser_2"), 403, not_fixer),
        (&other, for_member("researchuser_2"), 404, NOT_FOUND),
        (
            &admin,
            for_member("researchuser_1"),
            403,
            "researchuser_1 already has access to the project someunit00001.",
        ),
        (&admin, for_member("unituser_1"), 400, "unituser_1 is not a member of the project someunit00001."),
        (&admin, for_member("nobody_here"), 400, "nobody_here is not a member of the project someunit00001."),
        (
            &admin,
            json!({ "sealed": for_member("x")["sealed"] }),
            400,
            "Name either a member ('username') or an invite ('invite_id').",
        ),
        (
            &admin,
            json!({ "username": "researchuser_2", "sealed": "AAAA" }),
            400,
            "'sealed' must be 80 bytes in base64.",
        ),
    ];
    for (browser, body, expected, sentence) in cases {
        let (status, answer) = post(browser, &access, body.clone()).await;
        assert_eq!((status, answer["error"].as_str()), (expected, Some(sentence)), "{body}");
    }
    // A fixer whose own access is pending cannot help, and is not asked to.
    lose_unit_key(&app, "unituser_2").await;
    let waiting_fixer = signed_in(&app, "unituser_2").await;
    assert_pending(&waiting_fixer, "unituser_2", DEV_PROJECT).await;
    assert_eq!(get(&waiting_fixer, "/projects/access/pending").await, (200, json!([])));
    let (status, answer) = post(&waiting_fixer, &access, for_member("researchuser_2")).await;
    assert_eq!((status, answer["error"].as_str()), (403, Some(OWN_ACCESS_PENDING)));
    assert_pending(&researcher, "researchuser_2", DEV_PROJECT).await;

    // unitadmin_1 restores; the new seal opens with researchuser_2's NEW key.
    let (unit_key, _) = open_unit_key(&admin, "unitadmin_1", DEV_PASSWORD).await;
    let (_, pending) = get(&admin, "/projects/access/pending").await;
    let fixer_key =
        open_private_key(&unit_key, &Sealed::from_bytes(unb64(&pending[0]["key"]["sealed"])).unwrap())
            .unwrap();
    let restore = json!({
        "username": "researchuser_2",
        "sealed": sealed_to(&fixer_key, &unb64(&pending[0]["waiting"][0]["public_key"])),
    });
    assert_eq!(post(&admin, &access, restore.clone()).await.0, 204);
    let opened = key_as_member(&researcher, "researchuser_2", NEW_PASSWORD, DEV_PROJECT).await;
    assert_eq!(opened.public_key(), project_key.public_key());
    let (status, answer) = post(&admin, &access, restore).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("researchuser_2 already has access to the project someunit00001."))
    );
    assert_eq!(
        members(&details(&owner, DEV_PROJECT).await),
        [member("researchuser_1", true, true), member("researchuser_2", false, true)]
    );
    for browser in [&admin, &owner, &researcher] {
        assert_eq!(get(browser, "/projects/access/pending").await, (200, json!([])));
    }
    let (action, sealer): (String, Option<i64>) = sqlx::query_as(
        "SELECT a.action, s.sealed_by FROM audit_events a, project_key_seals s \
         WHERE a.target = 'researchuser_2' AND a.action = 'project-access-restored' AND s.user_id = $1",
    )
    .bind(user.id)
    .fetch_one(app.state().db.pool())
    .await
    .unwrap();
    assert_eq!(action, "project-access-restored");
    let fixer = dds_server::db::users::by_username(&app.state().db, "unitadmin_1").await.unwrap().unwrap();
    assert_eq!(sealer, Some(fixer.id));

    // The Project Owner and Unit Personnel restore invites waiting for the key; a plain member
    // with access is not asked and may not.
    let mut invite_tokens = Vec::new();
    for email in ["frank@example.org", "gina@example.org"] {
        let (body, token, _) = invite(email, Some(DEV_PROJECT), false, None);
        assert_eq!(post(&admin, "/invites", body).await.0, 201);
        invite_tokens.push(token);
    }
    assert_eq!(get(&researcher, "/projects/access/pending").await, (200, json!([])));
    let owner_key = key_as_member(&owner, "researchuser_1", DEV_PASSWORD, DEV_PROJECT).await;
    let personnel_key = key_via_unit(&personnel, "unituser_1", DEV_PASSWORD, DEV_PROJECT).await;
    let (_, pending) = get(&owner, "/projects/access/pending").await;
    let waiting = pending[0]["waiting"].as_array().unwrap().clone();
    assert_eq!(waiting.len(), 2, "{pending}");
    let seal_for = |key: &PrivateKey, w: &Value| json!({ "invite_id": w["invite_id"], "sealed": sealed_to(key, &unb64(&w["public_key"])) });
    let (status, answer) = post(&researcher, &access, seal_for(&opened, &waiting[0])).await;
    assert_eq!((status, answer["error"].as_str()), (403, Some(not_fixer)));
    assert_eq!(post(&owner, &access, seal_for(&owner_key, &waiting[0])).await.0, 204);
    assert_eq!(post(&personnel, &access, seal_for(&personnel_key, &waiting[1])).await.0, 204);
    for (email, token) in ["frank@example.org", "gina@example.org"].iter().zip(&invite_tokens) {
        let invited = invite_details(&app, email).await;
        let key = open_from_invite(&invited, token, &invited["projects"][0]);
        assert_eq!(key.public_key(), project_key.public_key(), "{email}");
    }
    assert_eq!(get(&owner, "/projects/access/pending").await, (200, json!([])));
    app.stop().await;
}
both_backends!(restore, access_is_restored_after_a_password_reset);
