//! The API's one error type, mapped once to an HTTP status and a sentence for a person. The
//! request id is added to the body by [`super::middleware::render_errors`], so the user can quote
//! it and an operator finds the cause in the log.

use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::auth::login::AuthError;
use crate::auth::password::PasswordError;
use crate::db::DbError;
use crate::mail::MailError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Gone(String),
    /// The request needs the user's confirmation first (409 with the warning to show).
    #[error("{0}")]
    Conflict(String),
    /// 429 with `Retry-After` (seconds until the limit admits the request again).
    #[error("{0}")]
    TooManyRequests(String, u64),
    #[error("{0}")]
    Unavailable(String),
    /// Overloaded for a moment: 503 with `Retry-After` (seconds).
    #[error("{0}")]
    Busy(String, u64),
    /// A failure whose cause is only for the log.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// The public sentence of an error response, picked up by the error-rendering middleware.
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::Busy(..) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Db(DbError::Rule(_)) => StatusCode::BAD_REQUEST,
            // The one place a unique violation becomes an answer.
            ApiError::Db(DbError::Duplicate(_)) => StatusCode::CONFLICT,
            ApiError::Internal(_) | ApiError::Db(_) | ApiError::Storage(_) | ApiError::Mail(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The sentence a server-rendered page shows for this error; an internal cause goes to the
    /// log (on the line of the page's request id), never to the page.
    pub fn sentence(&self) -> String {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "a page could not read its data");
        }
        self.public_message()
    }

    /// What the user reads: never an internal error's text.
    fn public_message(&self) -> String {
        match self {
            ApiError::BadRequest(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Gone(m)
            | ApiError::Conflict(m)
            | ApiError::TooManyRequests(m, _)
            | ApiError::Unavailable(m)
            | ApiError::Busy(m, _) => m.clone(),
            ApiError::Db(DbError::Rule(m)) => m.clone(),
            // Two requests raced for the same name, address or row (or it was taken before);
            // the database kept one.
            ApiError::Db(DbError::Duplicate(what)) => what.to_string(),
            ApiError::Internal(_) => "An unexpected error occurred. Please try again.".into(),
            ApiError::Db(_) => "The system encountered an error in the database.".into(),
            ApiError::Storage(_) => "The storage service could not complete the request.".into(),
            ApiError::Mail(_) => "The message could not be sent right now. Please try again.".into(),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        let message = err.to_string();
        match err {
            AuthError::InvalidCredentials | AuthError::NotSignedIn | AuthError::SessionExpired => {
                ApiError::Unauthorized(message)
            }
            AuthError::Deactivated => ApiError::Forbidden(message),
            AuthError::TooManyAttempts(refused) => {
                ApiError::TooManyRequests(message, refused.retry_after_secs.max(1) as u64)
            }
            AuthError::NoPendingLogin
            | AuthError::Code(_)
            | AuthError::MalformedKey
            | AuthError::WrongPassword
            | AuthError::InvalidUsername(_) => ApiError::BadRequest(message),
            AuthError::MailUnavailable | AuthError::Maintenance => ApiError::Unavailable(message),
            AuthError::Busy(_) => ApiError::Busy(message, crate::auth::hash_slots::RETRY_AFTER_SECS),
            AuthError::Db(db) => ApiError::Db(db),
            AuthError::Session(_) => ApiError::Internal(message),
        }
    }
}

impl From<PasswordError> for ApiError {
    fn from(err: PasswordError) -> Self {
        match err {
            PasswordError::WrongCurrentPassword => ApiError::BadRequest(err.to_string()),
            PasswordError::Invalid(message) => ApiError::BadRequest(message),
            PasswordError::Busy(busy) => {
                ApiError::Busy(busy.to_string(), crate::auth::hash_slots::RETRY_AFTER_SECS)
            }
            PasswordError::Db(db) => ApiError::Db(db),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::info!(error = %self, status = status.as_u16(), "request refused");
        }
        let mut response = status.into_response();
        if let ApiError::Busy(_, secs) | ApiError::TooManyRequests(_, secs) = &self {
            response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from(*secs));
        }
        response.extensions_mut().insert(ErrorMessage(self.public_message()));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause() {
        let err = ApiError::Storage(StorageError::Request("secret-host:9000 refused".into()));
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!err.public_message().contains("secret-host"));
    }

    #[test]
    fn unique_violations_are_conflicts_with_their_sentence() {
        let err = ApiError::Db(DbError::Duplicate(crate::db::Duplicate::InviteEmail));
        assert_eq!(err.status(), StatusCode::CONFLICT);
        assert_eq!(err.public_message(), "An invitation has already been sent to this email address.");
    }

    #[test]
    fn database_internals_are_server_errors_without_their_text() {
        let err = ApiError::Db(DbError::Internal("unknown role 'Wizard' in the database".into()));
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!err.public_message().contains("Wizard"));
    }

    #[test]
    fn rule_violations_are_bad_requests_with_their_sentence() {
        let err = ApiError::Db(DbError::Rule("No MOTD specified.".into()));
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert_eq!(err.public_message(), "No MOTD specified.");
    }
}
