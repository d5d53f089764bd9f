//! The permission matrix: every endpoint of `authz::ENDPOINTS` called by a visitor and by each
//! role, allowed and refused as its access level says — on SQLite and PostgreSQL. An endpoint
//! added to the router without a rule stops the server at start-up (see `authz::ApiRoutes`).

use dds_server::http::authz::{Access, ENDPOINTS};
use reqwest::Method;
use serde_json::{json, Value};

use crate::auth::{login, seeded};
use crate::both_backends;
use crate::helpers::{Backend, Browser};

const ROLES: &[(&str, &str)] = &[
    ("superadmin", "Super Admin"),
    ("unitadmin_1", "Unit Admin"),
    ("unituser_1", "Unit Personnel"),
    ("researchuser_1", "Researcher"),
];

async fn call(browser: &Browser, method: &http::Method, path: &str) -> u16 {
    let path = path
        .replace("{id}", "999999")
        .replace("{username}", "nobody_at_all")
        .replace("{token}", "not-a-real-token")
        .replace("{public_id}", "nosuch00001")
        .replace("{upload_id}", "nosuchupload");
    let url = format!("{}/api/v1{}", browser.base, path);
    let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
    let mut request = browser.client.request(method.clone(), url).header("origin", &browser.base);
    if method != Method::GET {
        // An empty object: the gate decides before the body is read; allowed calls may then
        // fail validation (400/404), which is not a refusal.
        request = request.json(&json!({}));
    }
    request.send().await.unwrap().status().as_u16()
}

/// Finer rules decided inside handlers (by `app::domain::permissions`) for the calls the matrix
/// makes: role-based refusals that do not depend on the target.
fn refused_by_handler(method: &http::Method, path: &str, role: &str) -> bool {
    matches!(
        (method.as_str(), path, role),
        // (The matrix's Researcher, researchuser_1, owns the seeded project: DDS lets Project
        // Owners list invites; invites.rs tests the refusal for other Researchers.)
        ("GET", "/users", "Researcher")
            | ("DELETE", "/invites/{id}", "Unit Personnel" | "Researcher")
            | ("POST", "/invites/{id}/resend", "Unit Personnel" | "Researcher")
            // (PATCH with an empty body stops at validation: users.rs tests its refusals.)
            | ("DELETE", "/users/{username}", "Unit Personnel" | "Researcher")
            | ("GET", "/units/me/keys", "Super Admin" | "Researcher")
            // The unit dashboard is unit staff's (dashboard.rs tests what each role reads).
            | ("GET", "/units/me/overview" | "/units/me/projects" | "/units/me/activity" | "/units/me/usage" | "/units/me/usage.csv", "Super Admin" | "Researcher")
            // Super Admins never delete themselves; the seeded unit has only three Unit Admins.
            | ("POST", "/users/me/deletion", "Super Admin" | "Unit Admin")
    )
}

async fn every_endpoint_allows_and_refuses_each_role(backend: Backend) {
    let app = seeded(backend).await;
    let visitor = app.browser();
    let mut signed_in = Vec::new();
    for (username, role) in ROLES {
        let browser = app.browser();
        assert_eq!(login(&app, &browser, username).await.status(), 200, "{username}");
        signed_in.push((role, browser));
    }
    for endpoint in ENDPOINTS {
        if endpoint.path == "/auth/logout" {
            continue; // would end the sessions the matrix uses; it is public anyway
        }
        let what = format!("{} {}", endpoint.method, endpoint.path);
        let status = call(&visitor, &endpoint.method, endpoint.path).await;
        match endpoint.access {
            Access::Public => assert!(![401, 403].contains(&status), "visitor refused at {what}: {status}"),
            _ => assert_eq!(status, 401, "visitor at {what}"),
        }
        for (role, browser) in &signed_in {
            let status = call(browser, &endpoint.method, endpoint.path).await;
            let allowed = match endpoint.access {
                Access::Public | Access::SignedIn => {
                    !refused_by_handler(&endpoint.method, endpoint.path, role)
                }
                Access::SuperAdmin => **role == "Super Admin",
            };
            if allowed {
                assert!(![401, 403].contains(&status), "{role} refused at {what}: {status}");
            } else {
                assert_eq!(status, 403, "{role} at {what}");
            }
        }
    }
    // The sessions were not disturbed by the matrix.
    for (role, browser) in &signed_in {
        let me: Value = browser.get("/api/v1/auth/me").await.json().await.unwrap();
        assert_eq!(me["role"], **role);
    }
    app.stop().await;
}
both_backends!(matrix, every_endpoint_allows_and_refuses_each_role);

