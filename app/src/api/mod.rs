//! The JSON API's wire contract (`/api/v1`), shared by the server's handlers, its authorization
//! table and the browser: request and response types and path templates, declared once.
//! One module per area; each path constant's doc names its method, body and answer. With the
//! `openapi` feature (the server's) every type derives its OpenAPI schema.

pub mod account;
pub mod auth;
pub mod dashboard;
pub mod error;
pub mod files;
pub mod health;
pub mod invites;
pub mod keys;
pub mod members;
pub mod notices;
pub mod password_reset;
pub mod project_status;
pub mod projects;
pub mod statistics;
pub mod tasks;
pub mod transfers;
pub mod units;
pub mod users;

use serde::{Deserialize, Serialize};

/// `GET` → the OpenAPI 3.1 document of this API (generated from the server's route table).
pub const OPENAPI: &str = "/openapi.json";

/// A sentence for the user, the answer of the emailed-link steps and of a reset request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub message: String,
}

/// The id of something just created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Created {
    pub id: i64,
}

/// Where the JSON API lives; the path constants below are relative to it, as the server's
/// authorization table declares them.
pub const BASE: &str = "/api/v1";

/// The URL a browser calls for an API path (`url(keys::UNIT_KEYS)`).
pub fn url(path: &str) -> String {
    format!("{BASE}{path}")
}

/// What stays as it is in a path segment: RFC 3986's unreserved characters.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// A path template with its one `{name}` parameter filled in (`with_param(PROJECT_APPROVALS,
/// "proj00001")`). The value is percent-encoded, so it stays one path segment.
pub fn with_param(template: &str, value: &str) -> String {
    let start = template.find('{').expect("a template with a parameter");
    let end = template[start..].find('}').expect("a closed parameter") + start;
    let encoded = percent_encoding::utf8_percent_encode(value, SEGMENT);
    format!("{}{encoded}{}", &template[..start], &template[end + 1..])
}

/// A value for a query string (`?path=…`), percent-encoded.
pub fn query_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}

/// `path` with the query parameters that have a value (`None`: left out), each percent-encoded;
/// the bare path when none has.
pub fn with_query(path: &str, params: &[(&str, Option<&str>)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter_map(|(name, value)| value.map(|value| format!("{name}={}", query_value(value))))
        .collect();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_with_a_value_are_appended_encoded() {
        assert_eq!(with_query("/api/v1/users", &[("q", None), ("after", None)]), "/api/v1/users");
        assert_eq!(
            with_query("/api/v1/users", &[("q", Some("a b&c")), ("after", None)]),
            "/api/v1/users?q=a%20b%26c"
        );
        assert_eq!(
            with_query("/api/v1/users", &[("q", Some("x")), ("after", Some("unit_1"))]),
            "/api/v1/users?q=x&after=unit_1"
        );
    }

    #[test]
    fn a_parameter_is_filled_in_as_one_segment() {
        assert_eq!(with_param("/projects/{public_id}/approvals", "abc00001"), "/projects/abc00001/approvals");
        assert_eq!(with_param("/projects/{public_id}", "a/b c"), "/projects/a%2Fb%20c");
        assert_eq!(with_param("/x/{v}/y", "a-b_c.d~é?"), "/x/a-b_c.d~%C3%A9%3F/y");
        assert_eq!(url("/units/me/keys"), "/api/v1/units/me/keys");
    }
}
