//! One file's upload, from its start to its recorded version (DESIGN §5):
//! 1. `start`: the rules (role, status, an existing file, the quota with what other uploads
//!    already reserved) are checked and the upload row inserted in one transaction holding the
//!    project's and the unit's row locks, so two starts at once cannot both take the last bytes
//!    of the quota or the same path; then S3 creates the multipart upload.
//! 2. `part_urls`: presigned UploadPart URLs, each signed for its part's exact length, after
//!    the part's plaintext check is recorded (a resumed upload whose file changed is refused
//!    rather than encrypting new bytes under nonces already used).
//! 3. `complete`: S3 assembles the object, its size is checked against the expected
//!    ciphertext, and the version, sizes and usage are recorded with the row's removal.
//!
//! `abort` cancels; `pending` and `resume_state` tell a returning browser what S3 holds.

use app::domain::ids::ProjectId;
use std::collections::HashMap;
use std::time::Duration;

use app::api::transfers::{
    CompleteUpload, Conflicts, PartUrl, PartUrls, PartsToSend, PendingUpload, SentPart, StartUpload,
    UploadCompleted, UploadStarted,
};
use app::domain::data_access::{self, DataAction};
use app::domain::file_paths::FilePath;
use app::domain::projects::Capacity;
use app::domain::quota::QuotaCheck;
use wasm_crypto::{Header, Layout, PartPlan};

use super::{base64, from_base64, random_id, storage_failed, TransferError};
use crate::db::audit::{self, AuditEvent};
use crate::db::files::{self, NewVersion};
use crate::db::uploads::{self, NewUpload, RecordedPart, Upload};
use crate::db::users::User;
use crate::db::{self, Db, DbError};
use crate::projects::{self, ProjectError};
use crate::storage::bucket::BucketName;
use crate::storage::ObjectStore;

/// How long a presigned part URL stays valid; the browser asks again after.
pub const PART_URL_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Part URLs per request.
pub const MAX_URLS_PER_REQUEST: usize = 64;
/// Paths per conflict question.
pub const MAX_PATHS: usize = 10_000;
/// Bytes of a part check (HMAC-SHA256).
const CHECK_LEN: usize = 32;
/// Characters of an ETag (S3's are 34 or so, quoted).
const MAX_ETAG: usize = 200;
/// Bytes a sealed checksum may have (nonce, SHA-256, tag: 60).
const MAX_SEALED_CHECKSUM: usize = 128;

/// Where the object storage is and which origin may call it from a browser.
pub struct Storage<'a> {
    pub store: &'a ObjectStore,
    pub portal_origin: &'a str,
}

