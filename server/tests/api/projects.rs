//! Projects (DESIGN §3; DDS §1.2, §5, §6.6) as the browsers use them: project keys made, sealed
//! and opened with the real wasm-crypto. Wherever a test says someone has access, it proves it by
//! opening the seal with their private key and comparing with the project's public key.

use dds_server::db::seed::{DEV_PASSWORD, DEV_PROJECT, DEV_UNIT_DISPLAY_NAME};
use serde_json::{json, Value};
use wasm_crypto::{open_private_key, KdfParams, MasterKey, PrivateKey, PublicKey, Salt, Sealed};

use crate::auth::{seeded, signed_in};
use crate::both_backends;
use crate::helpers::{add_second_unit, answer, Backend, Browser, TestApp};
use crate::invites::invite_link;
use crate::password_reset::{complete, log_in_as, mails_to, request_reset, reset_token, NEW_PASSWORD};
use crate::unit_keys::{
    approval_for, b64, my_private_key, my_public_key, open_unit_key, register, sealed_to, sign_in_new,
    staff_invite, unb64, waiting_mails,
};

/// The password `unit_keys::register` and `sign_in_new` use for new accounts.
const NEW_ACCOUNT_PASSWORD: &str = "a long passphrase";
const NOT_FOUND: &str = "There is no such project, or you do not have access to it.";
const NOT_ENOUGH: &str = "Your unit does not have enough Unit Admins. At least two Unit Admins are required for a project to be created.";
const ONLY_TWO: &str = "Your unit has only two Unit Admins. If both lose access to their keys (for example by resetting their passwords), the data of this project cannot be recovered. Invite a third Unit Admin, or confirm to create the project anyway.";
const OWN_ACCESS_PENDING: &str =
    "Your browser cannot open the project key: your own access is waiting for approval by someone who holds it.";

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
pub(crate) async fn create_project(
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

/// A Researcher invite (to a project when given): no key material.
fn invite(email: &str, project: Option<&str>, owner: bool) -> Value {
    let mut body = crate::invites::invite_body(email, "Researcher", None);
    body["project"] = project.into();
    body["owner"] = owner.into();
    body
}

/// What the registration page reads for the invite mailed to `email`.
async fn invite_details(app: &TestApp, email: &str) -> Value {
    let link = invite_link(app, email);
    let (status, details) = get(&app.browser(), &format!("/invites/by-token/{link}")).await;
    assert_eq!(status, 200, "{details}");
    details
}

/// The invitee's browser registers: a new key pair, nothing else. The invite's details.
async fn register_researcher(app: &TestApp, email: &str, username: &str) -> Value {
    let details = invite_details(app, email).await;
    assert_eq!(details["role"], "Researcher");
    let salt = Salt::random();
    let master = MasterKey::derive(NEW_ACCOUNT_PASSWORD.as_bytes(), &salt, KdfParams::DEFAULT).unwrap();
    let key = PrivateKey::generate();
    let body = json!({
        "name": "New Researcher", "username": username,
        "salt": b64(&salt.0),
        "kdf": { "memory_kib": 65536, "iterations": 3, "parallelism": 1 },
        "auth_key": b64(master.auth_key().as_bytes()),
        "public_key": b64(key.public_key().as_bytes()),
        "wrapped_private_key": b64(master.kek().wrap(&key, username).as_bytes()),
    });
    let link = invite_link(app, email);
    let (status, accepted) = post(&app.browser(), &format!("/invites/by-token/{link}/accept"), body).await;
    assert_eq!(status, 201, "{username}: {accepted}");
    details
}

/// Who waits for the project key, as the caller's project page lists them (`None`: not shown).
async fn waiting(browser: &Browser, public_id: &str) -> Option<Vec<Value>> {
    details(browser, public_id).await["waiting"].as_array().cloned()
}

/// The approver's browser approves `username` with `key` (the project key it opened), after
/// checking the fingerprint it shows is the member's own.
async fn approve(
    browser: &Browser,
    public_id: &str,
    key: &PrivateKey,
    username: &str,
    theirs: &PublicKey,
) -> (u16, Value) {
    let list = waiting(browser, public_id).await.expect("the waiting list is shown");
    let entry = list
        .iter()
        .find(|w| w["username"] == username)
        .unwrap_or_else(|| panic!("{username} waits: {list:?}"));
    let (shown, body) = approval_for(key, entry);
    assert_eq!(shown, theirs.fingerprint(), "the fingerprint shown is {username}'s own");
    post(browser, &format!("/projects/{public_id}/approvals"), body).await
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
        let (status, created) =
            post(&operator, "/invites", staff_invite(&email, "Unit Admin", Some(unit_id))).await;
        assert_eq!(status, 201, "{created}");
        register(app, &email, &format!("admin2_{i}")).await;
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
    // Each has its bucket from the start, named on its row.
    for public_id in [&first, &second] {
        let store = &app.state().storage;
        let bucket = store.bucket_for(public_id).unwrap();
        assert!(store.bucket_exists(&bucket).await.unwrap(), "{public_id}'s bucket");
        let (named,): (Option<String>,) = sqlx::query_as("SELECT bucket FROM projects WHERE public_id = $1")
            .bind(public_id)
            .fetch_one(app.state().db.pool())
            .await
            .unwrap();
        assert_eq!(named.as_deref(), Some(bucket.as_str()));
    }
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
    assert_eq!(page["unit"], DEV_UNIT_DISPLAY_NAME);
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

    // Allowed: a Unit Admin, a Unit Personnel (a Project Owner invite), the Project Owner.
    let ann = invite("ann@example.org", Some(DEV_PROJECT), false);
    let bob = invite("bob@example.org", Some(DEV_PROJECT), true);
    let carl = invite("carl@example.org", Some(DEV_PROJECT), false);
    for (browser, body) in [(&admin, ann), (&personnel, bob), (&owner, carl)] {
        let (status, created) = post(browser, "/invites", body).await;
        assert_eq!(status, 201, "{created}");
        assert!(created["id"].is_i64());
    }
    // The mails name the project and the capacity.
    let ann_mail = mails_to(&app, "ann@example.org", "/invite/").pop().unwrap().replace("=\r\n", "");
    assert!(ann_mail.contains(&format!("on behalf of {DEV_UNIT_DISPLAY_NAME}")), "{ann_mail}");
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
        let (status, answer) =
            post(browser, "/invites", invite("refused@example.org", Some(DEV_PROJECT), false)).await;
        assert_eq!((status, answer["error"].as_str()), (403, Some(sentence)), "{answer}");
    }
    // Only Researchers go to a project; a Project Owner needs a project.
    let mut staff = invite("refused@example.org", Some(DEV_PROJECT), false);
    staff["role"] = "Unit Personnel".into();
    let (status, answer) = post(&admin, "/invites", staff).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"],
        "Only Researchers are invited to individual projects: unit staff reach every project of their unit."
    );
    let (status, answer) = post(&admin, "/invites", invite("refused@example.org", None, true)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("Project ID required to invite a 'Project Owner'."))
    );
    assert!(mails_to(&app, "refused@example.org", "").is_empty(), "nothing was mailed");

    // The project page lists the invites for staff and the Project Owner.
    let page = details(&owner, DEV_PROJECT).await;
    let invited: Vec<(String, bool)> = page["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["email"].as_str().unwrap().to_string(), i["is_owner"] == true))
        .collect();
    let expected =
        [("ann", false), ("bob", true), ("carl", false)].map(|(n, o)| (format!("{n}@example.org"), o));
    assert_eq!(invited, expected);

    // Registration: the invite names its projects and carries no key.
    let details_ann = register_researcher(&app, "ann@example.org", "ann_new").await;
    assert_eq!(
        details_ann["projects"],
        json!([{ "public_id": DEV_PROJECT, "title": "Seeded project", "is_owner": false }])
    );
    let details_bob = register_researcher(&app, "bob@example.org", "bob_new").await;
    assert_eq!(details_bob["projects"][0]["is_owner"], true);
    register_researcher(&app, "carl@example.org", "carl_new").await;

    // Everyone waits; the key holders were told (staff of the unit, the Project Owner).
    let mut newcomers = Vec::new();
    for username in ["ann_new", "bob_new", "carl_new"] {
        let browser =
            sign_in_new(&app, username, &format!("{}@example.org", &username[..username.len() - 4])).await;
        assert_pending(&browser, username, DEV_PROJECT).await;
        let theirs = my_public_key(&browser).await;
        newcomers.push((username, browser, theirs));
    }
    for holder in ["unitadmin_1@example.com", "unituser_1@example.com", "researchuser_1@example.com"] {
        assert_eq!(waiting_mails(&app, holder).len(), 3, "{holder}");
    }
    assert!(waiting_mails(&app, "researchuser_2@example.com").is_empty(), "a plain member is not asked");
    // Who sees the waiting list: staff and the Project Owner; not a plain member or a Super Admin.
    for browser in [&admin, &personnel, &owner] {
        let list = waiting(browser, DEV_PROJECT).await.unwrap();
        let names: Vec<_> = list.iter().map(|w| w["username"].clone()).collect();
        assert_eq!(names, [json!("ann_new"), json!("bob_new"), json!("carl_new")]);
        assert_eq!(
            list[0]["invited_by"].as_str().map(|s| s.ends_with("(unitadmin_1)")),
            Some(true),
            "{list:?}"
        );
        assert_eq!(list[2]["invited_by"].as_str().map(|s| s.ends_with("(researchuser_1)")), Some(true));
    }
    assert_eq!(waiting(&researcher, DEV_PROJECT).await, None);
    assert_eq!(waiting(&operator, DEV_PROJECT).await, None);

    // Each approver approves one, with the project key their browser opened.
    let (ann, bob, carl) = (&newcomers[0], &newcomers[1], &newcomers[2]);
    assert_eq!(approve(&admin, DEV_PROJECT, &admin_key, "ann_new", &ann.2).await.0, 204);
    assert_eq!(approve(&personnel, DEV_PROJECT, &personnel_key, "bob_new", &bob.2).await.0, 204);
    assert_eq!(approve(&owner, DEV_PROJECT, &owner_key, "carl_new", &carl.2).await.0, 204);
    for ((username, browser, _), capacity) in
        newcomers.iter().zip(["Researcher", "Project Owner", "Researcher"])
    {
        let opened = key_as_member(browser, username, NEW_ACCOUNT_PASSWORD, DEV_PROJECT).await;
        assert_eq!(opened.public_key(), admin_key.public_key(), "{username}");
        let (_, list) = get(browser, "/projects").await;
        assert_eq!(list[0]["capacity"], capacity, "{username}");
        assert_eq!(list[0]["access"], true, "{username}");
    }
    let page = details(&admin, DEV_PROJECT).await;
    assert_eq!(
        members(&page),
        [
            member("ann_new", false, true),
            member("bob_new", true, true),
            member("carl_new", false, true),
            member("researchuser_1", true, true),
            member("researchuser_2", false, true),
        ]
    );
    assert_eq!(page["invites"], json!([]), "the invites were used");
    assert_eq!(page["waiting"], json!([]));
    app.stop().await;
}
both_backends!(invites, staff_and_project_owners_invite_researchers_to_a_project);

