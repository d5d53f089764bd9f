//! DDS key hierarchy and the streaming file format v1 (docs/security.md, DESIGN §3–4).
//!
//! Pure functions over bytes, no I/O: compiled natively (server tests, a future CLI) with the
//! aes-gcm crate, and to wasm32 for the browser, where bulk AES-GCM goes through WebCrypto with
//! the nonces and framing computed here.
//!
//! Misuse resistance: no function takes a nonce or a content key from the caller; secrets are
//! zeroized on drop and have no accessor for their bytes (a private key leaves only wrapped or
//! sealed).

pub mod error;
pub mod format;
pub mod kdf;
pub mod keys;
pub mod parts;
pub mod seal;
pub mod session;
pub mod stream;

pub use error::{CryptoError, Result};
pub use format::{Header, Layout, DEFAULT_SEGMENT_SIZE, HEADER_LEN};
pub use kdf::{AuthKey, KdfParams, Kek, MasterKey, Salt};
pub use keys::{PrivateKey, PublicKey, WrappedPrivateKey};
pub use parts::{Part, PartPlan};
pub use seal::{open, open_private_key, seal, seal_private_key, Sealed};
pub use session::SessionKey;
pub use stream::{decrypt_all, encrypt_all, Decryptor, Encryptor, Finished};

/// Version of the file format this crate reads and writes.
pub const FORMAT_VERSION: u8 = format::VERSION;

#[cfg(feature = "wasm")]
pub mod wasm;

#[cfg(feature = "hash")]
pub mod hash;
