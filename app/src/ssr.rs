//! What the server provides to pages and server functions (as Leptos context). The server crate
//! implements these ports; the app never touches a database or object store directly.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Reads the active messages of the day.
pub trait MotdSource: Send + Sync {
    /// Active messages, newest first; `Err` carries a sentence safe to show.
    fn active_messages(&self) -> BoxFuture<'_, Result<Vec<String>, String>>;
}

/// Everything server functions may use, provided once per request.
#[derive(Clone)]
pub struct PortalContext {
    pub motd: Arc<dyn MotdSource>,
}
