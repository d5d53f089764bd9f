//! Segment-by-segment encryption and decryption of the v1 format (`format`).
//!
//! The [`Encryptor`] chooses the content key (CEK) and nonce prefix itself and only moves
//! forward, so a nonce can never be reused. The [`Decryptor`] gives random access by segment
//! index; it knows which segment is final from the ciphertext length, so truncation at a segment
//! boundary, a dropped final segment, reordering and segments from another file all fail.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result};
use crate::format::{
    nonce, segment_nonce, Header, Layout, CHECKSUM_NONCE_FLAG, DEFAULT_SEGMENT_SIZE, HEADER_LEN,
    NONCE_PREFIX_LEN,
};
use crate::keys::{PrivateKey, PublicKey, KEY_LEN};
use crate::seal::{open, seal_with_ephemeral, Sealed};

const CHECKSUM_AAD: &[u8] = b"dds/v1/sha256";
/// HKDF info of the key of an upload's part checks (DESIGN §5.5, docs/deviations.md 19).
const PART_CHECK_INFO: &[u8] = b"dds/v1/part-check";

/// The key of an upload's part checks: HMAC-SHA256 under it of the SHA-256 of the file up to a
/// part's end is recorded by the server before the part is sent, so a resumed upload can prove
/// the file is unchanged (and never encrypts new bytes under nonces already used) while the
/// server learns nothing. Derived from the content key, so the same file key gives the same
/// checks in a later session. The SHA-256 is the file checksum's own running hash, at the part's
/// end (the browser's hashing worker has it anyway): no second pass over the part's bytes.
pub(crate) fn part_check_key(content_key: &[u8; KEY_LEN]) -> Zeroizing<[u8; KEY_LEN]> {
    crate::kdf::hkdf_sha256(None, content_key, PART_CHECK_INFO)
}

/// The check of the part that ends where `file_prefix` (the file's plaintext from its first
/// byte) ends: the native reference of the browser's hashing worker.
pub(crate) fn part_check(check_key: &[u8; KEY_LEN], file_prefix: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(check_key).expect("HMAC takes any key length");
    mac.update(&Sha256::digest(file_prefix));
    mac.finalize().into_bytes().into()
}

/// The per-file-version content key. Never leaves the crate in the clear.
struct ContentKey(Zeroizing<[u8; KEY_LEN]>);

impl ContentKey {
    #[cfg_attr(not(feature = "wasm"), allow(dead_code))]
    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new_from_slice(self.0.as_ref()).expect("32-byte key")
    }
}

/// What the uploader keeps after the last segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// SHA-256 of the plaintext.
    pub sha256: [u8; 32],
    /// The same, encrypted under the CEK: what the server stores.
    pub encrypted_sha256: Vec<u8>,
}

/// Encrypts one file, segment after segment.
pub struct Encryptor {
    key: ContentKey,
    cipher: Aes256Gcm,
    header: Header,
    header_bytes: [u8; HEADER_LEN],
    layout: Layout,
    next_index: u64,
    finished: bool,
    hasher: Sha256,
}

impl Encryptor {
    /// A new file for the project whose public key is `recipient`, with the default segment size (256 KiB).
    pub fn new(recipient: &PublicKey) -> Result<Encryptor> {
        Encryptor::with_segment_size(recipient, DEFAULT_SEGMENT_SIZE)
    }

    pub fn with_segment_size(recipient: &PublicKey, segment_size: u32) -> Result<Encryptor> {
        let mut cek = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(cek.as_mut());
        let mut prefix = [0u8; NONCE_PREFIX_LEN];
        OsRng.fill_bytes(&mut prefix);
        let ephemeral = StaticSecret::random_from_rng(OsRng);
        Encryptor::from_parts(cek, prefix, ephemeral, recipient, segment_size)
    }

