//! The project status machine over HTTP (DDS §4): release with the mail and its deadline,
//! extension in two steps, retract and re-release, archive, deletion, who may do each, and two
//! changes at once.

use dds_server::db::seed::DEV_PROJECT;
use reqwest::Method;
use serde_json::{json, Value};

use crate::auth::{seeded, signed_in};
use crate::both_backends;
use crate::helpers::{add_second_unit, answer, Backend, Browser, TestApp};

const STATUS: &str = "/api/v1/projects/someunit00001/status";

async fn change(browser: &Browser, body: Value) -> (u16, Value) {
    answer(browser.post(STATUS, body).await).await
}

async fn extend(browser: &Browser, body: Value) -> (u16, Value) {
    answer(browser.send(Method::PATCH, STATUS, body).await).await
}

/// Release mails in the outbox to `email`.
fn release_mails(app: &TestApp, email: &str) -> Vec<String> {
    std::fs::read_dir(app.outbox())
        .map(|entries| {
            entries
                .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .filter(|text| {
                    text.contains(&format!("To: {email}")) && text.contains("Project made available by")
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn release_extend_retract_and_re_release(backend: Backend) {
    assert_eq!(STATUS, format!("/api/v1/projects/{DEV_PROJECT}/status"));
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;

    let (code, view) = change(&admin, json!({ "action": "release", "deadline": 10 })).await;
    assert_eq!(code, 200, "{view}");
    assert_eq!(view["status"], "Available");
    assert_eq!(
        view["message"],
        format!("Project {DEV_PROJECT} updated to status Available. An e-mail notification has been sent.")
    );
    let deadline = view["deadline"].as_i64().unwrap();
    let mails = release_mails(&app, "researchuser_1@example.com");
    assert_eq!(mails.len(), 1, "the owner is mailed once");
    assert!(mails[0].contains("Your access to this project will expire on"), "{}", mails[0]);
    assert!(mails[0].contains(&dds_server::projects::status::utc(deadline)), "the deadline is in the mail");

    // A researcher sees it Available.
    let researcher = signed_in(&app, "researchuser_1").await;
    let (code, seen) = answer(researcher.get(STATUS).await).await;
    assert_eq!((code, seen["status"].as_str()), (200, Some("Available")));

    // Extending takes two steps; the first changes nothing.
    let (code, first) = extend(&admin, json!({ "new_deadline_in": 20 })).await;
    assert_eq!(code, 409, "{first}");
    assert!(first["error"].as_str().unwrap().starts_with("Operation must be confirmed before proceeding."));
    let (code, extended) = extend(&admin, json!({ "new_deadline_in": 20, "confirmed": true })).await;
    assert_eq!(code, 200, "{extended}");
    assert_eq!(extended["deadline"].as_i64().unwrap(), deadline + 20 * 86_400);
    assert_eq!(extended["extensions_left"], 1);

    // Retract keeps the deadline; re-release keeps it too, and mails again.
    let (code, retracted) = change(&admin, json!({ "action": "retract" })).await;
    assert_eq!((code, retracted["status"].as_str()), (200, Some("In Progress")));
    let (code, again) = change(&admin, json!({ "action": "release", "deadline": 90 })).await;
    assert_eq!((code, again["status"].as_str()), (200, Some("Available")), "{again}");
    assert_eq!(again["deadline"], extended["deadline"], "the countdown does not pause");
    assert_eq!(release_mails(&app, "researchuser_1@example.com").len(), 2);
    let history: Vec<&str> =
        again["history"].as_array().unwrap().iter().map(|h| h["status"].as_str().unwrap()).collect();
    assert_eq!(
        history,
        vec!["Available", "In Progress", "Available", "Available", "In Progress"],
        "newest first"
    );

    // A deletion after a release is refused with DDS's sentence; aborting works.
    let (code, refused) = change(&admin, json!({ "action": "delete" })).await;
    assert_eq!(code, 400);
    assert!(refused["error"].as_str().unwrap().contains("Please abort the project"), "{refused}");
    let (code, aborted) = change(&admin, json!({ "action": "archive", "aborted": true })).await;
    assert_eq!(
        (code, aborted["status"].as_str(), aborted["aborted"].as_bool()),
        (200, Some("Archived"), Some(true)),
        "{aborted}"
    );
    let (title,): (String,) = sqlx::query_as("SELECT title FROM projects WHERE public_id = $1")
        .bind(DEV_PROJECT)
        .fetch_one(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(title, "", "aborting clears the metadata");
    let (code, _) = change(&admin, json!({ "action": "release" })).await;
    assert_eq!(code, 404, "an archived project is no longer listed");
    app.stop().await;
}
both_backends!(release_extend_retract_and_re_release, release_extend_retract_and_re_release);

async fn only_unit_staff_change_the_status(backend: Backend) {
    let app = seeded(backend).await;
    // unituser_2 moves to another unit: the project is not theirs to see.
    let other_unit = add_second_unit(&app.state().db).await;
    sqlx::query("UPDATE users SET unit_id = $1 WHERE username = 'unituser_2'")
        .bind(other_unit)
        .execute(app.state().db.pool())
        .await
        .unwrap();
    for (username, expected) in [
        ("superadmin", 403),
        ("researchuser_1", 403), // Project Owner
        ("researchuser_2", 403), // member
        ("unituser_2", 404),
        ("unituser_1", 200),
    ] {
        let browser = signed_in(&app, username).await;
        let (code, body) = change(&browser, json!({ "action": "release", "send_email": false })).await;
        assert_eq!(code, expected, "{username}: {body}");
        if code == 200 {
            assert_eq!(body["message"], format!("Project {DEV_PROJECT} updated to status Available. An e-mail notification has not been sent."));
            let (code, _) = change(&browser, json!({ "action": "retract" })).await;
            assert_eq!(code, 200);
        }
        let (code, _) = extend(&browser, json!({ "new_deadline_in": 5, "confirmed": true })).await;
        assert_ne!(code, 200, "{username} cannot extend an In Progress project");
    }
    let admin = signed_in(&app, "unitadmin_2").await;
    let (code, body) = change(&admin, json!({ "action": "release", "deadline": 91 })).await;
    assert_eq!(
        (code, body["error"].as_str()),
        (400, Some("The deadline needs to be less than (or equal to) 90 days."))
    );
    let (code, _) = change(&admin, json!({ "action": "teleport" })).await;
    assert_eq!(code, 400, "an unknown action is a clear 400");
    app.stop().await;
}
both_backends!(only_unit_staff_change_the_status, only_unit_staff_change_the_status);

async fn two_changes_at_once_apply_one_after_the_other(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let other = admin.same_session();
    let body = json!({ "action": "release", "send_email": false });
    let (first, second) = tokio::join!(change(&admin, body.clone()), change(&other, body));
    let mut codes = [first.0, second.0];
    codes.sort();
    assert_eq!(codes, [200, 400], "one release, then 'already Available': {first:?} {second:?}");
    let loser = if first.0 == 400 { first.1 } else { second.1 };
    assert_eq!(loser["error"], "The project already has the status 'Available'.");
    let (rows,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM project_statuses s JOIN projects p ON p.id = s.project_id WHERE p.public_id = $1 AND s.status = 'Available'",
    )
    .bind(DEV_PROJECT)
    .fetch_one(app.state().db.pool())
    .await
    .unwrap();
    assert_eq!(rows, 1, "one history row");
    app.stop().await;
}
both_backends!(two_changes_at_once_apply_one_after_the_other, two_changes_at_once_apply_one_after_the_other);

async fn a_researcher_added_to_an_available_project_gets_the_release_mail(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let (code, _) = change(&admin, json!({ "action": "release", "send_email": false })).await;
    assert_eq!(code, 200);
    assert!(release_mails(&app, "researchuser_2@example.com").is_empty());
    // Out, then back in while Available.
    let member = format!("/api/v1/projects/{DEV_PROJECT}/members/researchuser_2");
    assert_eq!(admin.send(Method::DELETE, &member, json!({})).await.status(), 204);
    let mut body = crate::invites::invite_body("researchuser_2@example.com", "Researcher", None);
    body["project"] = DEV_PROJECT.into();
    assert_eq!(admin.post("/api/v1/invites", body).await.status(), 200);
    app.mail_delivered().await;
    let mails = release_mails(&app, "researchuser_2@example.com");
    assert_eq!(mails.len(), 1, "the added researcher is told the project is available");
    assert!(mails[0].contains("Your access to this project will expire on"));
    app.stop().await;
}
both_backends!(
    a_researcher_added_to_an_available_project_gets_the_release_mail,
    a_researcher_added_to_an_available_project_gets_the_release_mail
);
