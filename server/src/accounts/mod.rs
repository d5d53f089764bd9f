//! Account administration: invites and registration, password reset (more arrives with the
//! accounts work).

pub mod invites;
pub mod password_reset;
pub mod unit_keys;
pub mod users;

use sha2::{Digest, Sha256};

/// What is stored of a link's secret token (invites, password resets): its SHA-256.
pub(crate) fn token_hash(token: &[u8]) -> Vec<u8> {
    Sha256::digest(token).to_vec()
}
