//! `/api/v1/invites`: thin handlers over `accounts::invites`.

use app::api::invites::{
    InviteDetails, InviteQuery, InviteSummary, Invited, NewInvite, Registered, Registration, INVITE, INVITES,
    INVITE_ACCEPT, INVITE_BY_TOKEN, INVITE_RESEND,
};
use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Extension, Json};
use http::{Method, StatusCode};

use super::authz::{ApiRoutes, Authenticated};
use super::error::ApiError;
use super::extract::{ApiJson, ApiQuery};
use crate::accounts::invites::{self, InviteError};
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::POST, INVITES, post(create))
        .add(Method::GET, INVITES, get(list))
        .add(Method::DELETE, INVITE, delete(remove))
        .add(Method::POST, INVITE_RESEND, post(resend))
        .add(Method::GET, INVITE_BY_TOKEN, get(details))
        .add(Method::POST, INVITE_ACCEPT, post(accept))
}

impl From<InviteError> for ApiError {
    fn from(err: InviteError) -> Self {
        let message = err.to_string();
        match err {
            InviteError::Denied(_) => ApiError::Forbidden(message),
            InviteError::Invalid(_) => ApiError::BadRequest(message),
            InviteError::NotFound => ApiError::NotFound(message),
            InviteError::Expired => ApiError::Gone(message),
            InviteError::Mail(mail) => ApiError::Mail(mail),
            InviteError::Db(db) => ApiError::Db(db),
            InviteError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

async fn create(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(body): ApiJson<NewInvite>,
) -> Result<(StatusCode, Json<Invited>), ApiError> {
    let invited = invites::create(&state.db, &state.mailer, &state.config.public_url, &user, body).await?;
    tracing::info!(by = %user.username, ?invited, "invite request done");
    let status = match invited {
        Invited::Sent { .. } => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    Ok((status, Json(invited)))
}

async fn list(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiQuery(query): ApiQuery<InviteQuery>,
) -> Result<Json<Vec<InviteSummary>>, ApiError> {
    Ok(Json(invites::list(&state.db, &user, &query).await?))
}

async fn remove(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    invites::delete(&state.db, &user, id).await?;
    tracing::info!(by = %user.username, id, "invite cancelled");
    Ok(StatusCode::NO_CONTENT)
}

async fn resend(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    invites::resend(&state.db, &state.mailer, &state.config.public_url, &user, id).await?;
    tracing::info!(by = %user.username, id, "invite re-sent");
    Ok(StatusCode::NO_CONTENT)
}

async fn details(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<InviteDetails>, ApiError> {
    Ok(Json(invites::details(&state.db, &token).await?))
}

async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<Registration>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let user = invites::accept(&state.db, &state.mailer, &state.config.public_url, &token, body).await?;
    tracing::info!(user = %user.username, role = %user.role, "registered by invite");
    Ok((StatusCode::CREATED, Json(Registered { username: user.username })))
}
