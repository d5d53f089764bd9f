//! Account administration: invites and registration, unit keys, administration by admins, and
//! the emailed links acting on one's own account (password reset, self-deletion, back to emailed
//! codes).

pub mod email_codes;
pub mod invites;
pub mod links;
pub mod password_reset;
pub mod self_deletion;
pub mod unit_keys;
pub mod users;

use sha2::{Digest, Sha256};

/// What is stored of a link's secret token (invites, password resets, account links): its SHA-256.
pub(crate) fn token_hash(token: &[u8]) -> Vec<u8> {
    Sha256::digest(token).to_vec()
}
