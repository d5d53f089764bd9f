//! The login flow (DESIGN §7): pre-login -> login with auth_key -> second factor. State between
//! the steps lives in the session; every step is rate limited per account and per address.

use app::domain::ids::UserId;
use std::net::IpAddr;

use app::domain::username::check_username;
use tower_sessions::Session;

use super::credentials::{fake_kdf_setting, verify_auth_key, KdfSetting, AUTH_KEY_LEN};
use super::hash_slots::{Busy, HashSlots};
use super::one_time_code::{self, CodeError};
use super::rate_limit::{self, address_bucket, login_buckets, Account};
use super::secret::ServerSecret;
use super::session_store::{PENDING_USER, USER_ID};
use super::totp;
use crate::db::users::{self, User};
use crate::db::{now, Db, DbError};
use crate::mail::{Mailer, OutgoingMail};

const PENDING_SINCE: &str = "pending_since";
const AUTHENTICATED_AT: &str = "authenticated_at";
/// When the signed-in session last moved its idle expiry on.
const LAST_SEEN: &str = "last_seen";
/// A session is saved (and its idle expiry moved on) at most this often: tower-sessions saves a
/// session only when it changed, so activity has to change it.
const TOUCH_EVERY_SECS: i64 = 60;
/// The server's half of DESIGN §3 "Session" (base64 of 32 random bytes): it unlocks the private
/// key the browser keeps in sessionStorage, and goes with the session (logout, expiry).
const SESSION_KEY: &str = "session_key";
/// The second factor must follow the password within the one-time code's validity.
const PENDING_SECS: i64 = one_time_code::VALIDITY_SECS;
/// Absolute session lifetime, however active the user is (idle expiry is 1 h).
pub const ABSOLUTE_SESSION_SECS: i64 = 12 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("Invalid username or password.")]
    InvalidCredentials,
    #[error("Your account has been deactivated. You cannot use the DDS.")]
    Deactivated,
    #[error("{}", .0.message())]
    TooManyAttempts(rate_limit::Refused),
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error("Please log in with your username and password first.")]
    NoPendingLogin,
    #[error("{}", .0.message())]
    Code(CodeError),
    #[error("We could not send your one-time code right now. Please try again in a moment.")]
    MailUnavailable,
    #[error("Maintenance of DDS is ongoing.")]
    Maintenance,
    #[error("Please log in to continue.")]
    NotSignedIn,
    #[error("Your session has expired. Please log in again.")]
    SessionExpired,
    #[error("The authentication key must be {AUTH_KEY_LEN} bytes.")]
    MalformedKey,
    /// Not a valid username at all (says nothing about which accounts exist).
    #[error("{0}")]
    InvalidUsername(&'static str),
    /// The password given again (for a change to the account's protection) was wrong: DDS's
    /// message.
    #[error("Entered current password is incorrect!")]
    WrongPassword,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("session storage failed: {0}")]
    Session(String),
}

impl From<tower_sessions::session::Error> for AuthError {
    fn from(err: tower_sessions::session::Error) -> Self {
        AuthError::Session(err.to_string())
    }
}

/// Pre-login: the salt and KDF parameters for `username` (made up, but stable, if unknown).
pub async fn prelogin(db: &Db, secret: &ServerSecret, username: &str) -> Result<KdfSetting, AuthError> {
    check_username(username).map_err(AuthError::InvalidUsername)?;
    // One query either way, so the time taken does not tell known names from unknown ones.
    let record = users::login_record(db, username).await?;
    let Some((salt, m, t, p)) = record.and_then(|r| r.kdf) else {
        return Ok(fake_kdf_setting(secret, username));
    };
    Ok(KdfSetting {
        salt,
        params: wasm_crypto::KdfParams { memory_kib: m as u32, iterations: t as u32, parallelism: p as u32 },
    })
}

/// The second factor the user must give next.
pub use super::totp::SecondFactor;

pub struct LoginContext<'a> {
    pub db: &'a Db,
    pub secret: &'a ServerSecret,
    pub mailer: &'a Mailer,
    pub session: &'a Session,
    pub hash_slots: &'a HashSlots,
    pub ip: IpAddr,
}

