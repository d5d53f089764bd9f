//! `/api/v1/units/me/keys`: thin handlers over `accounts::unit_keys`.

use app::api::keys::{Approval, UnitKeys, UNIT_KEYS, UNIT_KEY_APPROVALS};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Extension, Json};
use http::{Method, StatusCode};

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::ApiJson;
use crate::accounts::unit_keys::{self, UnitKeyError};
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes.add(Method::GET, UNIT_KEYS, get(my_unit_keys)).add(Method::POST, UNIT_KEY_APPROVALS, post(approve))
}

impl From<UnitKeyError> for ApiError {
    fn from(err: UnitKeyError) -> Self {
        let message = err.to_string();
        match err {
            UnitKeyError::NotStaff | UnitKeyError::NoAccessYourself | UnitKeyError::NotApprover => {
                ApiError::Forbidden(message)
            }
            UnitKeyError::Invalid(_) | UnitKeyError::AlreadySealed(_) => ApiError::BadRequest(message),
            UnitKeyError::KeyChanged(_) => ApiError::Conflict(message),
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

async fn approve(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(approval): ApiJson<Approval>,
) -> Result<StatusCode, ApiError> {
    unit_keys::approve(&state.db, &user, &approval).await?;
    tracing::info!(by = %user.username, member = %approval.username, "unit key access approved");
    Ok(StatusCode::NO_CONTENT)
}
