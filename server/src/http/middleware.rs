//! Cross-cutting layers: request ids, request logging, error bodies, security headers.

use app::api::error::ErrorBody;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::{self, HeaderName, HeaderValue};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::error::ErrorMessage;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn request_id_of(request: &Request) -> String {
    request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_string()
}

/// Wraps `router` in the layers every response goes through (outermost first: the request id
/// exists before the log span and the error body need it).
pub fn apply<S: Clone + Send + Sync + 'static>(router: axum::Router<S>, https: bool) -> axum::Router<S> {
    let router = router
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(render_errors))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::info_span!(
                        "request",
                        id = %request_id_of(request),
                        method = %request.method(),
                        path = %loggable_path(request.uri().path()),
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid));
    let router = security_headers(router).layer(axum::middleware::from_fn(worker_policy));
    if https {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ))
    } else {
        router
    }
}

/// The path as logged: link secrets in paths (invite, password-reset and confirmation tokens, 32
/// random bytes = 43 base64url characters) are replaced, so a log never holds a usable link.
/// Shorter segments (names, numeric ids, UUIDs) stay readable.
pub fn loggable_path(path: &str) -> String {
    const SECRET_MIN_LEN: usize = 40;
    path.split('/')
        .map(|segment| {
            let token_like = segment.len() >= SECRET_MIN_LEN
                && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if token_like {
                "[redacted]"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn security_headers<S: Clone + Send + Sync + 'static>(router: axum::Router<S>) -> axum::Router<S> {
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"),
        // Pages replace this with their own policy (which carries the render's script nonce);
        // everything else (JSON, files) may load nothing.
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'"),
    ];
    fixed.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)))
    })
}

/// A worker's policy is the one its script is served with. The crypto pool's two workers need a
/// little more than `default-src 'none'`, which every other file keeps: the crypto workers import
/// the portal's file-reading module, and the hashing worker also fetches and compiles the page's
/// wasm bundle.
async fn worker_policy(request: Request, next: Next) -> Response {
    let policy = match request.uri().path() {
        CRYPTO_WORKER => Some(CRYPTO_WORKER_POLICY),
        HASH_WORKER => Some(HASH_WORKER_POLICY),
        _ => None,
    };
    let mut response = next.run(request).await;
    if let Some(policy) = policy.filter(|_| response.status().is_success()) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    }
    response
}

const CRYPTO_WORKER: &str = "/pkg/crypto/crypto-worker.js";
const CRYPTO_WORKER_POLICY: &str = "default-src 'none'; script-src 'self'";
const HASH_WORKER: &str = "/pkg/crypto/hash-worker.js";
const HASH_WORKER_POLICY: &str =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";

/// A panic in a handler becomes a 500 with the usual sentence and request id (the connection is
/// not dropped); its message goes to the log only.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "request handler panicked");
    let mut response = http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(ErrorMessage("An unexpected error occurred. Please try again.".into()));
    response
}

/// Gives every API error the same JSON body, `app::api::error::ErrorBody`:
/// `{"status": 4xx/5xx, "error": "...", "request_id": "..."}`.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let request_id = request_id_of(&request);
    let response = next.run(request).await;
    let Some(ErrorMessage(message)) = response.extensions().get::<ErrorMessage>().cloned() else {
        return response;
    };
    let status = response.status();
    let mut headers = response.headers().clone();
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::CONTENT_LENGTH);
    let body = ErrorBody { status: status.as_u16(), error: message, request_id };
    // The error's own headers (e.g. `Retry-After`) stay.
    (status, headers, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_never_reach_the_log() {
        let token = "q3Z8yJ1m0b2V4x6Cw9Ae5Rt7Uo0Pi2Lk4Jh6Gf8Ds1S";
        assert_eq!(
            loggable_path(&format!("/api/v1/invites/by-token/{token}/accept")),
            "/api/v1/invites/by-token/[redacted]/accept"
        );
        assert_eq!(loggable_path(&format!("/invite/{token}")), "/invite/[redacted]");
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_with_a_request_id() {
        use tower::ServiceExt;
        let router: axum::Router = apply(
            axum::Router::new().route(
                "/boom",
                axum::routing::get(|| async {
                    panic!("secret internals");
                    #[allow(unreachable_code)]
                    ""
                }),
            ),
            false,
        );
        let request = Request::builder().uri("/boom").body(axum::body::Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 500);
        let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "An unexpected error occurred. Please try again.");
        assert_eq!(body["status"], 500);
        assert!(body["request_id"].as_str().is_some_and(|id| id.len() > 8), "{body}");
        assert!(!body.to_string().contains("secret internals"));
    }

    #[tokio::test]
    async fn only_the_pool_workers_may_load_scripts_and_only_the_hasher_wasm() {
        use tower::ServiceExt;
        let script = || axum::routing::get(|| async { "// a worker" });
        let router: axum::Router = apply(
            axum::Router::new()
                .route(HASH_WORKER, script())
                .route(CRYPTO_WORKER, script())
                .route("/pkg/crypto/read.js", script()),
            false,
        );
        let policy = |path: &'static str| {
            let router = router.clone();
            async move {
                let request = Request::builder().uri(path).body(axum::body::Body::empty()).unwrap();
                let response = router.oneshot(request).await.unwrap();
                response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string()
            }
        };
        assert_eq!(policy(HASH_WORKER).await, HASH_WORKER_POLICY);
        assert_eq!(policy(CRYPTO_WORKER).await, CRYPTO_WORKER_POLICY);
        assert_eq!(policy("/pkg/crypto/read.js").await, "default-src 'none'; frame-ancestors 'none'");
    }

    #[test]
    fn ordinary_paths_stay_readable() {
        for path in ["/", "/api/v1/users/unitadmin_1", "/pkg/dds_bg.wasm", "/api/v1/motd/12"] {
            assert_eq!(loggable_path(path), path);
        }
        let uuid = "/api/v1/uploads/4f1c2a9e-8b7d-4c3e-9a1f-0e2d3c4b5a69";
        assert_eq!(loggable_path(uuid), uuid);
    }
}
