//! Emailed links acting on one's own account (self-deletion, back to emailed codes) and the
//! message of the day by mail: who may, who may not, wrong owner, expiry, single use.

use serde_json::{json, Value};

use crate::auth::{auth_key_for, login, seeded, signed_in};
use crate::both_backends;
use crate::helpers::{Backend, Browser, TestApp};
use crate::totp::{code_at, enable_totp};

/// Every mail in the outbox to `email` whose headers or body contain `marker`: headers unfolded,
/// quoted-printable soft line breaks (long lines) undone.
fn mails(app: &TestApp, email: &str, marker: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(app.outbox()) else {
        return Vec::new();
    };
    let mut found: Vec<_> = dir
        .filter_map(|e| e.ok())
        .map(|e| (e.metadata().unwrap().modified().unwrap(), std::fs::read_to_string(e.path()).unwrap()))
        .map(|(at, text)| (at, text.replace("\r\n ", " ").replace("=\r\n", "").replace("=3D", "=")))
        .filter(|(_, text)| text.contains(&format!("To: {email}")) && text.contains(marker))
        .collect();
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, text)| text).collect()
}

/// The tokens of the links `…/{path}/{token}` mailed to `email`, oldest first (mails written
/// within the file system's timestamp granularity may come in either order).
fn link_tokens(app: &TestApp, email: &str, path: &str) -> Vec<String> {
    let marker = format!("/{path}/");
    mails(app, email, &marker)
        .iter()
        .map(|mail| {
            let at = mail.find(&marker).unwrap() + marker.len();
            mail[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
        })
        .collect()
}

/// The token of the newest link `…/{path}/{token}` mailed to `email`.
fn link_token(app: &TestApp, email: &str, path: &str) -> String {
    link_tokens(app, email, path).pop().unwrap_or_else(|| panic!("no {path} mail to {email}"))
}

/// The token of the link mailed after `previous` (a second request's link).
fn link_token_after(app: &TestApp, email: &str, path: &str, previous: &str) -> String {
    let others: Vec<String> = link_tokens(app, email, path).into_iter().filter(|t| t != previous).collect();
    assert_eq!(others.len(), 1, "one new {path} link to {email}");
    others.into_iter().next().unwrap()
}

async fn request_deletion(browser: &Browser) -> (u16, String) {
    sentence(browser.post("/api/v1/users/me/deletion", json!({})).await).await
}

async fn confirm_deletion(browser: &Browser, token: &str) -> (u16, String) {
    sentence(browser.post("/api/v1/users/me/deletion/confirm", json!({ "token": token })).await).await
}

/// Status and the sentence of the answer (`message` on success, `error` otherwise).
async fn sentence(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let text = body.get("message").or_else(|| body.get("error")).and_then(Value::as_str).unwrap_or_default();
    (status, text.to_string())
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(app.state().db.pool()).await.unwrap();
    n
}

async fn self_deletion_follows_the_role_rules(backend: Backend) {
    let app = seeded(backend).await;
    let super_admin = signed_in(&app, "superadmin").await;
    assert_eq!(
        request_deletion(&super_admin).await,
        (403, "Super Admins cannot delete their own account.".into())
    );
    let unit_admin = signed_in(&app, "unitadmin_1").await;
    let (status, message) = request_deletion(&unit_admin).await;
    assert_eq!(status, 403, "three Unit Admins are not enough: {message}");
    assert!(message.starts_with("Your unit only has 3 Unit Admins;"), "{message}");
    assert!(message.contains("more than three Unit Admins"), "{message}");

    for username in ["unituser_1", "researchuser_1"] {
        let browser = signed_in(&app, username).await;
        let email = format!("{username}@example.com");
        let (status, message) = request_deletion(&browser).await;
        assert_eq!(status, 200, "{username}: {message}");
        assert!(message.contains(&email), "{message}");
        let subject =
            format!("Subject: Confirm deletion of your user account {username} in the Data Delivery System");
        let sent = mails(&app, &email, "/confirm-deletion/");
        assert_eq!(sent.len(), 1, "{username}");
        assert!(sent[0].contains(&subject), "{}", sent[0]);
        assert!(sent[0].contains("text/plain") && sent[0].contains("text/html"));
        assert_eq!(
            request_deletion(&browser).await,
            (400, format!("The confirmation link has already been sent to your address {email}!"))
        );
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM account_links").await, 2);

    // A fourth Unit Admin in the unit: now a Unit Admin may leave.
    sqlx::query("UPDATE users SET role = 'Unit Admin' WHERE username = 'unituser_2'")
        .execute(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(request_deletion(&unit_admin).await.0, 200);
    app.stop().await;
}
both_backends!(self_deletion_rules, self_deletion_follows_the_role_rules);

async fn confirmation_deletes_only_the_owners_account(backend: Backend) {
    let app = seeded(backend).await;
    let owner = signed_in(&app, "researchuser_1").await;
    assert_eq!(request_deletion(&owner).await.0, 200);
    let token = link_token(&app, "researchuser_1@example.com", "confirm-deletion");
    assert_eq!(token.len(), 43, "32 random bytes in base64url: {token}");

    let invalid = (400, "Confirmation link is invalid. No action has been performed.".to_string());
    let other = signed_in(&app, "researchuser_2").await;
    assert_eq!(confirm_deletion(&other, &token).await, invalid, "someone else's link");
    assert_eq!(confirm_deletion(&owner, "bm90LWEtdG9rZW4").await, invalid, "made-up token");
    let visitor = app.browser();
    assert_eq!(confirm_deletion(&visitor, &token).await.0, 401, "confirming needs a login");

    assert_eq!(confirm_deletion(&owner, &token).await, (200, "Your account has been deleted.".into()));
    assert_eq!(owner.get("/api/v1/auth/me").await.status(), 401, "the session ended");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE username = 'researchuser_1'").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM emails WHERE email = 'researchuser_1@example.com'").await,
        0
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM account_links").await, 0, "the link went with it");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'account.self_deleted' AND target = 'researchuser_1'"
        )
        .await,
        1
    );
    let browser = app.browser();
    let auth_key = auth_key_for(&browser, "researchuser_1", "password").await;
    let response = browser
        .post("/api/v1/auth/login", json!({ "username": "researchuser_1", "auth_key": auth_key }))
        .await;
    assert_eq!(response.status(), 401, "the account is gone");
    // The other user's session was untouched.
    assert_eq!(other.get("/api/v1/auth/me").await.status(), 200);
    app.stop().await;
}
both_backends!(deletion_confirmation, confirmation_deletes_only_the_owners_account);

