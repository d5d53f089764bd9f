//! Logging in over HTTP as a browser does (pre-login, auth_key derived with wasm-crypto, never
//! the password; the emailed one-time code read from the outbox). Shared by the API tests and
//! the benchmarks.

use std::path::Path;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Value};
use wasm_crypto::{KdfParams, MasterKey, Salt};

/// A same-origin POST, as the portal's pages send it.
pub async fn post(client: &reqwest::Client, base: &str, path: &str, body: Value) -> reqwest::Response {
    client.post(format!("{base}{path}")).header("origin", base).json(&body).send().await.unwrap()
}

/// What the browser sends at login: auth_key derived from the password and pre-login's salt.
pub async fn auth_key(client: &reqwest::Client, base: &str, username: &str, password: &str) -> String {
    let pre: Value = post(client, base, "/api/v1/auth/prelogin", json!({ "username": username }))
        .await
        .json()
        .await
        .unwrap();
    assert!(pre["salt"].is_string(), "pre-login failed: {pre}");
    let salt = Salt::from_slice(&BASE64.decode(pre["salt"].as_str().unwrap()).unwrap()).unwrap();
    let params = KdfParams {
        memory_kib: pre["kdf"]["memory_kib"].as_u64().unwrap() as u32,
        iterations: pre["kdf"]["iterations"].as_u64().unwrap() as u32,
        parallelism: pre["kdf"]["parallelism"].as_u64().unwrap() as u32,
    };
    let master = MasterKey::derive(password.as_bytes(), &salt, params).unwrap();
    BASE64.encode(master.auth_key().as_bytes())
}

/// The newest one-time code mailed to `email`.
pub fn latest_code(outbox: &Path, email: &str) -> Option<String> {
    let mut mails: Vec<_> = std::fs::read_dir(outbox)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| (e.metadata().unwrap().modified().unwrap(), std::fs::read_to_string(e.path()).unwrap()))
        .filter(|(_, text)| {
            text.contains(&format!("To: {email}")) && text.contains("One-Time Authentication Code")
        })
        .collect();
    mails.sort_by_key(|(modified, _)| *modified);
    let text = &mails.last()?.1;
    let at = text.find("code for the Data Delivery System is:")?;
    text[at..].split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 8).map(str::to_string)
}
