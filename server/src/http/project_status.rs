//! `/api/v1/projects/{public_id}/status`: thin handlers over `projects::status`.

use app::api::project_status::{ChangeStatus, ExtendDeadline, StatusView, PROJECT_STATUS};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Extension, Json};
use http::Method;

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::projects::{self, status};
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::GET, PROJECT_STATUS, get(show))
        .add(Method::POST, PROJECT_STATUS, axum::routing::post(change))
        .add(Method::PATCH, PROJECT_STATUS, axum::routing::patch(extend))
}

fn context(state: &AppState) -> status::Context<'_> {
    status::Context {
        db: &state.db,
        mailer: &state.mailer,
        public_url: &state.config.public_url,
        now: state.clock.now(),
    }
}

async fn show(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
) -> Result<Json<StatusView>, ApiError> {
    projects::visible(&state.db, &user, &public_id).await?;
    Ok(Json(status::view(&state.db, &public_id).await?))
}

async fn change(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
    ApiJson(body): ApiJson<ChangeStatus>,
) -> Result<Json<StatusView>, ApiError> {
    let view = status::change(&context(&state), &user, &public_id, body.change, body.send_email).await?;
    tracing::info!(by = %user.username, project = %public_id, status = %view.status, "project status changed");
    Ok(Json(view))
}

async fn extend(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
    ApiJson(body): ApiJson<ExtendDeadline>,
) -> Result<Json<StatusView>, ApiError> {
    let view =
        status::extend(&context(&state), &user, &public_id, body.new_deadline_in, body.confirmed).await?;
    tracing::info!(by = %user.username, project = %public_id, "project deadline extended");
    Ok(Json(view))
}
