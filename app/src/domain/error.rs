//! The one error type of server functions: a sentence for a person plus the request id that
//! finds the cause in the server log. Never a debug dump.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The server refused or failed; `message` is safe to show.
    #[error("{message}")]
    Server { message: String, request_id: Option<String> },
    /// The request did not get a usable answer (network, decoding).
    #[error("The portal could not be reached. Check your connection and try again.")]
    Transport,
}

impl AppError {
    pub fn server(message: impl Into<String>) -> Self {
        AppError::Server { message: message.into(), request_id: None }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::ServerError(message) => AppError::server(message),
            _ => AppError::Transport,
        }
    }
}