    /// Continues the file of `header` (an upload cut short), its content key opened with the
    /// project key. Segments start again at 0: the ones already sent are passed through
    /// [`Encryptor::take_next_nonce`] without encrypting, to hash them and move on. This is the
    /// one way back to a used nonce, so the caller must first prove the plaintext of every part
    /// already sent is unchanged (its part check, [`Encryptor::part_check`], equals the one the
    /// server recorded before that part was sent); the server refuses a different check for a
    /// part it signed before.
    pub fn resume(project_key: &PrivateKey, header: &[u8]) -> Result<Encryptor> {
        let parsed = Header::parse(header)?;
        let layout = Layout::new(parsed.segment_size)?;
        let sealed = Sealed::from_bytes(parsed.sealed_cek.to_vec())?;
        let cek = open(project_key, &sealed)?;
        let cek: [u8; KEY_LEN] = cek.as_slice().try_into().map_err(|_| CryptoError::Unseal)?;
        let key = ContentKey(Zeroizing::new(cek));
        Ok(Encryptor {
            cipher: key.cipher(),
            key,
            header_bytes: parsed.to_bytes(),
            header: parsed,
            layout,
            next_index: 0,
            finished: false,
            hasher: Sha256::new(),
        })
    }

    /// Deterministic construction, for the committed test vectors only.
    #[cfg(feature = "test-vectors")]
    #[doc(hidden)]
    pub fn for_test_vector(
        cek: [u8; KEY_LEN],
        prefix: [u8; NONCE_PREFIX_LEN],
        ephemeral_secret: [u8; KEY_LEN],
        recipient: &PublicKey,
        segment_size: u32,
    ) -> Result<Encryptor> {
        Encryptor::from_parts(
            Zeroizing::new(cek),
            prefix,
            StaticSecret::from(ephemeral_secret),
            recipient,
            segment_size,
        )
    }

    fn from_parts(
        cek: Zeroizing<[u8; KEY_LEN]>,
        nonce_prefix: [u8; NONCE_PREFIX_LEN],
        ephemeral: StaticSecret,
        recipient: &PublicKey,
        segment_size: u32,
    ) -> Result<Encryptor> {
        let layout = Layout::new(segment_size)?;
        let sealed = seal_with_ephemeral(ephemeral, recipient, cek.as_ref())?;
        let header = Header {
            segment_size,
            nonce_prefix,
            sealed_cek: sealed.as_bytes().try_into().expect("a sealed key is 80 bytes"),
        };
        let key = ContentKey(cek);
        Ok(Encryptor {
            cipher: key.cipher(),
            key,
            header_bytes: header.to_bytes(),
            header,
            layout,
            next_index: 0,
            finished: false,
            hasher: Sha256::new(),
        })
    }

    /// The header: the first bytes of the encrypted file and the AAD of every segment.
    pub fn header_bytes(&self) -> &[u8; HEADER_LEN] {
        &self.header_bytes
    }

    #[cfg_attr(not(feature = "wasm"), allow(dead_code))]
    pub(crate) fn content_key(&self) -> &[u8; KEY_LEN] {
        self.key.bytes()
    }

    /// The key of this file's upload part checks, for the browser's WebCrypto (never exported).
    #[cfg_attr(not(feature = "wasm"), allow(dead_code))]
    pub(crate) fn part_check_key(&self) -> Zeroizing<[u8; KEY_LEN]> {
        part_check_key(self.key.bytes())
    }

