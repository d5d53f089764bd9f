//! The body of every error answer of the API. The server writes it once (its error-rendering
//! middleware); the browser client decodes it into `client::api::ApiError`, so pages branch on
//! the status, never on the sentence.

use serde::{Deserialize, Serialize};

/// `{"status", "error", "request_id"}`: the HTTP status again (for readers that only see the
/// body), a sentence for a person, and the id an operator finds in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub status: u16,
    pub error: String,
    pub request_id: String,
}
