//! Calls from the browser to the JSON API (`/api/v1`), with the API's error sentences.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// POSTs JSON and decodes the JSON answer; an error is the API's sentence for a person.
pub async fn post_json<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, String> {
    send_json("POST", path, body).await
}

/// Sends JSON with `method` and decodes the JSON answer (`null` for an empty one).
#[cfg(feature = "hydrate")]
pub async fn send_json<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
) -> Result<T, String> {
    let builder = match method {
        "PATCH" => gloo_net::http::Request::patch(path),
        "PUT" => gloo_net::http::Request::put(path),
        "DELETE" => gloo_net::http::Request::delete(path),
        _ => gloo_net::http::Request::post(path),
    };
    let request = builder.json(body).map_err(|_| "The request could not be prepared.".to_string())?;
    decode(request.send().await).await
}

/// The JSON of a 2xx answer (`null` when empty), else the API's error sentence.
#[cfg(feature = "hydrate")]
async fn decode<T: DeserializeOwned>(
    sent: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, String> {
    let response = sent
        .map_err(|_| "The portal could not be reached. Check your connection and try again.".to_string())?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if (200..300).contains(&status) {
        let text = if text.is_empty() { "null".to_string() } else { text };
        serde_json::from_str(&text).map_err(|_| "The portal sent an unexpected answer.".to_string())
    } else {
        Err(error_sentence(&text, status))
    }
}

/// GETs JSON; an error is the API's sentence for a person.
#[cfg(feature = "hydrate")]
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, String> {
    decode(gloo_net::http::Request::get(path).send().await).await
}

#[cfg(not(feature = "hydrate"))]
pub async fn get_json<T: DeserializeOwned>(_path: &str) -> Result<T, String> {
    Err("Only available in the browser.".to_string())
}

/// The `error` field of an API error body (plus its request id), or a generic sentence.
pub fn error_sentence(body: &str, status: u16) -> String {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error: String,
        request_id: Option<String>,
    }
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(ErrorBody { error, request_id: Some(id) }) if status >= 500 => format!("{error} (request {id})"),
        Ok(ErrorBody { error, .. }) => error,
        Err(_) => format!("The portal answered with an error (HTTP {status})."),
    }
}

#[cfg(not(feature = "hydrate"))]
pub async fn send_json<B: Serialize, T: DeserializeOwned>(
    _method: &str,
    _path: &str,
    _body: &B,
) -> Result<T, String> {
    Err("Only available in the browser.".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_become_sentences() {
        assert_eq!(
            error_sentence(r#"{"error":"Invalid username or password.","request_id":"r1"}"#, 401),
            "Invalid username or password."
        );
        assert_eq!(
            error_sentence(
                r#"{"error":"The system encountered an error in the database.","request_id":"r2"}"#,
                500
            ),
            "The system encountered an error in the database. (request r2)"
        );
        assert_eq!(error_sentence("<html>", 502), "The portal answered with an error (HTTP 502).");
    }
}
