//! The server's half of the browser key store (DESIGN §3 "Session"): one random key per
//! signed-in session, only for the portal's own pages, never cached, gone at logout.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Value};

use crate::auth::{login, seeded};
use crate::both_backends;
use crate::helpers::{Backend, Browser};

async fn key_of(browser: &Browser) -> String {
    let response = browser.get("/api/v1/auth/session-key").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    let key = body["key"].as_str().expect("a key").to_string();
    assert_eq!(BASE64.decode(&key).unwrap().len(), 32);
    key
}

async fn each_session_has_its_own_key_until_logout(backend: Backend) {
    let app = seeded(backend).await;
    let visitor = app.browser();
    assert_eq!(visitor.get("/api/v1/auth/session-key").await.status(), 401);

    let tab = app.browser();
    assert_eq!(login(&app, &tab, "researchuser_1").await.status(), 200);
    let first = key_of(&tab).await;
    assert_eq!(key_of(&tab).await, first, "stable within the session");

    let other_tab = app.browser();
    assert_eq!(login(&app, &other_tab, "researchuser_1").await.status(), 200);
    assert_ne!(key_of(&other_tab).await, first, "another session, another key");

    assert_eq!(tab.post("/api/v1/auth/logout", json!({})).await.status(), 204);
    assert_eq!(tab.get("/api/v1/auth/session-key").await.status(), 401, "forgotten at logout");
    // Logging in again in the same browser gives a new key: the old sessionStorage blob is dead.
    assert_eq!(login(&app, &tab, "researchuser_1").await.status(), 200);
    assert_ne!(key_of(&tab).await, first);
    app.stop().await;
}
both_backends!(session_keys, each_session_has_its_own_key_until_logout);

#[tokio::test]
async fn a_cross_site_page_cannot_read_the_session_key() {
    let app = seeded(Backend::Sqlite).await;
    let tab = app.browser();
    assert_eq!(login(&app, &tab, "unituser_1").await.status(), 200);
    for site in ["cross-site", "same-site"] {
        let response = tab
            .client
            .get(format!("{}/api/v1/auth/session-key", tab.base))
            .header("sec-fetch-site", site)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{site}");
        assert_eq!(response.json::<Value>().await.unwrap()["error"], "Cross-site request refused.");
    }
    let own = tab
        .client
        .get(format!("{}/api/v1/auth/session-key", tab.base))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    app.stop().await;
}
