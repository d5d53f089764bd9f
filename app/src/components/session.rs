//! The signed-in user, for the whole page: fetched once per page load.

use leptos::prelude::*;

use crate::domain::account::SignedInUser;
use crate::domain::error::AppError;

/// The signed-in user of this request, if any.
#[server(prefix = "/sfn", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<SignedInUser>, AppError> {
    use crate::ssr::PortalContext;
    let portal =
        use_context::<PortalContext>().ok_or_else(|| AppError::server("The portal is not ready yet."))?;
    let parts = use_context::<http::request::Parts>().ok_or_else(|| AppError::server("No request."))?;
    portal.accounts.current_user(&parts).await.map_err(AppError::server)
}

/// Provided by the layout: `None` while loading or for visitors.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Option<SignedInUser>, AppError>>);

impl CurrentUser {
    pub fn get(&self) -> Option<SignedInUser> {
        self.0.get().and_then(Result::ok).flatten()
    }
}
