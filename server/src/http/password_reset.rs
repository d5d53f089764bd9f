//! `/api/v1/password-reset`: thin handlers over `accounts::password_reset` (all public: the
//! user cannot log in, which is why they are here).

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Json;
use http::Method;
use serde::{Deserialize, Serialize};

use super::authz::ApiRoutes;
use super::client_ip::ClientIp;
use super::error::ApiError;
use super::extract::ApiJson;
use crate::accounts::password_reset::{self, Completed, ResetContext, ResetDetails, ResetError};
use crate::auth::credentials::NewKeyPair;
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::POST, "/password-reset", post(request))
        .add(Method::GET, "/password-reset/{token}", get(details))
        .add(Method::POST, "/password-reset/{token}", post(complete))
}

impl From<ResetError> for ApiError {
    fn from(err: ResetError) -> Self {
        let message = err.to_string();
        match err {
            ResetError::Deactivated => ApiError::Forbidden(message),
            ResetError::TooManyRequests => ApiError::TooManyRequests(message),
            ResetError::UnknownToken => ApiError::NotFound(message),
            ResetError::Expired | ResetError::Used => ApiError::Gone(message),
            ResetError::Invalid(_) => ApiError::BadRequest(message),
            ResetError::Mail(mail) => ApiError::Mail(mail),
            ResetError::Db(db) => ApiError::Db(db),
            ResetError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

fn context(state: &AppState) -> ResetContext<'_> {
    ResetContext {
        db: &state.db,
        mailer: &state.mailer,
        sessions: &state.sessions,
        public_url: &state.config.public_url,
    }
}

#[derive(Deserialize)]
struct ResetRequest {
    email: String,
}

#[derive(Serialize)]
struct Answer {
    message: String,
}

async fn request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ResetRequest>,
) -> Result<Json<Answer>, ApiError> {
    password_reset::request(&context(&state), ip, &body.email).await?;
    Ok(Json(Answer { message: password_reset::neutral_answer(body.email.trim()) }))
}

async fn details(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<ResetDetails>, ApiError> {
    Ok(Json(password_reset::details(&state.db, &token).await?))
}

async fn complete(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<NewKeyPair>,
) -> Result<Json<Completed>, ApiError> {
    let completed = password_reset::complete(&context(&state), &token, body).await?;
    tracing::info!("password reset completed; sessions ended");
    Ok(Json(completed))
}
