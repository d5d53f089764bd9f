//! Account administration within DDS's scope rules.

use serde_json::{json, Value};

use crate::auth::{auth_key_for, seeded, signed_in};
use crate::both_backends;
use crate::helpers::{answer, Backend, Browser};

async fn patch(browser: &Browser, username: &str, active: bool) -> u16 {
    let url = format!("{}/api/v1/users/{username}", browser.base);
    let request =
        browser.client.patch(url).header("origin", &browser.base).json(&json!({ "active": active }));
    request.send().await.unwrap().status().as_u16()
}

async fn administration_follows_the_scope_rules(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    crate::helpers::add_second_unit(db).await;
    sqlx::query("UPDATE users SET unit_id = (SELECT id FROM units WHERE public_id = 'unit-2') WHERE username = 'unituser_2'")
        .execute(db.pool())
        .await
        .unwrap();

    let unit_admin = signed_in(&app, "unitadmin_1").await;
    let listed: Value = unit_admin.get("/api/v1/users").await.json().await.unwrap();
    let names: Vec<&str> =
        listed.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert!(names.contains(&"unituser_1") && names.contains(&"unitadmin_2"), "{names:?}");
    assert!(!names.contains(&"unituser_2"), "other unit hidden: {names:?}");
    assert!(!names.contains(&"researchuser_1") && !names.contains(&"superadmin"), "{names:?}");

    assert_eq!(patch(&unit_admin, "unituser_1", false).await, 204, "own unit's staff");
    assert_eq!(patch(&unit_admin, "unituser_2", false).await, 403, "other unit");
    assert_eq!(patch(&unit_admin, "researchuser_1", false).await, 403, "researchers are not unit staff");
    assert_eq!(patch(&unit_admin, "unitadmin_1", false).await, 403, "not oneself");
    assert_eq!(patch(&unit_admin, "nobody_at_all", false).await, 404);
    let personnel = signed_in(&app, "unitadmin_3").await;
    assert_eq!(patch(&personnel, "unituser_1", true).await, 204, "reactivated by another Unit Admin");

    let super_admin = signed_in(&app, "superadmin").await;
    assert_eq!(patch(&super_admin, "researchuser_1", false).await, 204);
    let all: Value = super_admin.get("/api/v1/users").await.json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 8);
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["username"] == "researchuser_1" && u["active"] == false));
    app.stop().await;
}
both_backends!(administration, administration_follows_the_scope_rules);

#[tokio::test]
async fn deactivation_ends_sessions_and_deletion_removes_the_account() {
    let app = seeded(Backend::Sqlite).await;
    let victim = signed_in(&app, "unituser_1").await;
    let admin = signed_in(&app, "unitadmin_1").await;
    assert_eq!(patch(&admin, "unituser_1", false).await, 204);
    assert_eq!(victim.get("/api/v1/auth/me").await.status(), 401, "session ended at once");

    let url = format!("{}/api/v1/users/unituser_1", admin.base);
    assert_eq!(admin.client.delete(&url).header("origin", &admin.base).send().await.unwrap().status(), 204);
    let browser = app.browser();
    let auth_key = auth_key_for(&browser, "unituser_1", "password").await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": "unituser_1", "auth_key": auth_key })).await;
    assert_eq!(response.status(), 401, "the account is gone");
    let personnel = signed_in(&app, "unituser_2").await;
    assert_eq!(patch(&personnel, "unitadmin_2", false).await, 403, "Unit Personnel manage nobody");
    let researcher = signed_in(&app, "researchuser_1").await;
    assert_eq!(patch(&researcher, "unituser_2", false).await, 403);
    let url = format!("{}/api/v1/users/unitadmin_2", personnel.base);
    let refused = personnel.client.delete(&url).header("origin", &personnel.base).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    app.stop().await;
}

