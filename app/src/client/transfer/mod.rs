//! Transfers in the browser run their bulk AES-GCM in the crypto worker pool
//! (`wasm-crypto/js/crypto-pool.js`, served at `/pkg/crypto/` by `scripts/build.sh`): one Web
//! Worker per core, a bounded queue, recycled buffers. This module binds the pool through a
//! wasm-bindgen extern and keeps one pool per page ([`pool`]), made on first use and checked
//! once: a small buffer encrypted to a fresh key and decrypted back through the workers, so a
//! browser that cannot run them (no module workers, no WebCrypto, a blocked script) says so
//! before a transfer starts, not in its middle. Keys stay in wasm-crypto: the pool gets a
//! `FileEncryptor` whole (it draws the nonces itself) and non-extractable WebCrypto keys.

pub mod download;
pub mod upload;

#[cfg(feature = "hydrate")]
pub use browser::{pool, CryptoPool, PoolFileEncryptor};

/// The byte-moving half of transfers (`wasm-crypto/js/transfer.js`, served beside the pool).
#[cfg(feature = "hydrate")]
pub(crate) mod js {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    #[wasm_bindgen(raw_module = "/pkg/crypto/transfer.js")]
    extern "C" {
        /// Sends one file's parts (see transfer.js for the options).
        #[wasm_bindgen(catch, js_name = uploadFile)]
        pub async fn upload_file(options: &js_sys::Object) -> Result<JsValue, JsValue>;

        /// Fetches, decrypts, verifies and writes one file.
        #[wasm_bindgen(catch, js_name = downloadFile)]
        pub async fn download_file(options: &js_sys::Object) -> Result<JsValue, JsValue>;

        /// A writer for a path below a directory handle: `{ write, close, abort }`.
        #[wasm_bindgen(catch, js_name = fileWriter)]
        pub async fn file_writer(directory: &JsValue, path: &str) -> Result<JsValue, JsValue>;

        /// The folder to save into (null without the File System Access API).
        #[wasm_bindgen(catch, js_name = pickDirectory)]
        pub async fn pick_directory() -> Result<JsValue, JsValue>;

        /// `[{ path, file }]` of a file or folder input.
        #[wasm_bindgen(js_name = pickedFromInput)]
        pub fn picked_from_input(input: &JsValue) -> JsValue;

        /// `[{ path, file }]` of a drop, folders walked.
        #[wasm_bindgen(catch, js_name = pickedFromDrop)]
        pub async fn picked_from_drop(data_transfer: &JsValue) -> Result<JsValue, JsValue>;
    }

    #[wasm_bindgen(raw_module = "/pkg/crypto/download-stream.js")]
    extern "C" {
        /// A writer into the browser's downloads (through the download service worker), once
        /// the browser started the download: `{ write, close, abort }` as [`file_writer`]'s.
        #[wasm_bindgen(catch, js_name = downloadWriter)]
        pub async fn download_writer(name: &str, size: f64) -> Result<JsValue, JsValue>;
    }

    /// The sentence of a JavaScript failure.
    pub fn message(err: &JsValue) -> String {
        err.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| err.as_string())
            .unwrap_or_else(|| "The transfer failed for an unknown reason.".into())
    }

    /// Whether the failure is the user's stop (an `AbortError`).
    pub fn is_abort(err: &JsValue) -> bool {
        err.dyn_ref::<js_sys::Error>().is_some_and(|e| e.name() == "AbortError")
    }

    /// A wire value as a JavaScript object.
    pub fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
        let text = serde_json::to_string(value).map_err(|e| JsValue::from(e.to_string()))?;
        js_sys::JSON::parse(&text)
    }
}

