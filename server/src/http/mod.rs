//! The HTTP surface: `/status`, the JSON API under `/api/v1`, server functions and the SSR pages.

pub mod account;
pub mod auth;
pub mod authz;
pub mod client_ip;
pub mod dashboard;
pub mod error;
pub mod extract;
pub mod files;
pub mod invites;
pub mod middleware;
pub mod notices;
pub mod openapi;
pub mod password_reset;
pub mod project_members;
pub mod project_status;
pub mod projects;
pub mod statistics;
pub mod status;
pub mod tasks;
pub mod transfers;
pub mod unit_keys;
pub mod units;
pub mod users;

use std::sync::Arc;

use app::ssr::PortalContext;
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};

use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::auth::csrf::{origin_of, PortalOrigin};
use crate::auth::session_store::DbSessionStore;
use crate::state::AppState;
use error::ApiError;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let context = page_context(&state);
    let shell_options = state.leptos_options.clone();
    let https = state.config.public_url.starts_with("https://");
    let sessions = session_layer(&state, https);
    let csrf = axum::middleware::from_fn_with_state(
        PortalOrigin(origin_of(&state.config.public_url)),
        crate::auth::csrf::protect,
    );
    let router = Router::new()
        .route(app::api::health::STATUS, get(status::status))
        .nest(app::api::BASE, api_v1(&state))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            app::shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, app::shell))
        .with_state(state)
        .layer(csrf)
        .layer(sessions);
    middleware::apply(router, https)
}

/// Sessions in the database: `__Host-` cookie (Secure) behind https, HttpOnly, SameSite=Lax,
/// ending after an hour without requests (the absolute lifetime is checked in `auth::login`).
fn session_layer(state: &AppState, https: bool) -> SessionManagerLayer<DbSessionStore> {
    SessionManagerLayer::new(state.sessions.clone())
        .with_name(if https { "__Host-dds_session" } else { "dds_session" })
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(1)))
}

/// The JSON API: every route through the authorization gate (`authz`). Its answers carry key
/// material and personal data: none may be cached (`no-store` unless a handler says otherwise).
fn api_v1(state: &AppState) -> Router<AppState> {
    let routes = authz::ApiRoutes::new(state);
    let routes = auth::routes(routes);
    let routes = account::routes(routes);
    let routes = users::routes(invites::routes(routes));
    let routes = notices::routes(unit_keys::routes(routes));
    let routes = password_reset::routes(projects::routes(routes));
    let routes = files::routes(project_status::routes(routes));
    let routes = tasks::routes(units::routes(project_members::routes(routes)));
    let routes = statistics::routes(dashboard::routes(transfers::routes(routes)));
    let routes = routes.add(http::Method::GET, app::api::OPENAPI, get(openapi::serve));
    routes
        .into_router()
        .fallback(|| async { ApiError::NotFound("There is no such API endpoint.".into()) })
        .layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        ))
}

/// What pages and server functions may use, provided on every render.
fn page_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let portal = PortalContext {
        notices: Arc::new(crate::state::DbNotices(state.db.clone())),
        accounts: Arc::new(crate::state::DbAccounts(state.db.clone())),
        dashboard: Arc::new(dashboard::PageDashboard { db: state.db.clone(), clock: state.clock.clone() }),
    };
    let site = state.site.clone();
    move || {
        provide_context(portal.clone());
        provide_context(site.clone());
    }
}
