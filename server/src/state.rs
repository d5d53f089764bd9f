//! What every handler can reach.

use std::sync::Arc;

use app::domain::site::SiteInfo;
use app::ssr::{BoxFuture, MotdSource};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::auth::secret::ServerSecret;
use crate::auth::session_store::DbSessionStore;
use crate::config::Config;
use crate::db::Db;
use crate::mail::Mailer;
use crate::storage::ObjectStore;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub storage: ObjectStore,
    pub mailer: Mailer,
    pub secret: ServerSecret,
    pub sessions: DbSessionStore,
    pub site: SiteInfo,
    pub leptos_options: LeptosOptions,
}

/// The MOTD port of the pages, answered from the database.
pub struct DbMotd(pub Db);

impl MotdSource for DbMotd {
    fn active_messages(&self) -> BoxFuture<'_, Result<Vec<String>, String>> {
        Box::pin(async move {
            crate::db::motd::active_messages(&self.0).await.map_err(|e| {
                tracing::error!(error = %e, "cannot read the MOTD");
                "The message of the day is unavailable.".to_string()
            })
        })
    }
}
