//! Browser delivery (DESIGN §5): uploads straight to S3 through presigned multipart part URLs,
//! downloads through presigned ranged GETs. The portal authorizes, reserves quota, signs and
//! records; file bytes never pass through it. Binary values travel as standard base64.

use serde::{Deserialize, Serialize};

/// `POST` [`StartUpload`] → 201 [`UploadStarted`]; `GET` → the project's unfinished uploads,
/// `Vec<PendingUpload>` (their parts not listed).
pub const PROJECT_UPLOADS: &str = "/projects/{public_id}/uploads";
/// `POST` [`PathsQuery`] → [`Conflicts`]: which of these paths already hold a file or an
/// unfinished upload (asked before a batch starts, so the user decides once).
pub const PROJECT_UPLOAD_CONFLICTS: &str = "/projects/{public_id}/uploads/conflicts";
/// `GET` → [`PendingUpload`] with the parts S3 holds (for resuming); `DELETE` → 204: cancels it
/// (the multipart upload is aborted and the quota it reserved is freed).
pub const UPLOAD: &str = "/uploads/{upload_id}";
/// `POST` [`PartsToSend`] → [`PartUrls`]: presigned UploadPart URLs, each signed for its part's
/// exact length; asked again when they expire.
pub const UPLOAD_PART_URLS: &str = "/uploads/{upload_id}/urls";
/// `POST` [`CompleteUpload`] → [`UploadCompleted`]: the object is assembled, its size checked
/// against the expected ciphertext, and the file version recorded. Idempotent.
pub const UPLOAD_COMPLETE: &str = "/uploads/{upload_id}/complete";
/// `GET` [`DownloadQuery`] → [`DownloadPlan`]: the file at `path`, or every file below the
/// folder `path` ('' for the whole project), by path, a page at a time, each with a presigned
/// GET URL.
pub const PROJECT_DOWNLOADS: &str = "/projects/{public_id}/downloads";

/// Start one file's upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartUpload {
    /// Where the file goes in the project ("run1/sample1/reads.fastq").
    pub path: String,
    /// Plaintext size in bytes.
    pub size_bytes: i64,
    /// Plaintext bytes per encrypted segment (DESIGN §4); the header says the same.
    pub segment_size: u32,
    /// The file header (base64): it seals the file key to the project's public key. Kept with
    /// the upload so an interrupted one can resume with the same key.
    pub header: String,
    /// Replace an existing file with a new version (refused where DDS forbids it).
    #[serde(default)]
    pub overwrite: bool,
}

/// Where an upload stands, as its uploader needs it to send (or resume) the parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadStarted {
    pub id: String,
    pub path: String,
    /// Ciphertext size: the header and every encrypted segment.
    pub stored_bytes: i64,
    /// Ciphertext bytes per part (the first part also holds the header; the last may be shorter).
    pub part_size: i64,
    pub part_count: u32,
    /// Whether an existing file gets a new version.
    pub overwrite: bool,
}

/// An unfinished upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingUpload {
    pub upload: UploadStarted,
    pub size_bytes: i64,
    pub segment_size: u32,
    /// base64 of the file header given at the start.
    pub header: String,
    pub started_at: i64,
    pub started_by: Option<String>,
    /// Parts already in S3 with the check recorded when their URL was asked (empty in lists).
    pub parts: Vec<SentPart>,
}

/// A part S3 holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentPart {
    pub number: u32,
    pub etag: String,
    pub size_bytes: i64,
    /// base64 of the part's plaintext check (see [`PartToSend::check`]).
    pub check: String,
}

/// Parts about to be sent, and the ETags of parts sent since the last request (kept for a
/// resume: not every S3 endpoint lists them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartsToSend {
    pub parts: Vec<PartToSend>,
    #[serde(default)]
    pub sent: Vec<CompletedPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartToSend {
    /// 1-based.
    pub number: u32,
    /// base64 of 32 bytes: an HMAC-SHA256, under a key derived from the file key, of the
    /// SHA-256 of the file's plaintext up to the part's end (the portal learns nothing from it).
    /// A resumed upload continues only where the file still gives the same checks, so one nonce
    /// never covers two plaintexts.
    pub check: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartUrls {
    pub urls: Vec<PartUrl>,
    /// Seconds the URLs stay valid.
    pub expires_in: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartUrl {
    pub number: u32,
    /// `PUT` the part's bytes here (exactly `size_bytes` of them; keep the answer's ETag).
    pub url: String,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteUpload {
    /// Every part, 1..=part_count, with the ETag S3 answered.
    pub parts: Vec<CompletedPart>,
    /// base64 of the plaintext SHA-256 encrypted under the file key (DESIGN §4).
    pub sha256_sealed: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompletedPart {
    pub number: u32,
    pub etag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadCompleted {
    pub path: String,
    pub size_bytes: i64,
    /// Whether an earlier version was replaced.
    pub overwrote: bool,
}

/// Paths in a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PathsQuery {
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflicts {
    /// Paths that hold a file now.
    pub existing: Vec<String>,
    /// Paths with an unfinished upload (resume or cancel it first).
    pub pending: Vec<PendingUpload>,
    /// Whether the project's status allows replacing an existing file.
    pub overwrite_allowed: bool,
}

/// Query of a download plan: a file or folder ('' or absent: the whole project), where the page
/// starts (the `next` of the previous one) and how many files (at most 1,000).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DownloadQuery {
    #[serde(default)]
    pub path: String,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

/// What a download fetches: each file with its URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DownloadPlan {
    pub files: Vec<DownloadFile>,
    /// Pass as `after` for the next page; absent on the last one.
    pub next: Option<String>,
    /// Seconds the URLs stay valid (ask again for fresh ones).
    pub expires_in: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DownloadFile {
    pub path: String,
    /// Plaintext size.
    pub size_bytes: i64,
    /// Object size: the header and every encrypted segment.
    pub stored_bytes: i64,
    /// base64 of the SHA-256 sealed under the file key (absent for versions recorded without).
    pub sha256_sealed: Option<String>,
    /// Presigned `GET` of the object (ranged reads are allowed).
    pub url: String,
}
