//! Account administration: invites and registration (more arrives with the accounts work).

pub mod invites;
pub mod unit_keys;
pub mod users;
