//! Browser delivery (DESIGN §5): the portal authorizes, reserves quota, presigns and records;
//! the browser moves the encrypted bytes straight to and from S3. `uploads` runs a file's
//! multipart upload from its start to its recorded version; `downloads` hands out ranged GETs.
//! Who may do what is `app::domain::data_access`'s decision, taken again at every step (a
//! project released mid-upload takes no more parts).

pub mod downloads;
pub mod reconcile;
pub mod uploads;

use crate::db::DbError;
use crate::projects::ProjectError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error("There is no such upload: it was completed or cancelled, or it is not yours to see.")]
    NoSuchUpload,
    #[error("{0}")]
    Invalid(String),
    /// The path is taken, an upload is already under way, or a part changed.
    #[error("{0}")]
    Conflict(String),
    /// The unit's quota does not allow it (the sentence says how much is left).
    #[error("{0}")]
    Quota(String),
    /// The object storage failed; the cause is in the log.
    #[error("{0}")]
    Storage(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for TransferError {
    fn from(err: sqlx::Error) -> Self {
        TransferError::Db(DbError::from(err))
    }
}

/// Logs the storage failure and answers with a sentence saying what failed.
fn storage_failed(doing: &'static str) -> impl Fn(StorageError) -> TransferError {
    move |err| {
        tracing::error!(error = %err, "object storage failed while {doing}");
        TransferError::Storage(format!(
            "The storage could not be reached while {doing}. Try again in a moment; if it keeps failing, tell the operators."
        ))
    }
}

/// A fresh random id (128 bits, hex): names an upload and its object.
fn random_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn from_base64(text: &str, what: &str) -> Result<Vec<u8>, TransferError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| TransferError::Invalid(format!("The {what} is not valid base64.")))
}