pub async fn start(
    db: &Db,
    storage: &Storage<'_>,
    user: &User,
    public_id: &str,
    body: &StartUpload,
    now: i64,
) -> Result<UploadStarted, TransferError> {
    let (project, capacity) = projects::visible(db, user, public_id).await?;
    let path = FilePath::parse(&body.path).map_err(|e| TransferError::Invalid(e.to_string()))?;
    let shape = Shape::check(body)?;
    let bucket = project_bucket(db, storage, project.id, &project.public_id).await?;
    let id = random_id();

    let mut tx = db.begin().await?;
    let locked = db::projects::lock(&mut tx, &project.public_id).await?.ok_or(ProjectError::NotFound)?;
    let status = db::projects::parse_status(&locked.status)?;
    let released = locked.released_at.is_some();
    data_access::may(capacity, DataAction::Upload, status, released).map_err(ProjectError::from)?;
    let exists = files::exists(&mut tx, project.id, path.as_str()).await?;
    if exists && !body.overwrite {
        return Err(TransferError::Conflict(format!(
            "'{path}' already exists in this project: choose to overwrite it with a new version, or skip it.",
            path = path.as_str()
        )));
    }
    if exists {
        data_access::may(capacity, DataAction::Overwrite, status, released).map_err(ProjectError::from)?;
    }
    let usage = db::units::lock_usage(&mut tx, locked.unit_id).await?;
    let reserved = uploads::reserved_in_unit(&mut tx, locked.unit_id).await?;
    let quota =
        QuotaCheck::new(usage.quota_bytes, usage.used_bytes.saturating_add(reserved), shape.stored_bytes);
    if !quota.allowed() {
        return Err(TransferError::Quota(quota.refusal()));
    }
    let new = NewUpload {
        public_id: &id,
        project_id: project.id,
        path: path.as_str(),
        object_key: &id,
        size_bytes: body.size_bytes,
        stored_bytes: shape.stored_bytes,
        segment_size: i64::from(body.segment_size),
        part_size: shape.plan.part_size() as i64,
        part_count: shape.plan.part_count() as i64,
        header: &shape.header,
        overwrite: exists,
        started_by: user.id,
        now,
    };
    let row_id = uploads::insert(&mut tx, &new).await.map_err(|err| match err {
        DbError::Duplicate(_) => TransferError::Conflict(format!(
            "An upload of '{}' is already under way: resume it, or cancel it first.",
            path.as_str()
        )),
        err => err.into(),
    })?;
    tx.commit().await?;

    match storage.store.create_multipart_upload(&bucket, &id).await {
        Ok(s3_upload_id) => uploads::set_s3_upload_id(db, row_id, &s3_upload_id).await?,
        Err(err) => {
            // Nothing was sent yet: the row goes, and with it the reservation.
            let mut tx = db.begin().await?;
            uploads::remove(&mut tx, row_id).await?;
            tx.commit().await?;
            return Err(storage_failed("starting the upload")(err));
        }
    }
    Ok(UploadStarted {
        id: id.clone(),
        path: path.as_str().to_string(),
        stored_bytes: shape.stored_bytes,
        part_size: new.part_size,
        part_count: new.part_count as u32,
        overwrite: exists,
    })
}

/// What a start asks for, checked: the header is a DDS header with the stated segment size,
/// and the file fits in 10,000 parts.
struct Shape {
    header: Vec<u8>,
    plan: PartPlan,
    stored_bytes: i64,
}

impl Shape {
    fn check(body: &StartUpload) -> Result<Shape, TransferError> {
        let invalid = |text: &str| TransferError::Invalid(text.to_string());
        if body.size_bytes < 0 {
            return Err(invalid("The file size cannot be negative."));
        }
        let header = from_base64(&body.header, "file header")?;
        let parsed =
            Header::parse(&header).map_err(|_| invalid("The file header is not a DDS file header."))?;
        if parsed.segment_size != body.segment_size {
            return Err(invalid("The file header and the request name different segment sizes."));
        }
        let layout = Layout::new(body.segment_size).map_err(|e| TransferError::Invalid(format!("{e}.")))?;
        let plan = PartPlan::new(layout, body.size_bytes as u64)
            .map_err(|e| TransferError::Invalid(format!("{e}.")))?;
        let stored_bytes = layout
            .ciphertext_len(body.size_bytes as u64)
            .map_err(|e| TransferError::Invalid(format!("{e}.")))?;
        Ok(Shape { header, plan, stored_bytes: stored_bytes as i64 })
    }
}

/// The project's bucket, made (with CORS for the portal) for a project that has none yet, such
/// as one seeded before buckets existed. Making it is idempotent and race-free.
async fn project_bucket(
    db: &Db,
    storage: &Storage<'_>,
    project_id: ProjectId,
    public_id: &str,
) -> Result<BucketName, TransferError> {
    let lifecycle = db::projects::lifecycle(db, public_id).await?.ok_or(ProjectError::NotFound)?;
    if let Some(name) = lifecycle.bucket {
        return BucketName::parse(&name).map_err(|e| TransferError::Db(DbError::Internal(e.to_string())));
    }
    let bucket =
        storage.store.bucket_for(public_id).map_err(storage_failed("preparing the project's storage"))?;
    storage.store.ensure_bucket(&bucket).await.map_err(storage_failed("preparing the project's storage"))?;
    storage
        .store
        .allow_portal_origin(&bucket, storage.portal_origin)
        .await
        .map_err(storage_failed("preparing the project's storage"))?;
    let mut tx = db.begin().await?;
    db::projects::set_bucket(&mut tx, project_id, bucket.as_str()).await?;
    tx.commit().await?;
    Ok(bucket)
}

