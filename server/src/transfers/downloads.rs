//! What a download fetches: the files under the asked paths, each with a presigned GET its
//! browser reads by range (DESIGN §5.6). The portal signs; the bytes go from S3 to the browser,
//! which decrypts and checks them.

use std::time::Duration;

use app::api::transfers::{DownloadFile, DownloadPlan, DownloadQuery};
use app::domain::data_access::DataAction;
use app::domain::file_paths::parse_folder;

use super::{base64, storage_failed, TransferError};
use crate::db::audit::{self, AuditEvent};
use crate::db::files;
use crate::db::users::User;
use crate::db::{Db, DbError};
use crate::projects::files::allowed;
use crate::storage::bucket::BucketName;
use crate::storage::ObjectStore;

/// A download URL stays valid this long (the browser asks again for the rest of a long one).
pub const GET_URL_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Files per page of a plan.
pub const PAGE: i64 = 1000;

pub async fn plan(
    db: &Db,
    store: &ObjectStore,
    user: &User,
    public_id: &str,
    query: &DownloadQuery,
) -> Result<DownloadPlan, TransferError> {
    let (project, _) = allowed(db, user, public_id, DataAction::Download).await?;
    let path = parse_folder(&query.path).map_err(|e| TransferError::Invalid(e.to_string()))?;
    let limit = query.limit.unwrap_or(PAGE).clamp(1, PAGE);
    let found = files::stored_under(db, project.id, &path, query.after.as_deref(), limit + 1).await?;
    if found.is_empty() && query.after.is_none() {
        return Err(TransferError::Invalid(if path.is_empty() {
            "This project holds no files yet.".to_string()
        } else {
            format!("There is no file or folder '{path}' in this project.")
        }));
    }
    let more = found.len() as i64 > limit;
    let bucket = match crate::db::projects::lifecycle(db, public_id).await?.and_then(|p| p.bucket) {
        Some(name) => {
            BucketName::parse(&name).map_err(|e| TransferError::Db(DbError::Internal(e.to_string())))?
        }
        None => return Err(TransferError::Invalid("This project holds no files yet.".into())),
    };
    let mut files = Vec::with_capacity(found.len());
    for file in found.into_iter().take(limit as usize) {
        let presigned = store
            .presign_get(&bucket, &file.object_key, GET_URL_LIFETIME)
            .await
            .map_err(storage_failed("signing the download URLs"))?;
        files.push(DownloadFile {
            path: file.path,
            size_bytes: file.size_bytes,
            stored_bytes: file.stored_bytes,
            sha256_sealed: file.sha256_sealed.as_deref().map(base64),
            url: presigned.url,
        });
    }
    let next = if more { files.last().map(|file| file.path.clone()) } else { None };
    if query.after.is_none() {
        // One event per download asked (its first page), naming what was asked.
        let target = format!("{public_id}/{path}");
        audit::record(
            db.pool(),
            AuditEvent::new(Some(user.id), "files-downloaded", Some(&target)).on_project(project.id),
        )
        .await?;
    }
    Ok(DownloadPlan { files, next, expires_in: GET_URL_LIFETIME.as_secs() })
}
