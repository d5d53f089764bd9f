//! The embedded S3 endpoint as browsers use it: presigned multipart PUTs and ranged GETs with a
//! plain HTTP client (not the SDK), and SigV4 verification refusing anything tampered.

use std::time::Duration;

use dds_server::storage::{embedded, BucketName, ObjectStore, PresignedRequest, S3Settings};

use crate::helpers::{spawn_app, Backend};

const MIB: usize = 1024 * 1024;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

async fn put(client: &reqwest::Client, request: &PresignedRequest, body: Vec<u8>) -> reqwest::Response {
    let mut builder = client.put(&request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    builder.body(body).send().await.unwrap()
}

/// A fresh object key in the bucket of `project` (made if missing).
async fn new_object(store: &ObjectStore, project: &str) -> (BucketName, String) {
    let bucket = store.bucket_for(project).unwrap();
    store.ensure_bucket(&bucket).await.unwrap();
    (bucket, uuid::Uuid::new_v4().to_string())
}

#[tokio::test]
async fn presigned_multipart_upload_and_ranged_download() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = &app.state().storage;
    let (bucket, key) = new_object(store, "proj00001").await;
    let upload_id = store.create_multipart_upload(&bucket, &key).await.unwrap();

    let parts = [pattern(5 * MIB, 1), pattern(MIB + 123, 2)];
    let mut etags = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let url = store
            .presign_upload_part(
                &bucket,
                &key,
                &upload_id,
                i as i32 + 1,
                part.len() as i64,
                Duration::from_secs(300),
            )
            .await
            .unwrap();
        assert!(url.url.starts_with(&format!("http://{}/", app.s3_addr)), "{}", url.url);
        let response = put(&app.client, &url, part.clone()).await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        let etag = response.headers()["etag"].to_str().unwrap().to_string();
        etags.push(etag);
    }
    store.complete_multipart_upload(&bucket, &key, &upload_id, &etags).await.unwrap();
    let whole: Vec<u8> = parts.concat();
    assert_eq!(store.object_size(&bucket, &key).await.unwrap(), whole.len() as i64);

    let get = store.presign_get(&bucket, &key, Duration::from_secs(300)).await.unwrap();
    // A range that crosses the part boundary.
    let start = 5 * MIB - 10;
    let response = app
        .client
        .get(&get.url)
        .header("range", format!("bytes={}-{}", start, start + 19))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 206);
    assert_eq!(response.bytes().await.unwrap().as_ref(), &whole[start..start + 20]);

    // Ranges the endpoint reads in several of its 1 MiB blocks, and from the end.
    for (range, bytes) in [
        (format!("bytes={}-{}", MIB - 5, 3 * MIB + 6), &whole[MIB - 5..3 * MIB + 7]),
        ("bytes=-100".to_string(), &whole[whole.len() - 100..]),
        (format!("bytes={}-", 4 * MIB), &whole[4 * MIB..]),
    ] {
        let response = app.client.get(&get.url).header("range", &range).send().await.unwrap();
        assert_eq!(response.status(), 206, "{range}");
        assert_eq!(
            response.headers()["content-length"].to_str().unwrap(),
            bytes.len().to_string(),
            "{range}"
        );
        assert!(response.bytes().await.unwrap().as_ref() == bytes, "{range}: other bytes");
    }
    // A range past the end is refused, as S3 does.
    let past = format!("bytes={}-", whole.len() + 1);
    assert_eq!(app.client.get(&get.url).header("range", past).send().await.unwrap().status(), 416);

    let full = app.client.get(&get.url).send().await.unwrap();
    assert_eq!(full.status(), 200);
    // The multipart ETag as S3 makes it: the MD5 of the parts' MD5s, then the number of parts.
    assert_eq!(full.headers()["etag"].to_str().unwrap(), multipart_etag(&parts));
    assert_eq!(full.bytes().await.unwrap().as_ref(), whole.as_slice());
    assert_eq!(leftovers(&app), Vec::<String>::new(), "no part or temporary file is left");
    app.stop().await;
}

/// `"<md5 of the parts' md5s>-<n>"`.
fn multipart_etag(parts: &[Vec<u8>]) -> String {
    use s3s::crypto::{Checksum, Md5};
    let mut all = Md5::new();
    for part in parts {
        all.update(&Md5::checksum(part));
    }
    format!("\"{}-{}\"", hex::encode(all.finalize()), parts.len())
}

/// Files an upload leaves in the embedded endpoint's root while under way (its parts, its
/// credentials, temporary files).
fn leftovers(app: &crate::helpers::TestApp) -> Vec<String> {
    std::fs::read_dir(app.data_dir().join("s3"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".upload") || name.starts_with(".tmp."))
        .collect()
}

/// Uploads `parts` (numbered from 1) of a new multipart upload; its id and the parts' ETags.
async fn upload_parts(
    app: &crate::helpers::TestApp,
    bucket: &BucketName,
    key: &str,
    parts: &[(i32, Vec<u8>)],
) -> (String, Vec<String>) {
    let store = &app.state().storage;
    let upload_id = store.create_multipart_upload(bucket, key).await.unwrap();
    let mut etags = Vec::new();
    for (number, part) in parts {
        etags.push(put_part(app, bucket, key, &upload_id, *number, part).await);
    }
    (upload_id, etags)
}

