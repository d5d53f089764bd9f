//! One page per module.

pub mod account;
pub mod home;
pub mod invites;
pub mod login;
pub mod not_found;
pub mod password_reset;
pub mod register;
pub mod users;
