//! The browser side of the portal's protocols, one place for all of them (pages only render and
//! dispatch): the JSON API client (`api`), logging in and out (`session`), new and changed
//! passwords (`credentials`), invites (`invites`), the tab's key store (`keyring`), opening, checking, creating and
//! approving unit and project keys (`unit_keys`, `project_keys`), the crypto worker pool that
//! transfers run on (`transfer`), and a transfer's wait for a new login when its session ends
//! (`session_gate`), and data a console section loads in the browser (`reload`). Each module's browser code sits behind the `hydrate` feature;
//! what server rendering needs of it (sentences, fallbacks) stays available to both builds.

pub mod api;
pub mod credentials;
pub mod invites;
pub mod keyring;
pub mod project_keys;
pub mod reload;
pub mod session;
pub mod session_gate;
pub mod transfer;
pub mod unit_keys;

/// What a protocol answers when called outside the browser (server rendering never runs one:
/// they act on a person's click, after hydration).
#[cfg_attr(feature = "hydrate", allow(dead_code))]
pub(crate) const BROWSER_ONLY: &str = "Only available in the browser.";
