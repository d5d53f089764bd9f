use crate::both_backends;
use crate::helpers::{spawn_app, spawn_app_with, Backend};

async fn status_reports_database_and_storage_ok(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.client.get(app.url("/status")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"], "ok");
    assert_eq!(body["storage"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    app.stop().await;
}
both_backends!(status_ok, status_reports_database_and_storage_ok);

#[tokio::test]
async fn status_names_storage_when_it_is_unreachable() {
    // An external endpoint nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let endpoint = format!("http://{closed}");
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("DDS_S3_ENDPOINT", &endpoint), ("DDS_S3_ACCESS_KEY", "a"), ("DDS_S3_SECRET_KEY", "b")],
    )
    .await;
    let response = app.client.get(app.url("/status")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"], "ok");
    assert_eq!(body["storage"], "unavailable");
    app.stop().await;
}

#[tokio::test]
async fn unknown_api_endpoint_is_json_with_request_id() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.client.get(app.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let header_id = response.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "There is no such API endpoint.");
    assert_eq!(body["request_id"], header_id.as_str());
    assert_eq!(header_id.len(), 36, "a UUID request id");
    app.stop().await;
}
