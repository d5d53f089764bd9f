//! `/api/v1/users/...`: the signed-in user's own settings (second factor, password, emailed links
//! for self-deletion and back to emailed codes), and Super Admin resets.

use app::api::account::{
    ConfirmTotp, KeyMaterial, NewCredentials, Reauth, Token, TotpSetup, EMAIL_CODES_ACTIVATION, MY_DELETION,
    MY_DELETION_CONFIRM, MY_EMAIL_CODES, MY_KEYS, MY_PASSWORD, MY_TOTP, MY_TOTP_CONFIRM,
};
use app::api::users::USER_TOTP;
use app::api::Message;
use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Extension, Json};
use http::{HeaderMap, Method, StatusCode};
use tower_sessions::Session;

use super::authz::{ApiRoutes, Authenticated};
use super::client_ip::ClientIp;
use super::error::ApiError;
use super::extract::ApiJson;
use super::middleware::REQUEST_ID;
use crate::accounts::links::LinkError;
use crate::accounts::{email_codes, self_deletion};
use crate::auth::password;
use crate::auth::reauth::{confirm_password, PasswordConfirmed};
use crate::auth::totp;
use crate::db::audit::{self, AuditEvent};
use crate::db::users;
use crate::db::users::User;
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::GET, MY_KEYS, get(my_keys))
        .add(Method::POST, MY_PASSWORD, post(change_password))
        .add(Method::POST, MY_TOTP, post(begin_totp))
        .add(Method::POST, MY_TOTP_CONFIRM, post(confirm_totp))
        .add(Method::DELETE, USER_TOTP, delete(reset_totp))
        .add(Method::POST, MY_DELETION, post(request_deletion))
        .add(Method::POST, MY_DELETION_CONFIRM, post(confirm_deletion))
        .add(Method::POST, MY_EMAIL_CODES, post(request_email_codes))
        .add(Method::POST, EMAIL_CODES_ACTIVATION, post(activate_email_codes))
}

impl From<LinkError> for ApiError {
    fn from(err: LinkError) -> Self {
        let message = err.to_string();
        match err {
            LinkError::Denied(_) => ApiError::Forbidden(message),
            LinkError::Refused(_) | LinkError::Invalid(_) => ApiError::BadRequest(message),
            LinkError::Expired(_) => ApiError::Gone(message),
            LinkError::Mail(mail) => ApiError::Mail(mail),
            LinkError::Db(db) => ApiError::Db(db),
        }
    }
}

/// Records an audit event of a change already made: a failure is logged, not shown to the user.
async fn record(state: &AppState, event: AuditEvent<'_>) {
    let action = event.action.to_string();
    if let Err(err) = audit::record(state.db.pool(), event).await {
        tracing::error!(error = %err, action = %action, "audit event not recorded");
    }
}

fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get(&REQUEST_ID).and_then(|v| v.to_str().ok())
}

/// Mails the signed-in user a link to confirm the deletion of their account (7 days).
async fn request_deletion(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
) -> Result<Json<Message>, ApiError> {
    let message = self_deletion::request(&state.db, &state.mailer, &state.config.public_url, &user).await?;
    tracing::info!(user = %user.username, "account deletion requested");
    Ok(Json(Message { message }))
}

/// Deletes the signed-in user's account with the token of their confirmation link; the session
/// ends with it.
async fn confirm_deletion(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    session: Session,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Token>,
) -> Result<Json<Message>, ApiError> {
    self_deletion::confirm(&state.db, &user, &body.token).await?;
    session.flush().await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let event = AuditEvent {
        actor_user_id: None, // the account is gone
        action: "account.self_deleted",
        target: Some(&user.username),
        details: Some(format!("role: {}", user.role)),
        request_id: request_id(&headers),
        unit_id: user.unit_id,
        project_id: None,
    };
    record(&state, event).await;
    tracing::info!(user = %user.username, "account deleted by its owner");
    Ok(Json(Message { message: "Your account has been deleted.".into() }))
}

/// Checks the password the signed-in user gave again (failures count toward the login limits).
async fn confirmed(
    state: &AppState,
    ip: ClientIp,
    user: &User,
    auth_key: &str,
) -> Result<PasswordConfirmed, ApiError> {
    Ok(confirm_password(&state.db, &state.hash_slots, ip.0, user, auth_key).await?)
}

/// Mails the signed-in user (on an authenticator app) a link back to emailed codes (1 h), after
/// they gave their password again.
async fn request_email_codes(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ip: ClientIp,
    ApiJson(body): ApiJson<Reauth>,
) -> Result<Json<Message>, ApiError> {
    let proof = confirmed(&state, ip, &user, &body.auth_key).await?;
    let message =
        email_codes::request(&state.db, &state.mailer, &state.config.public_url, &user, &proof).await?;
    tracing::info!(user = %user.username, "switch to emailed codes requested");
    Ok(Json(Message { message }))
}

/// Follows the emailed link (no login needed, as in DDS): emailed codes from now on.
async fn activate_email_codes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Json<Message>, ApiError> {
    let user = email_codes::activate(&state.db, &token).await?;
    let event = AuditEvent {
        actor_user_id: Some(user.id),
        action: "account.second_factor_email",
        target: Some(&user.username),
        details: None,
        request_id: request_id(&headers),
        unit_id: user.unit_id,
        project_id: None,
    };
    record(&state, event).await;
    tracing::info!(user = %user.username, "switched back to emailed codes");
    Ok(Json(Message { message: "From now on you log in with one-time codes sent to your email.".into() }))
}

/// Starts switching to an authenticator app (after the password was given again): a new secret
/// (QR code and text), pending until a code from the app confirms it.
async fn begin_totp(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ip: ClientIp,
    ApiJson(body): ApiJson<Reauth>,
) -> Result<Json<TotpSetup>, ApiError> {
    let proof = confirmed(&state, ip, &user, &body.auth_key).await?;
    Ok(Json(totp::begin_setup(&state.db, &state.secret, &proof, &user.username).await?))
}

async fn confirm_totp(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ip: ClientIp,
    ApiJson(body): ApiJson<ConfirmTotp>,
) -> Result<StatusCode, ApiError> {
    let proof = confirmed(&state, ip, &user, &body.auth_key).await?;
    totp::confirm_setup(&state.db, &state.secret, &proof, &body.code)
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
) -> Result<Json<KeyMaterial>, ApiError> {
    Ok(Json(password::key_material(&state.db, user.id).await?))
}

/// Password change: the browser proves the current password (its auth_key) and sends the new
/// salt, auth_key and the same private key wrapped under the new kek. No access is lost; every
/// session of the user ends.
async fn change_password(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ip: ClientIp,
    ApiJson(body): ApiJson<NewCredentials>,
) -> Result<StatusCode, ApiError> {
    let new = password::check(&body)?;
    let proof = confirmed(&state, ip, &user, &body.current_auth_key).await?;
    password::change(&state.db, &state.hash_slots, &proof, new).await?;
    state.sessions.delete_user_sessions(user.id).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    tracing::info!(user = %user.username, "password changed; sessions ended");
    Ok(StatusCode::NO_CONTENT)
}
