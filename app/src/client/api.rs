//! Calls from the browser to the JSON API (`/api/v1`). A failure is an [`ApiError`]: the status
//! the portal answered (or that it could not be reached), its sentence for a person and the
//! request id, decoded from `api::error::ErrorBody`. Pages branch on [`ApiError::status`], never
//! on the sentence.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::error::ErrorBody;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The portal answered with this HTTP status.
    Status(u16),
    /// No answer: the network or the portal is down.
    Unreachable,
    /// A 2xx answer that was not what the contract says, or a request that could not be made.
    Unexpected,
    /// Called during server rendering, where there is no browser.
    NoBrowser,
}

/// A failed API call, for a person: [`std::fmt::Display`] is the sentence to show (with the
/// request id for server errors, which an operator needs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.sentence())]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    pub request_id: Option<String>,
}

impl ApiError {
    fn new(kind: ErrorKind, message: &str) -> ApiError {
        ApiError { kind, message: message.to_string(), request_id: None }
    }

    /// The portal's status, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            ErrorKind::Status(status) => Some(status),
            _ => None,
        }
    }

    /// Whether the portal answered `status`.
    pub fn is(&self, status: u16) -> bool {
        self.status() == Some(status)
    }

    /// Decodes an error answer: the API's [`ErrorBody`], or a generic sentence for anything
    /// else (a proxy's HTML page).
    pub fn from_answer(status: u16, body: &str) -> ApiError {
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(ErrorBody { error, request_id, .. }) => {
                ApiError { kind: ErrorKind::Status(status), message: error, request_id: Some(request_id) }
            }
            Err(_) => ApiError::new(
                ErrorKind::Status(status),
                &format!("The portal answered with an error (HTTP {status})."),
            ),
        }
    }

    fn sentence(&self) -> String {
        match (&self.request_id, self.status()) {
            (Some(id), Some(status)) if status >= 500 => format!("{} (request {id})", self.message),
            _ => self.message.clone(),
        }
    }
}

/// Pages show errors as sentences; `?` turns an [`ApiError`] into one.
impl From<ApiError> for String {
    fn from(err: ApiError) -> String {
        err.to_string()
    }
}

/// POSTs JSON and decodes the JSON answer.
pub async fn post_json<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    send_json("POST", path, body).await
}

/// POSTs no body (the endpoints whose contract has none) and decodes the JSON answer.
pub async fn post_empty<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    send("POST", path, None::<&()>).await
}

/// DELETEs and decodes the JSON answer (`()` for the usual 204).
pub async fn delete<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    send("DELETE", path, None::<&()>).await
}

/// Sends JSON with `method` and decodes the JSON answer (`null` for an empty one).
pub async fn send_json<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    send(method, path, Some(body)).await
}

#[cfg(feature = "hydrate")]
async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&B>,
) -> Result<T, ApiError> {
    let builder = match method {
        "PATCH" => gloo_net::http::Request::patch(path),
        "PUT" => gloo_net::http::Request::put(path),
        "DELETE" => gloo_net::http::Request::delete(path),
        "GET" => gloo_net::http::Request::get(path),
        _ => gloo_net::http::Request::post(path),
    };
    let sent = match body {
        Some(body) => {
            builder
                .json(body)
                .map_err(|_| ApiError::new(ErrorKind::Unexpected, "The request could not be prepared."))?
                .send()
                .await
        }
        None => builder.send().await,
    };
    decode(sent).await
}

#[cfg(not(feature = "hydrate"))]
async fn send<B: Serialize, T: DeserializeOwned>(
    _method: &str,
    _path: &str,
    _body: Option<&B>,
) -> Result<T, ApiError> {
    Err(ApiError::new(ErrorKind::NoBrowser, "Only available in the browser."))
}

/// The JSON of a 2xx answer (`null` when empty), else the API's error.
#[cfg(feature = "hydrate")]
async fn decode<T: DeserializeOwned>(
    sent: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = sent.map_err(|_| {
        ApiError::new(
            ErrorKind::Unreachable,
            "The portal could not be reached. Check your connection and try again.",
        )
    })?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if (200..300).contains(&status) {
        let text = if text.is_empty() { "null" } else { text.as_str() };
        serde_json::from_str(text)
            .map_err(|_| ApiError::new(ErrorKind::Unexpected, "The portal sent an unexpected answer."))
    } else {
        Err(ApiError::from_answer(status, &text))
    }
}

/// GETs JSON.
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    send("GET", path, None::<&()>).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_become_typed_errors() {
        let refused = ApiError::from_answer(
            401,
            r#"{"status":401,"error":"Invalid username or password.","request_id":"r1"}"#,
        );
        assert_eq!(refused.status(), Some(401));
        assert!(refused.is(401));
        assert_eq!(refused.request_id.as_deref(), Some("r1"));
        assert_eq!(refused.to_string(), "Invalid username or password.");

        let failed = ApiError::from_answer(
            500,
            r#"{"status":500,"error":"The system encountered an error in the database.","request_id":"r2"}"#,
        );
        assert_eq!(failed.to_string(), "The system encountered an error in the database. (request r2)");

        let proxy = ApiError::from_answer(502, "<html>");
        assert_eq!(proxy.status(), Some(502));
        assert_eq!(proxy.to_string(), "The portal answered with an error (HTTP 502).");
    }

    #[test]
    fn the_error_body_is_the_servers() {
        let body = ErrorBody { status: 409, error: "Confirm first.".into(), request_id: "r3".into() };
        let err = ApiError::from_answer(409, &serde_json::to_string(&body).unwrap());
        assert_eq!((err.status(), err.message.as_str()), (Some(409), "Confirm first."));
    }
}
