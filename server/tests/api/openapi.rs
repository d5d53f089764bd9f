//! The OpenAPI document at `GET /api/v1/openapi.json`: it lists exactly the routes of
//! `authz::ENDPOINTS` (no route missing, none made up), each of them is really routed, and the
//! document is valid OpenAPI 3.1 — checked against the official schema (vendored in
//! `tests/openapi/`, see its README) and every component schema against JSON Schema 2020-12.

use std::collections::BTreeSet;

use dds_server::http::authz::ENDPOINTS;
use serde_json::Value;

use crate::helpers::{spawn_app, Backend};

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The official OpenAPI 3.1 schema (without Schema Object validation, which the components
/// check below does with the JSON Schema 2020-12 meta-schema).
const OAS_31_SCHEMA: &str = include_str!("../openapi/oas-3.1-schema.json");

async fn served_document() -> Value {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    app.stop().await;
    document
}

fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let paths = document["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("path item");
            item.keys()
                .filter(|key| METHODS.contains(&key.as_str()))
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_of_the_authorization_table() {
    let document = served_document().await;
    let documented = operations(&document);
    let declared: BTreeSet<(String, String)> =
        ENDPOINTS.iter().map(|e| (e.method.as_str().to_string(), e.path.to_string())).collect();
    let missing: Vec<_> = declared.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&declared).collect();
    assert!(missing.is_empty(), "routes missing from the document: {missing:?}");
    assert!(unknown.is_empty(), "documented operations that are not routes: {unknown:?}");
    assert!(declared.contains(&("GET".to_string(), "/openapi.json".to_string())));
    assert_eq!(document["servers"][0]["url"], "/api/v1");
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = spawn_app(Backend::Sqlite).await;
    let visitor = app.browser();
    for endpoint in ENDPOINTS {
        if endpoint.path == "/auth/logout" {
            continue;
        }
        let path = endpoint.path.replace("{id}", "999999").replace('{', "x").replace('}', "");
        let method = reqwest::Method::from_bytes(endpoint.method.as_str().as_bytes()).unwrap();
        let response = visitor
            .client
            .request(method, format!("{}/api/v1{path}", visitor.base))
            .header("origin", &visitor.base)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert_ne!(status, 405, "{} {} is not routed for its method", endpoint.method, endpoint.path);
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_ne!(
            body["error"], "There is no such API endpoint.",
            "{} {} is documented but not routed",
            endpoint.method, endpoint.path
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let document = served_document().await;
    assert_eq!(document["openapi"], "3.1.0");
    let schema: Value = serde_json::from_str(OAS_31_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the official schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(&document).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "not valid OpenAPI 3.1: {errors:#?}");

    let components = document["components"]["schemas"].as_object().expect("component schemas");
    assert!(components.contains_key("ErrorBody") && components.contains_key("ProjectDetails"));
    for (name, component) in components {
        jsonschema::meta::validate(component)
            .unwrap_or_else(|e| panic!("component {name} is no JSON Schema 2020-12: {e}"));
    }
    // Every reference resolves to a component.
    let text = document.to_string();
    for reference in text.split("\"$ref\":\"").skip(1) {
        let target = reference.split('"').next().unwrap();
        let name = target.strip_prefix("#/components/schemas/").expect("a component reference");
        assert!(components.contains_key(name), "dangling reference {target}");
    }
}

#[tokio::test]
async fn the_validator_rejects_a_broken_document() {
    // The check above would pass anything if the schema were not applied: a document without
    // `info` and with a malformed operation must fail.
    let schema: Value = serde_json::from_str(OAS_31_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut broken = served_document().await;
    broken.as_object_mut().unwrap().remove("info");
    assert!(!validator.is_valid(&broken));
    let mut broken = served_document().await;
    broken["paths"]["/users"]["get"]["responses"] = Value::String("none".into());
    assert!(!validator.is_valid(&broken));
}
