//! View components: the page frame and pieces pages share. Protocol code lives in `client`.

pub mod file_browser;
pub mod hydrated;
pub mod layout;
pub mod motd;
pub mod project_status;
pub mod session;
pub mod theme;
pub mod waiting;
