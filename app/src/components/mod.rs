//! View components: the page frame and pieces pages share. Protocol code lives in `client`.

pub mod bar_chart;
pub mod hydrated;
pub mod layout;
pub mod motd;
pub mod pager;
pub mod session;
pub mod session_lost;
pub mod sign_in;
pub mod theme;
pub mod waiting;
