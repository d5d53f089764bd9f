//! Reusable pieces of the page frame.

pub mod api;
pub mod hydrated;
pub mod keyring;
pub mod layout;
pub mod motd;
pub mod project_keys;
pub mod session;
pub mod theme;
pub mod unit_keys;
pub mod waiting;
