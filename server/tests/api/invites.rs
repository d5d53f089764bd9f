//! Invites and registration, as the inviter's and the invitee's browsers do them.

use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as BASE64URL};
use base64::Engine;
use dds_server::db::seed::{DEV_PASSWORD, DEV_PROJECT, DEV_UNIT_DISPLAY_NAME};
use serde_json::{json, Value};
use wasm_crypto::{KdfParams, MasterKey, PrivateKey, Salt};

use crate::auth::{auth_key_for, latest_code, seeded, signed_in};
use crate::both_backends;
use crate::helpers::{answer, Backend, TestApp};
use crate::password_reset::mails_to;

/// What an inviter sends: no key material (the server draws the link's token).
pub(crate) fn invite_body(email: &str, role: &str, unit_id: Option<i64>) -> Value {
    json!({ "email": email, "role": role, "unit_id": unit_id })
}

/// The invite link in the newest mail to `email`.
pub fn invite_link(app: &TestApp, email: &str) -> String {
    let mut mails: Vec<_> = std::fs::read_dir(app.outbox())
        .unwrap()
        .flatten()
        .map(|e| (e.metadata().unwrap().modified().unwrap(), std::fs::read_to_string(e.path()).unwrap()))
        .filter(|(_, text)| text.contains(&format!("To: {email}")) && text.contains("/invite/"))
        .collect();
    mails.sort_by_key(|(modified, _)| *modified);
    let text = &mails.last().expect("an invite mail").1;
    let at = text.find("/invite/").unwrap() + "/invite/".len();
    text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// The invitee's browser: key pair and credentials from the chosen password.
fn registration(username: &str, password: &str) -> Value {
    let salt = Salt::random();
    let master = MasterKey::derive(password.as_bytes(), &salt, KdfParams::DEFAULT).unwrap();
    let key = PrivateKey::generate();
    json!({
        "name": "New Person",
        "username": username,
        "salt": BASE64.encode(salt.0),
        "kdf": { "memory_kib": 65536, "iterations": 3, "parallelism": 1 },
        "auth_key": BASE64.encode(master.auth_key().as_bytes()),
        "public_key": BASE64.encode(key.public_key().as_bytes()),
        "wrapped_private_key": BASE64.encode(master.kek().wrap(&key, username).as_bytes()),
    })
}

async fn unit_admin_invites_a_researcher_who_registers_and_logs_in(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let created =
        admin.post("/api/v1/invites", invite_body("New.Person@Example.org", "Researcher", None)).await;
    assert_eq!(created.status(), 201, "{:?}", created.text().await);
    let listed: Value = admin.get("/api/v1/invites").await.json().await.unwrap();
    assert_eq!(listed[0]["email"], "new.person@example.org");

    let token = invite_link(&app, "new.person@example.org");
    let visitor = app.browser();
    let details: Value =
        visitor.get(&format!("/api/v1/invites/by-token/{token}")).await.json().await.unwrap();
    assert_eq!(details["role"], "Researcher");
    assert_eq!(details["email"], "new.person@example.org");

    let accepted = visitor
        .post(
            &format!("/api/v1/invites/by-token/{token}/accept"),
            registration("new_person", "a long passphrase"),
        )
        .await;
    assert_eq!(accepted.status(), 201, "{:?}", accepted.text().await);
    // The link is used up.
    let again = visitor.get(&format!("/api/v1/invites/by-token/{token}")).await;
    assert_eq!(again.status(), 404);

    // The new account logs in with its own password and an emailed code.
    let browser = app.browser();
    let auth_key = auth_key_for(&browser, "new_person", "a long passphrase").await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": "new_person", "auth_key": auth_key })).await;
    assert_eq!(response.status(), 200);
    let code = latest_code(&app, "new.person@example.org").unwrap();
    let me: Value =
        browser.post("/api/v1/auth/second-factor", json!({ "code": code })).await.json().await.unwrap();
    assert_eq!(me["role"], "Researcher");
    app.stop().await;
}
both_backends!(invite_journey, unit_admin_invites_a_researcher_who_registers_and_logs_in);

async fn who_may_invite_whom(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let other_unit = crate::helpers::add_second_unit(db).await;

    let cases: &[(&str, &str, Option<i64>, u16)] = &[
        ("unitadmin_1", "Unit Admin", None, 201),
        ("unitadmin_1", "Unit Personnel", Some(other_unit), 403),
        ("unituser_1", "Unit Personnel", None, 201),
        ("unituser_1", "Unit Admin", None, 403),
        ("unituser_1", "Super Admin", None, 403),
        ("researchuser_1", "Researcher", None, 403),
        ("superadmin", "Unit Admin", None, 403),
        ("superadmin", "Unit Admin", Some(other_unit), 201),
        ("superadmin", "Super Admin", None, 201),
    ];
    for (i, (inviter, role, unit, expected)) in cases.iter().enumerate() {
        let browser = signed_in(&app, inviter).await;
        let email = format!("person{i}@example.org");
        let response = browser.post("/api/v1/invites", invite_body(&email, role, *unit)).await;
        assert_eq!(response.status(), *expected, "{inviter} inviting a {role} into {unit:?}");
    }
    let admin = signed_in(&app, "unitadmin_2").await;
    let duplicate =
        admin.post("/api/v1/invites", invite_body("person0@example.org", "Researcher", None)).await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(
        duplicate.json::<Value>().await.unwrap()["error"],
        "An invitation has already been sent to this email address."
    );
    // DDS: an existing Researcher is added to a project, not invited again.
    let registered =
        admin.post("/api/v1/invites", invite_body("researchuser_1@example.com", "Researcher", None)).await;
    assert_eq!(
        registered.json::<Value>().await.unwrap()["error"],
        "This user was already added to the system. Specify the project you wish to give access to."
    );
    let registered =
        admin.post("/api/v1/invites", invite_body("unituser_1@example.com", "Unit Personnel", None)).await;
    assert_eq!(
        registered.json::<Value>().await.unwrap()["error"],
        "This email address already belongs to an account."
    );
    let bad_email = admin.post("/api/v1/invites", invite_body("not an address", "Researcher", None)).await;
    assert_eq!(bad_email.json::<Value>().await.unwrap()["error"], "Enter a valid email address.");

    // Listing is scoped: the other unit's invite is not shown to unit 1's admin.
    let listed: Value = admin.get("/api/v1/invites").await.json().await.unwrap();
    let emails: Vec<&str> = listed.as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap()).collect();
    assert!(emails.contains(&"person0@example.org"));
    assert!(!emails.contains(&"person7@example.org"), "{emails:?}");
    let researcher = signed_in(&app, "researchuser_2").await;
    assert_eq!(researcher.get("/api/v1/invites").await.status(), 403);
    app.stop().await;
}
both_backends!(invite_permissions, who_may_invite_whom);