// 4. Existing researchers and pending invites.

async fn existing_researchers_and_pending_invites_are_added(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let (project, project_key) = create_project(&admin, "unitadmin_1", DEV_PASSWORD, false).await;

    // An existing Researcher is added, waiting for approval; the key holders are told.
    let add = |owner: bool| invite("researchuser_2@example.com", Some(project.as_str()), owner);
    let (status, answer) = post(&admin, "/invites", add(false)).await;
    assert_eq!((status, answer), (200, json!({ "added": "researchuser_2" })));
    assert!(mails_to(&app, "researchuser_2@example.com", "/invite/").is_empty(), "no invite mailed");
    assert_eq!(waiting_mails(&app, "unitadmin_2@example.com").len(), 1);
    assert_eq!(members(&details(&admin, &project).await), [member("researchuser_2", false, false)]);
    let researcher = signed_in(&app, "researchuser_2").await;
    let (_, list) = get(&researcher, "/projects").await;
    assert_eq!(ids(&list), [DEV_PROJECT, project.as_str()]);
    assert_pending(&researcher, "researchuser_2", &project).await;
    let list = waiting(&admin, &project).await.unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["username"], "researchuser_2");

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
        let (status, answer) = post(&admin, "/invites", invite(email, Some(project.as_str()), false)).await;
        assert_eq!(status, 403, "{email}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains("cannot be added to individual projects"),
            "{answer}"
        );
    }
    assert_eq!(members(&details(&admin, &project).await).len(), 1);

    // A pending Researcher invite now also leads to the project.
    let (status, created) = post(&admin, "/invites", invite("eve@example.org", None, false)).await;
    assert_eq!(status, 201);
    let eve = created["id"].as_i64().unwrap();
    let (status, answer) =
        post(&admin, "/invites", invite("eve@example.org", Some(project.as_str()), false)).await;
    assert_eq!((status, answer), (200, json!({ "added_to_invite": eve })));
    let invited = invite_details(&app, "eve@example.org").await;
    assert_eq!(
        invited["projects"],
        json!([{ "public_id": project, "title": "A project", "is_owner": false }])
    );
    let (status, answer) =
        post(&admin, "/invites", invite("eve@example.org", Some(project.as_str()), false)).await;
    assert_eq!(status, 403);
    assert_eq!(
        answer["error"],
        "The invitation already gives access to the project someunit00002 in this capacity (Researcher)."
    );
    // A pending invite of unit staff is not turned into a project invite.
    assert_eq!(
        post(&admin, "/invites", staff_invite("staff@example.org", "Unit Personnel", None)).await.0,
        201
    );
    let (status, answer) =
        post(&admin, "/invites", invite("staff@example.org", Some(project.as_str()), false)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (409, Some("An invitation has already been sent to this email address."))
    );

    // Eve registers, waits, and is approved.
    register_researcher(&app, "eve@example.org", "eve_new").await;
    let eve_browser = sign_in_new(&app, "eve_new", "eve@example.org").await;
    assert_pending(&eve_browser, "eve_new", &project).await;
    let eve_key = my_public_key(&eve_browser).await;
    let opened_by_admin = key_via_unit(&admin, "unitadmin_1", DEV_PASSWORD, &project).await;
    assert_eq!(approve(&admin, &project, &opened_by_admin, "eve_new", &eve_key).await.0, 204);
    let opened = key_as_member(&eve_browser, "eve_new", NEW_ACCOUNT_PASSWORD, &project).await;
    assert_eq!(opened.public_key(), project_key.public_key());
    assert_eq!(
        members(&details(&admin, &project).await),
        [member("eve_new", false, true), member("researchuser_2", true, false)]
    );

    // A Project Owner adds an existing Researcher to their project and approves them; a plain
    // member may not add anyone.
    let member_of_seeded = signed_in(&app, "researchuser_2").await;
    let add_eve = || invite("eve@example.org", Some(DEV_PROJECT), false);
    let (status, answer) = post(&member_of_seeded, "/invites", add_eve()).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("Only unit staff and Project Owners can add users to a project."))
    );
    let owner = signed_in(&app, "researchuser_1").await;
    let owner_key = key_as_member(&owner, "researchuser_1", DEV_PASSWORD, DEV_PROJECT).await;
    let (status, answer) = post(&owner, "/invites", add_eve()).await;
    assert_eq!((status, answer), (200, json!({ "added": "eve_new" })));
    assert_pending(&eve_browser, "eve_new", DEV_PROJECT).await;
    assert_eq!(approve(&owner, DEV_PROJECT, &owner_key, "eve_new", &eve_key).await.0, 204);
    let opened = key_as_member(&eve_browser, "eve_new", NEW_ACCOUNT_PASSWORD, DEV_PROJECT).await;
    assert_eq!(opened.public_key(), owner_key.public_key());
    app.stop().await;
}
both_backends!(existing_researchers, existing_researchers_and_pending_invites_are_added);

