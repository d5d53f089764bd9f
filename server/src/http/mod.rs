//! The HTTP surface: `/status`, the JSON API under `/api/v1`, server functions and the SSR pages.

pub mod error;
pub mod middleware;
pub mod status;

use std::sync::Arc;

use app::ssr::PortalContext;
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};

use crate::state::AppState;
use error::ApiError;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let context = page_context(&state);
    let shell_options = state.leptos_options.clone();
    let https = state.config.public_url.starts_with("https://");
    let router = Router::new()
        .route("/status", get(status::status))
        .nest("/api/v1", api_v1())
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            app::shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, app::shell))
        .with_state(state);
    middleware::apply(router, https)
}

/// The JSON API. Endpoints arrive with the accounts and projects work.
fn api_v1() -> Router<AppState> {
    Router::new().fallback(|| async { ApiError::NotFound("There is no such API endpoint.".into()) })
}

/// What pages and server functions may use, provided on every render.
fn page_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let portal = PortalContext { motd: Arc::new(crate::state::DbMotd(state.db.clone())) };
    let site = state.site.clone();
    move || {
        provide_context(portal.clone());
        provide_context(site.clone());
    }
}