#[tokio::test]
async fn expired_cancelled_and_invalid_registrations_are_refused() {
    let app = seeded(Backend::Sqlite).await;
    let db = &app.state().db;
    let admin = signed_in(&app, "unitadmin_1").await;
    for email in ["late@example.org", "cancel@example.org", "picky@example.org"] {
        assert_eq!(admin.post("/api/v1/invites", invite_body(email, "Researcher", None)).await.status(), 201);
    }
    let visitor = app.browser();

    sqlx::query("UPDATE invites SET expires_at = 0 WHERE email = 'late@example.org'")
        .execute(db.pool())
        .await
        .unwrap();
    let late = invite_link(&app, "late@example.org");
    let response = visitor.get(&format!("/api/v1/invites/by-token/{late}")).await;
    assert_eq!(response.status(), 410);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "This invitation has expired. Ask for a new one."
    );

    let listed: Value = admin.get("/api/v1/invites").await.json().await.unwrap();
    let id = listed.as_array().unwrap().iter().find(|i| i["email"] == "cancel@example.org").unwrap()["id"]
        .as_i64()
        .unwrap();
    let url = format!("{}/api/v1/invites/{id}", admin.base);
    assert_eq!(admin.client.delete(&url).header("origin", &admin.base).send().await.unwrap().status(), 204);
    let cancelled = invite_link(&app, "cancel@example.org");
    assert_eq!(visitor.get(&format!("/api/v1/invites/by-token/{cancelled}")).await.status(), 404);

    let picky = invite_link(&app, "picky@example.org");
    let accept = format!("/api/v1/invites/by-token/{picky}/accept");
    let bad_name = visitor.post(&accept, registration("no", "a long passphrase")).await;
    assert_eq!(
        bad_name.json::<Value>().await.unwrap()["error"],
        "The username must be 3 to 30 characters long."
    );
    let taken = visitor.post(&accept, registration("ResearchUser_1", "a long passphrase")).await;
    assert_eq!(
        taken.json::<Value>().await.unwrap()["error"],
        "The username is already taken. Choose another one."
    );
    let forged = BASE64URL.encode([9u8; 32]);
    assert_eq!(visitor.get(&format!("/api/v1/invites/by-token/{forged}")).await.status(), 404);
    // Still usable after the refusals.
    assert_eq!(visitor.post(&accept, registration("picky_person", "a long passphrase")).await.status(), 201);
    app.stop().await;
}

