//! `/projects/{public_id}/files`: one folder level, paged by cursor; search by name; deletion.

use serde::{Deserialize, Serialize};

pub const PROJECT_FILES: &str = "/projects/{public_id}/files";
pub const PROJECT_FILE_SEARCH: &str = "/projects/{public_id}/files/search";

/// Query of a listing: the folder ('' or absent for the root), where the page starts (the
/// `next` of the previous page) and how many entries (at most 1,000; 200 by default).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListQuery {
    #[serde(default)]
    pub path: String,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileEntry {
    pub is_folder: bool,
    pub name: String,
    pub path: String,
    pub size_bytes: i64,
    /// Files below a folder; 1 for a file.
    pub file_count: i64,
    pub updated_at: Option<i64>,
    /// A file's uploads so far, the current one included (its version number); 0 for a folder.
    pub versions: i64,
}

/// One page of a folder level: sub-folders first, then files, each by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FolderPage {
    pub path: String,
    pub entries: Vec<FileEntry>,
    /// Pass as `after` for the next page; absent on the last one.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchQuery {
    pub q: String,
    pub limit: Option<i64>,
}

/// `DELETE`: files or whole folders, by path.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletePaths {
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deleted {
    pub files: i64,
    pub bytes: i64,
    /// Paths that named no file or folder.
    pub not_found: Vec<String>,
}