/// The upload, if `user` is unit staff of its project (nobody else sees uploads).
async fn staff_upload(db: &Db, user: &User, upload_id: &str) -> Result<(Upload, Capacity), TransferError> {
    let upload = uploads::by_public_id(db, upload_id).await?.ok_or(TransferError::NoSuchUpload)?;
    let (_, capacity) = match projects::visible(db, user, &upload.project_public_id).await {
        Ok(found) => found,
        Err(ProjectError::NotFound) => return Err(TransferError::NoSuchUpload),
        Err(err) => return Err(err.into()),
    };
    if !matches!(capacity, Capacity::Staff(_)) {
        return Err(TransferError::NoSuchUpload);
    }
    Ok((upload, capacity))
}

/// The upload may still go on: the project's status allows it now.
async fn may_go_on(db: &Db, upload: &Upload, capacity: Capacity) -> Result<(), TransferError> {
    let (status, released) = db::projects::data_state(db, upload.project_id).await?;
    let action = if upload.overwrite != 0 { DataAction::Overwrite } else { DataAction::Upload };
    data_access::may(capacity, action, status, released).map_err(ProjectError::from)?;
    Ok(())
}

fn plan_of(upload: &Upload) -> Result<PartPlan, TransferError> {
    Layout::new(upload.segment_size as u32)
        .and_then(|layout| PartPlan::new(layout, upload.size_bytes as u64))
        .map_err(|e| {
            TransferError::Db(DbError::Internal(format!("upload {} has no part plan: {e}", upload.public_id)))
        })
}

fn bucket_of(upload: &Upload) -> Result<BucketName, TransferError> {
    let name = upload.bucket.as_deref().unwrap_or_default();
    BucketName::parse(name).map_err(|e| TransferError::Db(DbError::Internal(e.to_string())))
}

fn s3_id(upload: &Upload) -> Result<&str, TransferError> {
    upload.s3_upload_id.as_deref().ok_or_else(|| {
        TransferError::Conflict("This upload never reached the storage: cancel it and start it again.".into())
    })
}

pub async fn part_urls(
    db: &Db,
    store: &ObjectStore,
    user: &User,
    upload_id: &str,
    body: &PartsToSend,
    now: i64,
) -> Result<PartUrls, TransferError> {
    let (upload, capacity) = staff_upload(db, user, upload_id).await?;
    may_go_on(db, &upload, capacity).await?;
    if body.parts.len() > MAX_URLS_PER_REQUEST || body.sent.len() > MAX_URLS_PER_REQUEST {
        return Err(TransferError::Invalid(format!(
            "Ask for at most {MAX_URLS_PER_REQUEST} part URLs, and report at most {MAX_URLS_PER_REQUEST} sent parts, at a time."
        )));
    }
    if body.parts.is_empty() && body.sent.is_empty() {
        return Err(TransferError::Invalid("Ask for a part URL or report a sent part.".into()));
    }
    let plan = plan_of(&upload)?;
    let (bucket, s3_upload_id) = (bucket_of(&upload)?, s3_id(&upload)?.to_string());
    let mut tx = db.begin().await?;
    for part in &body.parts {
        if part.number == 0 || u64::from(part.number) > plan.part_count() {
            return Err(TransferError::Invalid(format!(
                "Part {} is not one of this upload's parts (1 to {}).",
                part.number,
                plan.part_count()
            )));
        }
        let check = from_base64(&part.check, "part check")?;
        if check.len() != CHECK_LEN {
            return Err(TransferError::Invalid(format!("A part check has {CHECK_LEN} bytes.")));
        }
        match uploads::part_check(&mut tx, upload.id, i64::from(part.number)).await? {
            Some(recorded) if recorded != check => {
                return Err(TransferError::Conflict(format!(
                    "Part {} of '{}' is not what was sent before: the file changed since its upload started. Cancel this upload and start it again.",
                    part.number, upload.path
                )));
            }
            Some(_) => {}
            None => uploads::insert_part_check(&mut tx, upload.id, i64::from(part.number), &check).await?,
        }
    }
    for part in &body.sent {
        let etag = part.etag.trim();
        if etag.is_empty() || etag.len() > MAX_ETAG {
            return Err(TransferError::Invalid(format!(
                "The ETag of part {} is missing or too long.",
                part.number
            )));
        }
        if !uploads::set_part_etag(&mut tx, upload.id, i64::from(part.number), etag).await? {
            return Err(TransferError::Invalid(format!(
                "Part {} was reported sent before its URL was asked for.",
                part.number
            )));
        }
    }
    uploads::touch(&mut tx, upload.id, now).await?;
    tx.commit().await?;

    let mut urls = Vec::with_capacity(body.parts.len());
    for part in &body.parts {
        let range = plan.part(part.number).map_err(|e| TransferError::Invalid(format!("{e}.")))?.ciphertext;
        let size_bytes = (range.end - range.start) as i64;
        let presigned = store
            .presign_upload_part(
                &bucket,
                &upload.object_key,
                &s3_upload_id,
                part.number as i32,
                size_bytes,
                PART_URL_LIFETIME,
            )
            .await
            .map_err(storage_failed("signing the part URLs"))?;
        urls.push(PartUrl { number: part.number, url: presigned.url, size_bytes });
    }
    Ok(PartUrls { urls, expires_in: PART_URL_LIFETIME.as_secs() })
}