#[tokio::test]
async fn the_invite_mail_escapes_the_inviters_name() {
    let app = seeded(Backend::Sqlite).await;
    sqlx::query("UPDATE users SET name = '<script>alert(1)</script> & Co' WHERE username = 'unitadmin_1'")
        .execute(app.state().db.pool())
        .await
        .unwrap();
    let admin = signed_in(&app, "unitadmin_1").await;
    let created = admin.post("/api/v1/invites", invite_body("escaped@example.org", "Researcher", None)).await;
    assert_eq!(created.status(), 201);
    let mail = std::fs::read_dir(app.outbox())
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find(|text| text.contains("To: escaped@example.org"))
        .expect("the invite mail");
    let html = &mail[mail.find("text/html").expect("an HTML part")..];
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    app.stop().await;
}

async fn project_owner_invites_are_listed_for_the_unit(backend: Backend) {
    let app = seeded(backend).await;
    // researchuser_1 owns the seeded project: their invite to it has no unit of its own.
    let owner = signed_in(&app, "researchuser_1").await;
    let mut body = invite_body("friend@example.org", "Researcher", None);
    body["project"] = json!(dds_server::db::seed::DEV_PROJECT);
    let sent = owner.post("/api/v1/invites", body).await;
    assert_eq!(sent.status(), 201);
    let id = sent.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    for username in ["unitadmin_1", "unituser_1", "superadmin"] {
        let listed: Value =
            signed_in(&app, username).await.get("/api/v1/invites").await.json().await.unwrap();
        let emails: Vec<_> = listed.as_array().unwrap().iter().map(|i| i["email"].clone()).collect();
        assert!(emails.contains(&json!("friend@example.org")), "{username}: {listed}");
    }
    // The Project Owner lists the invites to their projects; other Researchers are refused.
    let listed: Value = owner.get("/api/v1/invites").await.json().await.unwrap();
    let emails: Vec<_> = listed.as_array().unwrap().iter().map(|i| i["email"].clone()).collect();
    assert_eq!(emails, vec![json!("friend@example.org")], "only invites to owned projects");
    let member = signed_in(&app, "researchuser_2").await.get("/api/v1/invites").await;
    assert_eq!(member.status(), 403);
    assert_eq!(
        member.json::<Value>().await.unwrap()["error"],
        "You need to have the role 'Project Owner' in at least one project to be able to list any invites."
    );
    // Staff invites are not theirs to see.
    let staff_invite = signed_in(&app, "unitadmin_1")
        .await
        .post("/api/v1/invites", invite_body("colleague@example.org", "Unit Personnel", None))
        .await;
    assert_eq!(staff_invite.status(), 201);
    let listed: Value = owner.get("/api/v1/invites").await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");

    // The unit's admins may cancel it; the Project Owner may not.
    let url = format!("{}/api/v1/invites/{id}", owner.base);
    let refused = owner.client.delete(&url).header("origin", &owner.base).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let admin = signed_in(&app, "unitadmin_1").await;
    let url = format!("{}/api/v1/invites/{id}", admin.base);
    let removed = admin.client.delete(&url).header("origin", &admin.base).send().await.unwrap();
    assert_eq!(removed.status(), 204);
    app.stop().await;
}
both_backends!(project_owner_invites_listed, project_owner_invites_are_listed_for_the_unit);

