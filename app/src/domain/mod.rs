//! Pure domain rules shared by the pages and the server. No I/O here: everything is unit-tested.

pub mod account;
pub mod dashboard;
pub mod data_access;
pub mod dates;
pub mod error;
pub mod file_paths;
pub mod ids;
pub mod membership;
pub mod password_policy;
pub mod permissions;
pub mod project_status;
pub mod projects;
pub mod quota;
pub mod redirect;
pub mod roles;
pub mod search;
pub mod second_factor;
pub mod site;
pub mod units;
pub mod usage;
pub mod username;
