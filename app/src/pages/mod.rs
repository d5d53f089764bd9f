//! One page per module.

pub mod home;
pub mod not_found;
