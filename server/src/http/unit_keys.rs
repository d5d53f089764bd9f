//! `/api/v1/units/me/keys`: thin handlers over `accounts::unit_keys`.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Extension, Json};
use http::{Method, StatusCode};
use serde::Deserialize;

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::accounts::unit_keys::{self, UnitKeyError, UnitKeys};
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes.add(Method::GET, "/units/me/keys", get(my_unit_keys)).add(
        Method::POST,
        "/units/me/keys/seals",
        post(seal_for_colleague),
    )
}

impl From<UnitKeyError> for ApiError {
    fn from(err: UnitKeyError) -> Self {
        let message = err.to_string();
        match err {
            UnitKeyError::NotStaff | UnitKeyError::NoAccessYourself => ApiError::Forbidden(message),
            UnitKeyError::Invalid(_) | UnitKeyError::AlreadySealed(_) => ApiError::BadRequest(message),
            UnitKeyError::NotFound => ApiError::NotFound(message),
            UnitKeyError::Db(db) => ApiError::Db(db),
        }
    }
}

async fn my_unit_keys(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
) -> Result<Json<UnitKeys>, ApiError> {
    Ok(Json(unit_keys::for_member(&state.db, &user).await?))
}

#[derive(Deserialize)]
struct Seal {
    username: String,
    sealed: String,
}

async fn seal_for_colleague(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(body): ApiJson<Seal>,
) -> Result<StatusCode, ApiError> {
    unit_keys::seal_for_colleague(&state.db, &user, &body.username, &body.sealed).await?;
    tracing::info!(by = %user.username, member = %body.username, "unit key sealed to a colleague");
    Ok(StatusCode::NO_CONTENT)
}
