//! Account administration: invites and registration, unit keys, administration by admins, and
//! the emailed links acting on one's own account (password reset, self-deletion, back to emailed
//! codes).

pub mod email_codes;
pub mod invites;
pub mod key_access;
pub mod links;
pub mod password_reset;
pub mod self_deletion;
pub mod unit_keys;
pub mod users;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The secret of an emailed link (invites, password resets, account links): 32 random bytes
/// drawn by the server.
pub(crate) const LINK_TOKEN_LEN: usize = 32;

/// What is stored of a link's secret token (invites, password resets, account links): its SHA-256.
pub(crate) fn token_hash(token: &[u8]) -> Vec<u8> {
    Sha256::digest(token).to_vec()
}

/// A new link secret drawn by the server: its form in the URL (base64url) and the hash to store.
pub(crate) fn new_link_token() -> (String, Vec<u8>) {
    let mut token = [0u8; LINK_TOKEN_LEN];
    rand::rngs::OsRng.fill_bytes(&mut token);
    (BASE64URL.encode(token), token_hash(&token))
}

/// The stored hash of the token in a link's URL; `None` when it cannot be one of ours.
pub(crate) fn link_token_hash(url_form: &str) -> Option<Vec<u8>> {
    let token = BASE64URL.decode(url_form.trim()).ok()?;
    (token.len() == LINK_TOKEN_LEN).then(|| token_hash(&token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_hash_is_sha256_of_the_token() {
        let hash = token_hash(b"abc");
        assert_eq!(hex::encode(hash), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_drawn_token_is_recognised_by_its_url_form_only() {
        let (url_form, hash) = new_link_token();
        assert_eq!(link_token_hash(&url_form), Some(hash.clone()));
        assert_eq!(link_token_hash(&format!(" {url_form}\n")), Some(hash), "surrounding blanks");
        let (other, _) = new_link_token();
        assert_ne!(other, url_form, "fresh every time");
        for bad in ["", "not base64!", "YWJj", &BASE64URL.encode([7u8; 31]), &BASE64URL.encode([7u8; 33])] {
            assert_eq!(link_token_hash(bad), None, "{bad:?}");
        }
    }
}
