//! Nothing secret is stored or logged: after the account journeys (invite, registration, login
//! with the session key fetched, password change, login again) the SQLite file — free pages
//! included — and every log line at trace level are searched for the passwords, the master
//! keys, auth_keys and keks (recomputed here from the spec, independently of wasm-crypto), the
//! user's private key, raw, hex and base64; the invitation token (drawn by the server and mailed)
//! is stored only as a hash and never logged.

use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as BASE64URL};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use wasm_crypto::{KdfParams, MasterKey, PrivateKey, Salt, WrappedPrivateKey};

use crate::auth::{auth_key_for, latest_code, seeded, signed_in};
use crate::helpers::{Backend, Browser, TestApp};

const FIRST_PASSWORD: &str = "Scan me 1: a unique passphrase";
const SECOND_PASSWORD: &str = "Scan me 2: another unique one";

/// Every log line of this test process (nextest runs each test in a process of its own).
#[derive(Clone, Default)]
pub(crate) struct CapturedLog(pub(crate) Arc<Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLog {
    type Writer = CapturedLog;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

pub(crate) fn capture_logs() -> CapturedLog {
    let log = CapturedLog::default();
    let filter = "trace,hyper=info,hyper_util=info,h2=info,rustls=info,reqwest=info,cookie_store=info,\
                  aws_smithy_runtime=info,aws_smithy_runtime_api=info,aws_sdk_s3=info,aws_config=info";
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(log.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("run with cargo nextest: this test needs its own process for the log capture");
    log
}

/// The spec's derivation (DESIGN §3), written out with argon2 + HMAC: master, auth_key, kek.
fn spec_keys(password: &str, salt: &[u8], params: KdfParams) -> [Vec<u8>; 3] {
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(params.memory_kib, params.iterations, params.parallelism, Some(32)).unwrap(),
    );
    let mut master = [0u8; 32];
    argon.hash_password_into(password.as_bytes(), salt, &mut master).unwrap();
    // HKDF-SHA256 without salt (extract with 32 zero bytes), one output block.
    let mut extract = <Hmac<Sha256>>::new_from_slice(&[0u8; 32]).unwrap();
    extract.update(&master);
    let prk = extract.finalize().into_bytes();
    let expand = |info: &[u8]| {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&prk).unwrap();
        mac.update(info);
        mac.update(&[1]);
        mac.finalize().into_bytes().to_vec()
    };
    [master.to_vec(), expand(b"dds/v1/auth"), expand(b"dds/v1/kek")]
}

fn random_key_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    bytes
}

/// The invitee's browser: credentials from `password` and the key pair `key`.
fn credentials(username: &str, password: &str, salt: &Salt, key: &PrivateKey) -> (Value, [Vec<u8>; 3]) {
    let master = MasterKey::derive(password.as_bytes(), salt, KdfParams::DEFAULT).unwrap();
    let spec = spec_keys(password, &salt.0, KdfParams::DEFAULT);
    assert_eq!(master.auth_key().as_bytes().as_slice(), spec[1].as_slice(), "wasm-crypto follows the spec");
    let body = json!({
        "salt": BASE64.encode(salt.0),
        "kdf": { "memory_kib": 65536, "iterations": 3, "parallelism": 1 },
        "auth_key": BASE64.encode(master.auth_key().as_bytes()),
        "public_key": BASE64.encode(key.public_key().as_bytes()),
        "wrapped_private_key": BASE64.encode(master.kek().wrap(key, username).as_bytes()),
    });
    (body, spec)
}

async fn log_in_with(app: &TestApp, username: &str, email: &str, password: &str) -> Browser {
    let browser = app.browser();
    let auth_key = auth_key_for(&browser, username, password).await;
    let response =
        browser.post("/api/v1/auth/login", json!({ "username": username, "auth_key": auth_key })).await;
    assert_eq!(response.status(), 200);
    let code = latest_code(app, email).unwrap();
    assert_eq!(browser.post("/api/v1/auth/second-factor", json!({ "code": code })).await.status(), 200);
    assert_eq!(browser.get("/api/v1/auth/session-key").await.status(), 200);
    browser
}