// 5. Access after a password reset comes back only through an approval.

async fn access_after_a_password_reset_comes_back_only_through_an_approval(backend: Backend) {
    let app = seeded(backend).await;
    let other = second_unit(&app, 1).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let personnel = signed_in(&app, "unituser_1").await;
    let owner = signed_in(&app, "researchuser_1").await;
    let operator = signed_in(&app, "superadmin").await;
    let project_key = key_via_unit(&admin, "unitadmin_1", DEV_PASSWORD, DEV_PROJECT).await;
    let approvals = format!("/projects/{DEV_PROJECT}/approvals");
    for browser in [&admin, &personnel, &owner] {
        assert_eq!(waiting(browser, DEV_PROJECT).await, Some(vec![]), "nobody waits");
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
    let new_public = my_public_key(&researcher).await;
    assert_pending(&researcher, "researchuser_2", DEV_PROJECT).await;
    let (_, list) = get(&researcher, "/projects").await;
    assert_eq!(list[0]["access"], false);
    assert_eq!(
        members(&details(&admin, DEV_PROJECT).await),
        [member("researchuser_1", true, true), member("researchuser_2", false, false)]
    );
    // The key holders are told; nothing is sealed however many pages they open.
    for holder in ["unitadmin_1@example.com", "unituser_1@example.com", "researchuser_1@example.com"] {
        let mails = waiting_mails(&app, holder);
        assert_eq!(mails.len(), 1, "{holder}");
        assert!(mails[0].contains(&format!("/projects/{DEV_PROJECT}")), "{}", mails[0]);
    }

    // Staff with the unit key and the Project Owner see the reset; the member and the Super Admin
    // see no list; another unit's staff do not see the project.
    for browser in [&admin, &personnel, &owner] {
        let list = waiting(browser, DEV_PROJECT).await.unwrap();
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["username"], "researchuser_2");
        assert_eq!(list[0]["origin"], "password-reset");
        assert_eq!(list[0]["public_key"], b64(new_public.as_bytes()));
    }
    assert_eq!(waiting(&researcher, DEV_PROJECT).await, None);
    assert_eq!(waiting(&operator, DEV_PROJECT).await, None);
    assert_pending(&researcher, "researchuser_2", DEV_PROJECT).await;

    // Refusals.
    let for_member = |username: &str| {
        json!({
            "username": username,
            "public_key": b64(new_public.as_bytes()),
            "sealed": sealed_to(&project_key, new_public.as_bytes()),
        })
    };
    let self_refusal = "You cannot approve your own access: someone who holds the key must do it.";
    let not_approver = "Only unit staff and Project Owners can approve project access.";
    let mut other_key = for_member("researchuser_2");
    other_key["public_key"] = b64(PrivateKey::generate().public_key().as_bytes()).into();
    let cases = [
        (&researcher, for_member("researchuser_1"), 403, not_approver),
        (&researcher, for_member("researchuser_2"), 403, self_refusal),
        (&owner, for_member("researchuser_1"), 403, self_refusal),
        (&operator, for_member("researchuser_2"), 403, not_approver),
        (&other, for_member("researchuser_2"), 404, NOT_FOUND),
        (
            &admin,
            other_key,
            409,
            "researchuser_2's key changed since the page was loaded: compare the new fingerprint and approve again.",
        ),
        (&admin, for_member("unituser_1"), 400, "unituser_1 is not a member of the project someunit00001."),
        (&admin, for_member("nobody_here"), 400, "nobody_here is not a member of the project someunit00001."),
        (&admin, for_member("RESEARCHUSER_2"), 400, "RESEARCHUSER_2 is not a member of the project someunit00001."),
        (
            &admin,
            json!({ "username": "researchuser_2", "public_key": b64(new_public.as_bytes()), "sealed": "AAAA" }),
            400,
            "'sealed' must be 80 bytes in base64.",
        ),
    ];
    for (browser, body, expected, sentence) in cases {
        let (status, answer) = post(browser, &approvals, body.clone()).await;
        assert_eq!((status, answer["error"].as_str()), (expected, Some(sentence)), "{body}");
    }
    // An approver whose own access is waiting cannot approve.
    lose_unit_key(&app, "unituser_2").await;
    let waiting_approver = signed_in(&app, "unituser_2").await;
    assert_pending(&waiting_approver, "unituser_2", DEV_PROJECT).await;
    let (status, answer) = post(&waiting_approver, &approvals, for_member("researchuser_2")).await;
    assert_eq!((status, answer["error"].as_str()), (403, Some(OWN_ACCESS_PENDING)));
    assert_pending(&researcher, "researchuser_2", DEV_PROJECT).await;

    // unitadmin_1 approves; the new seal opens with researchuser_2's NEW key.
    assert_eq!(approve(&admin, DEV_PROJECT, &project_key, "researchuser_2", &new_public).await.0, 204);
    let opened = key_as_member(&researcher, "researchuser_2", NEW_PASSWORD, DEV_PROJECT).await;
    assert_eq!(opened.public_key(), project_key.public_key());
    let (status, answer) = post(&admin, &approvals, for_member("researchuser_2")).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("researchuser_2 already has access to the project someunit00001."))
    );
    assert_eq!(
        members(&details(&owner, DEV_PROJECT).await),
        [member("researchuser_1", true, true), member("researchuser_2", false, true)]
    );
    for browser in [&admin, &owner] {
        assert_eq!(waiting(browser, DEV_PROJECT).await, Some(vec![]));
    }
    let (action, sealer): (String, Option<i64>) = sqlx::query_as(
        "SELECT a.action, s.sealed_by FROM audit_events a, project_key_seals s \
         WHERE a.target = 'researchuser_2' AND a.action = 'project-access-approved' AND s.user_id = $1",
    )
    .bind(user.id)
    .fetch_one(app.state().db.pool())
    .await
    .unwrap();
    assert_eq!(action, "project-access-approved");
    let approver = dds_server::db::users::by_username(&app.state().db, "unitadmin_1").await.unwrap().unwrap();
    assert_eq!(sealer, Some(approver.id.0));
    app.stop().await;
}
both_backends!(after_reset, access_after_a_password_reset_comes_back_only_through_an_approval);
