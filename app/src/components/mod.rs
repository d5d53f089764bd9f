//! Reusable pieces of the page frame.

pub mod api;
pub mod layout;
pub mod motd;
pub mod session;
pub mod theme;
