//! Password -> Argon2id -> master key -> (auth_key, kek) (DESIGN §3).
//!
//! The master key never leaves this crate. `auth_key` is the login credential (the server stores
//! only a hash of it); `kek` only wraps the user's private key.

use hkdf::Hkdf;
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result};

pub const SALT_LEN: usize = 16;
const KEY_LEN: usize = 32;
const AUTH_INFO: &[u8] = b"dds/v1/auth";
const KEK_INFO: &[u8] = b"dds/v1/kek";

/// Argon2id cost parameters, stored per user next to the salt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl KdfParams {
    /// m = 64 MiB, t = 3, p = 1.
    pub const DEFAULT: KdfParams = KdfParams { memory_kib: 64 * 1024, iterations: 3, parallelism: 1 };
    /// Never below m = 19 MiB, t = 2 (OWASP's Argon2id floor).
    pub const MIN_MEMORY_KIB: u32 = 19 * 1024;
    pub const MIN_ITERATIONS: u32 = 2;
    /// A browser tab must be able to allocate it.
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    pub const MAX_ITERATIONS: u32 = 16;
    pub const MAX_PARALLELISM: u32 = 8;

    /// Refuses parameters that are too weak (a server could push them to ease guessing) or too
    /// heavy for a browser.
    pub fn validate(self) -> Result<KdfParams> {
        if self.memory_kib < Self::MIN_MEMORY_KIB {
            return Err(CryptoError::KdfParams("memory below 19 MiB"));
        }
        if self.iterations < Self::MIN_ITERATIONS {
            return Err(CryptoError::KdfParams("fewer than 2 iterations"));
        }
        if self.memory_kib > Self::MAX_MEMORY_KIB {
            return Err(CryptoError::KdfParams("memory above 1 GiB"));
        }
        if self.iterations > Self::MAX_ITERATIONS {
            return Err(CryptoError::KdfParams("more than 16 iterations"));
        }
        if self.parallelism == 0 || self.parallelism > Self::MAX_PARALLELISM {
            return Err(CryptoError::KdfParams("parallelism must be 1 to 8"));
        }
        Ok(self)
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::DEFAULT
    }
}

/// A user's KDF salt: 16 random bytes, stored server-side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Salt(pub [u8; SALT_LEN]);

impl Salt {
    pub fn random() -> Salt {
        let mut bytes = [0u8; SALT_LEN];
        OsRng.fill_bytes(&mut bytes);
        Salt(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Salt> {
        let bytes: [u8; SALT_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::KeyLength { expected: SALT_LEN, actual: bytes.len() })?;
        Ok(Salt(bytes))
    }
}

/// The root of a user's keys. No accessor for its bytes, no `Clone`, zeroized on drop.
pub struct MasterKey(Zeroizing<[u8; KEY_LEN]>);

impl MasterKey {
    pub fn derive(password: &[u8], salt: &Salt, params: KdfParams) -> Result<MasterKey> {
        let params = params.validate()?;
        let argon_params =
            argon2::Params::new(params.memory_kib, params.iterations, params.parallelism, Some(KEY_LEN))
                .map_err(|_| CryptoError::KdfParams("rejected by Argon2"))?;
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, argon_params);
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        argon.hash_password_into(password, &salt.0, key.as_mut()).map_err(|_| CryptoError::Kdf)?;
        Ok(MasterKey(key))
    }

    /// The login credential: safe to send (it reveals neither the master key nor the kek).
    pub fn auth_key(&self) -> AuthKey {
        AuthKey(self.expand(AUTH_INFO))
    }

    /// The key-encryption key that wraps the user's private key.
    pub fn kek(&self) -> Kek {
        Kek(self.expand(KEK_INFO))
    }

    fn expand(&self, info: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
        hkdf_sha256(None, self.0.as_ref(), info)
    }
}

/// The credential sent at login; the server stores only Argon2id(auth_key).
pub struct AuthKey(Zeroizing<[u8; KEY_LEN]>);

impl AuthKey {
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

/// Wraps and unwraps the user's private key (see `keys`). No accessor for its bytes.
pub struct Kek(pub(crate) Zeroizing<[u8; KEY_LEN]>);

/// HKDF-SHA256 to 32 bytes.
pub(crate) fn hkdf_sha256(salt: Option<&[u8]>, ikm: &[u8], info: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    Hkdf::<Sha256>::new(salt, ikm)
        .expand(info, out.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 length");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small but valid parameters keep the tests fast.
    const FAST: KdfParams =
        KdfParams { memory_kib: KdfParams::MIN_MEMORY_KIB, iterations: 2, parallelism: 1 };

    #[test]
    fn same_password_and_salt_give_the_same_keys() {
        let salt = Salt([7; SALT_LEN]);
        let a = MasterKey::derive(b"correct horse", &salt, FAST).unwrap();
        let b = MasterKey::derive(b"correct horse", &salt, FAST).unwrap();
        assert_eq!(a.auth_key().as_bytes(), b.auth_key().as_bytes());
        assert_eq!(*a.kek().0, *b.kek().0);
    }

    #[test]
    fn auth_key_and_kek_differ() {
        let master = MasterKey::derive(b"pw", &Salt([1; SALT_LEN]), FAST).unwrap();
        assert_ne!(master.auth_key().as_bytes(), &*master.kek().0);
    }

    #[test]
    fn salt_and_password_both_matter() {
        let base = MasterKey::derive(b"pw", &Salt([1; SALT_LEN]), FAST).unwrap().auth_key();
        let other_salt = MasterKey::derive(b"pw", &Salt([2; SALT_LEN]), FAST).unwrap().auth_key();
        let other_pw = MasterKey::derive(b"pw2", &Salt([1; SALT_LEN]), FAST).unwrap().auth_key();
        assert_ne!(base.as_bytes(), other_salt.as_bytes());
        assert_ne!(base.as_bytes(), other_pw.as_bytes());
    }

    #[test]
    fn weak_or_absurd_parameters_are_refused() {
        let cases = [
            KdfParams { memory_kib: 1024, ..KdfParams::DEFAULT },
            KdfParams { iterations: 1, ..KdfParams::DEFAULT },
            KdfParams { parallelism: 0, ..KdfParams::DEFAULT },
            KdfParams { memory_kib: 4 * 1024 * 1024, ..KdfParams::DEFAULT },
            KdfParams { iterations: 100, ..KdfParams::DEFAULT },
        ];
        for params in cases {
            assert!(params.validate().is_err(), "{params:?}");
            assert!(MasterKey::derive(b"pw", &Salt([0; SALT_LEN]), params).is_err());
        }
        assert_eq!(KdfParams::DEFAULT.validate(), Ok(KdfParams::DEFAULT));
    }

    #[test]
    fn salt_length_is_checked() {
        assert!(Salt::from_slice(&[0; 15]).is_err());
        assert!(Salt::from_slice(&[0; 16]).is_ok());
        assert_ne!(Salt::random(), Salt::random());
    }
}
