//! Sealing to a public key: ephemeral X25519 + HKDF-SHA256 + AES-256-GCM (DESIGN §3).
//!
//! `key = HKDF-SHA256(ikm = X25519(eph, recipient), salt = eph_pub || recipient_pub,
//! info = "dds/v1/seal")`; the nonce is all zeros because every sealing uses a fresh key.
//! Output: `eph_pub (32) | ciphertext | tag (16)`.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use rand_core::OsRng;
use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result};
use crate::kdf::hkdf_sha256;
use crate::keys::{PrivateKey, PublicKey, KEY_LEN};

const SEAL_INFO: &[u8] = b"dds/v1/seal";
pub const SEAL_OVERHEAD: usize = KEY_LEN + 16;
/// A sealed 32-byte key (project private key, unit key, content key).
pub const SEALED_KEY_LEN: usize = KEY_LEN + SEAL_OVERHEAD;

/// Sealed bytes: only the holder of the recipient's private key can open them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed(pub(crate) Vec<u8>);

impl Sealed {
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Sealed> {
        if bytes.len() < SEAL_OVERHEAD {
            return Err(CryptoError::Unseal);
        }
        Ok(Sealed(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

fn seal_key(shared: &[u8; 32], eph_pub: &[u8; 32], recipient: &PublicKey) -> Aes256Gcm {
    let salt = [eph_pub.as_slice(), recipient.as_bytes()].concat();
    let key = hkdf_sha256(Some(&salt), shared, SEAL_INFO);
    Aes256Gcm::new_from_slice(key.as_ref()).expect("32-byte key")
}

pub(crate) fn seal_with_ephemeral(
    ephemeral: StaticSecret,
    recipient: &PublicKey,
    plaintext: &[u8],
) -> Result<Sealed> {
    let eph_pub = x25519_dalek::PublicKey::from(&ephemeral).to_bytes();
    let shared = ephemeral.diffie_hellman(&x25519_dalek::PublicKey::from(*recipient.as_bytes()));
    if !shared.was_contributory() {
        return Err(CryptoError::WeakPublicKey);
    }
    let cipher = seal_key(shared.as_bytes(), &eph_pub, recipient);
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&[0u8; 12]), plaintext)
        .expect("AES-GCM encryption of a short message cannot fail");
    Ok(Sealed([eph_pub.as_slice(), &ciphertext].concat()))
}

/// Sealing with a fixed ephemeral key, for the committed test vectors only.
#[cfg(feature = "test-vectors")]
#[doc(hidden)]
pub fn seal_for_test_vector(
    ephemeral_secret: [u8; 32],
    recipient: &PublicKey,
    plaintext: &[u8],
) -> Result<Sealed> {
    seal_with_ephemeral(StaticSecret::from(ephemeral_secret), recipient, plaintext)
}

/// Seals `plaintext` to `recipient`.
pub fn seal(recipient: &PublicKey, plaintext: &[u8]) -> Result<Sealed> {
    seal_with_ephemeral(StaticSecret::random_from_rng(OsRng), recipient, plaintext)
}

/// Opens what was sealed to `key`'s public key.
pub fn open(key: &PrivateKey, sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>> {
    let (eph_pub, ciphertext) = sealed.0.split_at(KEY_LEN);
    let eph_pub: [u8; KEY_LEN] = eph_pub.try_into().map_err(|_| CryptoError::Unseal)?;
    let shared = key.0.diffie_hellman(&x25519_dalek::PublicKey::from(eph_pub));
    if !shared.was_contributory() {
        return Err(CryptoError::Unseal);
    }
    let cipher = seal_key(shared.as_bytes(), &eph_pub, &key.public_key());
    cipher
        .decrypt(Nonce::from_slice(&[0u8; 12]), ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Unseal)
}

/// Seals a private key (a project or unit key) to a user or another key.
pub fn seal_private_key(recipient: &PublicKey, key: &PrivateKey) -> Result<Sealed> {
    seal(recipient, key.to_bytes().as_ref())
}

/// Opens a sealed private key.
pub fn open_private_key(key: &PrivateKey, sealed: &Sealed) -> Result<PrivateKey> {
    let plain = open(key, sealed)?;
    let bytes: [u8; KEY_LEN] = plain.as_slice().try_into().map_err(|_| CryptoError::Unseal)?;
    Ok(PrivateKey::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_private_key_opens_only_for_its_recipient() {
        let user = PrivateKey::generate();
        let other = PrivateKey::generate();
        let project = PrivateKey::generate();
        let sealed = seal_private_key(&user.public_key(), &project).unwrap();
        assert_eq!(sealed.as_bytes().len(), SEALED_KEY_LEN);
        let opened = open_private_key(&user, &sealed).unwrap();
        assert_eq!(opened.public_key(), project.public_key());
        assert_eq!(open_private_key(&other, &sealed).unwrap_err(), CryptoError::Unseal);
    }

    #[test]
    fn any_flipped_bit_is_refused() {
        let user = PrivateKey::generate();
        let sealed = seal(&user.public_key(), b"thirty-two bytes of key material").unwrap();
        for i in 0..sealed.as_bytes().len() {
            let mut bytes = sealed.as_bytes().to_vec();
            bytes[i] ^= 0x80;
            let damaged = Sealed::from_bytes(bytes).unwrap();
            assert!(open(&user, &damaged).is_err(), "byte {i}");
        }
    }

    #[test]
    fn low_order_public_keys_are_refused() {
        let zero = PublicKey([0; 32]);
        assert_eq!(seal(&zero, b"x").unwrap_err(), CryptoError::WeakPublicKey);
    }

    #[test]
    fn sealing_twice_gives_different_bytes() {
        let user = PrivateKey::generate();
        let a = seal(&user.public_key(), b"same").unwrap();
        let b = seal(&user.public_key(), b"same").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn too_short_input_is_refused() {
        assert!(Sealed::from_bytes(vec![0; SEAL_OVERHEAD - 1]).is_err());
    }
}
