//! CSRF protection for cookie-authenticated requests: a state-changing request must come from
//! the portal's own pages. Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`);
//! a cross-site form or script cannot forge either. Requests without a session cookie (the
//! future CLI's bearer tokens) are not exposed to CSRF.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, Method};

use crate::http::error::ApiError;

/// The portal's origin (`scheme://host[:port]`), compared with `Origin`.
#[derive(Clone, Debug)]
pub struct PortalOrigin(pub String);

pub fn origin_of(url: &str) -> String {
    let scheme_end = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[scheme_end..].find('/') {
        Some(i) => url[..scheme_end + i].to_string(),
        None => url.to_string(),
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub async fn protect(State(origin): State<PortalOrigin>, request: Request, next: Next) -> Response {
    if is_safe(request.method()) || !request.headers().contains_key(header::COOKIE) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let request_origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let same_origin = match (fetch_site, request_origin) {
        (Some(site), _) if site != "same-origin" && site != "none" => false,
        (_, Some(o)) => o == origin.0,
        (Some(_), None) => true,
        // Neither header: not a browser of this decade; refuse a cookie-carrying write.
        (None, None) => false,
    };
    if same_origin {
        next.run(request).await
    } else {
        ApiError::Forbidden("Cross-site request refused.".into()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_drops_the_path() {
        assert_eq!(origin_of("https://dds.example.org/some/path"), "https://dds.example.org");
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
