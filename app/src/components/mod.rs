//! View components: the page frame and pieces pages share. Protocol code lives in `client`.

pub mod bar_chart;
pub mod file_browser;
pub mod hydrated;
pub mod layout;
pub mod motd;
pub mod project_status;
pub mod reload;
pub mod session;
pub mod session_lost;
pub mod sign_in;
pub mod statistics_console;
pub mod tasks_console;
pub mod theme;
pub mod units_console;
pub mod upload_panel;
pub mod waiting;
