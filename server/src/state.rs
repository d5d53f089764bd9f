//! What every handler can reach.

use std::sync::Arc;

use app::api::auth::SignedInUser;
use app::domain::site::Notices;
use app::domain::site::SiteInfo;
use app::ssr::{AccountSource, BoxFuture, NoticeSource};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::auth::hash_slots::HashSlots;
use crate::auth::secret::ServerSecret;
use crate::auth::session_store::DbSessionStore;
use crate::clock::SharedClock;
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
    /// The bound on concurrent auth_key checks (`login_concurrency`).
    pub hash_slots: HashSlots,
    pub site: SiteInfo,
    pub leptos_options: LeptosOptions,
    /// The time for the server's own work (jobs; next, project expiry): settable in tests.
    pub clock: SharedClock,
}

/// The notices port of the pages (MOTD, maintenance), answered from the database.
pub struct DbNotices(pub Db);

impl NoticeSource for DbNotices {
    fn notices(&self) -> BoxFuture<'_, Result<Notices, String>> {
        Box::pin(async move {
            let read = async {
                Ok::<_, crate::db::DbError>(Notices {
                    motds: crate::db::motd::active_messages(&self.0).await?,
                    maintenance: crate::db::maintenance::is_active(&self.0).await?,
                })
            };
            read.await.map_err(|e| {
                tracing::error!(error = %e, "cannot read the site notices");
                "The site notices are unavailable.".to_string()
            })
        })
    }
}

/// The accounts port of the pages: the user of the request's session.
pub struct DbAccounts(pub Db);

impl AccountSource for DbAccounts {
    fn current_user(
        &self,
        request: &http::request::Parts,
    ) -> BoxFuture<'_, Result<Option<SignedInUser>, String>> {
        let session = request.extensions.get::<tower_sessions::Session>().cloned();
        Box::pin(async move {
            let Some(session) = session else {
                return Ok(None);
            };
            match crate::auth::login::current_user(&self.0, &session).await {
                Ok(user) => {
                    let second_factor = crate::auth::totp::method(&self.0, user.id).await.map_err(|e| {
                        tracing::error!(error = %e, "cannot read the second factor");
                        "Your account could not be loaded right now.".to_string()
                    })?;
                    Ok(Some(SignedInUser {
                        username: user.username,
                        name: user.name,
                        role: user.role,
                        email: user.email,
                        unit_id: user.unit_id,
                        second_factor,
                    }))
                }
                Err(crate::auth::login::AuthError::Db(e)) => {
                    tracing::error!(error = %e, "cannot read the signed-in user");
                    Err("Your account could not be loaded right now.".to_string())
                }
                Err(_) => Ok(None),
            }
        })
    }
}
