//! Nothing the server sees opens a key (issue 10, the HIGH finding's judged-by): every byte the
//! server receives (through a tapping proxy in front of it), stores (the SQLite file, free pages
//! included), mails (the outbox) and logs (trace level) during invite → registration → login →
//! approval is searched for anything that opens the unit key or a project key: every 32-byte
//! window of the database file and of every base64 value anywhere, tried as an X25519 private
//! key against the unit's, the project's and every user's public key (a user's private key opens
//! their seals). A positive control shows the search finds a key that is there.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use dds_server::db::seed::{DEV_PASSWORD, DEV_PROJECT};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wasm_crypto::{open_private_key, KdfParams, MasterKey, PrivateKey, PublicKey, Salt, Sealed};

use crate::auth::latest_code;
use crate::helpers::{Backend, TestApp};
use crate::invites::{invite_body, invite_link};
use crate::secrets::capture_logs;
use crate::unit_keys::{approval_for, b64, unb64};

/// A TCP proxy in front of the server that keeps every byte a client sends it.
struct Tap {
    addr: std::net::SocketAddr,
    received: Arc<Mutex<Vec<u8>>>,
}

async fn tap(server: std::net::SocketAddr) -> Tap {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let keep = received.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let upstream = tokio::net::TcpStream::connect(server).await.unwrap();
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = upstream.into_split();
            let keep = keep.clone();
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 64 * 1024];
                while let Ok(n) = client_read.read(&mut buffer).await {
                    if n == 0 || server_write.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                    keep.lock().unwrap().extend_from_slice(&buffer[..n]);
                }
            });
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
            });
        }
    });
    Tap { addr, received }
}

/// A browser talking to the server through the tap (its Origin is the portal's).
struct TappedBrowser {
    client: reqwest::Client,
    via: String,
    origin: String,
}

impl TappedBrowser {
    fn new(app: &TestApp, tap: &Tap) -> TappedBrowser {
        TappedBrowser {
            client: reqwest::Client::builder().cookie_store(true).build().unwrap(),
            via: format!("http://{}", tap.addr),
            origin: format!("http://{}", app.addr),
        }
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/api/v1{path}", self.via))
            .header("origin", &self.origin)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let response = self.client.get(format!("{}/api/v1{path}", self.via)).send().await.unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap()
    }

    /// Logs in as the login page does; the user's private key, unwrapped in the "browser".
    async fn log_in(&self, app: &TestApp, username: &str, password: &str, email: &str) -> PrivateKey {
        let (_, setting) = self.post("/auth/prelogin", json!({ "username": username })).await;
        let salt = Salt::from_slice(&unb64(&setting["salt"])).unwrap();
        let master = MasterKey::derive(password.as_bytes(), &salt, KdfParams::DEFAULT).unwrap();
        let auth_key = b64(master.auth_key().as_bytes());
        let (status, _) =
            self.post("/auth/login", json!({ "username": username, "auth_key": auth_key })).await;
        assert_eq!(status, 200, "{username}");
        app.mail_delivered().await;
        let code = latest_code(app, email).unwrap();
        assert_eq!(self.post("/auth/second-factor", json!({ "code": code })).await.0, 200);
        let keys = self.get("/users/me/keys").await;
        let wrapped =
            wasm_crypto::WrappedPrivateKey::from_bytes(unb64(&keys["wrapped_private_key"])).unwrap();
        master.kek().unwrap(&wrapped, username).unwrap()
    }
}

/// Registers through the mailed link with a key pair made here; the private key.
async fn register(
    app: &TestApp,
    browser: &TappedBrowser,
    email: &str,
    username: &str,
    password: &str,
) -> PrivateKey {
    app.mail_delivered().await;
    let link = invite_link(app, email);
    let salt = Salt::random();
    let master = MasterKey::derive(password.as_bytes(), &salt, KdfParams::DEFAULT).unwrap();
    let key = PrivateKey::generate();
    let body = json!({
        "name": format!("Person {username}"), "username": username,
        "salt": b64(&salt.0),
        "kdf": { "memory_kib": 65536, "iterations": 3, "parallelism": 1 },
        "auth_key": b64(master.auth_key().as_bytes()),
        "public_key": b64(key.public_key().as_bytes()),
        "wrapped_private_key": b64(master.kek().wrap(&key, username).as_bytes()),
    });
    let (status, answer) = browser.post(&format!("/invites/by-token/{link}/accept"), body).await;
    assert_eq!(status, 201, "{answer}");
    key
}

