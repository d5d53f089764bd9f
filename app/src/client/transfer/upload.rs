//! Uploading picked files into a project (DESIGN §5): for each file the portal is asked to start
//! (it checks the rules and the quota and creates the multipart upload), the bytes go through
//! `transfer.js` (read by part, encrypted in the workers, checked in the hashing worker, PUT
//! straight to S3 a few parts at once), and the portal records the version once S3 holds every part.

use crate::api::transfers::{Conflicts, PathsQuery, PROJECT_UPLOAD_CONFLICTS};
use crate::api::{url, with_param};
use crate::client::api::post_json;

/// A file the user picked or dropped: where it goes in the project, its size, and the browser's
/// `File` (a `{ path, file }` object of transfer.js; nothing on the server).
#[derive(Clone, Debug)]
pub struct Picked {
    pub path: String,
    pub size: u64,
    #[cfg(feature = "hydrate")]
    pub file: wasm_bindgen::JsValue,
}

/// Where the files go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub public_id: String,
    /// The project's public key (base64): each file key is sealed to it.
    pub public_key: String,
    /// How this browser opens the project key (a resume opens the file key with it).
    pub key: crate::client::project_keys::KeyPath,
}

/// Which of the picked paths hold a file or an upload under way, before anything is sent.
pub async fn conflicts(public_id: &str, picked: &[Picked]) -> Result<Conflicts, String> {
    let query = PathsQuery { paths: picked.iter().map(|p| p.path.clone()).collect() };
    Ok(post_json(&url(&with_param(PROJECT_UPLOAD_CONFLICTS, public_id)), &query).await?)
}

/// Files sent at once, at most: a small file's round trips to the portal (start, URLs,
/// completion) would otherwise leave the connection idle between files.
pub const FILES_AT_ONCE: usize = 4;
/// Plaintext of the files sent at once, at most (unless one file alone is larger): a large file
/// goes alone, its own parts already four at a time, so memory stays that of one file.
pub const BYTES_AT_ONCE: u64 = 32 * 1024 * 1024;

