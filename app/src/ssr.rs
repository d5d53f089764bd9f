//! What the server provides to pages and server functions (as Leptos context). The server crate
//! implements these ports; the app never touches a database or object store directly.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::domain::account::SignedInUser;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Reads the active messages of the day.
pub trait MotdSource: Send + Sync {
    /// Active messages, newest first; `Err` carries a sentence safe to show.
    fn active_messages(&self) -> BoxFuture<'_, Result<Vec<String>, String>>;
}

/// Who is signed in, from the request's session.
pub trait AccountSource: Send + Sync {
    /// `None` for visitors; `Err` carries a sentence safe to show.
    fn current_user(
        &self,
        request: &http::request::Parts,
    ) -> BoxFuture<'_, Result<Option<SignedInUser>, String>>;
}

/// Everything server functions may use, provided once per request.
#[derive(Clone)]
pub struct PortalContext {
    pub motd: Arc<dyn MotdSource>,
    pub accounts: Arc<dyn AccountSource>,
}
