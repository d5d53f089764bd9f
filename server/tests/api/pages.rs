use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

#[tokio::test]
async fn home_page_is_server_rendered_with_strict_headers() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1>Data Delivery System</h1>"), "{html}");
    assert!(html.contains("/pkg/dds.js"), "hydration script is referenced");

    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'nonce-"), "{csp}");
    assert!(csp.contains(&format!("connect-src 'self' http://{}", app.s3_addr)), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "inline scripts carry the nonce");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("x-request-id"));
    app.stop().await;
}

#[tokio::test]
async fn unknown_page_is_a_404_page() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
    app.stop().await;
}

#[tokio::test]
async fn the_terms_and_privacy_pages_registration_links_to_exist() {
    let app = spawn_app(Backend::Sqlite).await;
    for (path, heading) in [("/terms", "<h1>Terms of use</h1>"), ("/privacy", "<h1>Privacy</h1>")] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains(heading), "{path}: {html}");
        assert!(html.contains("href=\"/terms\"") && html.contains("href=\"/privacy\""), "footer links");
    }
    app.stop().await;
}

#[tokio::test]
async fn theme_cookie_is_rendered_on_the_first_byte() {
    let app = spawn_app(Backend::Sqlite).await;
    let html = app
        .client
        .get(app.url("/"))
        .header("cookie", "dds_theme=dark")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-theme=\"dark\""), "{html}");
    app.stop().await;
}

async fn active_motd_is_shown_on_every_page(backend: Backend) {
    let app = spawn_app(backend).await;
    dds_server::db::motd::add(&app.state().db, "Maintenance on Friday 18:00").await.unwrap();
    for path in ["/", "/missing-page"] {
        let html = app.client.get(app.url(path)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Maintenance on Friday 18:00"), "{path}: {html}");
    }
    // The same through the server function the hydrated page calls.
    let notices: serde_json::Value =
        app.client.post(app.url("/sfn/notices")).send().await.unwrap().json().await.unwrap();
    assert_eq!(notices["motds"], serde_json::json!(["Maintenance on Friday 18:00"]));
    assert_eq!(notices["maintenance"], false);
    app.stop().await;
}
both_backends!(motd_banner, active_motd_is_shown_on_every_page);