async fn expired_deletion_links_are_removed(backend: Backend) {
    let app = seeded(backend).await;
    let user = signed_in(&app, "unituser_2").await;
    assert_eq!(request_deletion(&user).await.0, 200);
    let token = link_token(&app, "unituser_2@example.com", "confirm-deletion");
    sqlx::query("UPDATE account_links SET expires_at = issued_at - 1")
        .execute(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(
        confirm_deletion(&user, &token).await,
        (
            410,
            "Deletion request for unituser_2@example.com has expired. Please login to the DDS and request deletion anew."
                .into()
        )
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM account_links").await, 0, "the request is removed");
    assert_eq!(user.get("/api/v1/auth/me").await.status(), 200, "nothing else happened");
    // Used up: a second try is simply invalid; a new request works.
    assert_eq!(confirm_deletion(&user, &token).await.0, 400);
    assert_eq!(request_deletion(&user).await.0, 200);
    let fresh = link_token_after(&app, "unituser_2@example.com", "confirm-deletion", &token);
    assert_eq!(confirm_deletion(&user, &fresh).await.0, 200);
    app.stop().await;
}
both_backends!(deletion_expiry, expired_deletion_links_are_removed);

async fn activate_email_codes(browser: &Browser, token: &str) -> (u16, String) {
    sentence(browser.post(&format!("/api/v1/second-factor/email/{token}"), json!({})).await).await
}

async fn a_mailed_link_switches_back_to_emailed_codes(backend: Backend) {
    let app = seeded(backend).await;
    let on_email = signed_in(&app, "researchuser_1").await;
    let key = auth_key_for(&on_email, "researchuser_1", "password").await;
    let (status, message) =
        sentence(on_email.post("/api/v1/users/me/second-factor/email", json!({ "auth_key": key })).await)
            .await;
    assert_eq!(status, 400);
    assert!(message.contains("already log in with one-time codes"), "{message}");

    let secret = enable_totp(&app, "unitadmin_2").await;
    let on_app = app.browser();
    let auth_key = auth_key_for(&on_app, "unitadmin_2", "password").await;
    let response =
        on_app.post("/api/v1/auth/login", json!({ "username": "unitadmin_2", "auth_key": auth_key })).await;
    assert_eq!(response.json::<Value>().await.unwrap()["second_factor"], "totp");
    // The setup used the current step; the next one is within the accepted window.
    let response = on_app.post("/api/v1/auth/second-factor", json!({ "code": code_at(&secret, 1) })).await;
    assert_eq!(response.status(), 200);

    let body = json!({ "auth_key": auth_key });
    let ask =
        || async { sentence(on_app.post("/api/v1/users/me/second-factor/email", body.clone()).await).await };
    let (status, message) = ask().await;
    assert_eq!(status, 200, "{message}");
    let sent = mails(&app, "unitadmin_2@example.com", "/activate-email-codes/");
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains(
        "Subject: Request to activate two-factor authentication with email for the Data Delivery System"
    ));
    // An expired link does nothing but go away.
    let expired = link_token(&app, "unitadmin_2@example.com", "activate-email-codes");
    sqlx::query("UPDATE account_links SET expires_at = issued_at - 1")
        .execute(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(
        activate_email_codes(&app.browser(), &expired).await,
        (410, "This link has expired. Request a new one on your account page.".into())
    );
    assert_eq!(ask().await.0, 200, "a new link");
    let token = link_token_after(&app, "unitadmin_2@example.com", "activate-email-codes", &expired);
    let setup_session = &on_app;

    // Opening the link needs no login; it works once.
    let visitor = app.browser();
    assert_eq!(activate_email_codes(&visitor, "bm90LWEtdG9rZW4").await.0, 400);
    let (status, message) = activate_email_codes(&visitor, &token).await;
    assert_eq!(status, 200, "{message}");
    assert_eq!(
        activate_email_codes(&visitor, &token).await,
        (400, "This link is invalid or has already been used.".into())
    );
    let me: Value = setup_session.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["second_factor"], "email");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_events WHERE action = 'account.second_factor_email'").await,
        1
    );

    // Logging in now takes an emailed code.
    let fresh = app.browser();
    assert_eq!(login(&app, &fresh, "unitadmin_2").await.status(), 200);
    let me: Value = fresh.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["username"], "unitadmin_2");
    app.stop().await;
}
both_backends!(email_codes_link, a_mailed_link_switches_back_to_emailed_codes);

