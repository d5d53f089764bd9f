//! The browser API (wasm-bindgen). Keys are opaque handles; JavaScript gets public keys, wrapped
//! or sealed keys, decryption nonces, and non-extractable WebCrypto `CryptoKey`s for the bulk
//! AES-GCM that the worker pool (`js/crypto-pool.js`) runs. No raw private key, master key, kek
//! or content key is ever returned. Encryption keys and nonces go only to the pool, which binds
//! them to the plaintext it encrypts (`FileEncryptor::into_pool_parts`).

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::format::Layout;
use crate::kdf::{KdfParams, MasterKey, Salt};
use crate::keys::{PrivateKey, PublicKey, WrappedPrivateKey};
use crate::seal::{open_private_key, seal_private_key, Sealed};
use crate::stream::{Decryptor, Encryptor};
use crate::CryptoError;

fn js_error(err: CryptoError) -> JsError {
    JsError::new(&err.to_string())
}

/// The keys derived from a password at login. Holds the master key; hands out only `auth_key`.
#[wasm_bindgen]
pub struct LoginKeys {
    master: MasterKey,
}

#[wasm_bindgen]
impl LoginKeys {
    /// Argon2id(password, salt, params): slow on purpose (about a second).
    pub fn derive(
        password: &str,
        salt: &[u8],
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<LoginKeys, JsError> {
        let salt = Salt::from_slice(salt).map_err(js_error)?;
        let params = KdfParams { memory_kib, iterations, parallelism };
        let master = MasterKey::derive(password.as_bytes(), &salt, params).map_err(js_error)?;
        Ok(LoginKeys { master })
    }

    /// The login credential sent to the server.
    #[wasm_bindgen(js_name = authKey)]
    pub fn auth_key(&self) -> Vec<u8> {
        self.master.auth_key().as_bytes().to_vec()
    }

    /// Wraps a key pair for storage on the server under this password's kek.
    #[wasm_bindgen(js_name = wrapUserKey)]
    pub fn wrap_user_key(&self, key: &KeyHandle, user_id: &str) -> Vec<u8> {
        self.master.kek().wrap(&key.0, user_id).as_bytes().to_vec()
    }

    /// Unwraps the user's private key fetched from the server.
    #[wasm_bindgen(js_name = unwrapUserKey)]
    pub fn unwrap_user_key(&self, wrapped: &[u8], user_id: &str) -> Result<KeyHandle, JsError> {
        let wrapped = WrappedPrivateKey::from_bytes(wrapped.to_vec()).map_err(js_error)?;
        self.master.kek().unwrap(&wrapped, user_id).map(KeyHandle).map_err(js_error)
    }
}

/// An X25519 private key (user, unit or project key) that stays inside wasm.
#[wasm_bindgen]
pub struct KeyHandle(PrivateKey);

#[wasm_bindgen]
impl KeyHandle {
    pub fn generate() -> KeyHandle {
        KeyHandle(PrivateKey::generate())
    }

    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> Vec<u8> {
        self.0.public_key().as_bytes().to_vec()
    }

    /// Seals this key to `recipient_public_key` (sharing project access).
    #[wasm_bindgen(js_name = sealTo)]
    pub fn seal_to(&self, recipient_public_key: &[u8]) -> Result<Vec<u8>, JsError> {
        let recipient = PublicKey::from_slice(recipient_public_key).map_err(js_error)?;
        seal_private_key(&recipient, &self.0).map(|s| s.as_bytes().to_vec()).map_err(js_error)
    }

