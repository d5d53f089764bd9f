//! Files, their versions and their folders (the projects issue's model; the delivery work
//! writes them). A file row per path, a version row per upload; folders are rows keyed by path
//! with the sizes and counts of everything below them, so listing one level is one indexed
//! query and nothing is summed at read time. Every change updates the folders, the project and
//! the unit in the same transaction as the rows.

use app::domain::file_paths::{split_folder, FilePath};
use app::domain::ids::{ProjectId, UserId};
use app::domain::search::like_literal;
use sqlx::{Any, Transaction};

use super::{Db, DbError};

/// A completed upload to record (sizes in bytes; `stored` is the ciphertext size).
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    pub project_id: ProjectId,
    pub path: &'a FilePath,
    pub object_key: &'a str,
    pub size_bytes: i64,
    pub stored_bytes: i64,
    pub sha256_sealed: Option<&'a [u8]>,
    pub uploaded_by: Option<UserId>,
    pub now: i64,
}

/// What recording a version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub file_id: i64,
    pub version_id: i64,
    /// The path held a file before: this upload is a new version of it.
    pub overwrote: bool,
}

/// Size and count changes to carry up the folders, to the project and the unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Delta {
    size: i64,
    stored: i64,
    files: i64,
}

/// Records a completed upload: a new file, or a new version of the file at that path (the old
/// version is closed, its object kept until the project ends).
pub async fn record_version(tx: &mut Transaction<'_, Any>, new: NewVersion<'_>) -> Result<Recorded, DbError> {
    let existing: Option<(i64, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, size_bytes, stored_bytes, version_id FROM files WHERE project_id = $1 AND path = $2",
    )
    .bind(new.project_id)
    .bind(new.path.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let file_id = match existing {
        Some((id, ..)) => id,
        None => {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO files (project_id, path, folder_path, name, size_bytes, stored_bytes, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(new.project_id)
            .bind(new.path.as_str())
            .bind(new.path.folder())
            .bind(new.path.name())
            .bind(new.size_bytes)
            .bind(new.stored_bytes)
            .bind(new.now)
            .fetch_one(&mut **tx)
            .await?;
            id
        }
    };
    let (version_id,): (i64,) = sqlx::query_as(
        "INSERT INTO file_versions (project_id, file_id, path, object_key, size_bytes, stored_bytes, sha256_sealed, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(new.project_id)
    .bind(file_id)
    .bind(new.path.as_str())
    .bind(new.object_key)
    .bind(new.size_bytes)
    .bind(new.stored_bytes)
    .bind(new.sha256_sealed.map(<[u8]>::to_vec))
    .bind(new.uploaded_by)
    .bind(new.now)
    .fetch_one(&mut **tx)
    .await?;
    let delta = match existing {
        Some((_, old_size, old_stored, old_version)) => {
            if let Some(old_version) = old_version {
                sqlx::query("UPDATE file_versions SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
                    .bind(new.now)
                    .bind(old_version)
                    .execute(&mut **tx)
                    .await?;
            }
            Delta { size: new.size_bytes - old_size, stored: new.stored_bytes - old_stored, files: 0 }
        }
        None => Delta { size: new.size_bytes, stored: new.stored_bytes, files: 1 },
    };
    sqlx::query(
        "UPDATE files SET version_id = $1, size_bytes = $2, stored_bytes = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(version_id)
    .bind(new.size_bytes)
    .bind(new.stored_bytes)
    .bind(new.now)
    .bind(file_id)
    .execute(&mut **tx)
    .await?;
    carry(tx, new.project_id, new.path.ancestors(), delta, new.now).await?;
    // What the unit dashboard sorts and shows as the project's last delivery.
    sqlx::query("UPDATE projects SET last_delivery_at = $1 WHERE id = $2")
        .bind(new.now)
        .bind(new.project_id)
        .execute(&mut **tx)
        .await?;
    // Everything ever uploaded into the unit (the statistics' "data delivered").
    sqlx::query("UPDATE units SET uploaded_bytes = uploaded_bytes + $1 WHERE id = (SELECT unit_id FROM projects WHERE id = $2)")
        .bind(new.stored_bytes)
        .bind(new.project_id)
        .execute(&mut **tx)
        .await?;
    Ok(Recorded { file_id, version_id, overwrote: existing.is_some() })
}

/// Adds `delta` to each folder (created as needed), the project and its unit.
async fn carry<'p>(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    folders: impl Iterator<Item = &'p str>,
    delta: Delta,
    now: i64,
) -> Result<(), DbError> {
    for folder in folders {
        carry_to_folder(tx, project_id, folder, delta).await?;
    }
    carry_to_project(tx, project_id, delta, now).await
}

/// Adds `delta` to one folder, created as needed.
async fn carry_to_folder(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    folder: &str,
    delta: Delta,
) -> Result<(), DbError> {
    let (parent, name) = split_folder(folder);
    sqlx::query(
        "INSERT INTO folders (project_id, path, parent_path, name, size_bytes, file_count) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (project_id, path) DO UPDATE SET size_bytes = folders.size_bytes + excluded.size_bytes, \
         file_count = folders.file_count + excluded.file_count",
    )
    .bind(project_id)
    .bind(folder)
    .bind(parent)
    .bind(name)
    .bind(delta.size)
    .bind(delta.files)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds `delta` to the project and its unit.
async fn carry_to_project(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    delta: Delta,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE projects SET size_bytes = size_bytes + $1, stored_bytes = stored_bytes + $2, \
         file_count = file_count + $3, updated_at = $4 WHERE id = $5",
    )
    .bind(delta.size)
    .bind(delta.stored)
    .bind(delta.files)
    .bind(now)
    .bind(project_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE units SET used_bytes = used_bytes + $1 WHERE id = (SELECT unit_id FROM projects WHERE id = $2)")
        .bind(delta.stored)
        .bind(project_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl std::ops::AddAssign for Delta {
    fn add_assign(&mut self, other: Delta) {
        self.size += other.size;
        self.stored += other.stored;
        self.files += other.files;
    }
}

/// The changes of many files grouped: per folder (each file's change goes to every folder above
/// it) and in total, so each folder, the project and the unit are updated once.
fn grouped<'a>(
    changes: impl IntoIterator<Item = (&'a FilePath, Delta)>,
) -> (std::collections::BTreeMap<&'a str, Delta>, Delta) {
    let mut folders = std::collections::BTreeMap::<&str, Delta>::new();
    let mut total = Delta::default();
    for (path, delta) in changes {
        for folder in path.ancestors() {
            *folders.entry(folder).or_default() += delta;
        }
        total += delta;
    }
    (folders, total)
}

/// One entry of a folder listing: a sub-folder (with what is below it) or a file.
pub use app::api::files::FileEntry as Entry;

#[derive(sqlx::FromRow)]
struct EntryRow {
    name: String,
    path: String,
    size_bytes: i64,
    file_count: i64,
    updated_at: Option<i64>,
    versions: i64,
}

impl EntryRow {
    fn into_entry(self, is_folder: bool) -> Entry {
        let EntryRow { name, path, size_bytes, file_count, updated_at, versions } = self;
        Entry { is_folder, name, path, size_bytes, file_count, updated_at, versions }
    }
}

const FOLDER_COLUMNS: &str =
    "name, path, size_bytes, file_count, CAST(NULL AS BIGINT) AS updated_at, CAST(0 AS BIGINT) AS versions";
// The version count reads the `file_versions_file` index: one short range per listed file.
const FILE_COLUMNS: &str = "name, path, size_bytes, CAST(1 AS BIGINT) AS file_count, updated_at, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM file_versions v WHERE v.file_id = files.id) AS versions";

/// Where a listing page starts: after this entry (folders come before files, each by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub is_folder: bool,
    pub name: String,
}

impl Cursor {
    /// An opaque token for the next page ("d:" or "f:" and the name).
    pub fn encode(&self) -> String {
        format!("{}:{}", if self.is_folder { 'd' } else { 'f' }, self.name)
    }

    pub fn decode(token: &str) -> Option<Cursor> {
        let (kind, name) = token.split_once(':')?;
        let is_folder = match kind {
            "d" => true,
            "f" => false,
            _ => return None,
        };
        Some(Cursor { is_folder, name: name.to_string() })
    }
}

/// One page of a folder level, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub entries: Vec<Entry>,
    pub next: Option<Cursor>,
}

/// One level of `folder` ('' for the root): sub-folders then files, by name, `limit` at most,
/// after `after`. Two indexed range reads, whatever the size of the project.
pub async fn list_level(
    db: &Db,
    project_id: ProjectId,
    folder: &str,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<Page, DbError> {
    let limit = limit.clamp(1, 1000);
    let mut entries: Vec<Entry> = Vec::new();
    let in_files = after.is_some_and(|cursor| !cursor.is_folder);
    if !in_files {
        let from = after.map(|cursor| cursor.name.as_str()).unwrap_or("");
        let sql = format!(
            "SELECT {FOLDER_COLUMNS} FROM folders WHERE project_id = $1 AND parent_path = $2 AND name > $3 \
             ORDER BY name LIMIT $4"
        );
        let rows: Vec<EntryRow> = sqlx::query_as(&sql)
            .bind(project_id)
            .bind(folder)
            .bind(from)
            .bind(limit + 1)
            .fetch_all(db.pool())
            .await?;
        entries = rows.into_iter().map(|row| row.into_entry(true)).collect();
    }
    if (entries.len() as i64) <= limit {
        let from = after.filter(|cursor| !cursor.is_folder).map(|cursor| cursor.name.as_str()).unwrap_or("");
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM files WHERE project_id = $1 AND folder_path = $2 AND name > $3 \
             ORDER BY name LIMIT $4"
        );
        let files: Vec<EntryRow> = sqlx::query_as(&sql)
            .bind(project_id)
            .bind(folder)
            .bind(from)
            .bind(limit + 1 - entries.len() as i64)
            .fetch_all(db.pool())
            .await?;
        entries.extend(files.into_iter().map(|row| row.into_entry(false)));
    }
    let next = if entries.len() as i64 > limit {
        entries.truncate(limit as usize);
        entries.last().map(|last| Cursor { is_folder: last.is_folder, name: last.name.clone() })
    } else {
        None
    };
    Ok(Page { entries, next })
}

/// Whether a folder exists in a project ('' always does).
pub async fn folder_exists(db: &Db, project_id: ProjectId, folder: &str) -> Result<bool, DbError> {
    if folder.is_empty() {
        return Ok(true);
    }
    let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM folders WHERE project_id = $1 AND path = $2")
        .bind(project_id)
        .bind(folder)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}

/// Files whose name contains `text` (case-insensitive for ASCII), by path, `limit` at most.
pub async fn search(db: &Db, project_id: ProjectId, text: &str, limit: i64) -> Result<Vec<Entry>, DbError> {
    let escaped = like_literal(text);
    let sql = format!(
        "SELECT {FILE_COLUMNS} FROM files WHERE project_id = $1 AND LOWER(name) LIKE LOWER($2) ESCAPE '\\' \
         ORDER BY path LIMIT $3"
    );
    let rows: Vec<EntryRow> = sqlx::query_as(&sql)
        .bind(project_id)
        .bind(format!("%{escaped}%"))
        .bind(limit.clamp(1, 1000))
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(|row| row.into_entry(false)).collect())
}

/// What a deletion removed: files, and versions whose objects the durable task removes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    pub files: i64,
    pub bytes: i64,
}

/// Deletes the file at `path`, or every file below the folder `path`. Versions are closed
/// (`deleted_at`); the folders, the project and the unit shrink in the same transaction, each
/// once whatever the number of files; empty folders go. `tx` holds the project's row lock
/// (`projects::lock`), so the files cannot change between these statements: an upload's
/// transaction updates the project row before it commits, and so waits.
pub async fn delete_path(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    path: &str,
    now: i64,
) -> Result<Removed, DbError> {
    let below = format!("{}/%", like_literal(path));
    let doomed: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT path, size_bytes, stored_bytes FROM files WHERE project_id = $1 AND (path = $2 OR path LIKE $3 ESCAPE '\\')",
    )
    .bind(project_id)
    .bind(path)
    .bind(&below)
    .fetch_all(&mut **tx)
    .await?;
    let mut removed = Removed::default();
    if !doomed.is_empty() {
        let mut changes = Vec::with_capacity(doomed.len());
        for (file_path, size, stored) in doomed {
            let file_path = FilePath::parse(&file_path).map_err(|e| DbError::Internal(e.to_string()))?;
            changes.push((file_path, Delta { size: -size, stored: -stored, files: -1 }));
            removed.files += 1;
            removed.bytes += size;
        }
        sqlx::query(
            "UPDATE file_versions SET deleted_at = $1 WHERE deleted_at IS NULL AND file_id IN \
             (SELECT id FROM files WHERE project_id = $2 AND (path = $3 OR path LIKE $4 ESCAPE '\\'))",
        )
        .bind(now)
        .bind(project_id)
        .bind(path)
        .bind(&below)
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM files WHERE project_id = $1 AND (path = $2 OR path LIKE $3 ESCAPE '\\')")
            .bind(project_id)
            .bind(path)
            .bind(&below)
            .execute(&mut **tx)
            .await?;
        let (folders, total) = grouped(changes.iter().map(|(path, delta)| (path, *delta)));
        for (folder, delta) in folders {
            carry_to_folder(tx, project_id, folder, delta).await?;
        }
        carry_to_project(tx, project_id, total, now).await?;
    }
    sqlx::query("DELETE FROM folders WHERE project_id = $1 AND file_count <= 0")
        .bind(project_id)
        .execute(&mut **tx)
        .await?;
    Ok(removed)
}

// What the data-removal tasks (`jobs::tasks`) write once a project's objects are gone.

/// A version of a deleted file whose object is still stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DoomedVersion {
    pub id: i64,
    pub object_key: String,
}

/// The project's versions whose file was deleted and whose object is not removed yet.
pub async fn doomed_versions(db: &Db, project_id: ProjectId) -> Result<Vec<DoomedVersion>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, object_key FROM file_versions WHERE project_id = $1 AND file_id IS NULL AND removed_at IS NULL",
    )
    .bind(project_id)
    .fetch_all(db.pool())
    .await?)
}

