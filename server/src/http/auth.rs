//! `/api/v1/auth/*`: thin handlers over `auth::login`.

use app::api::auth::{
    Kdf, LoginAnswer, LoginRequest, Prelogin, PreloginKdf, PreloginRequest, SecondFactorRequest, SessionKey,
    SignedInUser, LOGIN, LOGOUT, ME, PRELOGIN, SECOND_FACTOR, SESSION_KEY,
};
use app::domain::account::masked_email;
use app::domain::second_factor::SecondFactor;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Extension, Json};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use http::{Method, StatusCode};
use tower_sessions::Session;

use super::authz::{ApiRoutes, Authenticated};
use super::client_ip::ClientIp;
use super::error::ApiError;
use super::extract::ApiJson;
use crate::auth::login::{self, LoginContext};
use crate::auth::totp;
use crate::db::users::User;
use crate::state::AppState;

pub fn routes(routes: ApiRoutes) -> ApiRoutes {
    routes
        .add(Method::POST, PRELOGIN, post(prelogin))
        .add(Method::POST, LOGIN, post(login_with_key))
        .add(Method::POST, SECOND_FACTOR, post(second_factor))
        .add(Method::POST, LOGOUT, post(logout))
        .add(Method::GET, ME, get(me))
        .add(Method::GET, SESSION_KEY, get(session_key))
}

fn login_context<'a>(state: &'a AppState, session: &'a Session, ClientIp(ip): ClientIp) -> LoginContext<'a> {
    LoginContext {
        db: &state.db,
        secret: &state.secret,
        mailer: &state.mailer,
        session,
        hash_slots: &state.hash_slots,
        ip,
    }
}

async fn prelogin(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PreloginRequest>,
) -> Result<Json<Prelogin>, ApiError> {
    let setting = login::prelogin(&state.db, &state.secret, body.username.trim()).await?;
    Ok(Json(Prelogin {
        salt: BASE64.encode(&setting.salt),
        kdf: PreloginKdf { algorithm: "argon2id".into(), params: Kdf::from(setting.params) },
    }))
}

async fn login_with_key(
    State(state): State<AppState>,
    client: ClientIp,
    session: Session,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<LoginAnswer>, ApiError> {
    let auth_key = BASE64
        .decode(body.auth_key.trim())
        .map_err(|_| ApiError::BadRequest("The authentication key must be base64.".into()))?;
    let cx = login_context(&state, &session, client);
    let accepted = login::login(&cx, body.username.trim(), &auth_key).await?;
    let emailed = accepted.factor == SecondFactor::Email;
    Ok(Json(LoginAnswer {
        sent_to: emailed.then(|| masked_email(&accepted.user.email)),
        new_code: emailed && accepted.new_code,
        username: accepted.user.username,
        second_factor: accepted.factor,
    }))
}

/// The signed-in user as the API shows them.
async fn signed_in(state: &AppState, user: User) -> Result<SignedInUser, ApiError> {
    let second_factor = totp::method(&state.db, user.id).await?;
    Ok(SignedInUser {
        username: user.username,
        name: user.name,
        role: user.role,
        email: user.email,
        unit_id: user.unit_id,
        second_factor,
    })
}

async fn second_factor(
    State(state): State<AppState>,
    client: ClientIp,
    session: Session,
    ApiJson(body): ApiJson<SecondFactorRequest>,
) -> Result<Json<SignedInUser>, ApiError> {
    let cx = login_context(&state, &session, client);
    let user = login::second_factor(&cx, &body.code).await?;
    tracing::info!(user = %user.username, "signed in");
    Ok(Json(signed_in(&state, user).await?))
}

async fn logout(session: Session) -> Result<StatusCode, ApiError> {
    session.flush().await.map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(
    State(state): State<AppState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
) -> Result<Json<SignedInUser>, ApiError> {
    Ok(Json(signed_in(&state, user).await?))
}

/// The server's half of the browser's key store (DESIGN §3 "Session"): only for the portal's
/// own pages (a cross-site read is refused even though CORS would hide the answer), never cached.
async fn session_key(
    session: Session,
    headers: http::HeaderMap,
) -> Result<([(http::HeaderName, &'static str); 1], Json<SessionKey>), ApiError> {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site.is_some_and(|site| site != "same-origin") {
        return Err(ApiError::Forbidden("Cross-site request refused.".into()));
    }
    let key = login::session_key(&session).await?;
    Ok(([(http::header::CACHE_CONTROL, "no-store")], Json(SessionKey { key })))
}
