//! A project's files as its members see them: one folder level, search, deletion. Who may do
//! what is `app::domain::data_access`'s decision; the rows are `db::files`'.

use app::api::files::{DeletePaths, Deleted, FileEntry, FolderPage, ListQuery, SearchQuery};
use app::domain::data_access::{self, DataAction, DataRefusal};
use app::domain::file_paths::parse_folder;
use app::domain::projects::Capacity;

use super::{visible, Project, ProjectError};
use crate::db::audit::{self, AuditEvent};
use crate::db::files::{self, Cursor};
use crate::db::users::User;
use crate::db::{self, Db};
use crate::jobs::tasks;

/// Entries per page unless the caller asks for fewer or more (at most 1,000).
pub const PAGE: i64 = 200;

impl From<DataRefusal> for ProjectError {
    fn from(refusal: DataRefusal) -> Self {
        match refusal {
            DataRefusal::NotFound => ProjectError::NotFound,
            DataRefusal::Denied(denied) => ProjectError::Denied(denied.0.to_string()),
        }
    }
}

/// The project, once `action` is allowed to `user` on it now.
pub async fn allowed(
    db: &Db,
    user: &User,
    public_id: &str,
    action: DataAction,
) -> Result<(Project, Capacity), ProjectError> {
    let (project, capacity) = visible(db, user, public_id).await?;
    let (status, released) = db::projects::data_state(db, project.id).await?;
    data_access::may(capacity, action, status, released)?;
    Ok((project, capacity))
}

pub async fn list(
    db: &Db,
    user: &User,
    public_id: &str,
    query: &ListQuery,
) -> Result<FolderPage, ProjectError> {
    let (project, _) = allowed(db, user, public_id, DataAction::List).await?;
    let folder = parse_folder(&query.path).map_err(|e| ProjectError::Invalid(e.to_string()))?;
    let after = match query.after.as_deref() {
        Some(token) => Some(
            Cursor::decode(token)
                .ok_or_else(|| ProjectError::Invalid("The page token is not valid.".into()))?,
        ),
        None => None,
    };
    let page =
        files::list_level(db, project.id, &folder, after.as_ref(), query.limit.unwrap_or(PAGE)).await?;
    if page.entries.is_empty() && after.is_none() && !files::folder_exists(db, project.id, &folder).await? {
        return Err(ProjectError::Invalid(format!("There is no folder '{folder}' in this project.")));
    }
    Ok(FolderPage { path: folder, entries: page.entries, next: page.next.map(|cursor| cursor.encode()) })
}

pub async fn search(
    db: &Db,
    user: &User,
    public_id: &str,
    query: &SearchQuery,
) -> Result<Vec<FileEntry>, ProjectError> {
    let (project, _) = allowed(db, user, public_id, DataAction::List).await?;
    let text = query.q.trim();
    if text.is_empty() {
        return Err(ProjectError::Invalid("Type part of a file name to search for.".into()));
    }
    let found = files::search(db, project.id, text, query.limit.unwrap_or(PAGE)).await?;
    Ok(found)
}

/// Deletes files and folders (DDS: unit staff, In Progress and never released). The rows go now,
/// in one transaction with every size; the objects go by a durable task.
pub async fn delete(
    db: &Db,
    user: &User,
    public_id: &str,
    body: &DeletePaths,
    now: i64,
) -> Result<Deleted, ProjectError> {
    let (project, capacity) = visible(db, user, public_id).await?;
    if body.paths.is_empty() {
        return Err(ProjectError::Invalid("Name at least one file or folder to delete.".into()));
    }
    let mut tx = db.begin().await?;
    // The project's row lock: a status change (a release) cannot slip in between the check and
    // the deletion.
    let locked = db::projects::lock(&mut tx, &project.public_id).await?.ok_or(ProjectError::NotFound)?;
    let status = db::projects::parse_status(&locked.status)?;
    data_access::may(capacity, DataAction::Delete, status, locked.released_at.is_some())?;
    let bucket = locked.bucket;
    let mut deleted = Deleted { files: 0, bytes: 0, not_found: Vec::new() };
    for raw in &body.paths {
        let path = parse_folder(raw).map_err(|e| ProjectError::Invalid(e.to_string()))?;
        if path.is_empty() {
            return Err(ProjectError::Invalid(
                "Name the files or folders to delete, not the whole project.".into(),
            ));
        }
        let removed = files::delete_path(&mut tx, project.id, &path, now).await?;
        if removed.files == 0 {
            deleted.not_found.push(path);
        }
        deleted.files += removed.files;
        deleted.bytes += removed.bytes;
    }
    if deleted.files > 0 {
        tasks::enqueue_deleted_objects(&mut tx, project.id, bucket.as_deref(), now).await?;
        let detail = format!("{public_id}: {} files", deleted.files);
        audit::record(
            &mut *tx,
            AuditEvent::new(Some(user.id), "files-deleted", Some(&detail)).on_project(project.id),
        )
        .await?;
    }
    tx.commit().await?;
    if deleted.files > 0 {
        tasks::wake();
    }
    Ok(deleted)
}
