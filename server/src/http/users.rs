//! `/api/v1/users`: listing and administering accounts (thin handlers over `accounts::users`).

use app::api::users::{Activation, UserQuery, UserSummary, USER, USERS};
use axum::extract::{Path, State};
use axum::routing::{delete, get, patch};
use axum::{Extension, Json};
use http::{Method, StatusCode};

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::{ApiJson, ApiQuery};
use crate::accounts::users::{self, AdminError};
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes.add(Method::GET, USERS, get(list)).add(Method::PATCH, USER, patch(set_active)).add(
        Method::DELETE,
        USER,
        delete(remove),
    )
}

impl From<AdminError> for ApiError {
    fn from(err: AdminError) -> Self {
        let message = err.to_string();
        match err {
            AdminError::Denied(_) => ApiError::Forbidden(message),
            AdminError::NotFound => ApiError::NotFound(message),
            AdminError::Invalid(_) => ApiError::BadRequest(message),
            AdminError::Sessions(_) => ApiError::Internal(message),
            AdminError::Db(db) => ApiError::Db(db),
        }
    }
}

async fn list(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<Json<Vec<UserSummary>>, ApiError> {
    Ok(Json(users::list(&state.db, &user, &query).await?))
}

async fn set_active(
    State(state): State<AppState>,
    Extension(Authenticated(admin)): Extension<Authenticated>,
    Path(username): Path<String>,
    ApiJson(body): ApiJson<Activation>,
) -> Result<StatusCode, ApiError> {
    let user = users::set_active(&state.db, &state.sessions, &admin, &username, body.active).await?;
    tracing::info!(by = %admin.username, user = %user.username, active = body.active, "account activation changed");
    Ok(StatusCode::NO_CONTENT)
}

async fn remove(
    State(state): State<AppState>,
    Extension(Authenticated(admin)): Extension<Authenticated>,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    let user = users::delete(&state.db, &admin, &username).await?;
    tracing::info!(by = %admin.username, user = %user.username, "account deleted");
    Ok(StatusCode::NO_CONTENT)
}
