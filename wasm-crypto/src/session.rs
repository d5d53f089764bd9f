//! DESIGN §3 "Session": after login the browser keeps the user's private key in
//! `sessionStorage`, wrapped under a random per-session key that only the server holds (it
//! hands it to the signed-in tab on request and forgets it at logout or expiry). The stored blob
//! alone, or the server's half alone, reveals nothing; a page reload does not ask for the
//! password again.

use zeroize::Zeroizing;

use crate::error::{CryptoError, Result};
use crate::kdf::hkdf_sha256;
use crate::keys::{fresh_nonce, unwrap_key, wrap_key, PrivateKey, WrappedPrivateKey, KEY_LEN};

pub const SESSION_KEY_LEN: usize = 32;
const SESSION_INFO: &[u8] = b"dds/v1/session";
const SESSION_AAD: &[u8] = b"dds/v1/session-user-key";

/// The server's half: 32 random bytes per signed-in session. No `Debug`, zeroized on drop.
pub struct SessionKey(Zeroizing<[u8; KEY_LEN]>);

impl SessionKey {
    pub fn from_slice(bytes: &[u8]) -> Result<SessionKey> {
        let bytes: [u8; SESSION_KEY_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::KeyLength { expected: SESSION_KEY_LEN, actual: bytes.len() })?;
        Ok(SessionKey(Zeroizing::new(bytes)))
    }

    /// Wraps the user's private key for this session; the AAD binds the user.
    pub fn wrap(&self, key: &PrivateKey, user_id: &str) -> WrappedPrivateKey {
        wrap_key(&self.wrapping_key(), &aad(user_id), key, fresh_nonce())
    }

    pub fn unwrap(&self, wrapped: &WrappedPrivateKey, user_id: &str) -> Result<PrivateKey> {
        unwrap_key(&self.wrapping_key(), &aad(user_id), wrapped)
    }

    /// A key of its own (HKDF), so the session key can never act as any other wrapping key.
    fn wrapping_key(&self) -> Zeroizing<[u8; KEY_LEN]> {
        hkdf_sha256(None, self.0.as_ref(), SESSION_INFO)
    }
}

fn aad(user_id: &str) -> Vec<u8> {
    [SESSION_AAD, user_id.as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_session_and_user_open_the_stored_key() {
        let session = SessionKey::from_slice(&[7; 32]).unwrap();
        let key = PrivateKey::generate();
        let stored = session.wrap(&key, "researchuser_1");
        let back = session.unwrap(&stored, "researchuser_1").unwrap();
        assert_eq!(back.public_key(), key.public_key());
        let other_session = SessionKey::from_slice(&[8; 32]).unwrap();
        assert_eq!(other_session.unwrap(&stored, "researchuser_1").unwrap_err(), CryptoError::Unwrap);
        assert_eq!(session.unwrap(&stored, "researchuser_2").unwrap_err(), CryptoError::Unwrap);
    }

    #[test]
    fn a_session_key_does_not_open_what_a_kek_of_the_same_bytes_wrapped() {
        // Domain separation: the same 32 bytes used as kek and as session key give other keys.
        let bytes = [9u8; 32];
        let key = PrivateKey::generate();
        let as_kek = crate::kdf::Kek(Zeroizing::new(bytes)).wrap(&key, "alice");
        let session = SessionKey::from_slice(&bytes).unwrap();
        assert_eq!(session.unwrap(&as_kek, "alice").unwrap_err(), CryptoError::Unwrap);
    }

    #[test]
    fn wrong_lengths_are_refused() {
        assert!(SessionKey::from_slice(&[0; 31]).is_err());
        assert!(SessionKey::from_slice(&[0; 33]).is_err());
    }
}
