//! `/api/v1/password-reset`: thin handlers over `accounts::password_reset` (all public: the
//! user cannot log in, which is why they are here).

use app::api::account::NewKeyPair;
use app::api::password_reset::{Completed, ResetDetails, ResetRequest, PASSWORD_RESET, PASSWORD_RESET_LINK};
use app::api::Message;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Json;
use http::Method;

use super::authz::ApiRoutes;
use super::client_ip::ClientIp;
use super::error::ApiError;
use super::extract::ApiJson;
use crate::accounts::password_reset::{self, ResetContext, ResetError};
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::POST, PASSWORD_RESET, post(request))
        .add(Method::GET, PASSWORD_RESET_LINK, get(details))
        .add(Method::POST, PASSWORD_RESET_LINK, post(complete))
}

impl From<ResetError> for ApiError {
    fn from(err: ResetError) -> Self {
        let message = err.to_string();
        match err {
            ResetError::Deactivated => ApiError::Forbidden(message),
            ResetError::TooManyRequests(refused) => {
                ApiError::TooManyRequests(message, refused.retry_after_secs.max(1) as u64)
            }
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

async fn request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ResetRequest>,
) -> Result<Json<Message>, ApiError> {
    password_reset::request(&context(&state), ip, &body.email).await?;
    Ok(Json(Message { message: password_reset::neutral_answer(body.email.trim()) }))
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