    /// The check of the upload part that ends where `file_prefix` (the file's plaintext from
    /// its first byte) ends: HMAC-SHA256, under a key derived from the content key, of the
    /// prefix's SHA-256 (what the browser computes; the server records it). It covers every byte
    /// before the part's end, so a resume proves all the parts sent before it unchanged too.
    pub fn part_check(&self, file_prefix: &[u8]) -> [u8; 32] {
        part_check(&part_check_key(self.key.bytes()), file_prefix)
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Index of the next segment to encrypt.
    pub fn next_index(&self) -> u64 {
        self.next_index
    }

    /// The nonce and AAD of the next segment, advancing as if it had been encrypted here: for
    /// an external AES-GCM implementation (WebCrypto in the browser). Each nonce is handed out
    /// once.
    pub fn take_next_nonce(&mut self, plaintext_len: usize, last: bool) -> Result<[u8; 12]> {
        let index = self.check_next(plaintext_len, last)?;
        self.advance(last);
        Ok(segment_nonce(&self.header.nonce_prefix, index, last))
    }

    /// Encrypts the next segment. Every segment but the last must be exactly `segment_size`
    /// bytes; the last holds 1..=segment_size bytes (0 only for an empty file).
    pub fn encrypt_segment(&mut self, plaintext: &[u8], last: bool) -> Result<Vec<u8>> {
        let index = self.check_next(plaintext.len(), last)?;
        let nonce = segment_nonce(&self.header.nonce_prefix, index, last);
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad: &self.header_bytes })
            .expect("AES-GCM encryption of a segment cannot fail");
        self.hasher.update(plaintext);
        self.advance(last);
        Ok(ciphertext)
    }

    /// Feeds plaintext that was encrypted elsewhere (WebCrypto) into the checksum.
    pub fn hash_plaintext(&mut self, plaintext: &[u8]) {
        self.hasher.update(plaintext);
    }

    fn check_next(&self, len: usize, last: bool) -> Result<u32> {
        if self.finished {
            return Err(CryptoError::AlreadyFinished);
        }
        let index = self.next_index;
        let full = len as u64 == self.layout.segment_size();
        let fits = if last { len as u64 <= self.layout.segment_size() } else { full };
        // Only an empty file has an empty (final) segment.
        if !fits || (last && len == 0 && index > 0) {
            return Err(CryptoError::SegmentLength { index, actual: len });
        }
        u32::try_from(index).map_err(|_| CryptoError::FileTooLarge(index * self.layout.segment_size()))
    }

    fn advance(&mut self, last: bool) {
        self.next_index += 1;
        self.finished = last;
    }

    /// After the final segment: the plaintext SHA-256, clear and encrypted under the CEK.
    pub fn finish(self) -> Result<Finished> {
        if !self.finished {
            return Err(CryptoError::NotFinished);
        }
        let sha256: [u8; 32] = self.hasher.finalize().into();
        let encrypted_sha256 = encrypt_checksum(&self.key, &self.header.nonce_prefix, &sha256);
        Ok(Finished { sha256, encrypted_sha256 })
    }

    /// Like [`Encryptor::finish`] with the plaintext's SHA-256 computed elsewhere (the browser
    /// hashes in a worker of its own, off the page's thread): sealed as it is given.
    pub fn finish_with_sha256(self, sha256: [u8; 32]) -> Result<Finished> {
        if !self.finished {
            return Err(CryptoError::NotFinished);
        }
        let encrypted_sha256 = encrypt_checksum(&self.key, &self.header.nonce_prefix, &sha256);
        Ok(Finished { sha256, encrypted_sha256 })
    }
}

fn checksum_nonce(prefix: &[u8; NONCE_PREFIX_LEN]) -> [u8; 12] {
    nonce(prefix, u32::MAX, CHECKSUM_NONCE_FLAG)
}

fn encrypt_checksum(key: &ContentKey, prefix: &[u8; NONCE_PREFIX_LEN], sha256: &[u8; 32]) -> Vec<u8> {
    key.cipher()
        .encrypt(Nonce::from_slice(&checksum_nonce(prefix)), Payload { msg: sha256, aad: CHECKSUM_AAD })
        .expect("AES-GCM encryption of 32 bytes cannot fail")
}

/// Decrypts any segment of one stored file.
pub struct Decryptor {
    key: ContentKey,
    cipher: Aes256Gcm,
    header: Header,
    header_bytes: [u8; HEADER_LEN],
    layout: Layout,
    segment_count: u64,
    plaintext_len: u64,
}