    /// Opens a key sealed to this one (e.g. a project key sealed to the user).
    #[wasm_bindgen(js_name = openSealedKey)]
    pub fn open_sealed_key(&self, sealed: &[u8]) -> Result<KeyHandle, JsError> {
        let sealed = Sealed::from_bytes(sealed.to_vec()).map_err(js_error)?;
        open_private_key(&self.0, &sealed).map(KeyHandle).map_err(js_error)
    }
}

impl From<PrivateKey> for KeyHandle {
    /// For the portal's own wasm code, which opens keys natively (not exported to JavaScript).
    fn from(key: PrivateKey) -> KeyHandle {
        KeyHandle(key)
    }
}

/// Imports a part-check key into WebCrypto as a non-extractable HMAC-SHA256 signing key.
async fn import_check_key(raw: &[u8; 32]) -> Result<JsValue, JsValue> {
    let crypto: web_sys::Crypto = Reflect::get(&js_sys::global(), &"crypto".into())?.dyn_into()?;
    let bytes = Uint8Array::from(raw.as_slice());
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"HMAC".into())?;
    Reflect::set(&algorithm, &"hash".into(), &"SHA-256".into())?;
    let promise =
        crypto.subtle().import_key_with_object("raw", &bytes, &algorithm, false, &Array::of1(&"sign".into()));
    bytes.fill(0, 0, 32);
    JsFuture::from(promise?).await
}

/// Imports a content key into WebCrypto as non-extractable, for `usage` ("encrypt"/"decrypt").
async fn import_content_key(raw: &[u8; 32], usage: &str) -> Result<JsValue, JsValue> {
    let crypto: web_sys::Crypto = Reflect::get(&js_sys::global(), &"crypto".into())?.dyn_into()?;
    let bytes = Uint8Array::from(raw.as_slice());
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"AES-GCM".into())?;
    let promise =
        crypto.subtle().import_key_with_object("raw", &bytes, &algorithm, false, &Array::of1(&usage.into()));
    // importKey copied the bytes synchronously: wipe the JavaScript copy now.
    bytes.fill(0, 0, 32);
    JsFuture::from(promise?).await
}

/// Encrypts one file version. The bulk AES-GCM runs in WebCrypto (workers); this handle owns the
/// header and the layout. It hands neither the content key nor a nonce to its holder: the worker
/// pool takes it over whole (`CryptoPool.fileEncryptor` in `js/crypto-pool.js`, through
/// [`FileEncryptor::into_pool_parts`]) and exposes only "encrypt the next plaintext".
#[wasm_bindgen]
pub struct FileEncryptor {
    inner: Encryptor,
    plaintext_len: u64,
    segment_count: u64,
}

#[wasm_bindgen]
impl FileEncryptor {
    #[wasm_bindgen(constructor)]
    pub fn new(project_public_key: &[u8], plaintext_len: f64) -> Result<FileEncryptor, JsError> {
        let recipient = PublicKey::from_slice(project_public_key).map_err(js_error)?;
        FileEncryptor::wrap(Encryptor::new(&recipient).map_err(js_error)?, plaintext_len)
    }

    /// Continues an upload cut short: the file key is opened from its `header` with the
    /// project key. Parts already sent go through the pool's `checkPart` (hashed, their check
    /// compared with the recorded one), never encrypted again.
    pub fn resume(
        project_key: &KeyHandle,
        header: &[u8],
        plaintext_len: f64,
    ) -> Result<FileEncryptor, JsError> {
        FileEncryptor::wrap(Encryptor::resume(&project_key.0, header).map_err(js_error)?, plaintext_len)
    }

    fn wrap(inner: Encryptor, plaintext_len: f64) -> Result<FileEncryptor, JsError> {
        if !(plaintext_len >= 0.0 && plaintext_len.fract() == 0.0 && plaintext_len < 2f64.powi(53)) {
            return Err(JsError::new("the file size must be a whole number of bytes"));
        }
        let plaintext_len = plaintext_len as u64;
        let segment_count = inner.layout().segment_count(plaintext_len).map_err(js_error)?;
        Ok(FileEncryptor { inner, plaintext_len, segment_count })
    }

    pub fn header(&self) -> Vec<u8> {
        self.inner.header_bytes().to_vec()
    }

    #[wasm_bindgen(js_name = segmentSize)]
    pub fn segment_size(&self) -> u32 {
        self.inner.layout().segment_size() as u32
    }

    #[wasm_bindgen(js_name = segmentCount)]
    pub fn segment_count(&self) -> f64 {
        self.segment_count as f64
    }

    #[wasm_bindgen(js_name = ciphertextLength)]
    pub fn ciphertext_length(&self) -> Result<f64, JsError> {
        self.inner.layout().ciphertext_len(self.plaintext_len).map(|n| n as f64).map_err(js_error)
    }

