//! `/api/v1/motd` and `/api/v1/maintenance` (Super Admins write; the MOTD is public to read).

use axum::extract::{Path, State};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json};
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::db::{maintenance, motd};
use crate::mail::motd::{self as motd_mail, Audience, MotdMailError};
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::GET, "/motd", get(list_motd))
        .add(Method::POST, "/motd", post(add_motd))
        .add(Method::DELETE, "/motd/{id}", delete(deactivate_motd))
        .add(Method::POST, "/motd/{id}/send", post(send_motd))
        .add(Method::GET, "/maintenance", get(get_maintenance))
        .add(Method::PUT, "/maintenance", put(set_maintenance))
}

async fn list_motd(State(state): State<AppState>) -> Result<Json<Vec<motd::Motd>>, ApiError> {
    Ok(Json(motd::active(&state.db).await?))
}

#[derive(Deserialize)]
struct NewMotd {
    message: String,
}

#[derive(Serialize)]
struct Created {
    id: i64,
}

async fn add_motd(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(body): ApiJson<NewMotd>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = motd::add(&state.db, &body.message).await?;
    tracing::info!(by = %user.username, id, "message of the day added");
    Ok((StatusCode::CREATED, Json(Created { id })))
}

async fn deactivate_motd(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if !motd::deactivate(&state.db, id).await? {
        return Err(ApiError::NotFound("There is no active message of the day with that id.".into()));
    }
    tracing::info!(by = %user.username, id, "message of the day deactivated");
    Ok(StatusCode::NO_CONTENT)
}

impl From<MotdMailError> for ApiError {
    fn from(err: MotdMailError) -> Self {
        let message = err.to_string();
        match err {
            MotdMailError::NotFound => ApiError::NotFound(message),
            MotdMailError::Inactive => ApiError::BadRequest(message),
            MotdMailError::Db(db) => ApiError::Db(db),
            MotdMailError::Mail(mail) => ApiError::Mail(mail),
        }
    }
}

#[derive(Deserialize)]
struct SendMotd {
    audience: Audience,
}

#[derive(Serialize)]
struct Sending {
    recipients: usize,
}

/// Queues an active message of the day for its audience; the queue delivers (202).
async fn send_motd(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SendMotd>,
) -> Result<(StatusCode, Json<Sending>), ApiError> {
    let recipients = motd_mail::send(&state.db, &state.mailer, id, body.audience).await?;
    tracing::info!(by = %user.username, id, audience = ?body.audience, recipients, "message of the day mailing started");
    Ok((StatusCode::ACCEPTED, Json(Sending { recipients })))
}

#[derive(Serialize, Deserialize)]
struct MaintenanceState {
    active: bool,
}

async fn get_maintenance(State(state): State<AppState>) -> Result<Json<MaintenanceState>, ApiError> {
    Ok(Json(MaintenanceState { active: maintenance::is_active(&state.db).await? }))
}

async fn set_maintenance(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(body): ApiJson<MaintenanceState>,
) -> Result<Json<MaintenanceState>, ApiError> {
    maintenance::set_active(&state.db, body.active).await?;
    tracing::info!(by = %user.username, active = body.active, "maintenance mode changed");
    Ok(Json(body))
}