impl Decryptor {
    /// `header` is the start of the stored object, `ciphertext_len` its full size (from S3).
    pub fn new(project_key: &PrivateKey, header: &[u8], ciphertext_len: u64) -> Result<Decryptor> {
        let parsed = Header::parse(header)?;
        let layout = Layout::new(parsed.segment_size)?;
        let plaintext_len = layout.plaintext_len(ciphertext_len)?;
        let sealed = Sealed::from_bytes(parsed.sealed_cek.to_vec())?;
        let cek = open(project_key, &sealed)?;
        let cek: [u8; KEY_LEN] = cek.as_slice().try_into().map_err(|_| CryptoError::Unseal)?;
        let key = ContentKey(Zeroizing::new(cek));
        Ok(Decryptor {
            cipher: key.cipher(),
            key,
            header_bytes: parsed.to_bytes(),
            header: parsed,
            layout,
            segment_count: layout.segment_count(plaintext_len)?,
            plaintext_len,
        })
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    pub fn segment_count(&self) -> u64 {
        self.segment_count
    }

    pub fn plaintext_len(&self) -> u64 {
        self.plaintext_len
    }

    #[cfg_attr(not(feature = "wasm"), allow(dead_code))]
    pub(crate) fn content_key(&self) -> &[u8; KEY_LEN] {
        self.key.bytes()
    }

    /// The nonce of segment `index` (for decrypting with WebCrypto).
    pub fn segment_nonce(&self, index: u64) -> Result<[u8; 12]> {
        if index >= self.segment_count {
            return Err(CryptoError::SegmentOutOfRange { index, count: self.segment_count });
        }
        Ok(segment_nonce(&self.header.nonce_prefix, index as u32, index + 1 == self.segment_count))
    }

    /// Decrypts segment `index` (its bytes at `layout().segment_offset(index)`).
    pub fn decrypt_segment(&self, index: u64, ciphertext: &[u8]) -> Result<Vec<u8>> {
        if index >= self.segment_count {
            return Err(CryptoError::SegmentOutOfRange { index, count: self.segment_count });
        }
        let expected = self.layout.segment_plaintext_len(index, self.plaintext_len)? + 16;
        if ciphertext.len() as u64 != expected {
            return Err(CryptoError::SegmentLength { index, actual: ciphertext.len() });
        }
        let nonce = self.segment_nonce(index)?;
        self.cipher
            .decrypt(Nonce::from_slice(&nonce), Payload { msg: ciphertext, aad: &self.header_bytes })
            .map_err(|_| CryptoError::SegmentAuthentication { index })
    }

    /// The plaintext SHA-256 stored (encrypted) with the file.
    pub fn decrypt_checksum(&self, encrypted: &[u8]) -> Result<[u8; 32]> {
        let plain = self
            .key
            .cipher()
            .decrypt(
                Nonce::from_slice(&checksum_nonce(&self.header.nonce_prefix)),
                Payload { msg: encrypted, aad: CHECKSUM_AAD },
            )
            .map_err(|_| CryptoError::Checksum)?;
        plain.try_into().map_err(|_| CryptoError::Checksum)
    }
}

/// Encrypts a whole in-memory buffer (tests, vectors, small files).
pub fn encrypt_all(encryptor: &mut Encryptor, plaintext: &[u8]) -> Result<Vec<u8>> {
    let layout = encryptor.layout();
    let mut out = encryptor.header_bytes().to_vec();
    let count = layout.segment_count(plaintext.len() as u64)?;
    for (i, chunk) in split_segments(plaintext, layout).enumerate() {
        out.extend(encryptor.encrypt_segment(chunk, i as u64 + 1 == count)?);
    }
    Ok(out)
}

/// Decrypts a whole in-memory ciphertext.
pub fn decrypt_all(project_key: &PrivateKey, ciphertext: &[u8]) -> Result<Vec<u8>> {
    let decryptor = Decryptor::new(project_key, ciphertext, ciphertext.len() as u64)?;
    let layout = decryptor.layout();
    let mut out = Vec::with_capacity(decryptor.plaintext_len() as usize);
    for index in 0..decryptor.segment_count() {
        let start = layout.segment_offset(index) as usize;
        let len = layout.segment_plaintext_len(index, decryptor.plaintext_len())? as usize + 16;
        out.extend(decryptor.decrypt_segment(index, &ciphertext[start..start + len])?);
    }
    Ok(out)
}

fn split_segments(plaintext: &[u8], layout: Layout) -> impl Iterator<Item = &[u8]> {
    let size = layout.segment_size() as usize;
    let empty: &[u8] = &[];
    let chunks: Box<dyn Iterator<Item = &[u8]>> = if plaintext.is_empty() {
        Box::new(std::iter::once(empty))
    } else {
        Box::new(plaintext.chunks(size))
    };
    chunks
}
