//! What the server provides to pages and server functions (as Leptos context). The server crate
//! implements these ports; the app never touches a database or object store directly.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::api::dashboard::{
    ActivityPage, ActivityQuery, ProjectQuery, UnitOverview, UnitProjectPage, UnitUsage, UsageQuery,
};
use crate::domain::account::SignedInUser;
use crate::domain::site::Notices;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Reads what every page announces: messages of the day and maintenance.
pub trait NoticeSource: Send + Sync {
    /// `Err` carries a sentence safe to show.
    fn notices(&self) -> BoxFuture<'_, Result<Notices, String>>;
}

/// Who is signed in, from the request's session.
pub trait AccountSource: Send + Sync {
    /// `None` for visitors; `Err` carries a sentence safe to show.
    fn current_user(
        &self,
        request: &http::request::Parts,
    ) -> BoxFuture<'_, Result<Option<SignedInUser>, String>>;
}

/// The unit dashboard's data for the request's user: the answers of its API
/// (`api::dashboard`), through the same gate, so the first HTML already holds them.
pub trait DashboardSource: Send + Sync {
    /// `Err` carries the sentence the API would answer.
    fn overview(&self, request: &http::request::Parts) -> BoxFuture<'_, Result<UnitOverview, String>>;
    fn projects(
        &self,
        request: &http::request::Parts,
        query: ProjectQuery,
    ) -> BoxFuture<'_, Result<UnitProjectPage, String>>;
    fn activity(
        &self,
        request: &http::request::Parts,
        query: ActivityQuery,
    ) -> BoxFuture<'_, Result<ActivityPage, String>>;
    fn usage(
        &self,
        request: &http::request::Parts,
        query: UsageQuery,
    ) -> BoxFuture<'_, Result<UnitUsage, String>>;
}

/// Everything server functions and server-rendered pages may use, provided once per request.
#[derive(Clone)]
pub struct PortalContext {
    pub notices: Arc<dyn NoticeSource>,
    pub accounts: Arc<dyn AccountSource>,
    pub dashboard: Arc<dyn DashboardSource>,
}