async fn maintenance_blocks_everyone_but_super_admins(backend: Backend) {
    let app = seeded(backend).await;
    let admin = app.browser();
    let researcher = app.browser();
    assert_eq!(login(&app, &admin, "superadmin").await.status(), 200);
    assert_eq!(login(&app, &researcher, "researchuser_2").await.status(), 200);

    let on = admin.client.put(format!("{}/api/v1/maintenance", admin.base)).header("origin", &admin.base);
    assert_eq!(on.json(&json!({ "active": true })).send().await.unwrap().status(), 200);

    let response = researcher.get("/api/v1/auth/me").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "Maintenance of DDS is ongoing.");
    assert_eq!(admin.get("/api/v1/auth/me").await.status(), 200, "Super Admins keep working");
    // New logins of other roles are refused too; the banner says why.
    let fresh = app.browser();
    let response = login_password_step(&app, &fresh, "unituser_2").await;
    assert_eq!(response.status(), 503);
    let html = fresh.get("/").await.text().await.unwrap();
    assert!(html.contains("Maintenance of DDS is ongoing."), "banner");

    let off = admin.client.put(format!("{}/api/v1/maintenance", admin.base)).header("origin", &admin.base);
    assert_eq!(off.json(&json!({ "active": false })).send().await.unwrap().status(), 200);
    assert_eq!(researcher.get("/api/v1/auth/me").await.status(), 200);
    app.stop().await;
}
both_backends!(maintenance, maintenance_blocks_everyone_but_super_admins);

async fn login_password_step(
    app: &crate::helpers::TestApp,
    browser: &Browser,
    username: &str,
) -> reqwest::Response {
    let _ = app;
    let auth_key = crate::auth::auth_key_for(browser, username, dds_server::db::seed::DEV_PASSWORD).await;
    browser.post("/api/v1/auth/login", json!({ "username": username, "auth_key": auth_key })).await
}

#[tokio::test]
async fn super_admins_manage_the_message_of_the_day() {
    let app = seeded(Backend::Sqlite).await;
    let admin = app.browser();
    assert_eq!(login(&app, &admin, "superadmin").await.status(), 200);

    let empty = admin.post("/api/v1/motd", json!({ "message": "   " })).await;
    assert_eq!(empty.status(), 400);
    assert_eq!(empty.json::<Value>().await.unwrap()["error"], "No MOTD specified.");

    let created = admin.post("/api/v1/motd", json!({ "message": "Upgrade on Monday" })).await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let listed: Value = app.browser().get("/api/v1/motd").await.json().await.unwrap();
    assert_eq!(listed[0]["message"], "Upgrade on Monday", "public to read");
    assert!(app.browser().get("/").await.text().await.unwrap().contains("Upgrade on Monday"));

    let url = format!("{}/api/v1/motd/{id}", admin.base);
    let removed = admin.client.delete(&url).header("origin", &admin.base).send().await.unwrap();
    assert_eq!(removed.status(), 204);
    let again = admin.client.delete(&url).header("origin", &admin.base).send().await.unwrap();
    assert_eq!(again.status(), 404);
    let listed: Value = app.browser().get("/api/v1/motd").await.json().await.unwrap();
    assert_eq!(listed, json!([]));
    app.stop().await;
}
