//! `/api/v1/users/...`: the signed-in user's own settings, and Super Admin resets.

use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Extension, Json};
use http::{Method, StatusCode};
use serde::Deserialize;

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::auth::password::{self, NewCredentials};
use crate::auth::totp::{self, TotpSetup};
use crate::db::users;
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::GET, "/users/me/keys", get(my_keys))
        .add(Method::POST, "/users/me/password", post(change_password))
        .add(Method::POST, "/users/me/totp", post(begin_totp))
        .add(Method::POST, "/users/me/totp/confirm", post(confirm_totp))
        .add(Method::DELETE, "/users/{username}/totp", delete(reset_totp))
}

/// Starts switching to an authenticator app: a new secret (QR code and text), pending until a
/// code from the app confirms it.
async fn begin_totp(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
) -> Result<Json<TotpSetup>, ApiError> {
    Ok(Json(totp::begin_setup(&state.db, &state.secret, user.id, &user.username).await?))
}

#[derive(Deserialize)]
struct Code {
    code: String,
}

async fn confirm_totp(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(body): ApiJson<Code>,
) -> Result<StatusCode, ApiError> {
    totp::confirm_setup(&state.db, &state.secret, user.id, &body.code)
        .await?
        .map_err(|e| ApiError::BadRequest(e.message().to_string()))?;
    tracing::info!(user = %user.username, "authenticator app enabled");
    Ok(StatusCode::NO_CONTENT)
}

/// A Super Admin sends a user who lost their authenticator back to emailed codes.
async fn reset_totp(
    State(state): State<AppState>,
    Extension(Authenticated(admin)): Extension<Authenticated>,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    let user = users::by_username(&state.db, &username)
        .await?
        .ok_or_else(|| ApiError::NotFound("User not found.".into()))?;
    totp::reset(&state.db, user.id).await?;
    tracing::info!(by = %admin.username, user = %user.username, "authenticator app reset to email codes");
    Ok(StatusCode::NO_CONTENT)
}

/// The user's key material as stored: KDF salt and cost, public key, wrapped private key (the
/// browser unwraps it with the password, e.g. to re-wrap it under a new one).
async fn my_keys(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
) -> Result<Json<password::KeyMaterial>, ApiError> {
    Ok(Json(password::key_material(&state.db, user.id).await?))
}

/// Password change: the browser proves the current password (its auth_key) and sends the new
/// salt, auth_key and the same private key wrapped under the new kek. No access is lost; every
/// session of the user ends.
async fn change_password(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(body): ApiJson<NewCredentials>,
) -> Result<StatusCode, ApiError> {
    password::change(&state.db, user.id, body).await?;
    state.sessions.delete_user_sessions(user.id).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    tracing::info!(user = %user.username, "password changed; sessions ended");
    Ok(StatusCode::NO_CONTENT)
}
