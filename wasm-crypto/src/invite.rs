//! Invites (DESIGN §3): the inviter's browser draws a one-time token and an invite key pair; the
//! invite private key is wrapped under `HKDF-SHA256(token, info "dds/v1/invite")`, so only the
//! holder of the emailed link can open what was sealed to the invite public key (unit and
//! project keys). The server stores only a hash of the token.

use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result};
use crate::kdf::hkdf_sha256;
use crate::keys::{fresh_nonce, unwrap_key, wrap_key, PrivateKey, WrappedPrivateKey, KEY_LEN};

pub const TOKEN_LEN: usize = 32;
const INVITE_INFO: &[u8] = b"dds/v1/invite";
const INVITE_AAD: &[u8] = b"dds/v1/invite-key";

/// The secret of an invite link. No `Debug`, zeroized on drop.
pub struct InviteToken(Zeroizing<[u8; TOKEN_LEN]>);

impl InviteToken {
    pub fn generate() -> InviteToken {
        let mut bytes = Zeroizing::new([0u8; TOKEN_LEN]);
        OsRng.fill_bytes(bytes.as_mut());
        InviteToken(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<InviteToken> {
        let bytes: [u8; TOKEN_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::KeyLength { expected: TOKEN_LEN, actual: bytes.len() })?;
        Ok(InviteToken(Zeroizing::new(bytes)))
    }

    /// The bytes that go into the emailed link.
    pub fn as_bytes(&self) -> &[u8; TOKEN_LEN] {
        &self.0
    }

    /// What the server stores to recognise the link (SHA-256: the token is 256 random bits).
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_ref()).into()
    }

    /// Wraps the invite private key under this token.
    pub fn wrap(&self, key: &PrivateKey) -> WrappedPrivateKey {
        wrap_key(&self.wrapping_key(), INVITE_AAD, key, fresh_nonce())
    }

    pub fn unwrap(&self, wrapped: &WrappedPrivateKey) -> Result<PrivateKey> {
        unwrap_key(&self.wrapping_key(), INVITE_AAD, wrapped)
    }

    fn wrapping_key(&self) -> Zeroizing<[u8; KEY_LEN]> {
        hkdf_sha256(None, self.0.as_ref(), INVITE_INFO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_token_unwraps_the_invite_key() {
        let token = InviteToken::generate();
        let key = PrivateKey::generate();
        let wrapped = token.wrap(&key);
        assert_eq!(token.unwrap(&wrapped).unwrap().public_key(), key.public_key());
        assert_eq!(InviteToken::generate().unwrap(&wrapped).unwrap_err(), CryptoError::Unwrap);
        let same = InviteToken::from_slice(token.as_bytes()).unwrap();
        assert_eq!(same.hash(), token.hash());
        assert!(InviteToken::from_slice(&[0; 31]).is_err());
    }
}