async fn put_part(
    app: &crate::helpers::TestApp,
    bucket: &BucketName,
    key: &str,
    upload_id: &str,
    number: i32,
    part: &[u8],
) -> String {
    let url = app
        .state()
        .storage
        .presign_upload_part(bucket, key, upload_id, number, part.len() as i64, Duration::from_secs(300))
        .await
        .unwrap();
    let response = put(&app.client, &url, part.to_vec()).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    response.headers()["etag"].to_str().unwrap().to_string()
}

/// Two completions of one upload at once (a retried request): one assembles the object, the
/// other is told the upload is gone; the object is whole either way.
#[tokio::test]
async fn two_completions_at_once_assemble_the_object_once() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = app.state().storage.clone();
    let (bucket, key) = new_object(&store, "proj00012").await;
    let parts = [pattern(5 * MIB, 3), pattern(5 * MIB, 4), pattern(77, 5)];
    let numbered: Vec<(i32, Vec<u8>)> = (1..).zip(parts.iter().cloned()).collect();
    let (upload_id, etags) = upload_parts(&app, &bucket, &key, &numbered).await;
    let (first, second) = tokio::join!(
        store.complete_multipart_upload(&bucket, &key, &upload_id, &etags),
        store.complete_multipart_upload(&bucket, &key, &upload_id, &etags),
    );
    assert!(first.is_ok() != second.is_ok(), "exactly one completes: {first:?} {second:?}");
    let get = store.presign_get(&bucket, &key, Duration::from_secs(300)).await.unwrap();
    let full = app.client.get(&get.url).send().await.unwrap();
    assert_eq!(full.headers()["etag"].to_str().unwrap(), multipart_etag(&parts));
    assert!(full.bytes().await.unwrap().as_ref() == parts.concat().as_slice(), "other bytes");
    assert_eq!(leftovers(&app), Vec::<String>::new());
    app.stop().await;
}

/// A completion naming a part never uploaded, or a small part before the last, is refused and
/// changes nothing: the upload is still there, completed once its parts are right.
#[tokio::test]
async fn a_completion_with_a_missing_or_small_part_is_refused_and_the_upload_goes_on() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = app.state().storage.clone();
    let (bucket, key) = new_object(&store, "proj00013").await;
    let (upload_id, mut etags) = upload_parts(&app, &bucket, &key, &[(1, pattern(5 * MIB, 6))]).await;
    let missing = [etags[0].clone(), etags[0].clone()];
    let err = store.complete_multipart_upload(&bucket, &key, &upload_id, &missing).await.unwrap_err();
    assert!(err.to_string().contains("InvalidPart"), "{err}");
    // Part 2 uploaded, but part 1 replaced by one too small to come before it.
    etags.push(put_part(&app, &bucket, &key, &upload_id, 2, &pattern(10, 7)).await);
    etags[0] = put_part(&app, &bucket, &key, &upload_id, 1, &pattern(MIB, 8)).await;
    let err = store.complete_multipart_upload(&bucket, &key, &upload_id, &etags).await.unwrap_err();
    assert!(err.to_string().contains("EntityTooSmall"), "{err}");
    assert!(store.object_size(&bucket, &key).await.is_err(), "no object yet");

    etags[0] = put_part(&app, &bucket, &key, &upload_id, 1, &pattern(5 * MIB, 9)).await;
    store.complete_multipart_upload(&bucket, &key, &upload_id, &etags).await.unwrap();
    let get = store.presign_get(&bucket, &key, Duration::from_secs(300)).await.unwrap();
    let whole = [pattern(5 * MIB, 9), pattern(10, 7)].concat();
    assert!(
        app.client.get(&get.url).send().await.unwrap().bytes().await.unwrap().as_ref() == whole.as_slice()
    );
    app.stop().await;
}

