//! `/api/v1/projects`: thin handlers over `projects`.

use app::api::keys::{Approval, PROJECT_APPROVALS};
use app::api::projects::{CreatedProject, NewProject, ProjectDetails, ProjectSummary, PROJECT, PROJECTS};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Extension, Json};
use http::{Method, StatusCode};

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::projects::access;
use crate::projects::{self, ProjectError};
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::GET, PROJECTS, get(list))
        .add(Method::POST, PROJECTS, post(create))
        .add(Method::GET, PROJECT, get(details))
        .add(Method::POST, PROJECT_APPROVALS, post(approve))
}

impl From<ProjectError> for ApiError {
    fn from(err: ProjectError) -> Self {
        let message = err.to_string();
        match err {
            ProjectError::Denied(_) | ProjectError::NoAccessYourself | ProjectError::AlreadyAssociated(_) => {
                ApiError::Forbidden(message)
            }
            ProjectError::Invalid(_) => ApiError::BadRequest(message),
            ProjectError::NotFound => ApiError::NotFound(message),
            ProjectError::NeedsConfirmation(_) | ProjectError::KeyChanged(_) => ApiError::Conflict(message),
            ProjectError::Storage => ApiError::Unavailable(message),
            ProjectError::Db(db) => ApiError::Db(db),
        }
    }
}

async fn list(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
) -> Result<Json<Vec<ProjectSummary>>, ApiError> {
    Ok(Json(projects::list(&state.db, &user).await?))
}

async fn create(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(body): ApiJson<NewProject>,
) -> Result<(StatusCode, Json<CreatedProject>), ApiError> {
    let origin = crate::auth::csrf::origin_of(&state.config.public_url);
    let public_id =
        projects::create(&state.db, &state.storage, &origin, &user, body, state.clock.now()).await?;
    tracing::info!(by = %user.username, project = %public_id, "project created");
    Ok((StatusCode::CREATED, Json(CreatedProject { public_id })))
}

async fn details(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
) -> Result<Json<ProjectDetails>, ApiError> {
    Ok(Json(projects::details(&state.db, &user, &public_id).await?))
}

async fn approve(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
    ApiJson(approval): ApiJson<Approval>,
) -> Result<StatusCode, ApiError> {
    access::approve(&state.db, &user, &public_id, &approval).await?;
    tracing::info!(by = %user.username, project = %public_id, member = %approval.username, "project access approved");
    Ok(StatusCode::NO_CONTENT)
}
