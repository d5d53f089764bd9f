//! `/api/v1` uploads and downloads: thin handlers over `transfers`.

use app::api::transfers::{
    CompleteUpload, Conflicts, DownloadPlan, DownloadQuery, PartUrls, PartsToSend, PathsQuery, PendingUpload,
    StartUpload, UploadCompleted, UploadStarted, PROJECT_DOWNLOADS, PROJECT_UPLOADS,
    PROJECT_UPLOAD_CONFLICTS, UPLOAD, UPLOAD_COMPLETE, UPLOAD_PART_URLS,
};
use axum::extract::{Path, Query, State};
use axum::routing::{delete, get, post};
use axum::{Extension, Json};
use http::{Method, StatusCode};

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::state::AppState;
use crate::transfers::uploads::Storage;
use crate::transfers::{downloads, uploads, TransferError};

impl From<TransferError> for ApiError {
    fn from(err: TransferError) -> Self {
        let message = err.to_string();
        match err {
            TransferError::Project(err) => err.into(),
            TransferError::NoSuchUpload => ApiError::NotFound(message),
            TransferError::Invalid(_) => ApiError::BadRequest(message),
            TransferError::Conflict(_) => ApiError::Conflict(message),
            TransferError::Quota(_) => ApiError::Forbidden(message),
            TransferError::Storage(_) => ApiError::Unavailable(message),
            TransferError::Db(err) => ApiError::Db(err),
        }
    }
}

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::POST, PROJECT_UPLOADS, post(start))
        .add(Method::GET, PROJECT_UPLOADS, get(pending))
        .add(Method::POST, PROJECT_UPLOAD_CONFLICTS, post(conflicts))
        .add(Method::GET, UPLOAD, get(resume_state))
        .add(Method::DELETE, UPLOAD, delete(abort))
        .add(Method::POST, UPLOAD_PART_URLS, post(part_urls))
        .add(Method::POST, UPLOAD_COMPLETE, post(complete))
        .add(Method::GET, PROJECT_DOWNLOADS, get(download_plan))
}

async fn start(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
    ApiJson(body): ApiJson<StartUpload>,
) -> Result<(StatusCode, Json<UploadStarted>), ApiError> {
    let origin = crate::auth::csrf::origin_of(&state.config.public_url);
    let storage = Storage { store: &state.storage, portal_origin: &origin };
    let started = uploads::start(&state.db, &storage, &user, &public_id, &body, state.clock.now()).await?;
    tracing::info!(by = %user.username, project = %public_id, upload = %started.id, bytes = body.size_bytes, "upload started");
    Ok((StatusCode::CREATED, Json(started)))
}

async fn pending(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
) -> Result<Json<Vec<PendingUpload>>, ApiError> {
    Ok(Json(uploads::pending(&state.db, &user, &public_id).await?))
}

async fn conflicts(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
    ApiJson(body): ApiJson<PathsQuery>,
) -> Result<Json<Conflicts>, ApiError> {
    Ok(Json(uploads::conflicts(&state.db, &user, &public_id, &body.paths).await?))
}

async fn resume_state(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(upload_id): Path<String>,
) -> Result<Json<PendingUpload>, ApiError> {
    Ok(Json(uploads::resume_state(&state.db, &state.storage, &user, &upload_id).await?))
}

async fn abort(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(upload_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    uploads::abort(&state.db, &state.storage, &user, &upload_id).await?;
    tracing::info!(by = %user.username, upload = %upload_id, "upload cancelled");
    Ok(StatusCode::NO_CONTENT)
}

async fn part_urls(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(upload_id): Path<String>,
    ApiJson(body): ApiJson<PartsToSend>,
) -> Result<Json<PartUrls>, ApiError> {
    Ok(Json(
        uploads::part_urls(&state.db, &state.storage, &user, &upload_id, &body, state.clock.now()).await?,
    ))
}

async fn complete(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(upload_id): Path<String>,
    ApiJson(body): ApiJson<CompleteUpload>,
) -> Result<Json<UploadCompleted>, ApiError> {
    let done =
        uploads::complete(&state.db, &state.storage, &user, &upload_id, &body, state.clock.now()).await?;
    tracing::info!(by = %user.username, upload = %upload_id, bytes = done.size_bytes, "upload completed");
    Ok(Json(done))
}

async fn download_plan(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
    Query(query): Query<DownloadQuery>,
) -> Result<Json<DownloadPlan>, ApiError> {
    Ok(Json(downloads::plan(&state.db, &state.storage, &user, &public_id, &query).await?))
}