async fn an_account_is_found_by_part_of_its_name_within_the_callers_scope(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "superadmin").await;
    let names = |list: &serde_json::Value| -> Vec<String> {
        list.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_string()).collect()
    };
    let (status, found) = answer(admin.get("/api/v1/users?q=UNITUSER").await).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(names(&found), ["unituser_1", "unituser_2"], "case-insensitive, by username");
    let (_, by_mail) = answer(admin.get("/api/v1/users?q=researchuser_2%40example").await).await;
    assert_eq!(names(&by_mail), ["researchuser_2"], "by email");
    let (_, literal) = answer(admin.get("/api/v1/users?q=unit%25").await).await;
    assert_eq!(names(&literal), Vec::<String>::new(), "a % is a character");
    let (_, me) = answer(admin.get("/api/v1/users?q=superadmin").await).await;
    assert_eq!(me[0]["second_factor"], "email");
    assert!(me[0]["last_login"].as_i64().is_some(), "the login just made: {me}");
    let (_, never) = answer(admin.get("/api/v1/users?q=unitadmin_3").await).await;
    assert_eq!(never[0]["last_login"], serde_json::Value::Null);

    let unit_admin = signed_in(&app, "unitadmin_1").await;
    let (_, scoped) = answer(unit_admin.get("/api/v1/users?q=research").await).await;
    assert_eq!(
        names(&scoped),
        Vec::<String>::new(),
        "Researchers belong to no unit: not in a Unit Admin's list"
    );
    let (status, refused) =
        answer(unit_admin.get(&format!("/api/v1/users?q={}", "x".repeat(101))).await).await;
    assert_eq!((status, refused["error"].as_str()), (400, Some("A search is at most 100 characters.")));
    app.stop().await;
}
both_backends!(
    an_account_is_found_by_part_of_its_name_within_the_callers_scope,
    an_account_is_found_by_part_of_its_name_within_the_callers_scope
);

/// Every account of a unit, a page at a time: the pages follow each other by username without a
/// gap or an overlap, a search pages alike, and no account outside the unit appears.
async fn a_units_accounts_are_listed_a_page_at_a_time(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let unit: (i64,) = sqlx::query_as("SELECT unit_id FROM users WHERE username = 'unitadmin_1'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 450) \
         INSERT INTO users (username, name, role, unit_id, is_active, created_at) \
         SELECT 'pageuser' || i, 'Page User ' || i, 'Unit Personnel', {}, TRUE, 0 FROM n",
        unit.0
    ))
    .execute(db.pool())
    .await
    .unwrap();
    let (expected,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE unit_id = $1")
        .bind(unit.0)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let admin = signed_in(&app, "unitadmin_1").await;
    let pages = |query: &'static str| {
        let admin = &admin;
        async move {
            let mut seen: Vec<String> = Vec::new();
            let mut sizes = Vec::new();
            loop {
                let after = seen.last().map(|last| format!("&after={last}")).unwrap_or_default();
                let (status, page) =
                    answer(admin.get(&format!("/api/v1/users?q={query}{after}")).await).await;
                assert_eq!(status, 200, "{page}");
                let names: Vec<String> =
                    page.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().into()).collect();
                sizes.push(names.len());
                seen.extend(names);
                if *sizes.last().unwrap() < 200 {
                    return (seen, sizes);
                }
            }
        }
    };
    let (all, sizes) = pages("").await;
    assert_eq!(sizes, [200, 200, expected as usize - 400], "pages of 200");
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(all, sorted, "by username, no account twice");
    assert_eq!(all.len() as i64, expected, "every account of the unit");
    assert!(!all.iter().any(|name| name.starts_with("research")), "no account outside the unit");
    let (found, sizes) = pages("PAGEUSER4").await;
    assert_eq!(sizes, [62], "pageuser4, 40..49 and 400..450 by part of the name");
    assert!(found.iter().all(|name| name.starts_with("pageuser4")));
    app.stop().await;
}
both_backends!(users_listed_by_page, a_units_accounts_are_listed_a_page_at_a_time);
