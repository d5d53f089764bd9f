//! The browser's incremental SHA-256 of a file (wasm-bindgen), alone in a module of its own: the
//! pool's hashing worker (`js/hash-worker.js`) loads only this (`--features hash`: some 30 KB of
//! wasm), not the portal's whole bundle, so it costs the page a few MiB instead of a second copy
//! of the app's code and memory.

use wasm_bindgen::prelude::*;

/// An incremental SHA-256: a file's plaintext, chunk by chunk, in order (uploads and downloads
/// alike).
#[wasm_bindgen]
pub struct Sha256Hasher(sha2::Sha256);

#[wasm_bindgen]
impl Sha256Hasher {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Sha256Hasher {
        Sha256Hasher(<sha2::Sha256 as sha2::Digest>::new())
    }

    pub fn update(&mut self, data: &[u8]) {
        sha2::Digest::update(&mut self.0, data);
    }

    /// The SHA-256 of what was given so far, the hasher going on unchanged: an upload part's
    /// check is keyed over it (`stream::part_check`).
    #[wasm_bindgen(js_name = prefixDigest)]
    pub fn prefix_digest(&self) -> Vec<u8> {
        sha2::Digest::finalize(self.0.clone()).to_vec()
    }

    pub fn finish(self) -> Vec<u8> {
        sha2::Digest::finalize(self.0).to_vec()
    }
}