    /// For `js/crypto-pool.js` only (application code calls `pool.fileEncryptor(encryptor)`):
    /// consumes this handle into `{ key, nonces }`, the content key as a non-extractable
    /// WebCrypto key and the file's [`SegmentNonces`], which the pool keeps private.
    #[wasm_bindgen(js_name = intoPoolParts)]
    pub async fn into_pool_parts(self) -> Result<JsValue, JsValue> {
        let key = import_content_key(self.inner.content_key(), "encrypt").await?;
        let check_key = import_check_key(&self.inner.part_check_key()).await?;
        let nonces = SegmentNonces {
            inner: self.inner,
            plaintext_len: self.plaintext_len,
            segment_count: self.segment_count,
            covered: 0,
        };
        let out = Object::new();
        Reflect::set(&out, &"key".into(), &key)?;
        Reflect::set(&out, &"nonces".into(), &JsValue::from(nonces))?;
        Reflect::set(&out, &"checkKey".into(), &check_key)?;
        Ok(out.into())
    }
}

/// The nonces of one file's segments, held privately by the worker pool. Each call covers the
/// next plaintext of the file by its length: the nonces of exactly the segments it fills come
/// back, so every index is handed out once, in order. The plaintext's SHA-256 is computed by the
/// pool's hashing worker, off the page's thread (`js/hash-worker.js`), and sealed here at the end.
#[wasm_bindgen]
pub struct SegmentNonces {
    inner: Encryptor,
    plaintext_len: u64,
    segment_count: u64,
    /// Plaintext bytes covered so far.
    covered: u64,
}

#[wasm_bindgen]
impl SegmentNonces {
    /// `length`: how many bytes of the file come next, whole segments or all that is left of
    /// it. Returns the nonces (12 bytes each, concatenated) of the segments they fill.
    #[wasm_bindgen(js_name = coverNext)]
    pub fn cover_next(&mut self, length: f64) -> Result<Vec<u8>, JsError> {
        self.cover(length)
    }

    /// Like `coverNext` for plaintext already encrypted and stored (a resumed upload's parts
    /// whose checks matched): passed, no nonce handed out.
    #[wasm_bindgen(js_name = skipNext)]
    pub fn skip_next(&mut self, length: f64) -> Result<(), JsError> {
        self.cover(length).map(|_| ())
    }

    fn cover(&mut self, length: f64) -> Result<Vec<u8>, JsError> {
        let layout = self.inner.layout();
        if !(length.is_finite() && length >= 0.0 && length.fract() == 0.0) {
            return Err(JsError::new("a job's length is a whole number of bytes"));
        }
        let len = length as u64;
        let remaining = self.plaintext_len - self.covered;
        let first = self.inner.next_index();
        let count = if len == remaining {
            self.segment_count - first
        } else if len > 0 && len < remaining && len % layout.segment_size() == 0 {
            len / layout.segment_size()
        } else {
            return Err(JsError::new("a job holds whole segments of the file, or all that is left of it"));
        };
        if count == 0 {
            return Err(js_error(CryptoError::AlreadyFinished));
        }
        let mut out = Vec::with_capacity(count as usize * 12);
        for index in first..first + count {
            let segment_len = layout.segment_plaintext_len(index, self.plaintext_len).map_err(js_error)?;
            let last = index + 1 == self.segment_count;
            out.extend(self.inner.take_next_nonce(segment_len as usize, last).map_err(js_error)?);
        }
        self.covered += len;
        Ok(out)
    }

    /// After the last segment, with the plaintext's SHA-256 (32 bytes, from the hashing worker):
    /// `{ sha256, encryptedSha256 }`.
    pub fn finish(self, sha256: &[u8]) -> Result<JsValue, JsError> {
        let digest: [u8; 32] =
            sha256.try_into().map_err(|_| JsError::new("a SHA-256 checksum has 32 bytes"))?;
        let finished = self.inner.finish_with_sha256(digest).map_err(js_error)?;
        let out = Object::new();
        let set = |k: &str, v: &[u8]| Reflect::set(&out, &k.into(), &Uint8Array::from(v).into());
        set("sha256", &finished.sha256).map_err(|_| JsError::new("cannot build the result"))?;
        set("encryptedSha256", &finished.encrypted_sha256)
            .map_err(|_| JsError::new("cannot build the result"))?;
        Ok(out.into())
    }
}