/// Records that a version's object was removed at `now`.
pub async fn mark_version_removed(db: &Db, version_id: i64, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE file_versions SET removed_at = $1 WHERE id = $2")
        .bind(now)
        .bind(version_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// After a project's objects are gone: versions closed and marked removed, file and folder rows
/// gone, the project's and the unit's sizes down, in one transaction.
pub async fn forget_project_files(db: &Db, project_id: ProjectId, now: i64) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE file_versions SET deleted_at = COALESCE(deleted_at, $1), removed_at = COALESCE(removed_at, $1) \
         WHERE project_id = $2",
    )
    .bind(now)
    .bind(project_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM files WHERE project_id = $1").bind(project_id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM folders WHERE project_id = $1").bind(project_id).execute(&mut *tx).await?;
    sqlx::query(
        "UPDATE units SET used_bytes = used_bytes - (SELECT stored_bytes FROM projects WHERE id = $1) \
         WHERE id = (SELECT unit_id FROM projects WHERE id = $1)",
    )
    .bind(project_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE projects SET size_bytes = 0, stored_bytes = 0, file_count = 0 WHERE id = $1")
        .bind(project_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use app::domain::file_paths::FilePath;

    use super::{grouped, Delta};

    #[test]
    fn grouped_changes_reach_every_folder_above_each_file_once() {
        let paths =
            ["a/b/one.txt", "a/b/two.txt", "a/c/three.txt", "top.txt"].map(|p| FilePath::parse(p).unwrap());
        let change = |size: i64| Delta { size: -size, stored: -size - 10, files: -1 };
        let (folders, total) =
            grouped(paths.iter().zip([1, 2, 4, 8]).map(|(path, size)| (path, change(size))));
        let folders: Vec<(&str, Delta)> = folders.into_iter().collect();
        assert_eq!(
            folders,
            vec![
                ("a", Delta { size: -7, stored: -37, files: -3 }),
                ("a/b", Delta { size: -3, stored: -23, files: -2 }),
                ("a/c", Delta { size: -4, stored: -14, files: -1 }),
            ]
        );
        assert_eq!(total, Delta { size: -15, stored: -55, files: -4 });
    }
}

/// Of `paths`, those that hold a file.
pub async fn existing_paths(
    db: &Db,
    project_id: ProjectId,
    paths: &[String],
) -> Result<Vec<String>, DbError> {
    let mut found = Vec::new();
    for chunk in paths.chunks(super::IN_LIST_CHUNK) {
        let sql = format!(
            "SELECT path FROM files WHERE project_id = $1 AND path IN ({}) ORDER BY path",
            super::placeholders(2, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(project_id);
        for path in chunk {
            query = query.bind(path);
        }
        found.extend(query.fetch_all(db.pool()).await?.into_iter().map(|(path,)| path));
    }
    Ok(found)
}

/// Whether `path` holds a file (inside a transaction that holds the project's lock).
pub async fn exists(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    path: &str,
) -> Result<bool, DbError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM files WHERE project_id = $1 AND path = $2")
        .bind(project_id)
        .bind(path)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

/// A file's current version, as a download needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredFile {
    pub path: String,
    pub size_bytes: i64,
    pub stored_bytes: i64,
    pub object_key: String,
    pub sha256_sealed: Option<Vec<u8>>,
}

/// The file at `path` or every file below the folder `path` ('' for the whole project), by
/// path, after `after`, at most `limit`. The prefix is compared by equality, which no
/// database collation bends (an ordering range would depend on it).
pub async fn stored_under(
    db: &Db,
    project_id: ProjectId,
    path: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<StoredFile>, DbError> {
    let prefix = format!("{path}/");
    Ok(sqlx::query_as(
        "SELECT f.path, v.size_bytes, v.stored_bytes, v.object_key, v.sha256_sealed \
         FROM files f JOIN file_versions v ON v.id = f.version_id \
         WHERE f.project_id = $1 AND ($2 = '' OR f.path = $2 OR SUBSTR(f.path, 1, CAST($3 AS INTEGER)) = $4) \
         AND f.path > $5 ORDER BY f.path LIMIT $6",
    )
    .bind(project_id)
    .bind(path)
    .bind(prefix.chars().count() as i64)
    .bind(&prefix)
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// A version whose object should be stored (not removed), with whether it is its file's
/// current one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeptVersion {
    pub id: i64,
    pub path: String,
    pub object_key: String,
    pub current: i64,
}

/// The project's versions whose objects should be in its bucket.
pub async fn kept_versions(db: &Db, project_id: ProjectId) -> Result<Vec<KeptVersion>, DbError> {
    Ok(sqlx::query_as(
        "SELECT v.id, v.path, v.object_key, \
         CAST(CASE WHEN f.version_id = v.id THEN 1 ELSE 0 END AS BIGINT) AS current \
         FROM file_versions v LEFT JOIN files f ON f.id = v.file_id \
         WHERE v.project_id = $1 AND v.removed_at IS NULL",
    )
    .bind(project_id)
    .fetch_all(db.pool())
    .await?)
}

/// Every object key the project's rows name, removed or not (an object a removal task has not
/// reached yet is not an orphan).
pub async fn known_object_keys(db: &Db, project_id: ProjectId) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT object_key FROM file_versions WHERE project_id = $1 AND removed_at IS NULL \
         UNION SELECT object_key FROM uploads WHERE project_id = $1",
    )
    .bind(project_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(key,)| key).collect())
}
