//! Integration tests: the real server on port 0, a fresh database (a SQLite file or a throwaway
//! PostgreSQL database) and the embedded S3 endpoint, spoken to over HTTP.

mod account_links;
mod auth;
mod cli;
#[path = "../support/config.rs"]
mod config_support;
mod crash;
mod dashboard;
mod data_dir;
mod files;
mod helpers;
mod invites;
mod jobs;
mod key_sharing;
mod lifecycle_jobs;
#[path = "../support/login.rs"]
mod login_support;
mod mail_queue;
mod openapi;
mod pages;
mod password;
mod password_reset;
mod permissions;
mod project_members;
mod project_status;
mod projects;
mod replicas;
mod schema;
mod secrets;
mod seed;
mod session_key;
mod statistics;
mod status;
mod storage;
mod tasks;
mod totp;
mod transfers;
mod unit_keys;
mod units;
mod users;