/// What the password step led to.
#[derive(Debug)]
pub struct PasswordAccepted {
    /// The user (whose registered username the browser needs to unwrap its key).
    pub user: User,
    /// The second factor that comes next.
    pub factor: SecondFactor,
    /// Emailed codes: whether a new code was mailed now (`false`: one went out less than a
    /// minute ago and is still valid).
    pub new_code: bool,
}

/// Step 2: checks the auth_key; on success mails a one-time code and remembers the pending
/// login in the (new) session. The attempt is recorded before the check and forgiven when it
/// succeeds, so concurrent guesses cannot pass the limit.
pub async fn login(
    cx: &LoginContext<'_>,
    username: &str,
    auth_key: &[u8],
) -> Result<PasswordAccepted, AuthError> {
    if auth_key.len() != AUTH_KEY_LEN {
        return Err(AuthError::MalformedKey);
    }
    // Only valid (ASCII) names: the database's case folding and ours then agree, and no
    // look-alike spelling of a name gets limits of its own.
    check_username(username).map_err(AuthError::InvalidUsername)?;
    // One query for known and unknown names alike; unknown ones are checked against a dummy hash.
    let (user, stored) = match users::login_record(cx.db, username).await? {
        Some(record) => (Some(record.user), record.auth_hash),
        None => (None, None),
    };
    let account = match &user {
        Some(user) => Account::Id(user.id),
        None => Account::Unknown(username),
    };
    let attempt = rate_limit::reserve(cx.db, &login_buckets(account, cx.ip))
        .await?
        .map_err(AuthError::TooManyAttempts)?;
    let key = auth_key.to_vec();
    let verified = match cx.hash_slots.run(move || verify_auth_key(&key, stored.as_deref())).await {
        Ok(verified) => verified,
        Err(busy) => {
            rate_limit::forgive(cx.db, attempt).await?; // not checked: not a failure
            return Err(busy.into());
        }
    };
    let user = match user {
        Some(user) if verified => user,
        _ => return Err(AuthError::InvalidCredentials), // the attempt stays recorded
    };
    rate_limit::forgive(cx.db, attempt).await?;
    if !user.is_active {
        return Err(AuthError::Deactivated);
    }
    if user.role != app::domain::roles::Role::SuperAdmin && crate::db::maintenance::is_active(cx.db).await? {
        return Err(AuthError::Maintenance);
    }
    let method = totp::method(cx.db, user.id).await?;
    let new_code = method == SecondFactor::Email && send_code(cx, &user).await?;
    // A new session id at every privilege change (no fixation).
    cx.session.cycle_id().await?;
    cx.session.remove_value(USER_ID).await?;
    cx.session.insert(PENDING_USER, user.id).await?;
    cx.session.insert(PENDING_SINCE, now()).await?;
    Ok(PasswordAccepted { user, factor: method, new_code })
}

/// Mails a fresh code; `false` when one went out less than a minute ago (it is still valid).
async fn send_code(cx: &LoginContext<'_>, user: &User) -> Result<bool, AuthError> {
    let Some(code) = one_time_code::issue(cx.db, cx.secret, user.id).await? else {
        return Ok(false);
    };
    let mail = OutgoingMail {
        to: user.email.clone(),
        subject: "DDS One-Time Authentication Code".into(),
        text: format!(
            "Your one-time authentication code for the Data Delivery System is:\n\n{code}\n\n\
             It is valid for 15 minutes and can be used once. If you did not try to log in, \
             change your password."
        ),
        html: format!(
            "<p>Your one-time authentication code for the Data Delivery System is:</p>\
             <p style=\"font-size:1.6em;letter-spacing:0.2em\"><strong>{code}</strong></p>\
             <p>It is valid for 15 minutes and can be used once. If you did not try to log in, \
             change your password.</p>"
        ),
        link: None,
    };
    if let Err(err) = cx.mailer.send(mail).await {
        tracing::error!(error = %err, user = %user.username, "one-time code mail failed");
        one_time_code::revoke(cx.db, user.id).await?;
        return Err(AuthError::MailUnavailable);
    }
    Ok(true)
}