pub async fn complete(
    db: &Db,
    store: &ObjectStore,
    user: &User,
    upload_id: &str,
    body: &CompleteUpload,
    now: i64,
) -> Result<UploadCompleted, TransferError> {
    let (upload, capacity) = match staff_upload(db, user, upload_id).await {
        Ok(found) => found,
        Err(TransferError::NoSuchUpload) => return completed_before(db, user, upload_id).await,
        Err(err) => return Err(err),
    };
    may_go_on(db, &upload, capacity).await?;
    let plan = plan_of(&upload)?;
    let mut parts = body.parts.clone();
    parts.sort_by_key(|part| part.number);
    let dense = parts.iter().enumerate().all(|(i, part)| part.number as usize == i + 1);
    if !dense || parts.len() as u64 != plan.part_count() {
        return Err(TransferError::Invalid(format!(
            "Name every part of '{}' once, 1 to {}, with its ETag.",
            upload.path,
            plan.part_count()
        )));
    }
    let sealed = from_base64(&body.sha256_sealed, "sealed checksum")?;
    if sealed.is_empty() || sealed.len() > MAX_SEALED_CHECKSUM {
        return Err(TransferError::Invalid("The sealed checksum has the wrong length.".into()));
    }
    let (bucket, s3_upload_id) = (bucket_of(&upload)?, s3_id(&upload)?.to_string());
    let etags: Vec<String> = parts.into_iter().map(|part| part.etag).collect();
    if let Err(err) =
        store.complete_multipart_upload(&bucket, &upload.object_key, &s3_upload_id, &etags).await
    {
        // A completion retried after its answer was lost finds the object already assembled.
        if store.object_size(&bucket, &upload.object_key).await.ok() != Some(upload.stored_bytes) {
            return Err(storage_failed("assembling the uploaded file")(err));
        }
    }
    let size = store
        .object_size(&bucket, &upload.object_key)
        .await
        .map_err(storage_failed("checking the uploaded file"))?;
    if size != upload.stored_bytes {
        discard(db, store, &bucket, &upload).await?;
        return Err(TransferError::Invalid(format!(
            "'{}' arrived with {size} bytes where {} were expected, so it was discarded. Upload it again.",
            upload.path, upload.stored_bytes
        )));
    }

    let path =
        FilePath::parse(&upload.path).map_err(|e| TransferError::Db(DbError::Internal(e.to_string())))?;
    let mut tx = db.begin().await?;
    // Under the project's lock: a release cannot slip in between the check and the record.
    let locked =
        db::projects::lock(&mut tx, &upload.project_public_id).await?.ok_or(ProjectError::NotFound)?;
    let status = db::projects::parse_status(&locked.status)?;
    let action = if upload.overwrite != 0 { DataAction::Overwrite } else { DataAction::Upload };
    if let Err(refusal) = data_access::may(capacity, action, status, locked.released_at.is_some()) {
        drop(tx);
        discard(db, store, &bucket, &upload).await?;
        return Err(ProjectError::from(refusal).into());
    }
    let recorded = files::record_version(
        &mut tx,
        NewVersion {
            project_id: upload.project_id,
            path: &path,
            object_key: &upload.object_key,
            size_bytes: upload.size_bytes,
            stored_bytes: upload.stored_bytes,
            sha256_sealed: Some(&sealed),
            uploaded_by: Some(user.id),
            now,
        },
    )
    .await?;
    uploads::remove(&mut tx, upload.id).await?;
    let target = format!("{}/{}", upload.project_public_id, upload.path);
    audit::record(
        &mut *tx,
        AuditEvent::new(Some(user.id), "file-uploaded", Some(&target)).on_project(upload.project_id),
    )
    .await?;
    tx.commit().await?;
    Ok(UploadCompleted { path: upload.path, size_bytes: upload.size_bytes, overwrote: recorded.overwrote })
}