#[tokio::test]
async fn tampered_or_misused_presigned_urls_are_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = &app.state().storage;
    let (bucket, key) = new_object(store, "proj00002").await;
    let upload_id = store.create_multipart_upload(&bucket, &key).await.unwrap();
    let part = pattern(1000, 7);
    let signed = store
        .presign_upload_part(&bucket, &key, &upload_id, 1, part.len() as i64, Duration::from_secs(300))
        .await
        .unwrap();

    // Another object key under the same signature.
    let mut other_key = signed.clone();
    other_key.url = signed.url.replace(&key, &uuid::Uuid::new_v4().to_string());
    assert_eq!(put(&app.client, &other_key, part.clone()).await.status(), 403);

    // A flipped character in the signature.
    let mut bad_signature = signed.clone();
    let at = bad_signature.url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let flipped = if &bad_signature.url[at..at + 1] == "a" { "b" } else { "a" };
    bad_signature.url.replace_range(at..at + 1, flipped);
    assert_eq!(put(&app.client, &bad_signature, part.clone()).await.status(), 403);

    // More bytes than were signed for. Like a browser (which may not set Content-Length itself),
    // the client sends the length of the body it really has.
    assert!(signed.headers.iter().any(|(name, value)| name == "content-length" && value == "1000"));
    let mut longer = part.clone();
    longer.push(0);
    let response = app.client.put(&signed.url).body(longer).send().await.unwrap();
    assert_eq!(response.status(), 403);

    // An expired URL.
    let short = store
        .presign_upload_part(&bucket, &key, &upload_id, 1, part.len() as i64, Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(put(&app.client, &short, part.clone()).await.status(), 403);

    // The untouched URL still works.
    assert_eq!(put(&app.client, &signed, part).await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn completing_without_etags_is_refused_before_asking_storage() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = &app.state().storage;
    let (bucket, key) = new_object(store, "proj00003").await;
    let upload_id = store.create_multipart_upload(&bucket, &key).await.unwrap();
    let err = store.complete_multipart_upload(&bucket, &key, &upload_id, &["".into()]).await.unwrap_err();
    assert_eq!(err.to_string(), "invalid storage request: every uploaded part needs its ETag");
    // The upload is still open and can be aborted cleanly.
    store.abort_multipart_upload(&bucket, &key, &upload_id).await.unwrap();
    app.stop().await;
}

#[test]
fn bucket_names_are_validated_not_mangled() {
    let store = dds_server::storage::ObjectStore::new(&dds_server::storage::S3Settings {
        endpoint: "http://127.0.0.1:1".into(),
        public_endpoint: "http://127.0.0.1:1".into(),
        access_key: "a".into(),
        secret_key: "b".into(),
        region: "us-east-1".into(),
        bucket_prefix: "dds".into(),
    });
    assert_eq!(store.bucket_for("intref00001").unwrap(), "dds-intref00001");
    for bad in ["", "Upper", "a/b", "x_y", &"a".repeat(70)] {
        assert!(store.bucket_for(bad).is_err(), "{bad:?}");
    }
}

async fn store_with(app: &crate::helpers::TestApp, access_key: &str, secret_key: &str) -> ObjectStore {
    let endpoint = format!("http://{}", app.s3_addr);
    ObjectStore::new(&S3Settings {
        public_endpoint: endpoint.clone(),
        endpoint,
        access_key: access_key.into(),
        secret_key: secret_key.into(),
        region: "us-east-1".into(),
        bucket_prefix: "dds".into(),
    })
}

#[tokio::test]
async fn embedded_s3_refuses_the_once_published_credentials() {
    let app = spawn_app(Backend::Sqlite).await;
    // Before: fixed credentials anyone could read in the source.
    assert!(store_with(&app, "dds-embedded", "dds-embedded-secret").await.health().await.is_err());
    // Now: drawn for this data directory, kept in a file only the server's user reads.
    let path = app.data_dir().join(embedded::CREDENTIALS_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let (access_key, secret_key) = (lines.next().unwrap(), lines.next().unwrap());
    assert!(store_with(&app, access_key, secret_key).await.health().await.is_ok());
    assert!(store_with(&app, access_key, "wrong").await.health().await.is_err());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    app.stop().await;
}

/// The parts of an unfinished upload, as a resumed upload asks for them: every uploaded part
/// with its number and size.
#[tokio::test]
async fn list_parts_reports_the_uploaded_parts() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = &app.state().storage;
    let (bucket, key) = new_object(store, "proj00010").await;
    let upload_id = store.create_multipart_upload(&bucket, &key).await.unwrap();
    assert_eq!(store.list_parts(&bucket, &key, &upload_id).await.unwrap(), []);

    // Out of order, as parallel workers finish.
    for (number, len) in [(3, 1000), (1, 5 * MIB), (2, 5 * MIB + 1)] {
        put_part(&app, &bucket, &key, &upload_id, number, &pattern(len, number as u8)).await;
    }
    let parts = store.list_parts(&bucket, &key, &upload_id).await.unwrap();
    let listed: Vec<(i32, i64)> = parts.iter().map(|p| (p.number, p.size)).collect();
    assert_eq!(listed, [(1, 5 * MIB as i64), (2, 5 * MIB as i64 + 1), (3, 1000)]);
    assert!(parts.iter().all(|p| p.etag.as_deref().is_none_or(|e| !e.is_empty())), "{parts:?}");
    app.stop().await;
}

/// Several requests making a project's bucket at once all succeed, and again later: creating
/// is asked first, an existing bucket of ours is success.
#[tokio::test]
async fn concurrent_ensure_bucket_all_succeed() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = app.state().storage.clone();
    let bucket = store.bucket_for("proj00011").unwrap();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (store, bucket) = (store.clone(), bucket.clone());
        calls.spawn(async move { store.ensure_bucket(&bucket).await });
    }
    while let Some(done) = calls.join_next().await {
        done.unwrap().unwrap();
    }
    store.ensure_bucket(&bucket).await.unwrap();
    let key = uuid::Uuid::new_v4().to_string();
    store.create_multipart_upload(&bucket, &key).await.unwrap();
    app.stop().await;
}
