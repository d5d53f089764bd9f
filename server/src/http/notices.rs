//! `/api/v1/motd` and `/api/v1/maintenance` (Super Admins write; the MOTD is public to read).

use app::api::notices::{Maintenance, Motd, NewMotd, SendMotd, Sending, MAINTENANCE, MOTD, MOTDS, MOTD_SEND};
use app::api::Created;
use axum::extract::{Path, State};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json};
use http::{Method, StatusCode};

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::db::{maintenance, motd};
use crate::mail::motd::{self as motd_mail, MotdMailError};
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::GET, MOTDS, get(list_motd))
        .add(Method::POST, MOTDS, post(add_motd))
        .add(Method::DELETE, MOTD, delete(deactivate_motd))
        .add(Method::POST, MOTD_SEND, post(send_motd))
        .add(Method::GET, MAINTENANCE, get(get_maintenance))
        .add(Method::PUT, MAINTENANCE, put(set_maintenance))
}

async fn list_motd(State(state): State<AppState>) -> Result<Json<Vec<Motd>>, ApiError> {
    Ok(Json(motd::active(&state.db).await?))
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

async fn get_maintenance(State(state): State<AppState>) -> Result<Json<Maintenance>, ApiError> {
    Ok(Json(Maintenance { active: maintenance::is_active(&state.db).await? }))
}

async fn set_maintenance(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(body): ApiJson<Maintenance>,
) -> Result<Json<Maintenance>, ApiError> {
    maintenance::set_active(&state.db, body.active).await?;
    tracing::info!(by = %user.username, active = body.active, "maintenance mode changed");
    Ok(Json(body))
}
