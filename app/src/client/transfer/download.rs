//! Downloading a file, a folder or the whole project: the portal lists the files with presigned
//! GETs a page at a time; each file is fetched by range, decrypted in the workers, hashed and
//! written in order by `transfer.js`, and its checksum compared with the one sealed at upload.
//! The project key is opened once and stays in wasm; only non-extractable WebCrypto keys reach
//! the workers.
//!
//! Where the browser has the File System Access API (Chromium) the files go into a folder the
//! user picks, the tree kept. Elsewhere (Firefox, Safari) each file streams into the browser's
//! downloads through a service worker (`download-stream.js`), its folders folded into its name
//! ([`download_name`]); the same fetch, decrypt and verify path runs either way.
//!
//! A download into a folder that a closed tab stopped goes on when the same folder is picked
//! again: each file already there whole (its size and SHA-256 the recorded ones, hashed in the
//! workers) is kept and only the rest is fetched. The file that was being written is fetched
//! again from its start: the browser drops a half-written file's bytes when its tab closes.

/// What a finished download did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Downloaded {
    pub files: u64,
    pub bytes: u64,
    /// Saved one by one into the browser's downloads, not into a chosen folder.
    pub into_downloads: bool,
    /// The SHA-256 (hex) of the plaintext, when one file was asked for (and verified).
    pub sha256: Option<String>,
    /// Files an earlier, stopped download had already saved into the folder whole (their size
    /// and checksum the recorded ones): kept, not fetched again.
    pub kept: u64,
}

