//! One page per module.

pub mod account;
pub mod activate_email_codes;
pub mod admin;
pub mod confirm_deletion;
pub mod home;
pub mod invites;
pub mod login;
pub mod not_found;
pub mod password_reset;
pub mod policies;
pub mod project;
pub mod projects;
pub mod register;
pub mod unit;
pub mod users;
