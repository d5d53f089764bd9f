//! Reusable pieces of the page frame.

pub mod layout;
pub mod motd;
pub mod theme;