/// Whether this browser runs the page's crypto pool (made now if it is not yet), as a sentence
/// when it does not.
pub async fn ready() -> Result<(), String> {
    #[cfg(feature = "hydrate")]
    {
        browser::pool().await.map(|_| ())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Err(crate::client::BROWSER_ONLY.into())
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;

    use js_sys::{ArrayBuffer, Object, Promise, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::{future_to_promise, JsFuture};
    use wasm_crypto::wasm::{FileDecryptor, FileEncryptor, KeyHandle};

    #[wasm_bindgen(raw_module = "/pkg/crypto/crypto-pool.js")]
    extern "C" {
        /// The pool (`CryptoPool` in crypto-pool.js): see that file for the protocol.
        #[derive(Clone, Debug)]
        pub type CryptoPool;

        /// Starts the workers (one per core, at most 8).
        #[wasm_bindgen(constructor, catch)]
        fn new() -> Result<CryptoPool, JsValue>;

        /// Takes a wasm `FileEncryptor` over (pass it as `JsValue::from(encryptor)`; it is unusable
        /// afterwards) and resolves with the file's [`PoolFileEncryptor`].
        #[wasm_bindgen(method, catch, js_name = fileEncryptor)]
        pub async fn file_encryptor(this: &CryptoPool, encryptor: JsValue) -> Result<JsValue, JsValue>;

        /// Decrypts `{ key, aad, nonces, data, segmentSize, firstSegment }` (`data` transferred):
        /// resolves with the plaintext, a `Uint8Array` over the job's own buffer (decrypted in place).
        #[wasm_bindgen(method, catch)]
        pub async fn decrypt(this: &CryptoPool, job: &Object) -> Result<JsValue, JsValue>;

        /// An `ArrayBuffer` of exactly `byte_length` bytes for the next job (recycled: overwrite
        /// all of it).
        #[wasm_bindgen(method)]
        pub fn buffer(this: &CryptoPool, byte_length: u32) -> ArrayBuffer;

        /// Resolves when a job can be queued: await it before reading the next chunk.
        #[wasm_bindgen(method, catch)]
        pub async fn space(this: &CryptoPool) -> Result<JsValue, JsValue>;

        /// Stops the workers; queued jobs fail.
        #[wasm_bindgen(method)]
        pub fn close(this: &CryptoPool);

        /// One file's encryption through the pool.
        #[derive(Clone, Debug)]
        pub type PoolFileEncryptor;

        /// The file's 96-byte header (the first bytes of the stored object).
        #[wasm_bindgen(method)]
        pub fn header(this: &PoolFileEncryptor) -> Uint8Array;

        #[wasm_bindgen(method, getter, js_name = segmentSize)]
        pub fn segment_size(this: &PoolFileEncryptor) -> u32;

        /// Encrypts the file's next plaintext (whole segments, or all that is left; `data`
        /// transferred): resolves with the ciphertext, a `Uint8Array` (segments one after another).
        #[wasm_bindgen(method, catch, js_name = encryptNext)]
        pub async fn encrypt_next(this: &PoolFileEncryptor, data: ArrayBuffer) -> Result<JsValue, JsValue>;

        /// After the last segment, once the hashing worker has caught up: `{ sha256,
        /// encryptedSha256 }`.
        #[wasm_bindgen(method, catch)]
        pub async fn finish(this: &PoolFileEncryptor) -> Result<JsValue, JsValue>;
    }

    thread_local! {
        /// The page's pool and the promise of its self-check (a promise can be awaited by any
        /// number of callers: the check runs once).
        static POOL: RefCell<Option<(CryptoPool, Promise)>> = const { RefCell::new(None) };
    }

    /// The page's crypto pool: made on first use, then shared by every transfer of the page.
    /// Fails (with a sentence) when the pool cannot start or its self-check fails; the next call
    /// tries again.
    pub async fn pool() -> Result<CryptoPool, String> {
        let made = POOL.with_borrow_mut(|slot| -> Result<(CryptoPool, Promise), JsValue> {
            if let Some(made) = slot.as_ref() {
                return Ok(made.clone());
            }
            let pool = CryptoPool::new()?;
            let checked = future_to_promise(self_check(pool.clone()));
            *slot = Some((pool.clone(), checked.clone()));
            Ok((pool, checked))
        });
        let (pool, checked) = made.map_err(|err| unusable(&err))?;
        match JsFuture::from(checked.clone()).await {
            Ok(_) => Ok(pool),
            Err(err) => {
                POOL.with_borrow_mut(|slot| {
                    if slot.as_ref().is_some_and(|(_, p)| JsValue::from(p) == JsValue::from(&checked)) {
                        *slot = None;
                    }
                });
                pool.close();
                Err(unusable(&err))
            }
        }
    }

    fn unusable(err: &JsValue) -> String {
        let reason = err
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| err.as_string())
            .unwrap_or_else(|| "unknown error".into());
        leptos::logging::warn!("crypto pool unusable: {reason}");
        format!("This browser cannot encrypt or decrypt files here ({reason}). Try an up-to-date browser.")
    }

    /// What the self-check sends through the workers and back.
    const SELF_CHECK: &[u8] = b"DDS crypto pool self-check: encrypted in a worker, decrypted in a worker.";

    /// Encrypts [`SELF_CHECK`] to a fresh key through the pool and decrypts it back through it.
    async fn self_check(pool: CryptoPool) -> Result<JsValue, JsValue> {
        let key = KeyHandle::generate();
        let encryptor = FileEncryptor::new(&key.public_key(), SELF_CHECK.len() as f64)?;
        let file: PoolFileEncryptor = pool.file_encryptor(encryptor.into()).await?.unchecked_into();
        let data = pool.buffer(SELF_CHECK.len() as u32);
        Uint8Array::new(&data).copy_from(SELF_CHECK);
        let body = Uint8Array::new(&file.encrypt_next(data).await?).to_vec();
        file.finish().await?;
        let header = file.header().to_vec();
        let decryptor = FileDecryptor::new(&key, &header, (header.len() + body.len()) as f64)?;
        let job = Object::new();
        Reflect::set(&job, &"key".into(), &decryptor.content_key().await?)?;
        Reflect::set(&job, &"aad".into(), &Uint8Array::from(header.as_slice()))?;
        let nonces = decryptor.nonces(0.0, decryptor.segment_count() as u32)?;
        Reflect::set(&job, &"nonces".into(), &Uint8Array::from(nonces.as_slice()))?;
        Reflect::set(&job, &"data".into(), &Uint8Array::from(body.as_slice()).buffer())?;
        Reflect::set(&job, &"segmentSize".into(), &decryptor.segment_size().into())?;
        Reflect::set(&job, &"firstSegment".into(), &0.into())?;
        if Uint8Array::new(&pool.decrypt(&job).await?).to_vec() != SELF_CHECK {
            return Err(JsError::new("the self-check did not decrypt to what was encrypted").into());
        }
        Ok(JsValue::UNDEFINED)
    }
}