/// A completion asked again after it was recorded answers as the first did.
async fn completed_before(db: &Db, user: &User, upload_id: &str) -> Result<UploadCompleted, TransferError> {
    let (project, path, size_bytes) =
        uploads::completed_version(db, upload_id).await?.ok_or(TransferError::NoSuchUpload)?;
    match projects::visible(db, user, &project).await {
        Ok((_, Capacity::Staff(_))) => Ok(UploadCompleted { path, size_bytes, overwrote: false }),
        Ok(_) | Err(ProjectError::NotFound) => Err(TransferError::NoSuchUpload),
        Err(err) => Err(err.into()),
    }
}

/// Removes the object and the row of an upload that cannot be recorded.
async fn discard(
    db: &Db,
    store: &ObjectStore,
    bucket: &BucketName,
    upload: &Upload,
) -> Result<(), TransferError> {
    store
        .remove_objects(bucket, std::slice::from_ref(&upload.object_key))
        .await
        .map_err(storage_failed("discarding the uploaded file"))?;
    let mut tx = db.begin().await?;
    uploads::remove(&mut tx, upload.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels the upload: S3 drops the parts, the row and its reservation go.
pub async fn abort(db: &Db, store: &ObjectStore, user: &User, upload_id: &str) -> Result<(), TransferError> {
    let (upload, _) = staff_upload(db, user, upload_id).await?;
    forget(db, store, &upload).await?;
    let target = format!("{}/{}", upload.project_public_id, upload.path);
    audit::record(
        db.pool(),
        AuditEvent::new(Some(user.id), "upload-cancelled", Some(&target)).on_project(upload.project_id),
    )
    .await?;
    Ok(())
}

/// Aborts the multipart upload (if S3 ever made it) and removes the row.
pub async fn forget(db: &Db, store: &ObjectStore, upload: &Upload) -> Result<(), TransferError> {
    if let Some(s3_upload_id) = upload.s3_upload_id.as_deref() {
        let bucket = bucket_of(upload)?;
        if let Err(err) = store.abort_multipart_upload(&bucket, &upload.object_key, s3_upload_id).await {
            // Gone already (an earlier abort, or completed): the parts are not held any more.
            if store.list_parts(&bucket, &upload.object_key, s3_upload_id).await.is_ok() {
                return Err(storage_failed("cancelling the upload")(err));
            }
        }
    }
    let mut tx = db.begin().await?;
    uploads::remove(&mut tx, upload.id).await?;
    tx.commit().await?;
    Ok(())
}

fn pending_view(upload: Upload, parts: Vec<SentPart>) -> PendingUpload {
    PendingUpload {
        upload: UploadStarted {
            id: upload.public_id,
            path: upload.path,
            stored_bytes: upload.stored_bytes,
            part_size: upload.part_size,
            part_count: upload.part_count as u32,
            overwrite: upload.overwrite != 0,
        },
        size_bytes: upload.size_bytes,
        segment_size: upload.segment_size as u32,
        header: base64(&upload.header),
        started_at: upload.started_at,
        started_by: upload.started_by,
        parts,
    }
}

/// The project's unfinished uploads (unit staff only).
pub async fn pending(db: &Db, user: &User, public_id: &str) -> Result<Vec<PendingUpload>, TransferError> {
    let (project, capacity) = projects::visible(db, user, public_id).await?;
    if !matches!(capacity, Capacity::Staff(_)) {
        return Err(ProjectError::Denied(
            "Only Unit Admins and Unit Personnel see uploads under way.".into(),
        )
        .into());
    }
    let found = uploads::of_project(db, project.id).await?;
    Ok(found.into_iter().map(|upload| pending_view(upload, Vec::new())).collect())
}

/// One unfinished upload with the parts S3 holds and their checks, for resuming it.
pub async fn resume_state(
    db: &Db,
    store: &ObjectStore,
    user: &User,
    upload_id: &str,
) -> Result<PendingUpload, TransferError> {
    let (upload, _) = staff_upload(db, user, upload_id).await?;
    let mut sent = Vec::new();
    if let Some(s3_upload_id) = upload.s3_upload_id.as_deref() {
        let bucket = bucket_of(&upload)?;
        let held = store
            .list_parts(&bucket, &upload.object_key, s3_upload_id)
            .await
            .map_err(storage_failed("listing the parts already sent"))?;
        let recorded: HashMap<i64, RecordedPart> = uploads::recorded_parts(db, upload.id)
            .await?
            .into_iter()
            .map(|part| (part.number, part))
            .collect();
        let plan = plan_of(&upload)?;
        for part in held {
            // Only parts asked for through the portal (their check recorded), whole, with an
            // ETag (listed by S3 or reported by the browser): any other is sent again.
            let Some(mine) = recorded.get(&i64::from(part.number)) else { continue };
            let Ok(planned) = plan.part(part.number as u32) else { continue };
            let whole = (planned.ciphertext.end - planned.ciphertext.start) as i64 == part.size;
            if let (true, Some(etag)) = (whole, part.etag.or_else(|| mine.etag.clone())) {
                sent.push(SentPart {
                    number: part.number as u32,
                    etag,
                    size_bytes: part.size,
                    check: base64(&mine.plaintext_mac),
                });
            }
        }
    }
    Ok(pending_view(upload, sent))
}

/// Which of `paths` hold a file or an upload under way, before a batch starts.
pub async fn conflicts(
    db: &Db,
    user: &User,
    public_id: &str,
    paths: &[String],
) -> Result<Conflicts, TransferError> {
    let (project, capacity) = projects::visible(db, user, public_id).await?;
    if paths.len() > MAX_PATHS {
        return Err(TransferError::Invalid(format!("Ask about at most {MAX_PATHS} paths at a time.")));
    }
    let (status, released) = db::projects::data_state(db, project.id).await?;
    data_access::may(capacity, DataAction::Upload, status, released).map_err(ProjectError::from)?;
    let existing = files::existing_paths(db, project.id, paths).await?;
    let pending = uploads::pending_at(db, project.id, paths).await?;
    Ok(Conflicts {
        existing,
        pending: pending.into_iter().map(|upload| pending_view(upload, Vec::new())).collect(),
        overwrite_allowed: data_access::may(capacity, DataAction::Overwrite, status, released).is_ok(),
    })
}

/// Aborts uploads with no sign of life since `before` (the idle-uploads job); how many went.
/// One whose storage cannot be reached now stays for the next run.
pub async fn abort_idle(db: &Db, store: &ObjectStore, before: i64) -> Result<u64, DbError> {
    let mut aborted = 0;
    for upload in uploads::idle(db, before, 1000).await? {
        match forget(db, store, &upload).await {
            Ok(()) => {
                aborted += 1;
                tracing::info!(upload = %upload.public_id, path = %upload.path, "idle upload aborted");
            }
            Err(TransferError::Db(err)) => return Err(err),
            Err(err) => {
                tracing::warn!(upload = %upload.public_id, error = %err, "idle upload not aborted yet")
            }
        }
    }
    Ok(aborted)
}
