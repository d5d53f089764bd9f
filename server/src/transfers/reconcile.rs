//! `dds reconcile` (DDS's `update-uploaded-file`, both ways): compares each project's bucket
//! with its rows. An object no row names (an upload assembled but never recorded, a crash
//! between the two) is an orphan; a version whose object is missing is a row without its bytes.
//! With `fix`, orphans are removed and missing files deleted (their sizes and the usage go
//! down with them), so a second run reports nothing.

use std::collections::HashSet;

use crate::db::{self, files, Db, DbError};
use crate::storage::bucket::BucketName;
use crate::storage::{ObjectStore, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("project {project}: {source}")]
    Storage { project: String, source: StorageError },
}

/// What one run found (and fixed, with `fix`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub projects: usize,
    /// (project, object key) of objects no row names.
    pub orphans: Vec<(String, String)>,
    /// (project, path) of versions whose object is missing.
    pub missing: Vec<(String, String)>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.orphans.is_empty() && self.missing.is_empty()
    }
}

pub async fn run(db: &Db, store: &ObjectStore, fix: bool, now: i64) -> Result<Report, ReconcileError> {
    let mut report = Report::default();
    for (project_id, public_id, bucket) in db::projects::with_buckets(db).await? {
        let Ok(bucket) = BucketName::parse(&bucket) else { continue };
        let storage = |source| ReconcileError::Storage { project: public_id.clone(), source };
        report.projects += 1;
        let stored: HashSet<String> = store.list_keys(&bucket).await.map_err(storage)?.into_iter().collect();
        let known: HashSet<String> = files::known_object_keys(db, project_id).await?.into_iter().collect();
        let orphans: Vec<String> = stored.difference(&known).cloned().collect();
        let missing: Vec<files::KeptVersion> = files::kept_versions(db, project_id)
            .await?
            .into_iter()
            .filter(|version| !stored.contains(&version.object_key))
            .collect();
        if fix {
            store.remove_objects(&bucket, &orphans).await.map_err(storage)?;
            let mut tx = db.begin().await?;
            db::projects::lock(&mut tx, &public_id).await?;
            for version in &missing {
                if version.current != 0 {
                    files::delete_path(&mut tx, project_id, &version.path, now).await?;
                }
            }
            tx.commit().await.map_err(DbError::from)?;
            for version in &missing {
                files::mark_version_removed(db, version.id, now).await?;
            }
        }
        report.orphans.extend(orphans.into_iter().map(|key| (public_id.clone(), key)));
        report.missing.extend(missing.into_iter().map(|version| (public_id.clone(), version.path)));
    }
    report.orphans.sort();
    report.missing.sort();
    Ok(report)
}