/// Decrypts one stored file: opens the content key with the project key and hands out nonces
/// for random access by segment.
#[wasm_bindgen]
pub struct FileDecryptor {
    inner: Decryptor,
}

#[wasm_bindgen]
impl FileDecryptor {
    #[wasm_bindgen(constructor)]
    pub fn new(
        project_key: &KeyHandle,
        header: &[u8],
        ciphertext_len: f64,
    ) -> Result<FileDecryptor, JsError> {
        Decryptor::new(&project_key.0, header, ciphertext_len as u64)
            .map(|inner| FileDecryptor { inner })
            .map_err(js_error)
    }

    #[wasm_bindgen(js_name = segmentSize)]
    pub fn segment_size(&self) -> u32 {
        self.inner.layout().segment_size() as u32
    }

    #[wasm_bindgen(js_name = segmentCount)]
    pub fn segment_count(&self) -> f64 {
        self.inner.segment_count() as f64
    }

    #[wasm_bindgen(js_name = plaintextLength)]
    pub fn plaintext_length(&self) -> f64 {
        self.inner.plaintext_len() as f64
    }

    /// Ciphertext offset of segment `index`.
    #[wasm_bindgen(js_name = segmentOffset)]
    pub fn segment_offset(&self, index: f64) -> f64 {
        self.inner.layout().segment_offset(index as u64) as f64
    }

    #[wasm_bindgen(js_name = contentKey)]
    pub async fn content_key(&self) -> Result<JsValue, JsValue> {
        import_content_key(self.inner.content_key(), "decrypt").await
    }

    /// Nonces of segments `first .. first + count`.
    pub fn nonces(&self, first: f64, count: u32) -> Result<Vec<u8>, JsError> {
        let first = first as u64;
        let mut out = Vec::with_capacity(count as usize * 12);
        for index in first..first + u64::from(count) {
            out.extend(self.inner.segment_nonce(index).map_err(js_error)?);
        }
        Ok(out)
    }

    #[wasm_bindgen(js_name = decryptChecksum)]
    pub fn decrypt_checksum(&self, encrypted: &[u8]) -> Result<Vec<u8>, JsError> {
        self.inner.decrypt_checksum(encrypted).map(|d| d.to_vec()).map_err(js_error)
    }
}

/// Segment layout arithmetic for planning reads (no keys involved).
#[wasm_bindgen(js_name = ciphertextLength)]
pub fn ciphertext_length(plaintext_len: f64, segment_size: u32) -> Result<f64, JsError> {
    Layout::new(segment_size)
        .and_then(|l| l.ciphertext_len(plaintext_len as u64))
        .map(|n| n as f64)
        .map_err(js_error)
}

/// Deterministic handles for the committed test vectors (only in the test build of the bundle).
#[cfg(feature = "test-vectors")]
#[wasm_bindgen(js_name = testVectorEncryptor)]
pub fn test_vector_encryptor(
    cek: &[u8],
    nonce_prefix: &[u8],
    ephemeral_secret: &[u8],
    recipient_public_key: &[u8],
    segment_size: u32,
    plaintext_len: f64,
) -> Result<FileEncryptor, JsError> {
    let bad = |_| JsError::new("bad vector field length");
    let recipient = PublicKey::from_slice(recipient_public_key).map_err(js_error)?;
    let inner = Encryptor::for_test_vector(
        cek.try_into().map_err(bad)?,
        nonce_prefix.try_into().map_err(bad)?,
        ephemeral_secret.try_into().map_err(bad)?,
        &recipient,
        segment_size,
    )
    .map_err(js_error)?;
    FileEncryptor::wrap(inner, plaintext_len)
}

#[cfg(feature = "test-vectors")]
#[wasm_bindgen(js_name = testVectorKey)]
pub fn test_vector_key(private_key: &[u8]) -> Result<KeyHandle, JsError> {
    let bytes: [u8; 32] = private_key.try_into().map_err(|_| JsError::new("a key is 32 bytes"))?;
    Ok(KeyHandle(PrivateKey::for_test_vector(bytes)))
}
