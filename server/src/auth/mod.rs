//! Authentication: credentials derived in the browser, the login flow with a second factor,
//! database-backed sessions and rate limits, CSRF protection.

pub mod credentials;
pub mod csrf;
pub mod hash_slots;
pub mod login;
pub mod one_time_code;
pub mod password;
pub mod rate_limit;
pub mod reauth;
pub mod secret;
pub mod session_store;
pub mod totp;
