//! A project's people and details after creation: revoking access (the seal goes with it), the
//! Project Owner flag, an invite's project (the invite goes with its last project), and the
//! details, for every role allowed and refused.

use dds_server::db::seed::DEV_PROJECT;
use reqwest::Method;
use serde_json::{json, Value};

use crate::auth::{seeded, signed_in};
use crate::both_backends;
use crate::helpers::{Backend, Browser};

fn path(rest: &str) -> String {
    format!("/api/v1/projects/{DEV_PROJECT}{rest}")
}

async fn code(browser: &Browser, method: Method, rest: &str, body: Value) -> u16 {
    browser.send(method, &path(rest), body).await.status().as_u16()
}

async fn owners_and_staff_manage_members(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let owner = signed_in(&app, "researchuser_1").await; // Project Owner of the seeded project
    let member = signed_in(&app, "researchuser_2").await;
    let staff = signed_in(&app, "unituser_1").await;
    let operator = signed_in(&app, "superadmin").await;

    // Refused: a plain member, a Super Admin, oneself.
    assert_eq!(code(&member, Method::DELETE, "/members/researchuser_1", json!({})).await, 403);
    assert_eq!(code(&operator, Method::DELETE, "/members/researchuser_2", json!({})).await, 403);
    assert_eq!(code(&owner, Method::DELETE, "/members/researchuser_1", json!({})).await, 403);
    assert_eq!(code(&member, Method::PATCH, "/members/researchuser_2", json!({ "owner": true })).await, 403);
    assert_eq!(code(&staff, Method::DELETE, "/members/unitadmin_1", json!({})).await, 400, "not a member");

    // Staff make researchuser_2 an owner and back.
    assert_eq!(code(&staff, Method::PATCH, "/members/researchuser_2", json!({ "owner": true })).await, 204);
    let page: Value = staff.get(&path("")).await.json().await.unwrap();
    let flag = |page: &Value| {
        page["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["username"] == "researchuser_2")
            .map(|m| m["is_owner"].clone())
    };
    assert_eq!(flag(&page), Some(json!(true)));
    assert_eq!(code(&staff, Method::PATCH, "/members/researchuser_2", json!({ "owner": false })).await, 204);

    // The owner revokes researchuser_2: the project and its key are gone for them.
    assert_eq!(code(&owner, Method::DELETE, "/members/researchuser_2", json!({})).await, 204);
    assert_eq!(member.get(&path("")).await.status(), 404);
    let (seals,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM project_key_seals s JOIN users u ON u.id = s.user_id WHERE u.username = 'researchuser_2'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(seals, 0, "the seal went with the membership");
    app.stop().await;
}
both_backends!(owners_and_staff_manage_members, owners_and_staff_manage_members);

async fn an_invite_goes_with_its_last_project(backend: Backend) {
    let app = seeded(backend).await;
    let staff = signed_in(&app, "unitadmin_1").await;
    let mut body = crate::invites::invite_body("newcomer@example.org", "Researcher", None);
    body["project"] = DEV_PROJECT.into();
    let invited = staff.post("/api/v1/invites", body).await;
    assert!(invited.status().is_success(), "{}", invited.status());
    let page: Value = staff.get(&path("")).await.json().await.unwrap();
    let id = page["invites"][0]["id"].as_i64().expect("the invite's id is shown");
    let member = signed_in(&app, "researchuser_2").await;
    assert_eq!(code(&member, Method::DELETE, &format!("/invites/{id}"), json!({})).await, 403);
    assert_eq!(code(&staff, Method::DELETE, &format!("/invites/{id}"), json!({})).await, 204);
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM invites WHERE email = 'newcomer@example.org'")
        .fetch_one(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0, "the invite had no other project");
    assert_eq!(code(&staff, Method::DELETE, &format!("/invites/{id}"), json!({})).await, 400, "already gone");
    app.stop().await;
}
both_backends!(an_invite_goes_with_its_last_project, an_invite_goes_with_its_last_project);

async fn details_are_edited_by_staff_and_owners(backend: Backend) {
    let app = seeded(backend).await;
    let owner = signed_in(&app, "researchuser_1").await;
    assert_eq!(
        code(&owner, Method::PATCH, "", json!({ "title": "Renamed", "pi": "New.PI@Uni.se" })).await,
        204
    );
    let page: Value = owner.get(&path("")).await.json().await.unwrap();
    assert_eq!((page["title"].as_str(), page["pi"].as_str()), (Some("Renamed"), Some("new.pi@uni.se")));
    let refused = owner.send(Method::PATCH, &path(""), json!({ "pi": "not an email" })).await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "The PI must be given as a valid email address.");
    for (username, expected) in
        [("researchuser_2", 403), ("superadmin", 403), ("unituser_1", 204), ("unitadmin_1", 204)]
    {
        let browser = signed_in(&app, username).await;
        assert_eq!(
            code(&browser, Method::PATCH, "", json!({ "description": "Edited" })).await,
            expected,
            "{username}"
        );
    }
    app.stop().await;
}
both_backends!(details_are_edited_by_staff_and_owners, details_are_edited_by_staff_and_owners);
