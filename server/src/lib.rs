//! The DDS server: SSR of the Leptos app, the JSON API, presigning, mail, jobs and admin commands.
//! `main.rs` only parses the command line and wires these together.

pub mod accounts;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod files;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod projects;
pub mod startup;
pub mod state;
pub mod statistics;
pub mod storage;
pub mod telemetry;
pub mod transfers;
pub mod units;
