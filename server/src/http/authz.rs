//! The one authorization gate of the JSON API. Every endpoint is declared in [`ENDPOINTS`] with
//! its access level; [`ApiRoutes::add`] refuses (at start-up) a route without a declaration, and
//! wraps each handler in [`enforce`]. Finer rules (own unit, roles of the target) are decided by
//! `app::domain::permissions` inside the handlers. The permission-matrix test walks this table.

use app::api::{files, invites, keys, members, project_status, tasks, units};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Router;
use http::Method;
use tower_sessions::Session;

use super::error::ApiError;
use crate::auth::login::current_user;
use crate::db::users::User;
use crate::state::AppState;

/// Who may call an endpoint at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (pre-login, login, public reads).
    Public,
    /// Any signed-in, active user (blocked for non-Super-Admins during maintenance).
    SignedIn,
    /// Super Admins only.
    SuperAdmin,
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub method: Method,
    /// Path under `/api/v1`, in axum's syntax.
    pub path: &'static str,
    pub access: Access,
}

const fn endpoint(method: Method, path: &'static str, access: Access) -> Endpoint {
    Endpoint { method, path, access }
}

/// Every JSON API endpoint and who may call it.
pub const ENDPOINTS: &[Endpoint] = &[
    endpoint(Method::POST, "/auth/prelogin", Access::Public),
    endpoint(Method::POST, "/auth/login", Access::Public),
    endpoint(Method::POST, "/auth/second-factor", Access::Public),
    endpoint(Method::POST, "/auth/logout", Access::Public),
    endpoint(Method::GET, "/auth/me", Access::SignedIn),
    endpoint(Method::GET, "/auth/session-key", Access::SignedIn),
    endpoint(Method::GET, "/users/me/keys", Access::SignedIn),
    endpoint(Method::POST, "/users/me/password", Access::SignedIn),
    endpoint(Method::POST, "/users/me/totp", Access::SignedIn),
    endpoint(Method::POST, "/users/me/totp/confirm", Access::SignedIn),
    endpoint(Method::DELETE, "/users/{username}/totp", Access::SuperAdmin),
    endpoint(Method::POST, "/users/me/deletion", Access::SignedIn),
    endpoint(Method::POST, "/users/me/deletion/confirm", Access::SignedIn),
    endpoint(Method::POST, "/users/me/second-factor/email", Access::SignedIn),
    endpoint(Method::POST, "/second-factor/email/{token}", Access::Public),
    endpoint(Method::GET, "/users", Access::SignedIn),
    endpoint(Method::PATCH, "/users/{username}", Access::SignedIn),
    endpoint(Method::DELETE, "/users/{username}", Access::SignedIn),
    endpoint(Method::POST, invites::INVITES, Access::SignedIn),
    endpoint(Method::GET, invites::INVITES, Access::SignedIn),
    endpoint(Method::DELETE, "/invites/{id}", Access::SignedIn),
    endpoint(Method::GET, invites::INVITE_BY_TOKEN, Access::Public),
    endpoint(Method::POST, invites::INVITE_ACCEPT, Access::Public),
    endpoint(Method::GET, keys::UNIT_KEYS, Access::SignedIn),
    endpoint(Method::POST, keys::UNIT_KEY_APPROVALS, Access::SignedIn),
    endpoint(Method::GET, "/projects", Access::SignedIn),
    endpoint(Method::POST, "/projects", Access::SignedIn),
    endpoint(Method::GET, "/projects/{public_id}", Access::SignedIn),
    endpoint(Method::POST, keys::PROJECT_APPROVALS, Access::SignedIn),
    endpoint(Method::PATCH, members::PROJECT, Access::SignedIn),
    endpoint(Method::DELETE, members::PROJECT_MEMBER, Access::SignedIn),
    endpoint(Method::PATCH, members::PROJECT_MEMBER, Access::SignedIn),
    endpoint(Method::DELETE, members::PROJECT_INVITE, Access::SignedIn),
    endpoint(Method::GET, project_status::PROJECT_STATUS, Access::SignedIn),
    endpoint(Method::POST, project_status::PROJECT_STATUS, Access::SignedIn),
    endpoint(Method::PATCH, project_status::PROJECT_STATUS, Access::SignedIn),
    endpoint(Method::GET, files::PROJECT_FILES, Access::SignedIn),
    endpoint(Method::DELETE, files::PROJECT_FILES, Access::SignedIn),
    endpoint(Method::GET, files::PROJECT_FILE_SEARCH, Access::SignedIn),
    endpoint(Method::GET, units::UNITS, Access::SuperAdmin),
    endpoint(Method::POST, units::UNITS, Access::SuperAdmin),
    endpoint(Method::PATCH, units::UNIT, Access::SuperAdmin),
    endpoint(Method::GET, tasks::TASKS, Access::SuperAdmin),
    endpoint(Method::POST, tasks::TASK_RETRY, Access::SuperAdmin),
    endpoint(Method::POST, "/password-reset", Access::Public),
    endpoint(Method::GET, "/password-reset/{token}", Access::Public),
    endpoint(Method::POST, "/password-reset/{token}", Access::Public),
    endpoint(Method::GET, "/motd", Access::Public),
    endpoint(Method::POST, "/motd", Access::SuperAdmin),
    endpoint(Method::DELETE, "/motd/{id}", Access::SuperAdmin),
    endpoint(Method::POST, "/motd/{id}/send", Access::SuperAdmin),
    endpoint(Method::GET, "/maintenance", Access::SuperAdmin),
    endpoint(Method::PUT, "/maintenance", Access::SuperAdmin),
];

