//! X25519 key pairs and the wrapping of a user's private key under the kek (DESIGN §3).
//!
//! A [`PrivateKey`] has no public accessor for its bytes: it leaves this crate only wrapped
//! ([`WrappedPrivateKey`]) or sealed (`seal::seal_private_key`).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand_core::{OsRng, RngCore};
use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result};
use crate::kdf::Kek;

pub const KEY_LEN: usize = 32;
const WRAP_NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// nonce (12) | ciphertext (32) | tag (16)
pub const WRAPPED_KEY_LEN: usize = WRAP_NONCE_LEN + KEY_LEN + TAG_LEN;
const USER_KEY_AAD: &[u8] = b"dds/v1/user-key";
const FINGERPRINT_DOMAIN: &[u8] = b"dds/v1/fingerprint";

/// An X25519 private key. Zeroized on drop; no `Clone`, no `Debug` of its bytes.
pub struct PrivateKey(pub(crate) StaticSecret);

impl PrivateKey {
    pub fn generate() -> PrivateKey {
        PrivateKey(StaticSecret::random_from_rng(OsRng))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(x25519_dalek::PublicKey::from(&self.0).to_bytes())
    }

    pub(crate) fn from_bytes(bytes: [u8; KEY_LEN]) -> PrivateKey {
        PrivateKey(StaticSecret::from(bytes))
    }

    /// A fixed key, for the committed test vectors only.
    #[cfg(feature = "test-vectors")]
    #[doc(hidden)]
    pub fn for_test_vector(bytes: [u8; KEY_LEN]) -> PrivateKey {
        PrivateKey::from_bytes(bytes)
    }

    pub(crate) fn to_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(self.0.to_bytes())
    }
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey(public: {:?})", self.public_key())
    }
}

/// An X25519 public key (32 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(pub(crate) [u8; KEY_LEN]);