/// Splits files (their sizes, in the order they are sent) into consecutive groups sent
/// together: at most [`FILES_AT_ONCE`] files, together at most [`BYTES_AT_ONCE`] unless the group
/// is a single file. Each group starts when the one before has ended.
pub fn groups(sizes: &[u64]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (index, &size) in sizes.iter().enumerate() {
        let full = index - start == FILES_AT_ONCE || (index > start && bytes + size > BYTES_AT_ONCE);
        if full {
            out.push(start..index);
            (start, bytes) = (index, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        out.push(start..sizes.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn small_files_go_four_at_a_time_and_a_large_one_alone() {
        assert_eq!(groups(&[]), Vec::<std::ops::Range<usize>>::new());
        assert_eq!(groups(&[0; 9]), vec![0..4, 4..8, 8..9]);
        assert_eq!(groups(&[MIB, 64 * MIB, MIB, MIB]), vec![0..1, 1..2, 2..4]);
        assert_eq!(groups(&[64 * MIB]), vec![0..1]);
        // Together at most 32 MiB: the third 12 MiB file waits for the next group.
        assert_eq!(groups(&[12 * MIB, 12 * MIB, 12 * MIB]), vec![0..2, 2..3]);
        assert_eq!(groups(&[16 * MIB, 16 * MIB, 0]), vec![0..3]);
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{picked_from_drop, picked_from_input, send, How, CANCELLED};

#[cfg(feature = "hydrate")]
mod browser {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::future_to_promise;
    use wasm_crypto::wasm::{FileEncryptor, KeyHandle};

    use super::{Picked, Target};
    use crate::api::transfers::{
        CompleteUpload, CompletedPart, PartToSend, PartUrls, PartsToSend, PendingUpload, SentPart,
        StartUpload, UploadCompleted, UploadStarted, PROJECT_UPLOADS, UPLOAD, UPLOAD_COMPLETE,
        UPLOAD_PART_URLS,
    };
    use crate::api::{url, with_param};
    use crate::client::api::{delete, get_json, post_json, ApiError};
    use crate::client::session_gate::patiently;
    use crate::client::transfer::{js, pool, PoolFileEncryptor};

    /// The picked files of a file or folder input.
    pub fn picked_from_input(input: &JsValue) -> Vec<Picked> {
        to_picked(&js::picked_from_input(input))
    }

    /// The files (and walked folders) of a drop.
    pub async fn picked_from_drop(data_transfer: &JsValue) -> Result<Vec<Picked>, String> {
        let found = js::picked_from_drop(data_transfer).await.map_err(|e| js::message(&e))?;
        Ok(to_picked(&found))
    }

    fn to_picked(list: &JsValue) -> Vec<Picked> {
        Array::from(list)
            .iter()
            .filter_map(|item| {
                let path = Reflect::get(&item, &"path".into()).ok()?.as_string()?;
                let file: web_sys::Blob = Reflect::get(&item, &"file".into()).ok()?.dyn_into().ok()?;
                Some(Picked { path, size: file.size() as u64, file: item })
            })
            .collect()
    }

    /// How a file is sent: a new upload, or the continuation of one under way for its path.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum How {
        New { overwrite: bool },
        Resume { upload_id: String },
    }

    /// The reason given to the abort signal when the user cancels (anything else, a pause,
    /// keeps the upload for a resume).
    pub const CANCELLED: &str = "cancel";

    /// Sends one picked file; `progress` hears the plaintext bytes done so far. A failure the
    /// portal or the user decided (a refusal, a cancel) cancels the upload (parts dropped, quota
    /// freed); an interruption (the network, a pause) leaves it to be resumed by picking the
    /// same file again. A resumed file that changed is sent again from the start.
    pub async fn send(
        target: &Target,
        username: &str,
        picked: &Picked,
        how: How,
        progress: &Function,
        signal: &web_sys::AbortSignal,
    ) -> Result<UploadCompleted, String> {
        let pool = pool().await?;
        let (started, file, stored) = match how {
            How::New { overwrite } => {
                let public_key = STANDARD
                    .decode(&target.public_key)
                    .map_err(|_| "The project's public key is damaged.".to_string())?;
                let file = pooled(&pool, FileEncryptor::new(&public_key, picked.size as f64)).await?;
                let start = StartUpload {
                    path: picked.path.clone(),
                    size_bytes: picked.size as i64,
                    segment_size: file.segment_size(),
                    header: STANDARD.encode(file.header().to_vec()),
                    overwrite,
                };
                let path = url(&with_param(PROJECT_UPLOADS, &target.public_id));
                let started: UploadStarted =
                    patiently(username, Some(signal), || post_json(&path, &start)).await?;
                (started, file, Vec::new())
            }
            How::Resume { upload_id } => {
                let path = url(&with_param(UPLOAD, &upload_id));
                let state: PendingUpload = patiently(username, Some(signal), || get_json(&path)).await?;
                let overwrite = state.upload.overwrite;
                if state.size_bytes != picked.size as i64 {
                    // Another file under the same name: the old upload goes, this one starts.
                    let _ = delete::<()>(&url(&with_param(UPLOAD, &upload_id))).await;
                    return Box::pin(send(
                        target,
                        username,
                        picked,
                        How::New { overwrite },
                        progress,
                        signal,
                    ))
                    .await;
                }
                let key =
                    crate::client::project_keys::open(username, &target.key, &target.public_key).await?;
                let header = STANDARD
                    .decode(&state.header)
                    .map_err(|_| "The upload's header is damaged.".to_string())?;
                let resumed = FileEncryptor::resume(&KeyHandle::from(key), &header, picked.size as f64);
                let file = pooled(&pool, resumed).await?;
                (state.upload, file, state.parts)
            }
        };
        let upload = url(&with_param(UPLOAD, &started.id));
        let outcome = match move_bytes(&started, username, picked, &file, &stored, progress, signal).await {
            Ok(complete) => {
                let path = url(&with_param(UPLOAD_COMPLETE, &started.id));
                patiently(username, Some(signal), || post_json::<_, UploadCompleted>(&path, &complete))
                    .await
                    .map_err(|err| Failure {
                        message: err.to_string(),
                        keep: err.status().is_none(),
                        changed: false,
                    })
            }
            Err(failure) => Err(failure),
        };
        match outcome {
            Ok(done) => Ok(done),
            Err(failure) if failure.changed => {
                let _ = delete::<()>(&upload).await;
                let overwrite = started.overwrite;
                Box::pin(send(target, username, picked, How::New { overwrite }, progress, signal)).await
            }
            Err(failure) if failure.keep && !cancelled(signal) => Err(format!(
                "Interrupted ({}). Pick the same file again to resume where it stopped.",
                failure.message
            )),
            Err(failure) => {
                // Nothing half-sent is kept: the parts go and the reserved quota is freed.
                let _ = delete::<()>(&upload).await;
                Err(if cancelled(signal) { "Cancelled.".to_string() } else { failure.message })
            }
        }
    }

    /// The pool takes the file's encryptor over (its key and nonces stay inside).
    async fn pooled(
        pool: &crate::client::transfer::CryptoPool,
        encryptor: Result<FileEncryptor, JsError>,
    ) -> Result<PoolFileEncryptor, String> {
        let encryptor = encryptor.map_err(|e| js::message(&e.into()))?;
        Ok(pool.file_encryptor(encryptor.into()).await.map_err(|e| js::message(&e))?.unchecked_into())
    }

    fn cancelled(signal: &web_sys::AbortSignal) -> bool {
        signal.aborted() && signal.reason().as_string().as_deref() == Some(CANCELLED)
    }

    /// Why the bytes did not all arrive: the sentence, whether the upload is worth keeping for
    /// a resume (an interruption, not a refusal), and whether the file changed under a resume.
    struct Failure {
        message: String,
        keep: bool,
        changed: bool,
    }

    impl Failure {
        fn of(err: &JsValue) -> Failure {
            let flag =
                |name: &str| Reflect::get(err, &name.into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
            let status = Reflect::get(err, &"status".into()).ok().and_then(|v| v.as_f64());
            let refused = flag("fatal") || status.is_some_and(|s| (400.0..500.0).contains(&s) && s != 403.0);
            Failure { message: js::message(err), keep: !refused, changed: flag("changed") }
        }
    }

    async fn move_bytes(
        started: &UploadStarted,
        username: &str,
        picked: &Picked,
        file: &PoolFileEncryptor,
        stored: &[SentPart],
        progress: &Function,
        signal: &web_sys::AbortSignal,
    ) -> Result<CompleteUpload, Failure> {
        let local = |message: String| Failure { message, keep: false, changed: false };
        let sign_path = url(&with_param(UPLOAD_PART_URLS, &started.id));
        let (user, stop) = (username.to_string(), signal.clone());
        let sign =
            Closure::<dyn FnMut(JsValue, JsValue) -> Promise>::new(move |parts: JsValue, sent: JsValue| {
                let (path, user, stop) = (sign_path.clone(), user.clone(), stop.clone());
                future_to_promise(async move {
                    let sent = Array::from(&sent).iter().map(|part| completed_part(&part)).collect();
                    let parts = Array::from(&parts)
                        .iter()
                        .map(|part| {
                            let number =
                                Reflect::get(&part, &"number".into())?.as_f64().unwrap_or_default() as u32;
                            let check = Uint8Array::new(&Reflect::get(&part, &"check".into())?).to_vec();
                            Ok(PartToSend { number, check: STANDARD.encode(check) })
                        })
                        .collect::<Result<Vec<_>, JsValue>>()?;
                    let body = PartsToSend { parts, sent };
                    let urls: PartUrls =
                        patiently(&user, Some(&stop), || post_json(&path, &body)).await.map_err(refusal)?;
                    js::to_js(&urls.urls)
                })
            });
        let options = Object::new();
        let set = |key: &str, value: &JsValue| Reflect::set(&options, &key.into(), value).map(|_| ());
        let pool = pool().await.map_err(local)?;
        let file_object = Reflect::get(&picked.file, &"file".into()).unwrap_or(JsValue::UNDEFINED);
        let sent = Array::new();
        for part in stored {
            let entry = Object::new();
            let check = STANDARD
                .decode(&part.check)
                .map_err(|_| local("A recorded part check is damaged.".into()))?;
            let fields: [(&str, JsValue); 3] = [
                ("number", part.number.into()),
                ("etag", part.etag.clone().into()),
                ("check", Uint8Array::from(check.as_slice()).into()),
            ];
            for (name, value) in fields {
                Reflect::set(&entry, &name.into(), &value).map_err(|e| local(js::message(&e)))?;
            }
            sent.push(&entry);
        }
        set("pool", &pool)
            .and_then(|_| set("file", &file_object))
            .and_then(|_| set("encryptor", file))
            .and_then(|_| set("partSize", &(started.part_size as f64).into()))
            .and_then(|_| set("partCount", &started.part_count.into()))
            .and_then(|_| set("signParts", sign.as_ref()))
            .and_then(|_| set("onProgress", progress))
            .and_then(|_| set("signal", signal))
            .and_then(|_| set("sent", &sent))
            .map_err(|e| local(js::message(&e)))?;
        let sent = js::upload_file(&options).await.map_err(|e| Failure::of(&e))?;
        drop(sign);
        let parts = Array::from(&Reflect::get(&sent, &"parts".into()).map_err(|e| local(js::message(&e)))?)
            .iter()
            .map(|part| completed_part(&part))
            .collect();
        let sealed = Uint8Array::new(
            &Reflect::get(&sent, &"encryptedSha256".into()).map_err(|e| local(js::message(&e)))?,
        );
        Ok(CompleteUpload { parts, sha256_sealed: STANDARD.encode(sealed.to_vec()) })
    }

    /// `{ number, etag }` of transfer.js.
    fn completed_part(part: &JsValue) -> CompletedPart {
        CompletedPart {
            number: Reflect::get(part, &"number".into()).ok().and_then(|n| n.as_f64()).unwrap_or_default()
                as u32,
            etag: Reflect::get(part, &"etag".into()).ok().and_then(|e| e.as_string()).unwrap_or_default(),
        }
    }

    /// A refusal of the portal, for transfer.js: `fatal` (sending the part again cannot help)
    /// unless the portal could not be reached.
    fn refusal(err: ApiError) -> JsValue {
        let error = js_sys::Error::new(&err.to_string());
        let _ = Reflect::set(&error, &"fatal".into(), &err.status().is_some().into());
        error.into()
    }
}