/// Every value in `text` that looks like base64 (43+ characters), decoded every way it decodes.
fn base64_values(text: &[u8]) -> Vec<Vec<u8>> {
    let is_b64 = |c: &u8| c.is_ascii_alphanumeric() || b"+/=_-".contains(c);
    text.split(|c| !is_b64(c))
        .filter(|run| run.len() >= 43)
        .flat_map(|run| {
            let trimmed: Vec<u8> = run.iter().copied().filter(|c| *c != b'=').collect();
            [
                STANDARD.decode(run).ok(),
                STANDARD_NO_PAD.decode(&trimmed).ok(),
                URL_SAFE_NO_PAD.decode(&trimmed).ok(),
            ]
        })
        .flatten()
        .collect()
}

/// The first 32-byte window in `haystacks` that, as an X25519 private key, has one of
/// `targets` as its public key: what it opens.
fn key_opener(haystacks: &[(&str, Vec<u8>)], targets: &[(String, PublicKey)]) -> Option<String> {
    let wanted: HashSet<[u8; 32]> = targets.iter().map(|(_, k)| *k.as_bytes()).collect();
    let mut tried = HashSet::new();
    for (source, bytes) in haystacks {
        for window in bytes.windows(32) {
            let candidate: [u8; 32] = window.try_into().unwrap();
            if !tried.insert(candidate) {
                continue;
            }
            let public = PrivateKey::for_test_vector(candidate).public_key();
            if wanted.contains(public.as_bytes()) {
                let (name, _) = targets.iter().find(|(_, k)| k == &public).unwrap();
                return Some(format!("a window of {source} is the private key of {name}"));
            }
        }
    }
    None
}