/// Waits (up to 10 s) for the background mailing to write `n` mails with `marker`, to anyone.
async fn wait_for_mails(app: &TestApp, marker: &str, n: usize) -> Vec<String> {
    for _ in 0..100 {
        let found = mails(app, "", marker);
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    mails(app, "", marker)
}

async fn send_motd(browser: &Browser, id: i64, audience: &str) -> (u16, Value) {
    let response = browser.post(&format!("/api/v1/motd/{id}/send"), json!({ "audience": audience })).await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn motd_mail_reaches_the_chosen_audience_only(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "superadmin").await;
    let created = admin.post("/api/v1/motd", json!({ "message": "Upgrade <b>Monday</b> & Tuesday" })).await;
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for username in ["unitadmin_1", "unituser_1", "researchuser_1"] {
        let browser = signed_in(&app, username).await;
        assert_eq!(send_motd(&browser, id, "all").await.0, 403, "{username}");
    }
    assert_eq!(send_motd(&app.browser(), id, "all").await.0, 401);
    // A deactivated account gets nothing.
    sqlx::query("UPDATE users SET is_active = FALSE WHERE username = 'researchuser_2'")
        .execute(app.state().db.pool())
        .await
        .unwrap();

    const SUBJECT: &str = "Subject: Important Information: Data Delivery System";
    let (status, body) = send_motd(&admin, id, "unit-users").await;
    assert_eq!((status, body["recipients"].as_i64()), (202, Some(5)), "3 Unit Admins, 2 Unit Personnel");
    let sent = wait_for_mails(&app, SUBJECT, 5).await;
    assert_eq!(sent.len(), 5);
    for mail in &sent {
        assert!(mail.contains("To: unitadmin_") || mail.contains("To: unituser_"), "{mail}");
        assert!(mail.contains("Upgrade <b>Monday</b> & Tuesday"), "text part as written");
        assert!(mail.contains("Upgrade &lt;b&gt;Monday&lt;&#x2F;b&gt; &amp; Tuesday"), "HTML part escaped");
    }

    let (status, body) = send_motd(&admin, id, "all").await;
    assert_eq!((status, body["recipients"].as_i64()), (202, Some(7)), "every active account");
    let sent = wait_for_mails(&app, SUBJECT, 12).await;
    assert_eq!(sent.len(), 12);
    assert_eq!(sent.iter().filter(|m| m.contains("To: researchuser_1@")).count(), 1);
    assert_eq!(sent.iter().filter(|m| m.contains("To: superadmin@")).count(), 1);
    assert_eq!(sent.iter().filter(|m| m.contains("To: researchuser_2@")).count(), 0);

    let (status, body) = send_motd(&admin, 999_999, "all").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("There is no message of the day with that id.")));
    let (status, _) = send_motd(&admin, id, "everyone").await;
    assert_eq!(status, 400, "unknown audience");
    let url = format!("{}/api/v1/motd/{id}", admin.base);
    admin.client.delete(&url).header("origin", &admin.base).send().await.unwrap();
    let (status, body) = send_motd(&admin, id, "all").await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"],
        "This message of the day is no longer active. Only active messages can be sent."
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(mails(&app, "", SUBJECT).len(), 12, "nothing more was sent");
    app.stop().await;
}
both_backends!(motd_mail, motd_mail_reaches_the_chosen_audience_only);