/// Security finding (issue 10, HIGH): the inviter chose the invitation token and sent it, so an
/// inviter (a Super Admin into any unit) could register in the invitee's place without their
/// mailbox, and invites carried keys. Now the server draws the token; whatever the inviter sends
/// is ignored, and the stored invite holds no key material.
async fn the_server_draws_the_token_and_invites_carry_no_keys(backend: Backend) {
    let app = seeded(backend).await;
    let operator = signed_in(&app, "superadmin").await;
    let chosen = BASE64URL.encode([5u8; 32]);
    let mut body = invite_body("victim@example.org", "Unit Admin", Some(1));
    body["token"] = BASE64.encode([5u8; 32]).into();
    body["public_key"] = BASE64.encode(PrivateKey::generate().public_key().as_bytes()).into();
    body["sealed_unit_key"] = BASE64.encode([1u8; 80]).into();
    let created = operator.post("/api/v1/invites", body).await;
    assert_eq!(created.status(), 201, "{:?}", created.text().await);
    // The inviter's token opens nothing; the mailed one is different.
    let visitor = app.browser();
    assert_eq!(visitor.get(&format!("/api/v1/invites/by-token/{chosen}")).await.status(), 404);
    let accept = visitor
        .post(
            &format!("/api/v1/invites/by-token/{chosen}/accept"),
            registration("intruder", "a long passphrase"),
        )
        .await;
    assert_eq!(accept.status(), 404);
    let mailed = invite_link(&app, "victim@example.org");
    assert_ne!(mailed, chosen);
    let details: Value =
        visitor.get(&format!("/api/v1/invites/by-token/{mailed}")).await.json().await.unwrap();
    assert_eq!(
        details,
        json!({ "email": "victim@example.org", "role": "Unit Admin", "unit": DEV_UNIT_DISPLAY_NAME,
                "expires_at": details["expires_at"], "unit_has_key": true, "projects": [] }),
        "no key material"
    );
    // The invite tables have no place for any.
    let columns: Vec<(String,)> = match backend {
        Backend::Sqlite => sqlx::query_as(
            "SELECT name FROM pragma_table_info('invites') UNION ALL SELECT name FROM pragma_table_info('invite_projects')",
        ),
        Backend::Postgres => sqlx::query_as(
            "SELECT column_name::TEXT FROM information_schema.columns WHERE table_name IN ('invites', 'invite_projects')",
        ),
    }
    .fetch_all(app.state().db.pool())
    .await
    .unwrap();
    let columns: Vec<String> = columns.into_iter().map(|(c,)| c).collect();
    for key_column in ["public_key", "wrapped_private_key", "sealed_unit_key", "sealed"] {
        assert!(!columns.contains(&key_column.to_string()), "{key_column} in {columns:?}");
    }
    app.stop().await;
}
both_backends!(server_drawn_tokens, the_server_draws_the_token_and_invites_carry_no_keys);