pub fn access_of(method: &Method, path: &str) -> Option<Access> {
    ENDPOINTS.iter().find(|e| e.method == *method && e.path == path).map(|e| e.access)
}

/// The signed-in user, put in the request by [`enforce`] for `SignedIn`/`SuperAdmin` endpoints.
#[derive(Debug, Clone)]
pub struct Authenticated(pub User);

/// DDS's message while maintenance is on.
pub const MAINTENANCE: &str = "Maintenance of DDS is ongoing.";

/// Builds the API router so that no handler escapes [`ENDPOINTS`].
pub struct ApiRoutes {
    router: Router<AppState>,
    state: AppState,
}

impl ApiRoutes {
    pub fn new(state: &AppState) -> ApiRoutes {
        ApiRoutes { router: Router::new(), state: state.clone() }
    }

    /// Adds `handler` for `method path`. Panics at start-up if the pair has no access rule.
    pub fn add(mut self, method: Method, path: &'static str, handler: MethodRouter<AppState>) -> ApiRoutes {
        let access = access_of(&method, path)
            .unwrap_or_else(|| panic!("{method} /api/v1{path} has no access rule in ENDPOINTS"));
        let gate = axum::middleware::from_fn_with_state((self.state.clone(), access), enforce);
        self.router = self.router.route(path, handler.route_layer(gate));
        self
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

async fn enforce(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    if access == Access::Public {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return ApiError::Internal("no session layer".into()).into_response();
    };
    let user = match current_user(&state.db, &session).await {
        Ok(user) => user,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let super_admin = user.role == app::domain::roles::Role::SuperAdmin;
    match crate::db::maintenance::is_active(&state.db).await {
        Ok(true) if !super_admin => return ApiError::Unavailable(MAINTENANCE.into()).into_response(),
        Ok(_) => {}
        Err(err) => return ApiError::from(err).into_response(),
    }
    if access == Access::SuperAdmin && !super_admin {
        return ApiError::Forbidden("Only Super Admins can do this.".into()).into_response();
    }
    request.extensions_mut().insert(Authenticated(user));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_declared_once() {
        for (i, a) in ENDPOINTS.iter().enumerate() {
            for b in &ENDPOINTS[i + 1..] {
                assert!(!(a.method == b.method && a.path == b.path), "{} {} twice", a.method, a.path);
            }
        }
    }
}
