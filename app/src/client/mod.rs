//! The browser side of the portal's protocols, one place for all of them (pages only render and
//! dispatch): the JSON API client (`api`), the tab's key store (`keyring`), and opening, checking
//! and approving unit and project keys (`unit_keys`, `project_keys`). Each module's browser code
//! sits behind the `hydrate` feature; what server rendering needs of it (sentences, fallbacks)
//! stays available to both builds. Transfers (upload, download) join here.

pub mod api;
pub mod credentials;
pub mod keyring;
pub mod project_keys;
pub mod unit_keys;