/// Two (here eight) concurrent invites to one address: one is sent, the others get 409 with the
/// duplicate sentence — never a 500 from the UNIQUE constraint that decided the race.
async fn concurrent_invites_to_one_address(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let tab = admin.same_session();
        requests.spawn(async move {
            let response =
                tab.post("/api/v1/invites", invite_body("race@example.org", "Researcher", None)).await;
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        });
    }
    let mut statuses = Vec::new();
    while let Some(done) = requests.join_next().await {
        let (status, body) = done.unwrap();
        if status != 201 {
            assert_eq!(
                body["error"], "An invitation has already been sent to this email address.",
                "{status}"
            );
        }
        statuses.push(status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    let (invites,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM invites WHERE email = 'race@example.org'")
        .fetch_one(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(invites, 1);
    app.stop().await;
}
both_backends!(concurrent_invites, concurrent_invites_to_one_address);

/// Re-sending an invite (the unit dashboard's action): a new link valid a week from now is
/// mailed, the old link stops working, the projects it leads to stay; Unit Admins of the unit and
/// Super Admins may, Unit Personnel and Researchers are refused, and an invite used to register
/// cannot be re-sent.
async fn an_invite_is_re_sent_with_a_new_link(backend: Backend) {
    let app = seeded(backend).await;
    let owner = signed_in(&app, "researchuser_1").await;
    let mut body = invite_body("again@example.org", "Researcher", None);
    body["project"] = json!(dds_server::db::seed::DEV_PROJECT);
    let sent = owner.post("/api/v1/invites", body).await;
    assert_eq!(sent.status(), 201);
    let id = sent.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let first = invite_link(&app, "again@example.org");
    let resend = format!("/api/v1/invites/{id}/resend");

    for (username, status) in [("unituser_1", 403), ("researchuser_1", 403), ("researchuser_2", 403)] {
        let refused = signed_in(&app, username).await.post(&resend, json!({})).await;
        assert_eq!(refused.status(), status, "{username}");
    }
    assert_eq!(invite_link(&app, "again@example.org"), first, "nothing was mailed");

    let admin = signed_in(&app, "unitadmin_1").await;
    sqlx::query("UPDATE invites SET expires_at = 1 WHERE id = $1")
        .bind(id)
        .execute(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(admin.post(&resend, json!({})).await.status(), 204, "an expired invite too");
    let second = invite_link(&app, "again@example.org");
    assert_ne!(second, first);
    let visitor = app.browser();
    assert_eq!(visitor.get(&format!("/api/v1/invites/by-token/{first}")).await.status(), 404);
    let details: Value =
        visitor.get(&format!("/api/v1/invites/by-token/{second}")).await.json().await.unwrap();
    assert_eq!(details["projects"][0]["public_id"], dds_server::db::seed::DEV_PROJECT, "{details}");
    assert!(details["expires_at"].as_i64().unwrap() > now_secs() + 6 * 86_400, "a week from now");
    let listed: Value = admin.get("/api/v1/invites").await.json().await.unwrap();
    let row = listed.as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    assert_eq!(row["projects"], json!([dds_server::db::seed::DEV_PROJECT]));

    assert_eq!(signed_in(&app, "superadmin").await.post(&resend, json!({})).await.status(), 204);
    let third = invite_link(&app, "again@example.org");
    assert_eq!(
        visitor
            .post(
                &format!("/api/v1/invites/by-token/{third}/accept"),
                registration("again_person", "a long passphrase")
            )
            .await
            .status(),
        201
    );
    let used = admin.post(&resend, json!({})).await;
    assert!(matches!(used.status().as_u16(), 400 | 404), "{}", used.status());
    assert_ne!(visitor.get(&format!("/api/v1/invites/by-token/{third}")).await.status(), 200, "used once");
    app.stop().await;
}
both_backends!(invite_re_sent, an_invite_is_re_sent_with_a_new_link);

/// A re-sent invite that leads to several projects names each of them, with the role in each,
/// in its mail (it named only the first).
async fn a_re_sent_invite_names_every_project(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let (second, _) = crate::projects::create_project(&admin, "unitadmin_1", DEV_PASSWORD, true).await;
    let mut ids = Vec::new();
    for project in [DEV_PROJECT, second.as_str()] {
        let mut body = invite_body("two@example.org", "Researcher", None);
        body["project"] = json!(project);
        let (status, sent) = answer(admin.post("/api/v1/invites", body).await).await;
        assert!(matches!(status, 200 | 201), "{project}: {status} {sent}");
        ids.push(sent["id"].as_i64().or(sent["added_to_invite"].as_i64()));
    }
    let id = ids[0].expect("the first invite's id");
    assert_eq!(ids[1], Some(id), "the second project joins the same invite");
    assert_eq!(admin.post(&format!("/api/v1/invites/{id}/resend"), json!({})).await.status(), 204);
    let mail = mails_to(&app, "two@example.org", "/invite/").pop().expect("the re-sent mail");
    let text = mail.replace("=\r\n", "").replace("=\n", "").replace("\r\n", " ").replace('\n', " ");
    for project in [DEV_PROJECT, second.as_str()] {
        assert!(text.contains(&format!("Researcher of the project {project}")), "{project} in: {text}");
    }
    app.stop().await;
}
both_backends!(re_sent_invite_names_projects, a_re_sent_invite_names_every_project);

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Pending invites a page at a time, newest first: the pages follow each other without a gap or
/// an overlap, a Unit Admin's pages hold only what their unit may see, and a cursor that is not
/// one is refused with a sentence.
async fn invites_are_listed_a_page_at_a_time(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let (unit,): (i64,) = sqlx::query_as("SELECT unit_id FROM users WHERE username = 'unitadmin_1'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let token = match backend {
        Backend::Sqlite => "CAST('page-invite-' || i AS BLOB)",
        Backend::Postgres => "convert_to('page-invite-' || i, 'UTF8')",
    };
    // 150 to the unit's staff; 100 researchers invited by the Super Admin (no unit's business).
    // Every second pair shares its second, so the cursor must order by id too.
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250) \
         INSERT INTO invites (email, role, unit_id, invited_by, token_hash, created_at, expires_at) \
         SELECT 'paged' || i || '@example.org', CASE WHEN i <= 150 THEN 'Unit Personnel' ELSE 'Researcher' END, \
         CASE WHEN i <= 150 THEN {unit} END, (SELECT id FROM users WHERE username = 'superadmin'), {token}, \
         1000000 + i / 2, 2000000000 FROM n"
    ))
    .execute(db.pool())
    .await
    .unwrap();
    let pages = |browser: crate::helpers::Browser| async move {
        let mut seen: Vec<(i64, i64, String)> = Vec::new();
        let mut sizes = Vec::new();
        loop {
            let before = seen.last().map(|(at, id, _)| format!("?before={at}.{id}")).unwrap_or_default();
            let (status, page) = answer(browser.get(&format!("/api/v1/invites{before}")).await).await;
            assert_eq!(status, 200, "{page}");
            let rows: Vec<(i64, i64, String)> = page
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        i["created_at"].as_i64().unwrap(),
                        i["id"].as_i64().unwrap(),
                        i["email"].as_str().unwrap().into(),
                    )
                })
                .collect();
            sizes.push(rows.len());
            seen.extend(rows);
            if *sizes.last().unwrap() < 100 {
                return (seen, sizes);
            }
        }
    };
    let (unit_seen, sizes) = pages(signed_in(&app, "unitadmin_1").await).await;
    assert_eq!(sizes, [100, 50], "the unit's 150, a hundred a page");
    assert!(unit_seen.iter().all(|(_, _, email)| {
        let n: i64 = email.trim_start_matches("paged").trim_end_matches("@example.org").parse().unwrap();
        n <= 150
    }));
    let (all, sizes) = pages(signed_in(&app, "superadmin").await).await;
    assert_eq!(sizes, [100, 100, 50]);
    let mut ordered = all.clone();
    ordered.sort_by_key(|row| std::cmp::Reverse((row.0, row.1)));
    ordered.dedup();
    assert_eq!(all, ordered, "newest first, none twice");

    let admin = signed_in(&app, "unitadmin_1").await;
    let (status, refused) = answer(admin.get("/api/v1/invites?before=yesterday").await).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("'yesterday' is not a place in the invites list."))
    );
    app.stop().await;
}
both_backends!(invites_listed_by_page, invites_are_listed_a_page_at_a_time);
