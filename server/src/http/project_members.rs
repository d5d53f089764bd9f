//! `/api/v1/projects/{public_id}` details and members: thin handlers over `projects::membership`.

use app::api::members::{EditDetails, SetOwner, PROJECT, PROJECT_INVITE, PROJECT_MEMBER};
use axum::extract::{Path, State};
use axum::routing::{delete, patch};
use axum::Extension;
use http::{Method, StatusCode};

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::projects::membership;
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::PATCH, PROJECT, patch(edit))
        .add(Method::DELETE, PROJECT_MEMBER, delete(revoke))
        .add(Method::PATCH, PROJECT_MEMBER, patch(set_owner))
        .add(Method::DELETE, PROJECT_INVITE, delete(revoke_invite))
}

async fn edit(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(public_id): Path<String>,
    ApiJson(body): ApiJson<EditDetails>,
) -> Result<StatusCode, ApiError> {
    membership::edit_details(&state.db, &user, &public_id, &body, state.clock.now()).await?;
    tracing::info!(by = %user.username, project = %public_id, "project details changed");
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path((public_id, username)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    membership::revoke(&state.db, &user, &public_id, &username).await?;
    tracing::info!(by = %user.username, project = %public_id, member = %username, "project access revoked");
    Ok(StatusCode::NO_CONTENT)
}

async fn set_owner(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path((public_id, username)): Path<(String, String)>,
    ApiJson(body): ApiJson<SetOwner>,
) -> Result<StatusCode, ApiError> {
    membership::set_owner(&state.db, &user, &public_id, &username, body.owner).await?;
    tracing::info!(by = %user.username, project = %public_id, member = %username, owner = body.owner, "owner flag set");
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke_invite(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path((public_id, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let deleted = membership::revoke_invite(&state.db, &user, &public_id, id).await?;
    tracing::info!(by = %user.username, project = %public_id, invite = id, invite_deleted = deleted, "invite's project revoked");
    Ok(StatusCode::NO_CONTENT)
}
