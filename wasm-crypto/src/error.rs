//! The crate's one error type. Messages are safe to show: they never contain key material.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("key derivation parameters are not allowed: {0}")]
    KdfParams(&'static str),
    #[error("key derivation failed")]
    Kdf,
    #[error("the key could not be unwrapped: wrong password, wrong user, or a damaged key")]
    Unwrap,
    #[error("the sealed data could not be opened: it is not for this key, or it is damaged")]
    Unseal,
    #[error("the public key is not usable (low-order point)")]
    WeakPublicKey,
    #[error("a key must be {expected} bytes, got {actual}")]
    KeyLength { expected: usize, actual: usize },
    #[error("not a DDS encrypted file (bad magic bytes)")]
    BadMagic,
    #[error("unsupported DDS file format version {0}")]
    UnsupportedVersion(u8),
    #[error("invalid segment size {0} (allowed: 1 KiB to 16 MiB)")]
    BadSegmentSize(u32),
    #[error("the file header is truncated")]
    TruncatedHeader,
    #[error("the encrypted file has an impossible length ({0} bytes)")]
    BadCiphertextLength(u64),
    #[error(
        "segment {index} failed authentication: the file is damaged, truncated, reordered or belongs to another file"
    )]
    SegmentAuthentication { index: u64 },
    #[error("segment {index} has the wrong length ({actual} bytes)")]
    SegmentLength { index: u64, actual: usize },
    #[error("segment index {index} is out of range (the file has {count} segments)")]
    SegmentOutOfRange { index: u64, count: u64 },
    #[error("the file is too large for the format ({0} bytes)")]
    FileTooLarge(u64),
    #[error("the final segment was already written")]
    AlreadyFinished,
    #[error("the file is not finished: its final segment was never written")]
    NotFinished,
    #[error("the stored checksum could not be decrypted")]
    Checksum,
}

pub type Result<T, E = CryptoError> = std::result::Result<T, E>;
