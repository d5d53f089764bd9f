//! Downloading a file, a folder or the whole project into a folder the user picks (File System
//! Access API): the portal lists the files with presigned GETs a page at a time; each file is
//! fetched by range, decrypted in the workers, hashed and written in order by `transfer.js`,
//! and its checksum compared with the one sealed at upload. The project key is opened once and
//! stays in wasm; only non-extractable WebCrypto keys reach the workers.

/// What a finished download did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Downloaded {
    pub files: u64,
    pub bytes: u64,
}

/// Whether this browser can save a download into a folder (File System Access API).
pub fn can_save_folders() -> bool {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Reflect::has(&js_sys::global(), &"showDirectoryPicker".into()).unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{into_folder, pick_folder, save};

/// Without the browser bundle nothing is downloaded (server rendering never calls this).
#[cfg(not(feature = "hydrate"))]
pub async fn into_folder(
    _username: &str,
    _project: &crate::api::projects::ProjectDetails,
    _path: &str,
    _progress: std::rc::Rc<dyn Fn(u64, u64)>,
) -> Result<Option<Downloaded>, String> {
    Err(crate::client::BROWSER_ONLY.into())
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;

    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::future_to_promise;
    use wasm_crypto::wasm::{FileDecryptor, KeyHandle, Sha256Hasher};
    use wasm_crypto::PrivateKey;

    use super::Downloaded;
    use crate::api::transfers::{DownloadFile, DownloadPlan, PROJECT_DOWNLOADS};
    use crate::api::{query_value, url, with_param};
    use crate::client::api::get_json;
    use crate::client::transfer::{js, pool};

    /// Asks the user for the folder to save into; `None` when they cancelled.
    pub async fn pick_folder() -> Result<Option<JsValue>, String> {
        match js::pick_directory().await {
            Ok(folder) if folder.is_null() || folder.is_undefined() => {
                Err("This browser cannot save into a folder. Use an up-to-date Chromium, Chrome or Edge."
                    .to_string())
            }
            Ok(folder) => Ok(Some(folder)),
            Err(err) if js::is_abort(&err) => Ok(None),
            Err(err) => Err(js::message(&err)),
        }
    }

    /// Asks for the folder (first, while the click still counts as the user's), opens the
    /// project key, and saves `path` ('' for the whole project) into the folder. `None` when
    /// the user closed the folder picker.
    pub async fn into_folder(
        username: &str,
        project: &crate::api::projects::ProjectDetails,
        path: &str,
        progress: Rc<dyn Fn(u64, u64)>,
    ) -> Result<Option<Downloaded>, String> {
        let Some(folder) = pick_folder().await? else {
            return Ok(None);
        };
        let key = crate::client::project_keys::open(username, &project.key, &project.public_key).await?;
        let abort = web_sys::AbortController::new().map_err(|e| js::message(&e))?;
        save(&project.summary.public_id, key, path, &folder, progress, &abort.signal()).await.map(Some)
    }

    fn plan_path(public_id: &str, path: &str, after: Option<&str>) -> String {
        let mut out =
            format!("{}?path={}", url(&with_param(PROJECT_DOWNLOADS, public_id)), query_value(path));
        if let Some(after) = after {
            out.push_str(&format!("&after={}", query_value(after)));
        }
        out
    }

    /// Saves the file at `path`, or every file below the folder `path` ('' for the project),
    /// into `folder` with the project's tree. `progress(files_done, bytes_done)`.
    pub async fn save(
        public_id: &str,
        project_key: PrivateKey,
        path: &str,
        folder: &JsValue,
        progress: Rc<dyn Fn(u64, u64)>,
        signal: &web_sys::AbortSignal,
    ) -> Result<Downloaded, String> {
        let key = Rc::new(KeyHandle::from(project_key));
        let pool: JsValue = pool().await?.into();
        let mut done = Downloaded::default();
        let mut after: Option<String> = None;
        loop {
            let plan: DownloadPlan = get_json(&plan_path(public_id, path, after.as_deref())).await?;
            for file in &plan.files {
                let base = done.bytes;
                let files = done.files;
                let step = progress.clone();
                let each = Closure::<dyn FnMut(f64)>::new(move |bytes: f64| step(files, base + bytes as u64));
                fetch_one(public_id, &pool, &key, file, folder, each.as_ref().unchecked_ref(), signal)
                    .await?;
                done.files += 1;
                done.bytes += file.size_bytes as u64;
                progress(done.files, done.bytes);
            }
            match plan.next {
                Some(next) => after = Some(next),
                None => return Ok(done),
            }
        }
    }

    async fn fetch_one(
        public_id: &str,
        pool: &JsValue,
        key: &Rc<KeyHandle>,
        file: &DownloadFile,
        folder: &JsValue,
        progress: &Function,
        signal: &web_sys::AbortSignal,
    ) -> Result<(), String> {
        let current = Rc::new(RefCell::new(file.url.clone()));
        let url_now = {
            let current = current.clone();
            Closure::<dyn FnMut() -> JsValue>::new(move || JsValue::from(current.borrow().clone()))
        };
        let renew = {
            let (current, renew_path) = (current.clone(), plan_path(public_id, &file.path, None));
            Closure::<dyn FnMut() -> Promise>::new(move || {
                let (current, renew_path) = (current.clone(), renew_path.clone());
                future_to_promise(async move {
                    let plan: DownloadPlan = get_json(&renew_path)
                        .await
                        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
                    if let Some(fresh) = plan.files.into_iter().next() {
                        *current.borrow_mut() = fresh.url;
                    }
                    Ok(JsValue::UNDEFINED)
                })
            })
        };
        let open_header = {
            let (key, stored) = (key.clone(), file.stored_bytes as f64);
            Closure::<dyn FnMut(Uint8Array) -> Result<FileDecryptor, JsValue>>::new(
                move |header: Uint8Array| {
                    FileDecryptor::new(&key, &header.to_vec(), stored).map_err(JsValue::from)
                },
            )
        };
        let writer = js::file_writer(folder, &file.path).await.map_err(|e| {
            format!("{} could not be saved in the chosen folder: {}", file.path, js::message(&e))
        })?;
        let sealed = match &file.sha256_sealed {
            Some(text) => JsValue::from(Uint8Array::from(
                STANDARD
                    .decode(text)
                    .map_err(|_| format!("The recorded checksum of {} is damaged.", file.path))?
                    .as_slice(),
            )),
            None => JsValue::NULL,
        };
        let options = Object::new();
        let entries: [(&str, JsValue); 12] = [
            ("pool", pool.clone()),
            ("url", url_now.as_ref().clone()),
            ("renewUrl", renew.as_ref().clone()),
            ("storedBytes", (file.stored_bytes as f64).into()),
            ("name", file.path.clone().into()),
            ("openHeader", open_header.as_ref().clone()),
            ("hasher", Sha256Hasher::new().into()),
            ("sealedChecksum", sealed),
            ("write", Reflect::get(&writer, &"write".into()).unwrap_or(JsValue::UNDEFINED)),
            ("onProgress", progress.clone().into()),
            ("signal", signal.clone().into()),
            ("concurrency", 4.into()),
        ];
        for (name, value) in entries {
            Reflect::set(&options, &name.into(), &value).map_err(|e| js::message(&e))?;
        }
        let fetched = js::download_file(&options).await;
        let finish = if fetched.is_ok() { "close" } else { "abort" };
        if let Ok(end) = Reflect::get(&writer, &finish.into()).and_then(|f| f.dyn_into::<Function>()) {
            if let Ok(promise) = end.call0(&writer).and_then(|p| p.dyn_into::<Promise>()) {
                let closed = wasm_bindgen_futures::JsFuture::from(promise).await;
                if fetched.is_ok() {
                    closed.map_err(|e| format!("{} could not be saved: {}", file.path, js::message(&e)))?;
                }
            }
        }
        fetched.map(|_| ()).map_err(|e| js::message(&e))
    }
}