/// Whether this browser can save a download into a folder (File System Access API).
pub fn can_save_folders() -> bool {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Reflect::get(&js_sys::global(), &"showDirectoryPicker".into())
            .is_ok_and(|picker| picker.is_function())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// The name `file_path` gets in the browser's downloads when `requested` (a file, a folder or
/// '' for the whole project) is downloaded there: a file keeps its own name; the files of a
/// folder keep the folder's name and the sub-folders below it, joined by `_` (a download's name
/// cannot hold a `/`).
pub fn download_name(requested: &str, file_path: &str) -> String {
    let parent = match requested.trim_end_matches('/').rsplit_once('/') {
        Some((parent, _)) => format!("{parent}/"),
        None => String::new(),
    };
    let below = file_path.strip_prefix(&parent).unwrap_or(file_path);
    below.replace('/', "_")
}

#[cfg(feature = "hydrate")]
pub use browser::save_files;

/// Without the browser bundle nothing is downloaded (server rendering never calls this).
#[cfg(not(feature = "hydrate"))]
pub async fn save_files(
    _username: &str,
    _project: &crate::api::projects::ProjectDetails,
    _path: &str,
    _progress: std::rc::Rc<dyn Fn(u64, u64)>,
) -> Result<Option<Downloaded>, String> {
    Err(crate::client::BROWSER_ONLY.into())
}

#[cfg(test)]
mod tests {
    use super::download_name;

    #[test]
    fn a_downloaded_file_keeps_its_name_and_a_folders_files_keep_their_folders_in_theirs() {
        assert_eq!(download_name("batch/readme.txt", "batch/readme.txt"), "readme.txt");
        assert_eq!(download_name("readme.txt", "readme.txt"), "readme.txt");
        assert_eq!(download_name("batch", "batch/run1/sample1/reads.bin"), "batch_run1_sample1_reads.bin");
        assert_eq!(download_name("batch/run1", "batch/run1/sample1/reads.bin"), "run1_sample1_reads.bin");
        assert_eq!(download_name("batch/run1/", "batch/run1/a.txt"), "run1_a.txt");
        assert_eq!(download_name("", "batch/run1/a.txt"), "batch_run1_a.txt");
        assert_eq!(download_name("", "top.txt"), "top.txt");
    }
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
    use wasm_crypto::wasm::{FileDecryptor, KeyHandle};
    use wasm_crypto::PrivateKey;

    use super::{download_name, Downloaded};
    use crate::api::transfers::{DownloadFile, DownloadPlan, PROJECT_DOWNLOADS};
    use crate::api::{query_value, url, with_param};
    use crate::client::api::get_json;
    use crate::client::session_gate::patiently;
    use crate::client::transfer::{js, pool};

    /// Where the files go.
    enum Destination {
        /// A directory handle the user picked (File System Access API).
        Folder(JsValue),
        /// The browser's downloads, one file at a time, through the download service worker.
        Downloads,
    }

    /// Asks the user for the folder to save into; `None` when they cancelled.
    async fn pick_folder() -> Result<Option<JsValue>, String> {
        match js::pick_directory().await {
            Ok(folder) if folder.is_null() || folder.is_undefined() => {
                Err("This browser cannot save into a folder.".to_string())
            }
            Ok(folder) => Ok(Some(folder)),
            Err(err) if js::is_abort(&err) => Ok(None),
            Err(err) => Err(js::message(&err)),
        }
    }

    /// Asks for the folder where the browser can save into one (first, while the click still
    /// counts as the user's), opens the project key, and saves `path` ('' for the whole
    /// project): into the folder, or else into the browser's downloads. `None` when the user
    /// closed the folder picker.
    pub async fn save_files(
        username: &str,
        project: &crate::api::projects::ProjectDetails,
        path: &str,
        progress: Rc<dyn Fn(u64, u64)>,
    ) -> Result<Option<Downloaded>, String> {
        let destination = if super::can_save_folders() {
            match pick_folder().await? {
                Some(folder) => Destination::Folder(folder),
                None => return Ok(None),
            }
        } else {
            Destination::Downloads
        };
        let key = crate::client::project_keys::open(username, &project.key, &project.public_key).await?;
        let abort = web_sys::AbortController::new().map_err(|e| js::message(&e))?;
        save(username, &project.summary.public_id, key, path, &destination, progress, &abort.signal())
            .await
            .map(Some)
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
    /// to `destination`. `progress(files_done, bytes_done)`.
    async fn save(
        username: &str,
        public_id: &str,
        project_key: PrivateKey,
        path: &str,
        destination: &Destination,
        progress: Rc<dyn Fn(u64, u64)>,
        signal: &web_sys::AbortSignal,
    ) -> Result<Downloaded, String> {
        let key = Rc::new(KeyHandle::from(project_key));
        let pool: JsValue = pool().await?.into();
        let mut done = Downloaded {
            into_downloads: matches!(destination, Destination::Downloads),
            ..Downloaded::default()
        };
        let mut after: Option<String> = None;
        loop {
            let page = plan_path(public_id, path, after.as_deref());
            let plan: DownloadPlan = patiently(username, Some(signal), || get_json(&page)).await?;
            for file in &plan.files {
                let base = done.bytes;
                let files = done.files;
                let step = progress.clone();
                let each = Closure::<dyn FnMut(f64)>::new(move |bytes: f64| step(files, base + bytes as u64));
                let writer = match destination {
                    Destination::Folder(folder) => js::file_writer(folder, &file.path).await,
                    Destination::Downloads => {
                        js::download_writer(&download_name(path, &file.path), file.size_bytes as f64).await
                    }
                }
                .map_err(|e| format!("{} could not be saved: {}.", file.path, js::message(&e)))?;
                let on_bytes = each.as_ref().unchecked_ref();
                let (sha256, kept) =
                    fetch_one(username, public_id, &pool, &key, file, &writer, on_bytes, signal).await?;
                done.kept += u64::from(kept);
                // One file asked for: its checksum is shown, to compare with `sha256sum`.
                done.sha256 = (file.path == path).then_some(sha256);
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

    #[allow(clippy::too_many_arguments)]
    async fn fetch_one(
        username: &str,
        public_id: &str,
        pool: &JsValue,
        key: &Rc<KeyHandle>,
        file: &DownloadFile,
        writer: &JsValue,
        progress: &Function,
        signal: &web_sys::AbortSignal,
    ) -> Result<(String, bool), String> {
        let current = Rc::new(RefCell::new(file.url.clone()));
        let url_now = {
            let current = current.clone();
            Closure::<dyn FnMut() -> JsValue>::new(move || JsValue::from(current.borrow().clone()))
        };
        let renew = {
            let (current, renew_path) = (current.clone(), plan_path(public_id, &file.path, None));
            let (user, stop) = (username.to_string(), signal.clone());
            Closure::<dyn FnMut() -> Promise>::new(move || {
                let (current, renew_path) = (current.clone(), renew_path.clone());
                let (user, stop) = (user.clone(), stop.clone());
                future_to_promise(async move {
                    let plan: DownloadPlan = patiently(&user, Some(&stop), || get_json(&renew_path))
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
        let existing = Reflect::get(writer, &"existing".into()).unwrap_or(JsValue::NULL);
        let entries: [(&str, JsValue); 12] = [
            ("pool", pool.clone()),
            ("url", url_now.as_ref().clone()),
            ("renewUrl", renew.as_ref().clone()),
            ("storedBytes", (file.stored_bytes as f64).into()),
            ("name", file.path.clone().into()),
            ("openHeader", open_header.as_ref().clone()),
            ("sealedChecksum", sealed),
            ("write", Reflect::get(writer, &"write".into()).unwrap_or(JsValue::UNDEFINED)),
            ("onProgress", progress.clone().into()),
            ("signal", signal.clone().into()),
            ("concurrency", 4.into()),
            ("existing", existing),
        ];
        for (name, value) in entries {
            Reflect::set(&options, &name.into(), &value).map_err(|e| js::message(&e))?;
        }
        let fetched = js::download_file(&options).await;
        let kept = fetched
            .as_ref()
            .is_ok_and(|done| Reflect::get(done, &"kept".into()).is_ok_and(|kept| kept.is_truthy()));
        // A kept file stays as it was: its writer (nothing written) is let go unused.
        let written = fetched.is_ok() && !kept;
        let finish = if written { "close" } else { "abort" };
        if let Ok(end) = Reflect::get(writer, &finish.into()).and_then(|f| f.dyn_into::<Function>()) {
            if let Ok(promise) = end.call0(writer).and_then(|p| p.dyn_into::<Promise>()) {
                let closed = wasm_bindgen_futures::JsFuture::from(promise).await;
                if written {
                    closed.map_err(|e| format!("{} could not be saved: {}", file.path, js::message(&e)))?;
                }
            }
        }
        let fetched = fetched.map_err(|e| js::message(&e))?;
        let sha256 = Reflect::get(&fetched, &"sha256".into())
            .map(|v| Uint8Array::new(&v).to_vec())
            .unwrap_or_default();
        Ok((sha256.iter().map(|b| format!("{b:02x}")).collect(), kept))
    }
}