#[tokio::test]
async fn link_pages_and_the_console_render_for_who_is_signed_in() {
    let app = seeded(Backend::Sqlite).await;
    let visitor = app.browser();
    let html = visitor.get("/confirm-deletion/some-token").await.text().await.unwrap();
    assert!(html.contains("Please log in to confirm your account deletion."), "{html}");
    let html = visitor.get("/activate-email-codes/some-token").await.text().await.unwrap();
    assert!(html.contains("Use emailed codes"), "{html}");
    let html = visitor.get("/admin").await.text().await.unwrap();
    assert!(html.contains("Only Super Admins can see this page."), "{html}");

    let researcher = signed_in(&app, "researchuser_1").await;
    let html = researcher.get("/confirm-deletion/some-token").await.text().await.unwrap();
    assert!(html.contains("Delete my account") && html.contains("researchuser_1"), "{html}");
    let html = researcher.get("/admin").await.text().await.unwrap();
    assert!(html.contains("Only Super Admins can see this page."));
    assert!(!html.contains("href=\"/admin\""), "not in a researcher's navigation");

    let admin = signed_in(&app, "superadmin").await;
    let html = admin.get("/admin").await.text().await.unwrap();
    assert!(html.contains("Messages of the day") && html.contains("Maintenance"), "{html}");
    assert!(html.contains("href=\"/admin\""));
    app.stop().await;
}
