//! Uploading picked files into a project (DESIGN §5): for each file the portal is asked to start
//! (it checks the rules and the quota and creates the multipart upload), the bytes go through
//! `transfer.js` (read by part, encrypted with the part's check in the workers, PUT straight to
//! S3 a few parts at once), and the portal records the version once S3 holds every part.

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
}

/// Which of the picked paths hold a file or an upload under way, before anything is sent.
pub async fn conflicts(public_id: &str, picked: &[Picked]) -> Result<Conflicts, String> {
    let query = PathsQuery { paths: picked.iter().map(|p| p.path.clone()).collect() };
    Ok(post_json(&url(&with_param(PROJECT_UPLOAD_CONFLICTS, public_id)), &query).await?)
}

#[cfg(feature = "hydrate")]
pub use browser::{picked_from_drop, picked_from_input, send};

#[cfg(feature = "hydrate")]
mod browser {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::future_to_promise;
    use wasm_crypto::wasm::FileEncryptor;

    use super::{Picked, Target};
    use crate::api::transfers::{
        CompleteUpload, CompletedPart, PartToSend, PartUrls, PartsToSend, StartUpload, UploadCompleted,
        UploadStarted, PROJECT_UPLOADS, UPLOAD, UPLOAD_COMPLETE, UPLOAD_PART_URLS,
    };
    use crate::api::{url, with_param};
    use crate::client::api::{delete, post_json, ApiError};
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

    /// Sends one picked file; `progress` hears the plaintext bytes sent so far. On any failure
    /// the upload is cancelled at the portal (its quota freed) and the sentence says why.
    pub async fn send(
        target: &Target,
        picked: &Picked,
        overwrite: bool,
        progress: &Function,
        signal: &web_sys::AbortSignal,
    ) -> Result<UploadCompleted, String> {
        let pool = pool().await?;
        let public_key = STANDARD
            .decode(&target.public_key)
            .map_err(|_| "The project's public key is damaged.".to_string())?;
        let encryptor =
            FileEncryptor::new(&public_key, picked.size as f64).map_err(|e| js::message(&e.into()))?;
        let file: PoolFileEncryptor =
            pool.file_encryptor(encryptor.into()).await.map_err(|e| js::message(&e))?.unchecked_into();
        let start = StartUpload {
            path: picked.path.clone(),
            size_bytes: picked.size as i64,
            segment_size: file.segment_size(),
            header: STANDARD.encode(file.header().to_vec()),
            overwrite,
        };
        let started: UploadStarted =
            post_json(&url(&with_param(PROJECT_UPLOADS, &target.public_id)), &start).await?;
        let sent = move_bytes(&started, picked, &file, progress, signal).await;
        let outcome = match sent {
            Ok(complete) => {
                post_json::<_, UploadCompleted>(&url(&with_param(UPLOAD_COMPLETE, &started.id)), &complete)
                    .await
                    .map_err(String::from)
            }
            Err(message) => Err(message),
        };
        if outcome.is_err() {
            // Nothing half-sent is kept: the parts go and the reserved quota is freed.
            let _ = delete::<()>(&url(&with_param(UPLOAD, &started.id))).await;
        }
        outcome
    }

    async fn move_bytes(
        started: &UploadStarted,
        picked: &Picked,
        file: &PoolFileEncryptor,
        progress: &Function,
        signal: &web_sys::AbortSignal,
    ) -> Result<CompleteUpload, String> {
        let sign_path = url(&with_param(UPLOAD_PART_URLS, &started.id));
        let sign =
            Closure::<dyn FnMut(JsValue, JsValue) -> Promise>::new(move |parts: JsValue, sent: JsValue| {
                let path = sign_path.clone();
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
                    let urls: PartUrls =
                        post_json(&path, &PartsToSend { parts, sent }).await.map_err(refusal)?;
                    js::to_js(&urls.urls)
                })
            });
        let options = Object::new();
        let set = |key: &str, value: &JsValue| Reflect::set(&options, &key.into(), value).map(|_| ());
        let pool = pool().await?;
        let file_object = Reflect::get(&picked.file, &"file".into()).unwrap_or(JsValue::UNDEFINED);
        set("pool", &pool)
            .and_then(|_| set("file", &file_object))
            .and_then(|_| set("encryptor", file))
            .and_then(|_| set("partSize", &(started.part_size as f64).into()))
            .and_then(|_| set("partCount", &started.part_count.into()))
            .and_then(|_| set("signParts", sign.as_ref()))
            .and_then(|_| set("onProgress", progress))
            .and_then(|_| set("signal", signal))
            .map_err(|e| js::message(&e))?;
        let sent = js::upload_file(&options).await.map_err(|e| js::message(&e))?;
        drop(sign);
        let parts = Array::from(&Reflect::get(&sent, &"parts".into()).map_err(|e| js::message(&e))?)
            .iter()
            .map(|part| completed_part(&part))
            .collect();
        let sealed =
            Uint8Array::new(&Reflect::get(&sent, &"encryptedSha256".into()).map_err(|e| js::message(&e))?);
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
