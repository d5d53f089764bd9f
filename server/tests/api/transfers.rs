//! Browser delivery over HTTP against the embedded S3 endpoint: a file encrypted as the browser
//! does (the native wasm-crypto), sent in presigned parts straight to storage, recorded, listed
//! and fetched back by ranged GETs; who may start, send, complete, cancel and download, allowed
//! and refused; the quota under concurrent starts; a changed part, a short object, a retried
//! completion, and an abandoned upload aborted by its job.

use app::api::transfers::{
    CompleteUpload, CompletedPart, DownloadPlan, PartToSend, PartUrls, PartsToSend, PendingUpload,
    StartUpload, UploadCompleted, UploadStarted,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use dds_server::db::seed::DEV_PROJECT;
use dds_server::storage::bucket::BucketName;
use dds_server::transfers::reconcile;
use dds_server::transfers::uploads::abort_idle;
use reqwest::Method;
use serde_json::{json, Value};
use wasm_crypto::{encrypt_all, Encryptor, Layout, PartPlan, PublicKey};

use crate::auth::{seeded, signed_in};
use crate::both_backends;
use crate::helpers::{answer, Backend, Browser, TestApp};

const UPLOADS: &str = "/api/v1/projects/someunit00001/uploads";
const SEGMENT: u32 = 64 * 1024;

/// A file encrypted to the seeded project's key, as a browser would send it.
struct Sealed {
    plaintext_len: usize,
    ciphertext: Vec<u8>,
    sha256_sealed: Vec<u8>,
}

async fn seal(app: &TestApp, plaintext: &[u8]) -> Sealed {
    let (key,): (Vec<u8>,) = sqlx::query_as("SELECT public_key FROM projects WHERE public_id = $1")
        .bind(DEV_PROJECT)
        .fetch_one(app.state().db.pool())
        .await
        .unwrap();
    let mut encryptor = Encryptor::with_segment_size(&PublicKey::from_slice(&key).unwrap(), SEGMENT).unwrap();
    let ciphertext = encrypt_all(&mut encryptor, plaintext).unwrap();
    let finished = encryptor.finish().unwrap();
    Sealed { plaintext_len: plaintext.len(), ciphertext, sha256_sealed: finished.encrypted_sha256 }
}

fn start_body(path: &str, sealed: &Sealed, overwrite: bool) -> Value {
    serde_json::to_value(StartUpload {
        path: path.to_string(),
        size_bytes: sealed.plaintext_len as i64,
        segment_size: SEGMENT,
        header: STANDARD.encode(&sealed.ciphertext[..wasm_crypto::HEADER_LEN]),
        overwrite,
    })
    .unwrap()
}

fn check(number: u32, salt: u8) -> PartToSend {
    PartToSend { number, check: STANDARD.encode([salt.wrapping_add(number as u8); 32]) }
}

async fn start(browser: &Browser, path: &str, sealed: &Sealed) -> (u16, Value) {
    answer(browser.post(UPLOADS, start_body(path, sealed, false)).await).await
}

/// Sends every part through presigned URLs and returns their ETags.
async fn send_parts(browser: &Browser, started: &UploadStarted, sealed: &Sealed) -> Vec<CompletedPart> {
    let plan = PartPlan::new(Layout::new(SEGMENT).unwrap(), sealed.plaintext_len as u64).unwrap();
    assert_eq!(u64::from(started.part_count), plan.part_count());
    let parts: Vec<PartToSend> = (1..=started.part_count).map(|n| check(n, 0)).collect();
    let (code, urls) = answer(
        browser
            .post(
                &format!("/api/v1/uploads/{}/urls", started.id),
                serde_json::to_value(PartsToSend { parts, sent: Vec::new() }).unwrap(),
            )
            .await,
    )
    .await;
    assert_eq!(code, 200, "{urls}");
    let urls: PartUrls = serde_json::from_value(urls).unwrap();
    let mut etags = Vec::new();
    for url in urls.urls {
        let range = plan.part(url.number).unwrap().ciphertext;
        assert_eq!(url.size_bytes as u64, range.end - range.start);
        let body = sealed.ciphertext[range.start as usize..range.end as usize].to_vec();
        let response = browser.client.put(&url.url).body(body).send().await.unwrap();
        assert!(response.status().is_success(), "part {}: {}", url.number, response.status());
        let etag = response.headers()["etag"].to_str().unwrap().to_string();
        etags.push(CompletedPart { number: url.number, etag });
    }
    // As the browser does: the ETags are reported (with the next URL request, here alone).
    let report = PartsToSend { parts: Vec::new(), sent: etags.clone() };
    let (code, answer_body) = answer(
        browser
            .post(&format!("/api/v1/uploads/{}/urls", started.id), serde_json::to_value(report).unwrap())
            .await,
    )
    .await;
    assert_eq!(code, 200, "{answer_body}");
    etags
}

async fn complete(browser: &Browser, id: &str, parts: Vec<CompletedPart>, sealed: &Sealed) -> (u16, Value) {
    let body = CompleteUpload { parts, sha256_sealed: STANDARD.encode(&sealed.sha256_sealed) };
    answer(browser.post(&format!("/api/v1/uploads/{id}/complete"), serde_json::to_value(body).unwrap()).await)
        .await
}

/// Starts, sends and completes one file; the completion's answer.
async fn deliver(browser: &Browser, path: &str, sealed: &Sealed) -> UploadCompleted {
    let (code, started) = start(browser, path, sealed).await;
    assert_eq!(code, 201, "{started}");
    let started: UploadStarted = serde_json::from_value(started).unwrap();
    let parts = send_parts(browser, &started, sealed).await;
    let (code, done) = complete(browser, &started.id, parts, sealed).await;
    assert_eq!(code, 200, "{done}");
    serde_json::from_value(done).unwrap()
}

/// The bucket and S3 multipart upload id of an upload under way.
async fn storage_of(db: &dds_server::db::Db, upload_id: &str) -> (BucketName, String) {
    let (bucket, s3_upload_id): (String, String) = sqlx::query_as(
        "SELECT p.bucket, u.s3_upload_id FROM uploads u JOIN projects p ON p.id = u.project_id WHERE u.public_id = $1",
    )
    .bind(upload_id)
    .fetch_one(db.pool())
    .await
    .unwrap();
    (BucketName::parse(&bucket).unwrap(), s3_upload_id)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

async fn a_file_goes_to_storage_in_parts_and_comes_back(backend: Backend) {
    let app = seeded(backend).await;
    let staff = signed_in(&app, "unituser_1").await;
    // Two parts: parts hold at least 8 MiB.
    let sealed = seal(&app, &pattern(9 * 1024 * 1024 + 5, 7)).await;
    let (code, started) = start(&staff, "run1/sample 1/reads.fastq", &sealed).await;
    assert_eq!(code, 201, "{started}");
    let started: UploadStarted = serde_json::from_value(started).unwrap();
    assert_eq!((started.part_count, started.stored_bytes), (2, sealed.ciphertext.len() as i64));

    // Under way: listed, and the same path cannot be started twice.
    let (code, pending) = answer(staff.get(UPLOADS).await).await;
    assert_eq!(code, 200, "{pending}");
    assert_eq!(pending[0]["upload"]["path"], "run1/sample 1/reads.fastq");
    let (code, again) = start(&staff, "run1/sample 1/reads.fastq", &sealed).await;
    assert_eq!(code, 409, "{again}");
    assert!(again["error"].as_str().unwrap().contains("already under way"), "{again}");

    let parts = send_parts(&staff, &started, &sealed).await;
    // What S3 holds, with the checks recorded, for a browser that resumes.
    let (code, state) = answer(staff.get(&format!("/api/v1/uploads/{}", started.id)).await).await;
    assert_eq!(code, 200, "{state}");
    let state: PendingUpload = serde_json::from_value(state).unwrap();
    assert_eq!(state.parts.iter().map(|p| p.number).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(state.parts[0].check, check(1, 0).check);
    assert_eq!(state.header, STANDARD.encode(&sealed.ciphertext[..wasm_crypto::HEADER_LEN]));

    let (code, done) = complete(&staff, &started.id, parts.clone(), &sealed).await;
    assert_eq!(code, 200, "{done}");
    assert_eq!(done["size_bytes"], sealed.plaintext_len as i64);
    // A completion asked again (its answer lost) answers the same.
    let (code, again) = complete(&staff, &started.id, parts, &sealed).await;
    assert_eq!((code, &again["path"]), (200, &done["path"]), "{again}");

    // Recorded: the listing and the sizes.
    let (code, level) =
        answer(staff.get("/api/v1/projects/someunit00001/files?path=run1/sample%201").await).await;
    assert_eq!(code, 200, "{level}");
    assert_eq!(level["entries"][0]["name"], "reads.fastq");
    let (stored,): (i64,) = sqlx::query_as("SELECT stored_bytes FROM projects WHERE public_id = $1")
        .bind(DEV_PROJECT)
        .fetch_one(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(stored, sealed.ciphertext.len() as i64);
    let (code, pending) = answer(staff.get(UPLOADS).await).await;
    assert_eq!((code, pending), (200, json!([])));

    // Fetched back: the whole object, and any range of it with the same URL.
    let (code, plan) = answer(staff.get("/api/v1/projects/someunit00001/downloads?path=run1").await).await;
    assert_eq!(code, 200, "{plan}");
    let plan: DownloadPlan = serde_json::from_value(plan).unwrap();
    assert_eq!(plan.files.len(), 1);
    assert_eq!(plan.files[0].sha256_sealed.as_deref(), Some(STANDARD.encode(&sealed.sha256_sealed).as_str()));
    let whole = staff.client.get(&plan.files[0].url).send().await.unwrap().bytes().await.unwrap();
    assert!(whole == sealed.ciphertext, "the object is the ciphertext the browser sent");
    let ranged = staff.client.get(&plan.files[0].url).header("range", "bytes=96-1119").send().await.unwrap();
    assert_eq!(ranged.status(), 206);
    assert!(ranged.bytes().await.unwrap() == sealed.ciphertext[96..1120]);

    // A new version needs the overwrite choice, and counts as one.
    let second = seal(&app, b"a newer version").await;
    let (code, refused) = start(&staff, "run1/sample 1/reads.fastq", &second).await;
    assert_eq!(code, 409, "{refused}");
    assert!(refused["error"].as_str().unwrap().contains("choose to overwrite"), "{refused}");
    let (code, started) =
        answer(staff.post(UPLOADS, start_body("run1/sample 1/reads.fastq", &second, true)).await).await;
    assert_eq!(code, 201, "{started}");
    let started: UploadStarted = serde_json::from_value(started).unwrap();
    let parts = send_parts(&staff, &started, &second).await;
    let (code, done) = complete(&staff, &started.id, parts, &second).await;
    assert_eq!((code, &done["overwrote"]), (200, &json!(true)), "{done}");
    // The listing counts the versions: the overwritten file is at its second.
    let (code, level) =
        answer(staff.get("/api/v1/projects/someunit00001/files?path=run1%2Fsample%201").await).await;
    assert_eq!(code, 200, "{level}");
    assert_eq!(level["entries"][0]["name"], json!("reads.fastq"), "{level}");
    assert_eq!(level["entries"][0]["versions"], json!(2), "{level}");
    let (_, top) = answer(staff.get("/api/v1/projects/someunit00001/files?path=").await).await;
    assert_eq!(top["entries"][0]["versions"], json!(0), "a folder has no versions: {top}");
    app.stop().await;
}
both_backends!(
    a_file_goes_to_storage_in_parts_and_comes_back,
    a_file_goes_to_storage_in_parts_and_comes_back
);

async fn who_may_upload_and_download(backend: Backend) {
    let app = seeded(backend).await;
    let sealed = seal(&app, b"hello").await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let researcher = signed_in(&app, "researchuser_1").await;
    let operator = signed_in(&app, "superadmin").await;

    let (code, refused) = start(&researcher, "a.txt", &sealed).await;
    assert_eq!(code, 403, "{refused}");
    assert!(refused["error"].as_str().unwrap().contains("Only Unit Admins and Unit Personnel"), "{refused}");
    let (code, refused) = start(&operator, "a.txt", &sealed).await;
    assert_eq!(code, 403, "{refused}");
    assert_eq!(refused["error"], "Super Admins have no access to project data.");
    // Another unit's admin does not see the project at all.
    crate::helpers::add_second_unit(&app.state().db).await;
    let (code, _) = answer(researcher.get(UPLOADS).await).await;
    assert_eq!(code, 403, "researchers see no uploads under way");

    deliver(&admin, "a.txt", &sealed).await;
    // Unit staff download while In Progress; the researcher only once it is Available.
    let downloads = "/api/v1/projects/someunit00001/downloads";
    assert_eq!(answer(admin.get(downloads).await).await.0, 200);
    let (code, refused) = answer(researcher.get(downloads).await).await;
    assert_eq!(code, 403, "{refused}");
    assert_eq!(refused["error"], "Current Project status limits file download.");
    assert_eq!(answer(operator.get(downloads).await).await.0, 403);

    // An upload started before the release takes no part after it.
    let (code, started) = start(&admin, "b.txt", &sealed).await;
    assert_eq!(code, 201, "{started}");
    let started: UploadStarted = serde_json::from_value(started).unwrap();
    let (code, released) = answer(
        admin
            .post("/api/v1/projects/someunit00001/status", json!({ "action": "release", "deadline": 10 }))
            .await,
    )
    .await;
    assert_eq!(code, 200, "{released}");
    let urls = serde_json::to_value(PartsToSend { parts: vec![check(1, 0)], sent: Vec::new() }).unwrap();
    let (code, refused) =
        answer(admin.post(&format!("/api/v1/uploads/{}/urls", started.id), urls).await).await;
    assert_eq!(code, 403, "{refused}");
    assert_eq!(refused["error"], "Project not in right status to upload/modify files.");
    let (code, plan) = answer(researcher.get(downloads).await).await;
    assert_eq!(code, 200, "{plan}");
    assert_eq!(plan["files"][0]["path"], "a.txt");
    // Nobody but the unit's staff sees or cancels an upload.
    let upload = format!("/api/v1/uploads/{}", started.id);
    assert_eq!(answer(researcher.get(&upload).await).await.0, 404);
    assert_eq!(answer(researcher.send(Method::DELETE, &upload, json!({})).await).await.0, 404);
    assert_eq!(answer(operator.send(Method::DELETE, &upload, json!({})).await).await.0, 404);
    assert_eq!(answer(admin.send(Method::DELETE, &upload, json!({})).await).await.0, 204);
    assert_eq!(answer(admin.get(&upload).await).await.0, 404);
    app.stop().await;
}
both_backends!(who_may_upload_and_download, who_may_upload_and_download);

async fn bad_requests_get_sentences(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let sealed = seal(&app, b"some bytes").await;
    let mut body = start_body("../escape", &sealed, false);
    let (code, refused) = answer(admin.post(UPLOADS, body.clone()).await).await;
    assert_eq!(code, 400, "{refused}");
    assert!(refused["error"].as_str().unwrap().contains("'.' or '..'"), "{refused}");
    body["path"] = json!("fine.txt");
    body["header"] = json!(STANDARD.encode([0u8; 96]));
    let (code, refused) = answer(admin.post(UPLOADS, body.clone()).await).await;
    assert_eq!((code, refused["error"].as_str()), (400, Some("The file header is not a DDS file header.")));
    body["header"] = json!("%%%");
    assert_eq!(answer(admin.post(UPLOADS, body.clone()).await).await.0, 400);
    let mut body = start_body("fine.txt", &sealed, false);
    body["segment_size"] = json!(SEGMENT * 2);
    let (code, refused) = answer(admin.post(UPLOADS, body).await).await;
    assert_eq!(
        (code, refused["error"].as_str()),
        (400, Some("The file header and the request name different segment sizes."))
    );

    let (code, started) = start(&admin, "fine.txt", &sealed).await;
    assert_eq!(code, 201, "{started}");
    let started: UploadStarted = serde_json::from_value(started).unwrap();
    let urls =
        |parts: Vec<PartToSend>| serde_json::to_value(PartsToSend { parts, sent: Vec::new() }).unwrap();
    let path = format!("/api/v1/uploads/{}/urls", started.id);
    let (code, refused) = answer(admin.post(&path, urls(vec![check(2, 0)])).await).await;
    assert_eq!(
        (code, refused["error"].as_str()),
        (400, Some("Part 2 is not one of this upload's parts (1 to 1)."))
    );
    assert_eq!(answer(admin.post(&path, urls(vec![check(1, 0)])).await).await.0, 200);
    assert_eq!(answer(admin.post(&path, urls(vec![check(1, 0)])).await).await.0, 200, "the same part again");
    // A different plaintext for a part already asked for: the nonces would cover two plaintexts.
    let (code, refused) = answer(admin.post(&path, urls(vec![check(1, 9)])).await).await;
    assert_eq!(code, 409, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("the file changed since its upload started"),
        "{refused}"
    );
    // Completing without every part.
    let (code, refused) = complete(&admin, &started.id, vec![], &sealed).await;
    assert_eq!(
        (code, refused["error"].as_str()),
        (400, Some("Name every part of 'fine.txt' once, 1 to 1, with its ETag."))
    );
    app.stop().await;
}
both_backends!(bad_requests_get_sentences, bad_requests_get_sentences);

/// A part sent around the portal with fewer bytes than the plan: the completed object is the
/// wrong size, so it is discarded and nothing is recorded.
async fn a_short_object_is_discarded(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let sealed = seal(&app, &pattern(5000, 1)).await;
    let (code, started) = start(&admin, "short.bin", &sealed).await;
    assert_eq!(code, 201, "{started}");
    let started: UploadStarted = serde_json::from_value(started).unwrap();
    let db = &app.state().db;
    let (bucket, s3_upload_id) = storage_of(db, &started.id).await;
    let store = &app.state().storage;
    let short = sealed.ciphertext[..4000].to_vec();
    let url = store
        .presign_upload_part(
            &bucket,
            &started.id,
            &s3_upload_id,
            1,
            short.len() as i64,
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap();
    let response = admin.client.put(&url.url).body(short).send().await.unwrap();
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let (code, refused) =
        complete(&admin, &started.id, vec![CompletedPart { number: 1, etag }], &sealed).await;
    assert_eq!(code, 400, "{refused}");
    assert_eq!(
        refused["error"],
        format!(
            "'short.bin' arrived with 4000 bytes where {} were expected, so it was discarded. Upload it again.",
            sealed.ciphertext.len()
        )
    );
    assert!(store.object_size(&bucket, &started.id).await.is_err(), "the object is gone");
    let (files,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM files").fetch_one(db.pool()).await.unwrap();
    let (uploads,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM uploads").fetch_one(db.pool()).await.unwrap();
    assert_eq!((files, uploads), (0, 0));
    app.stop().await;
}
both_backends!(a_short_object_is_discarded, a_short_object_is_discarded);

/// Uploads under way hold their bytes against the unit's quota; two starts at once cannot both
/// take its last bytes.
async fn the_quota_holds_under_concurrent_starts(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let sealed = seal(&app, &pattern(10_000, 3)).await;
    let size = sealed.ciphertext.len() as i64;
    // Room for one file and a half.
    sqlx::query("UPDATE units SET quota_bytes = $1")
        .bind(size + size / 2)
        .execute(app.state().db.pool())
        .await
        .unwrap();
    let again = admin.same_session();
    for _round in 0..3 {
        let (one, two) = tokio::join!(start(&admin, "one.bin", &sealed), start(&again, "two.bin", &sealed));
        let mut codes = [one.0, two.0];
        codes.sort();
        assert_eq!(codes, [201, 403], "{one:?} {two:?}");
        let refused = if one.0 == 403 { one.1 } else { two.1 };
        assert!(refused["error"].as_str().unwrap().contains("is left"), "{refused}");
        // Cancelling frees the reservation for the next round.
        let (code, pending) = answer(admin.get(UPLOADS).await).await;
        assert_eq!(code, 200);
        let pending: Vec<PendingUpload> = serde_json::from_value(pending).unwrap();
        assert_eq!(pending.len(), 1);
        let cancel = format!("/api/v1/uploads/{}", pending[0].upload.id);
        assert_eq!(answer(admin.send(Method::DELETE, &cancel, json!({})).await).await.0, 204);
    }
    app.stop().await;
}
both_backends!(the_quota_holds_under_concurrent_starts, the_quota_holds_under_concurrent_starts);

/// An upload nobody touches for a week is aborted by its job: the parts and the row go.
async fn an_idle_upload_is_aborted(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let sealed = seal(&app, &pattern(3000, 5)).await;
    let (code, started) = start(&admin, "idle.bin", &sealed).await;
    assert_eq!(code, 201, "{started}");
    let started: UploadStarted = serde_json::from_value(started).unwrap();
    send_parts(&admin, &started, &sealed).await;
    let db = &app.state().db;
    let store = &app.state().storage;
    let (bucket, s3_upload_id) = storage_of(db, &started.id).await;
    assert_eq!(store.list_parts(&bucket, &started.id, &s3_upload_id).await.unwrap().len(), 1);
    let now = dds_server::db::now();
    let idle_since = |at: i64| at - dds_server::jobs::IDLE_UPLOAD_SECS;
    assert_eq!(abort_idle(db, store, idle_since(now)).await.unwrap(), 0, "not idle yet");
    assert_eq!(
        abort_idle(db, store, idle_since(now + dds_server::jobs::IDLE_UPLOAD_SECS + 60)).await.unwrap(),
        1
    );
    assert_eq!(answer(admin.get(&format!("/api/v1/uploads/{}", started.id)).await).await.0, 404);
    // (S3 answers NoSuchUpload; the embedded endpoint lists no parts.)
    let held =
        store.list_parts(&bucket, &started.id, &s3_upload_id).await.map(|parts| parts.len()).unwrap_or(0);
    assert_eq!(held, 0, "the storage let the parts go");
    let (code, again) = start(&admin, "idle.bin", &sealed).await;
    assert_eq!(code, 201, "the path is free again: {again}");
    app.stop().await;
}
both_backends!(an_idle_upload_is_aborted, an_idle_upload_is_aborted);

/// `dds reconcile` both ways: an object no row names and a file whose object is missing are
/// reported, fixed with `--fix`, and a second run reports nothing.
async fn reconcile_finds_and_fixes_both_ways(backend: Backend) {
    let app = seeded(backend).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let sealed = seal(&app, b"a file that stays").await;
    deliver(&admin, "kept.txt", &sealed).await;
    let (db, store) = (&app.state().db, &app.state().storage);
    let project = crate::helpers::project_id(db, DEV_PROJECT).await;
    let (bucket,): (String,) = sqlx::query_as("SELECT bucket FROM projects WHERE id = $1")
        .bind(project)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let bucket = BucketName::parse(&bucket).unwrap();
    crate::helpers::store_as_browser(&admin.client, store, &bucket, "stray-object", vec![1; 10]).await;
    crate::files::upload(db, project, "ghost/file.bin", 10, 5).await;

    let now = dds_server::db::now();
    let found = reconcile::run(db, store, false, now).await.unwrap();
    assert_eq!(found.orphans, vec![(DEV_PROJECT.to_string(), "stray-object".to_string())]);
    assert_eq!(found.missing, vec![(DEV_PROJECT.to_string(), "ghost/file.bin".to_string())]);
    if backend == Backend::Sqlite {
        // The command line says the same, beside the running portal.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dds"))
            .arg("reconcile")
            .env("DDS_DATA_DIR", app.data_dir())
            .env_remove("DATABASE_URL")
            .env_remove("DDS_CONFIG")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            stdout.contains(&format!("{DEV_PROJECT}: object stray-object has no file row\n")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("{DEV_PROJECT}: ghost/file.bin has no object in the storage\n")),
            "{stdout}"
        );
        assert!(
            stdout.ends_with(
                "reconcile: 1 project(s), 1 object(s) without a file row, 1 file(s) without their object\n"
            ),
            "{stdout}"
        );
    }
    assert_eq!(reconcile::run(db, store, true, now).await.unwrap(), found, "the fix reports what it fixed");
    assert!(reconcile::run(db, store, false, now).await.unwrap().is_clean());
    // What stays is the real file, with the project's sizes of it alone.
    let (files, stored): (i64, i64) =
        sqlx::query_as("SELECT file_count, stored_bytes FROM projects WHERE id = $1")
            .bind(project)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!((files, stored), (1, sealed.ciphertext.len() as i64));
    app.stop().await;
}
both_backends!(reconcile_finds_and_fixes_both_ways, reconcile_finds_and_fixes_both_ways);
