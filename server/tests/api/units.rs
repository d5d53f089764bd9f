//! Units over the API: only Super Admins list, create and edit them; every field is checked;
//! two creations of one unit at once give one unit and a 409, never a 500.

use serde_json::{json, Value};

use crate::auth::{seeded, signed_in};
use crate::both_backends;
use crate::helpers::Backend;

fn unit(public_id: &str) -> Value {
    json!({
        "public_id": public_id,
        "name": format!("Unit {public_id}"),
        "external_display_name": "Imaging Facility",
        "contact_email": "imaging@example.org",
        "internal_ref": public_id.replace('-', ""),
        "quota_bytes": 5_000_000_000_000_i64,
        "warning_level": 0.8,
        "days_in_available": 60,
        "days_in_expired": 14
    })
}

async fn super_admins_create_edit_and_list_units(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "superadmin").await;
    let created = admin.post("/api/v1/units", unit("imaging")).await;
    assert_eq!(created.status(), 201);
    let view: Value = created.json().await.unwrap();
    assert_eq!((view["projects"].as_i64(), view["used_bytes"].as_i64()), (Some(0), Some(0)));

    let mut bad = unit("imaging-2");
    bad["warning_level"] = json!(1.2);
    let refused = admin.post("/api/v1/units", bad).await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("warning level"), "{body}");

    let mut edited = unit("imaging");
    edited["external_display_name"] = json!("Imaging (renamed)");
    let patched = admin.send(reqwest::Method::PATCH, "/api/v1/units/imaging", edited.clone()).await;
    assert_eq!(patched.status(), 200);
    edited["internal_ref"] = json!("other");
    let patched = admin.send(reqwest::Method::PATCH, "/api/v1/units/imaging", edited).await;
    assert_eq!(patched.status(), 400, "the internal reference stays");

    let list: Vec<Value> = admin.get("/api/v1/units").await.json().await.unwrap();
    let imaging = list.iter().find(|u| u["public_id"] == "imaging").expect("listed");
    assert_eq!(imaging["external_display_name"], "Imaging (renamed)");
    let seeded_unit = list.iter().find(|u| u["public_id"] != "imaging").expect("the seeded unit");
    assert!(seeded_unit["staff"].as_i64().unwrap() >= 5, "{seeded_unit}");
    assert_eq!(seeded_unit["projects"], 1);

    for username in ["unitadmin_1", "unituser_1", "researchuser_1"] {
        let browser = signed_in(&app, username).await;
        assert_eq!(browser.get("/api/v1/units").await.status(), 403, "{username}");
        assert_eq!(browser.post("/api/v1/units", unit("sneaky")).await.status(), 403, "{username}");
        let patch = browser.send(reqwest::Method::PATCH, "/api/v1/units/imaging", unit("imaging")).await;
        assert_eq!(patch.status(), 403, "{username}");
    }
    assert_eq!(app.browser().get("/api/v1/units").await.status(), 401, "visitors");
    app.stop().await;
}
both_backends!(super_admins_create_edit_and_list_units, super_admins_create_edit_and_list_units);

async fn two_creations_of_one_unit_give_one_unit_and_a_409(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "superadmin").await;
    let twin = admin.same_session();
    let (a, b) =
        tokio::join!(admin.post("/api/v1/units", unit("twins")), twin.post("/api/v1/units", unit("twins")));
    let mut codes = [a.status().as_u16(), b.status().as_u16()];
    codes.sort();
    assert_eq!(codes, [201, 409]);
    app.stop().await;
}
both_backends!(
    two_creations_of_one_unit_give_one_unit_and_a_409,
    two_creations_of_one_unit_give_one_unit_and_a_409
);