impl PublicKey {
    pub fn from_slice(bytes: &[u8]) -> Result<PublicKey> {
        let bytes: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::KeyLength { expected: KEY_LEN, actual: bytes.len() })?;
        Ok(PublicKey(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// A short readable form of the key for people to compare out of band (the account page
    /// shows one's own, an approval shows the recipient's): the first 128 bits of
    /// SHA-256("dds/v1/fingerprint" ‖ key) as eight groups of four hex digits. A server that
    /// substituted a public key would have to find a key with the same 128 bits.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::new().chain_update(FINGERPRINT_DOMAIN).chain_update(self.0).finalize();
        digest[..16]
            .chunks(2)
            .map(|pair| format!("{:02X}{:02X}", pair[0], pair[1]))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey(")?;
        self.0.iter().take(8).try_for_each(|b| write!(f, "{b:02x}"))?;
        write!(f, "…)")
    }
}

/// A private key encrypted under a user's kek: safe to store server-side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedPrivateKey(Vec<u8>);

impl WrappedPrivateKey {
    pub fn from_bytes(bytes: Vec<u8>) -> Result<WrappedPrivateKey> {
        if bytes.len() != WRAPPED_KEY_LEN {
            return Err(CryptoError::KeyLength { expected: WRAPPED_KEY_LEN, actual: bytes.len() });
        }
        Ok(WrappedPrivateKey(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

fn user_key_aad(user_id: &str) -> Vec<u8> {
    [USER_KEY_AAD, user_id.as_bytes()].concat()
}

impl Kek {
    /// Wraps `key` for `user_id` (the AAD binds the user: a wrapped key moved to another account
    /// does not unwrap).
    pub fn wrap(&self, key: &PrivateKey, user_id: &str) -> WrappedPrivateKey {
        self.wrap_with_nonce(key, user_id, fresh_nonce())
    }

    /// Wrapping with a fixed nonce, for the committed test vectors only.
    #[cfg(feature = "test-vectors")]
    #[doc(hidden)]
    pub fn wrap_for_test_vector(
        &self,
        key: &PrivateKey,
        user_id: &str,
        nonce: [u8; 12],
    ) -> WrappedPrivateKey {
        self.wrap_with_nonce(key, user_id, nonce)
    }

    fn wrap_with_nonce(
        &self,
        key: &PrivateKey,
        user_id: &str,
        nonce: [u8; WRAP_NONCE_LEN],
    ) -> WrappedPrivateKey {
        wrap_key(&self.0, &user_key_aad(user_id), key, nonce)
    }

    pub fn unwrap(&self, wrapped: &WrappedPrivateKey, user_id: &str) -> Result<PrivateKey> {
        unwrap_key(&self.0, &user_key_aad(user_id), wrapped)
    }
}

/// A fresh random nonce for one wrapping.
pub(crate) fn fresh_nonce() -> [u8; WRAP_NONCE_LEN] {
    let mut nonce = [0u8; WRAP_NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    nonce
}

/// AES-256-GCM of a private key under `wrapping_key`; `aad` names the context (whose key, for
/// what), so a wrapped key moved elsewhere does not open. Shared by the kek and
/// session keys.
pub(crate) fn wrap_key(
    wrapping_key: &[u8; KEY_LEN],
    aad: &[u8],
    key: &PrivateKey,
    nonce: [u8; WRAP_NONCE_LEN],
) -> WrappedPrivateKey {
    let cipher = Aes256Gcm::new_from_slice(wrapping_key).expect("32-byte key");
    let secret = key.to_bytes();
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: secret.as_ref(), aad })
        .expect("AES-GCM encryption of 32 bytes cannot fail");
    WrappedPrivateKey([nonce.as_slice(), &ciphertext].concat())
}

pub(crate) fn unwrap_key(
    wrapping_key: &[u8; KEY_LEN],
    aad: &[u8],
    wrapped: &WrappedPrivateKey,
) -> Result<PrivateKey> {
    let (nonce, ciphertext) = wrapped.0.split_at(WRAP_NONCE_LEN);
    let cipher = Aes256Gcm::new_from_slice(wrapping_key).expect("32-byte key");
    let plain = Zeroizing::new(
        cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad })
            .map_err(|_| CryptoError::Unwrap)?,
    );
    let bytes: [u8; KEY_LEN] = plain.as_slice().try_into().map_err(|_| CryptoError::Unwrap)?;
    Ok(PrivateKey::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdf::{KdfParams, MasterKey, Salt};

    fn kek(password: &[u8]) -> Kek {
        let params = KdfParams { memory_kib: KdfParams::MIN_MEMORY_KIB, iterations: 2, parallelism: 1 };
        MasterKey::derive(password, &Salt([3; 16]), params).unwrap().kek()
    }

    #[test]
    fn fingerprints_are_short_stable_and_differ_between_keys() {
        let key = PublicKey([7; KEY_LEN]);
        let print = key.fingerprint();
        assert_eq!(print.len(), 8 * 4 + 7, "{print}");
        assert!(print.split(' ').all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_hexdigit())));
        assert_eq!(print, PublicKey([7; KEY_LEN]).fingerprint(), "stable");
        assert_ne!(print, PublicKey([8; KEY_LEN]).fingerprint());
        // Pinned: the browser and the server compute the same form.
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest([FINGERPRINT_DOMAIN, &[7; KEY_LEN]].concat());
        assert_eq!(print.replace(' ', ""), hex::encode_upper(&digest[..16]));
    }

    #[test]
    fn wrap_unwrap_round_trip() {
        let kek = kek(b"password");
        let key = PrivateKey::generate();
        let wrapped = kek.wrap(&key, "researchuser_1");
        assert_eq!(wrapped.as_bytes().len(), WRAPPED_KEY_LEN);
        let back = kek.unwrap(&wrapped, "researchuser_1").unwrap();
        assert_eq!(back.public_key(), key.public_key());
    }

    #[test]
    fn wrong_password_or_user_does_not_unwrap() {
        let key = PrivateKey::generate();
        let wrapped = kek(b"password").wrap(&key, "alice");
        assert_eq!(kek(b"Password").unwrap(&wrapped, "alice").unwrap_err(), CryptoError::Unwrap);
        assert_eq!(kek(b"password").unwrap(&wrapped, "bob").unwrap_err(), CryptoError::Unwrap);
    }

    #[test]
    fn damaged_wrapped_key_is_refused() {
        let kek = kek(b"password");
        let wrapped = kek.wrap(&PrivateKey::generate(), "alice");
        for i in 0..WRAPPED_KEY_LEN {
            let mut bytes = wrapped.as_bytes().to_vec();
            bytes[i] ^= 0x01;
            let damaged = WrappedPrivateKey::from_bytes(bytes).unwrap();
            assert_eq!(kek.unwrap(&damaged, "alice").unwrap_err(), CryptoError::Unwrap, "byte {i}");
        }
        assert!(WrappedPrivateKey::from_bytes(vec![0; 59]).is_err());
    }

    #[test]
    fn every_wrap_uses_a_fresh_nonce() {
        let kek = kek(b"password");
        let key = PrivateKey::generate();
        assert_ne!(kek.wrap(&key, "a"), kek.wrap(&key, "a"));
    }

    #[test]
    fn debug_output_never_shows_the_private_key() {
        let key = PrivateKey::generate();
        let secret_hex: String = key.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
        let shown = format!("{key:?}");
        assert!(!shown.contains(&secret_hex[..16]), "{shown}");
    }
}