/// Step 3: the one-time code. Signs the user in (again with a new session id). As at step 2,
/// the attempt is recorded before the code is compared and forgiven when it is right.
pub async fn second_factor(cx: &LoginContext<'_>, code: &str) -> Result<User, AuthError> {
    let pending: Option<UserId> = cx.session.get(PENDING_USER).await?;
    let since: Option<i64> = cx.session.get(PENDING_SINCE).await?;
    let (Some(user_id), Some(since)) = (pending, since) else {
        // Counts as a failure of the address (kept), unless the address is already refused.
        let _kept = rate_limit::reserve(cx.db, &[address_bucket(cx.ip)]).await?;
        return Err(AuthError::NoPendingLogin);
    };
    let user = users::by_id(cx.db, user_id).await?.ok_or(AuthError::NoPendingLogin)?;
    if now() - since > PENDING_SECS {
        cx.session.flush().await?;
        return Err(AuthError::NoPendingLogin);
    }
    let buckets = login_buckets(Account::Id(user.id), cx.ip);
    let attempt = rate_limit::reserve(cx.db, &buckets).await?.map_err(AuthError::TooManyAttempts)?;
    let verified = match totp::method(cx.db, user.id).await? {
        SecondFactor::Email => one_time_code::verify(cx.db, cx.secret, user.id, code).await?,
        SecondFactor::Totp => totp::verify_login(cx.db, cx.secret, user.id, code).await?,
    };
    if let Err(err) = verified {
        return Err(AuthError::Code(err)); // the attempt stays recorded
    }
    rate_limit::forgive(cx.db, attempt).await?;
    if !user.is_active {
        return Err(AuthError::Deactivated);
    }
    cx.session.cycle_id().await?;
    cx.session.remove_value(PENDING_USER).await?;
    cx.session.remove_value(PENDING_SINCE).await?;
    cx.session.insert(USER_ID, user.id).await?;
    cx.session.insert(AUTHENTICATED_AT, now()).await?;
    cx.session.insert(LAST_SEEN, now()).await?;
    cx.session.insert(SESSION_KEY, new_session_key()).await?;
    users::record_login(cx.db, user.id, now()).await?;
    Ok(user)
}

fn new_session_key() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = zeroize::Zeroizing::new([0u8; wasm_crypto::session::SESSION_KEY_LEN]);
    rand::thread_rng().fill_bytes(bytes.as_mut());
    base64::engine::general_purpose::STANDARD.encode(bytes.as_ref())
}

/// The signed-in session's key (base64), made at login; a session from before keys existed
/// gets one now.
pub async fn session_key(session: &Session) -> Result<String, AuthError> {
    if let Some(key) = session.get::<String>(SESSION_KEY).await? {
        return Ok(key);
    }
    let key = new_session_key();
    session.insert(SESSION_KEY, &key).await?;
    Ok(key)
}

/// The signed-in, active user of this session. Activity keeps the session alive: at most once a
/// minute the session is touched, so it is saved with a new idle expiry (1 h from now); the
/// absolute limit of 12 h after login stays.
pub async fn current_user(db: &Db, session: &Session) -> Result<User, AuthError> {
    let user_id: Option<UserId> = session.get(USER_ID).await?;
    let at: Option<i64> = session.get(AUTHENTICATED_AT).await?;
    let (Some(user_id), Some(at)) = (user_id, at) else {
        return Err(AuthError::NotSignedIn);
    };
    if now() - at > ABSOLUTE_SESSION_SECS {
        session.flush().await?;
        return Err(AuthError::SessionExpired);
    }
    match users::by_id(db, user_id).await? {
        Some(user) if user.is_active => {
            let seen: Option<i64> = session.get(LAST_SEEN).await?;
            if seen.is_none_or(|at| now() - at >= TOUCH_EVERY_SECS) {
                session.insert(LAST_SEEN, now()).await?;
            }
            Ok(user)
        }
        Some(_) => {
            session.flush().await?;
            Err(AuthError::Deactivated)
        }
        None => {
            session.flush().await?;
            Err(AuthError::NotSignedIn)
        }
    }
}