#[tokio::test]
async fn nothing_the_server_receives_stores_mails_or_logs_opens_a_unit_or_project_key() {
    let log = capture_logs();
    let app = crate::auth::seeded(Backend::Sqlite).await;
    let tap = tap(app.addr).await;

    // A Unit Admin invites a Researcher to the seeded project and a colleague to the unit.
    let admin = TappedBrowser::new(&app, &tap);
    let admin_key = admin.log_in(&app, "unitadmin_1", DEV_PASSWORD, "unitadmin_1@example.com").await;
    let mut to_project = invite_body("ada@example.org", "Researcher", None);
    to_project["project"] = DEV_PROJECT.into();
    assert_eq!(admin.post("/invites", to_project).await.0, 201);
    assert_eq!(admin.post("/invites", invite_body("bo@example.org", "Unit Personnel", None)).await.0, 201);

    // Both register and log in: they hold nothing yet.
    let visitor = TappedBrowser::new(&app, &tap);
    let ada_key = register(&app, &visitor, "ada@example.org", "ada_new", "Ada's long passphrase").await;
    let bo_key = register(&app, &visitor, "bo@example.org", "bo_new", "Bo's long passphrase").await;
    let ada = TappedBrowser::new(&app, &tap);
    assert_eq!(
        ada.log_in(&app, "ada_new", "Ada's long passphrase", "ada@example.org").await.public_key(),
        ada_key.public_key()
    );
    let bo = TappedBrowser::new(&app, &tap);
    bo.log_in(&app, "bo_new", "Bo's long passphrase", "bo@example.org").await;
    assert_eq!(ada.get(&format!("/projects/{DEV_PROJECT}")).await["key"], json!({ "via": "pending" }));
    assert_eq!(bo.get("/units/me/keys").await["sealed_unit_key"], Value::Null);

    // The Unit Admin's browser opens the keys and approves both.
    let unit = admin.get("/units/me/keys").await;
    let unit_key =
        open_private_key(&admin_key, &Sealed::from_bytes(unb64(&unit["sealed_unit_key"])).unwrap()).unwrap();
    let (_, approval) = approval_for(&unit_key, &unit["waiting"][0]);
    assert_eq!(unit["waiting"][0]["username"], "bo_new");
    assert_eq!(admin.post("/units/me/keys/approvals", approval).await.0, 204);
    let project = admin.get(&format!("/projects/{DEV_PROJECT}")).await;
    let project_key =
        open_private_key(&unit_key, &Sealed::from_bytes(unb64(&project["key"]["sealed"])).unwrap()).unwrap();
    let (_, approval) = approval_for(&project_key, &project["waiting"][0]);
    assert_eq!(admin.post(&format!("/projects/{DEV_PROJECT}/approvals"), approval).await.0, 204);

    // The approvals worked: both open what they were given.
    let mine = ada.get(&format!("/projects/{DEV_PROJECT}")).await;
    let opened =
        open_private_key(&ada_key, &Sealed::from_bytes(unb64(&mine["key"]["sealed"])).unwrap()).unwrap();
    assert_eq!(opened.public_key(), project_key.public_key());
    let theirs = bo.get("/units/me/keys").await;
    let opened =
        open_private_key(&bo_key, &Sealed::from_bytes(unb64(&theirs["sealed_unit_key"])).unwrap()).unwrap();
    assert_eq!(opened.public_key(), unit_key.public_key());

    app.mail_delivered().await;
    // Every account's public key (a private key matching one opens that account's seals).
    let accounts: Vec<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT u.username, c.public_key FROM users u JOIN user_credentials c ON c.user_id = u.id",
    )
    .fetch_all(app.state().db.pool())
    .await
    .unwrap();

    // Everything the server saw.
    app.state().db.close().await;
    let received = tap.received.lock().unwrap().clone();
    assert!(received.windows(12).any(|w| w == b"/approvals H"), "the tap saw the approvals");
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(app.data_dir()).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("dds.sqlite") {
            stored.extend(std::fs::read(entry.path()).unwrap());
        }
    }
    let mut mailed = Vec::new();
    for entry in std::fs::read_dir(app.outbox()).unwrap().flatten() {
        mailed.extend(std::fs::read(entry.path()).unwrap());
    }
    let mailed = String::from_utf8_lossy(&mailed).replace("=\r\n", "").into_bytes();
    let logged = log.0.lock().unwrap().clone();
    let mut haystacks: Vec<(&str, Vec<u8>)> = vec![("the database file", stored.clone())];
    for (source, text) in
        [("received", &received), ("the database file", &stored), ("mail", &mailed), ("the log", &logged)]
    {
        haystacks.extend(base64_values(text).into_iter().map(|value| (source, value)));
    }

    // What would open the unit key or a project key: their own private keys, or the private key
    // of anyone holding a seal of them.
    let mut targets = vec![
        ("the unit key".to_string(), unit_key.public_key()),
        ("the project key".to_string(), project_key.public_key()),
    ];
    for (username, key) in [("unitadmin_1", &admin_key), ("ada_new", &ada_key), ("bo_new", &bo_key)] {
        targets.push((format!("{username}'s key"), key.public_key()));
    }
    assert!(accounts.len() >= 9, "every account's public key is a target");
    for (username, key) in accounts {
        targets.push((format!("{username}'s key"), PublicKey::from_slice(&key).unwrap()));
    }
    assert_eq!(key_opener(&haystacks, &targets), None);

    // Positive control: the same search finds a private key that is there, raw or in base64.
    let planted: [u8; 32] = rand::random();
    targets.push(("the planted key".to_string(), PrivateKey::for_test_vector(planted).public_key()));
    for form in [
        planted.to_vec(),
        STANDARD.encode(planted).into_bytes(),
        URL_SAFE_NO_PAD.encode(planted).into_bytes(),
    ] {
        let mut text = b"{\"padding\":\"".to_vec();
        text.extend_from_slice(&form);
        text.extend_from_slice(b"\"}");
        let mut with_plant = haystacks.clone();
        with_plant.push(("a planted value", text.clone()));
        with_plant.extend(base64_values(&text).into_iter().map(|value| ("a planted value", value)));
        assert!(key_opener(&with_plant, &targets).is_some_and(|found| found.contains("the planted key")));
    }
    app.stop().await;
}
