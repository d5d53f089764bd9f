//! `/api/v1/tasks`: Super Admins see durable tasks that are failing or waiting, and retry one.

use app::api::tasks::{OpenTask, TASKS, TASK_RETRY};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Json;
use http::{Method, StatusCode};

use super::authz::ApiRoutes;
use super::error::ApiError;
use crate::jobs::tasks;
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes.add(Method::GET, TASKS, get(list)).add(Method::POST, TASK_RETRY, post(retry))
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<OpenTask>>, ApiError> {
    Ok(Json(tasks::open_tasks(&state.db, 500).await?))
}

async fn retry(State(state): State<AppState>, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    if tasks::retry_now(&state.db, id, state.clock.now()).await? {
        tracing::info!(task = id, "task retry asked");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("There is no such unfinished task.".into()))
    }
}
