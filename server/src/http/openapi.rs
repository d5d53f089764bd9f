//! The OpenAPI 3.1 document of `/api/v1`, served at `GET /api/v1/openapi.json`. It is generated
//! from the authorization table (`authz::ENDPOINTS`: method, path, access) and each entry's
//! [`Doc`] (summary, request and answer schemas of the `app::api` types): a route cannot be
//! added without a table entry (start-up fails), and a table entry cannot be written without
//! its `Doc`, so the document lists every route.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::Json;
use http::Method;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ComponentsBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref, RefOr, Required, ResponseBuilder,
    ResponsesBuilder, Server,
};
use utoipa::ToSchema;

use super::authz::{Access, ENDPOINTS};

/// Registers a schema (and the schemas it refers to) and answers how to refer to it.
pub type SchemaFn = fn(&mut Vec<(String, RefOr<Schema>)>) -> RefOr<Schema>;

/// What the document says of one endpoint besides its method, path and access.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    pub summary: &'static str,
    pub request: Option<SchemaFn>,
    /// The status of a successful answer (200, 201, 202, 204).
    pub status: u16,
    pub response: Option<SchemaFn>,
    /// The media type of a successful answer's body.
    pub media: &'static str,
}

impl Doc {
    /// An endpoint without a body that answers 204.
    pub const fn new(summary: &'static str) -> Doc {
        Doc { summary, request: None, status: 204, response: None, media: "application/json" }
    }

    /// Its JSON request body.
    pub const fn body(self, schema: SchemaFn) -> Doc {
        Doc { request: Some(schema), ..self }
    }

    /// Its successful answer: 200 with CSV text (an export).
    pub const fn answers_csv(self) -> Doc {
        Doc { status: 200, response: Some(any_text), media: "text/csv", ..self }
    }

    /// Its successful answer: `status` with a JSON body.
    pub const fn answers(self, status: u16, schema: SchemaFn) -> Doc {
        Doc { status, response: Some(schema), ..self }
    }
}

/// A JSON value of type `T`, referred to by name.
pub const fn json<T: ToSchema>() -> SchemaFn {
    named::<T>
}

/// A JSON array of `T`.
pub const fn list<T: ToSchema>() -> SchemaFn {
    array_of::<T>
}

/// Any JSON object (the OpenAPI document itself).
pub const fn object() -> SchemaFn {
    any_object
}

fn named<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) -> RefOr<Schema> {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
    Ref::from_schema_name(T::name()).into()
}

fn array_of<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) -> RefOr<Schema> {
    ArrayBuilder::new().items(named::<T>(schemas)).build().into()
}

fn any_text(_: &mut Vec<(String, RefOr<Schema>)>) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).build().into()
}

fn any_object(_: &mut Vec<(String, RefOr<Schema>)>) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Object).build().into()
}

/// The cookie that carries the session of signed-in endpoints.
const SESSION: &str = "session";

/// The document, built once.
pub static DOCUMENT: LazyLock<OpenApi> = LazyLock::new(document);

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> Json<&'static OpenApi> {
    Json(&DOCUMENT)
}

fn document() -> OpenApi {
    let mut schemas = Vec::new();
    let error = named::<app::api::error::ErrorBody>(&mut schemas);
    let mut paths = Paths::new();
    for endpoint in ENDPOINTS {
        let operation = operation(endpoint, &error, &mut schemas);
        paths.add_path_operation(endpoint.path, vec![http_method(&endpoint.method)], operation);
    }
    let mut components = ComponentsBuilder::new().security_scheme(
        SESSION,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "dds_session",
            "The session cookie set by `POST /auth/second-factor` (`__Host-dds_session` behind https).",
        ))),
    );
    // Types are registered once per use; one name must always mean one schema.
    let mut by_name = BTreeMap::new();
    for (name, schema) in schemas {
        if let Some(other) = by_name.insert(name.clone(), schema.clone()) {
            assert!(other == schema, "two wire types are both named {name}");
        }
    }
    components = components.schemas_from_iter(by_name);
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("DDS JSON API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The wire types are declared once in `app::api`; this document is generated from \
                     the server's authorization table. Writes with a session cookie must come from \
                     the portal's own pages (`Origin` / `Sec-Fetch-Site`).",
                ))
                .build(),
        )
        .servers(Some([Server::new(app::api::BASE)]))
        .paths(paths)
        .components(Some(components.build()))
        .build()
}

fn operation(
    endpoint: &super::authz::Endpoint,
    error: &RefOr<Schema>,
    schemas: &mut Vec<(String, RefOr<Schema>)>,
) -> utoipa::openapi::path::Operation {
    let doc = &endpoint.doc;
    let access = match endpoint.access {
        Access::Public => "Anyone, signed in or not.",
        Access::SignedIn => "Signed-in users (not during maintenance, except Super Admins).",
        Access::SuperAdmin => "Super Admins only.",
    };
    let mut success = ResponseBuilder::new().description(status_text(doc.status));
    if let Some(schema) = doc.response {
        success = success.content(doc.media, ContentBuilder::new().schema(Some(schema(schemas))).build());
    }
    let failure = ResponseBuilder::new()
        .description("An error: the status again, a sentence for a person and the request id.")
        .content("application/json", ContentBuilder::new().schema(Some(error.clone())).build());
    let responses = ResponsesBuilder::new()
        .response(doc.status.to_string(), success.build())
        .response("default", failure.build())
        .build();
    let mut builder = OperationBuilder::new()
        .summary(Some(doc.summary))
        .description(Some(access))
        .operation_id(Some(format!("{} {}", endpoint.method, endpoint.path)))
        .tag(tag(endpoint.path))
        .responses(responses);
    for name in parameters(endpoint.path) {
        let schema = if name == "id" { Type::Integer } else { Type::String };
        builder = builder.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(ObjectBuilder::new().schema_type(schema).build())),
        );
    }
    if let Some(schema) = doc.request {
        let body = RequestBodyBuilder::new()
            .required(Some(Required::True))
            .content("application/json", ContentBuilder::new().schema(Some(schema(schemas))).build());
        builder = builder.request_body(Some(body.build()));
    }
    if endpoint.access != Access::Public {
        builder = builder.security(SecurityRequirement::new(SESSION, Vec::<String>::new()));
    }
    builder.build()
}

/// The `{name}` parameters of a path template (`{id}` is an integer, the others strings).
fn parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
}

/// The area an endpoint belongs to: its first path segment.
fn tag(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or_default()
}

fn status_text(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        _ => "Success",
    }
}

fn http_method(method: &Method) -> HttpMethod {
    match *method {
        Method::GET => HttpMethod::Get,
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::PATCH => HttpMethod::Patch,
        Method::DELETE => HttpMethod::Delete,
        ref other => panic!("no OpenAPI operation for {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_in_the_document() {
        let json = serde_json::to_value(&*DOCUMENT).unwrap();
        assert_eq!(json["openapi"], "3.1.0");
        for endpoint in ENDPOINTS {
            let method = endpoint.method.as_str().to_lowercase();
            assert!(json["paths"][endpoint.path][&method].is_object(), "{method} {}", endpoint.path);
        }
    }

    #[test]
    fn path_parameters_are_read_from_the_template() {
        assert_eq!(parameters("/invites/by-token/{token}/accept").collect::<Vec<_>>(), ["token"]);
        assert_eq!(parameters("/users").count(), 0);
        assert_eq!(tag("/users/me/keys"), "users");
    }
}
