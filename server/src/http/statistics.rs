//! `/api/v1/statistics`: Super Admins only (the gate checks it); a thin handler over `statistics`.

use app::api::statistics::{PortalStatistics, STATISTICS};
use axum::extract::State;
use axum::routing::get;
use axum::Json;
use http::Method;

use super::authz::ApiRoutes;
use super::error::ApiError;
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes.add(Method::GET, STATISTICS, get(statistics))
}

async fn statistics(State(state): State<AppState>) -> Result<Json<PortalStatistics>, ApiError> {
    Ok(Json(crate::statistics::gather(&state.db, state.clock.now()).await?))
}