#[tokio::test]
async fn no_password_or_key_is_stored_or_logged_after_the_account_journeys() {
    let log = capture_logs();
    let app = seeded(Backend::Sqlite).await;
    let (username, email) = ("scan_subject", "scan.subject@example.org");

    // A Unit Admin invites; the server draws the link's token and mails it.
    let admin = signed_in(&app, "unitadmin_1").await;
    let invite = crate::invites::invite_body(email, "Researcher", None);
    assert_eq!(admin.post("/api/v1/invites", invite).await.status(), 201);
    let link = crate::invites::invite_link(&app, email);
    let token = BASE64URL.decode(&link).unwrap();

    // Registration with the first password and a private key of known bytes.
    let user_secret = random_key_bytes();
    let user_key = PrivateKey::for_test_vector(user_secret);
    let (mut body, first_keys) = credentials(username, FIRST_PASSWORD, &Salt::random(), &user_key);
    body["name"] = json!("Scan Subject");
    body["username"] = json!(username);
    let accepted = app.browser().post(&format!("/api/v1/invites/by-token/{link}/accept"), body).await;
    assert_eq!(accepted.status(), 201, "{:?}", accepted.text().await);

    // Log in, then change the password (same key pair, re-wrapped), then log in again.
    let tab = log_in_with(&app, username, email, FIRST_PASSWORD).await;
    let keys: Value = tab.get("/api/v1/users/me/keys").await.json().await.unwrap();
    let wrapped =
        WrappedPrivateKey::from_bytes(BASE64.decode(keys["wrapped_private_key"].as_str().unwrap()).unwrap())
            .unwrap();
    let old_salt = Salt::from_slice(&BASE64.decode(keys["salt"].as_str().unwrap()).unwrap()).unwrap();
    let old = MasterKey::derive(FIRST_PASSWORD.as_bytes(), &old_salt, KdfParams::DEFAULT).unwrap();
    let key = old.kek().unwrap(&wrapped, username).unwrap();
    assert_eq!(key.public_key(), user_key.public_key());
    let (mut change, second_keys) = credentials(username, SECOND_PASSWORD, &Salt::random(), &key);
    change["current_auth_key"] = json!(BASE64.encode(old.auth_key().as_bytes()));
    assert_eq!(tab.post("/api/v1/users/me/password", change).await.status(), 204);
    log_in_with(&app, username, email, SECOND_PASSWORD).await;
    app.state().db.close().await;

    let mut stored = Vec::new();
    for entry in std::fs::read_dir(app.data_dir()).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("dds.sqlite") {
            stored.extend(std::fs::read(entry.path()).unwrap());
        }
    }
    assert!(stored.len() > 4096, "the database was read");
    let logged = log.0.lock().unwrap().clone();
    assert!(String::from_utf8_lossy(&logged).contains("registered by invite"), "the log was captured");

    let mut secrets: Vec<(String, Vec<u8>)> = vec![
        ("first password".into(), FIRST_PASSWORD.into()),
        ("second password".into(), SECOND_PASSWORD.into()),
    ];
    let names = ["master key", "auth_key", "kek"];
    for (which, keys) in [("first", &first_keys), ("second", &second_keys)] {
        for (name, bytes) in names.iter().zip(keys.iter()) {
            secrets.push((format!("{which} {name}"), bytes.clone()));
        }
    }
    secrets.push(("user private key".into(), user_secret.to_vec()));
    for (name, raw) in secrets {
        let forms = [raw.clone(), hex::encode(&raw).into_bytes(), BASE64.encode(&raw).into_bytes()];
        for (form, needle) in ["raw", "hex", "base64"].iter().zip(forms) {
            let found = |haystack: &[u8]| haystack.windows(needle.len()).any(|w| w == needle.as_slice());
            assert!(!found(&stored), "{name} ({form}) is in the database");
            assert!(!found(&logged), "{name} ({form}) is in the log");
        }
    }
    // The invite token: only its hash is stored, and request logs redact it.
    let token_forms = [token.clone(), link.clone().into_bytes()];
    for needle in &token_forms {
        assert!(!stored.windows(needle.len()).any(|w| w == needle.as_slice()), "invite token stored");
    }
    let request_lines: Vec<_> = String::from_utf8_lossy(&logged)
        .lines()
        .filter(|l| l.contains("by-token"))
        .map(String::from)
        .collect();
    assert!(
        !request_lines.is_empty() && request_lines.iter().all(|l| !l.contains(&link)),
        "{request_lines:?}"
    );
    app.stop().await;
}
