//! The file model: versions, folder aggregates, listing one level by cursor, search and
//! deletion, on both backends, through the same code that records a completed upload.

use app::domain::file_paths::FilePath;
use app::domain::ids::ProjectId;
use dds_server::db::files::{self, Cursor, NewVersion};
use dds_server::db::{seed, Db};

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

/// A project of the seeded unit, inserted as rows (key bytes are placeholders: nothing here
/// opens them).
pub async fn bare_project(db: &Db, public_id: &str) -> ProjectId {
    let (unit_id,): (i64,) =
        sqlx::query_as("SELECT id FROM units ORDER BY id LIMIT 1").fetch_one(db.pool()).await.unwrap();
    let (id,): (ProjectId,) = sqlx::query_as(
        "INSERT INTO projects (public_id, unit_id, title, description, pi, public_key, unit_public_key, unit_sealed_key, created_at) \
         VALUES ($1, $2, 'Files', 'A project with files', 'pi@example.com', $3, $3, $3, 0) RETURNING id",
    )
    .bind(public_id)
    .bind(unit_id)
    .bind(vec![0u8; 32])
    .fetch_one(db.pool())
    .await
    .unwrap();
    id
}

pub async fn upload(db: &Db, project_id: ProjectId, path: &str, size: i64, now: i64) -> files::Recorded {
    let path = FilePath::parse(path).unwrap();
    let object_key = format!("{}-{now}", path.as_str());
    let mut tx = db.begin().await.unwrap();
    let recorded = files::record_version(
        &mut tx,
        NewVersion {
            project_id,
            path: &path,
            object_key: &object_key,
            size_bytes: size,
            stored_bytes: size + 100,
            sha256_sealed: None,
            uploaded_by: None,
            now,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    recorded
}

async fn sizes(db: &Db, project_id: ProjectId) -> (i64, i64, i64, i64) {
    let (size, stored, count): (i64, i64, i64) =
        sqlx::query_as("SELECT size_bytes, stored_bytes, file_count FROM projects WHERE id = $1")
            .bind(project_id)
            .fetch_one(db.pool())
            .await
            .unwrap();
    let (used,): (i64,) = sqlx::query_as("SELECT used_bytes FROM units ORDER BY id LIMIT 1")
        .fetch_one(db.pool())
        .await
        .unwrap();
    (size, stored, count, used)
}

async fn versions_overwrite_and_folders_add_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state().db;
    seed::dev(db).await.unwrap();
    let project = bare_project(db, "files00001").await;
    let first = upload(db, project, "run1/sample1/reads.fastq", 1000, 10).await;
    assert!(!first.overwrote);
    upload(db, project, "run1/sample2/reads.fastq", 500, 11).await;
    upload(db, project, "readme.txt", 7, 12).await;
    upload(db, project, "empty", 0, 12).await;
    assert_eq!(sizes(db, project).await, (1507, 1907, 4, 1907));

    // An overwrite is a new version of the same file; the old version is closed, not removed.
    let second = upload(db, project, "run1/sample1/reads.fastq", 1200, 20).await;
    assert!(second.overwrote);
    assert_eq!(second.file_id, first.file_id);
    assert_eq!(sizes(db, project).await, (1707, 2107, 4, 2107));
    let versions: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT size_bytes, deleted_at FROM file_versions WHERE file_id = $1 ORDER BY id")
            .bind(first.file_id)
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(versions, vec![(1000, Some(20)), (1200, None)]);

    let root = files::list_level(db, project, "", None, 100).await.unwrap();
    let shown: Vec<(bool, &str, i64, i64)> =
        root.entries.iter().map(|e| (e.is_folder, e.name.as_str(), e.size_bytes, e.file_count)).collect();
    assert_eq!(shown, vec![(true, "run1", 1700, 2), (false, "empty", 0, 1), (false, "readme.txt", 7, 1)]);
    assert!(root.next.is_none());
    let run = files::list_level(db, project, "run1", None, 100).await.unwrap();
    let names: Vec<&str> = run.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(names, vec!["run1/sample1", "run1/sample2"]);
    assert!(files::folder_exists(db, project, "run1/sample2").await.unwrap());
    assert!(!files::folder_exists(db, project, "run2").await.unwrap());

    let found = files::search(db, project, "READS", 10).await.unwrap();
    assert_eq!(found.len(), 2, "case-insensitive");
    assert!(files::search(db, project, "%", 10).await.unwrap().is_empty(), "wildcards are literal");

    // Deleting a folder removes everything below it and shrinks every total.
    let mut tx = db.begin().await.unwrap();
    let removed = files::delete_path(&mut tx, project, "run1", 30).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((removed.files, removed.bytes), (2, 1700));
    assert_eq!(sizes(db, project).await, (7, 207, 2, 207));
    let root = files::list_level(db, project, "", None, 100).await.unwrap();
    assert_eq!(root.entries.len(), 2, "the emptied folders are gone: {:?}", root.entries);
    let open: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM file_versions WHERE project_id = $1 AND deleted_at IS NULL")
            .bind(project)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(open.0, 2);
    app.stop().await;
}
both_backends!(versions_overwrite_and_folders_add_up, versions_overwrite_and_folders_add_up);

/// The size and file count of a folder, if it exists.
async fn folder(db: &Db, project_id: ProjectId, path: &str) -> Option<(i64, i64)> {
    sqlx::query_as("SELECT size_bytes, file_count FROM folders WHERE project_id = $1 AND path = $2")
        .bind(project_id)
        .bind(path)
        .fetch_optional(db.pool())
        .await
        .unwrap()
}

async fn deleting_a_sub_folder_shrinks_each_folder_above_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state().db;
    seed::dev(db).await.unwrap();
    let project = bare_project(db, "files00003").await;
    upload(db, project, "run_1/lane1/a.fastq", 100, 1).await;
    upload(db, project, "run_1/lane1/deep/b.fastq", 20, 1).await;
    upload(db, project, "run_1/lane2/c.fastq", 3, 1).await;
    upload(db, project, "runX1/lane1/d.fastq", 4000, 1).await;
    assert_eq!(folder(db, project, "run_1").await, Some((123, 3)));
    assert_eq!(sizes(db, project).await, (4123, 4523, 4, 4523));

    let mut tx = db.begin().await.unwrap();
    let removed = files::delete_path(&mut tx, project, "run_1/lane1", 5).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((removed.files, removed.bytes), (2, 120));
    assert_eq!(folder(db, project, "run_1").await, Some((3, 1)), "the parent keeps its other folder");
    assert_eq!(folder(db, project, "run_1/lane2").await, Some((3, 1)));
    assert_eq!(folder(db, project, "run_1/lane1").await, None);
    assert_eq!(folder(db, project, "run_1/lane1/deep").await, None);
    assert_eq!(sizes(db, project).await, (4003, 4203, 2, 4203));

    // '_' in a folder's name is no wildcard: "runX1" stays.
    let mut tx = db.begin().await.unwrap();
    let removed = files::delete_path(&mut tx, project, "run_1", 6).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((removed.files, removed.bytes), (1, 3));
    assert_eq!(folder(db, project, "runX1").await, Some((4000, 1)));
    assert_eq!(folder(db, project, "run_1").await, None);
    assert_eq!(sizes(db, project).await, (4000, 4100, 1, 4100));
    app.stop().await;
}
both_backends!(
    deleting_a_sub_folder_shrinks_each_folder_above_it,
    deleting_a_sub_folder_shrinks_each_folder_above_it
);

async fn a_level_is_paged_by_cursor_folders_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state().db;
    seed::dev(db).await.unwrap();
    let project = bare_project(db, "files00002").await;
    for i in 0..5 {
        upload(db, project, &format!("d{i}/x"), 1, 1).await;
        upload(db, project, &format!("f{i}"), 1, 1).await;
    }
    let mut seen = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let page = files::list_level(db, project, "", after.as_ref(), 3).await.unwrap();
        assert!(page.entries.len() <= 3);
        seen.extend(page.entries.iter().map(|e| e.name.clone()));
        match page.next {
            Some(next) => after = Some(Cursor::decode(&next.encode()).expect("the token reads back")),
            None => break,
        }
    }
    assert_eq!(seen, vec!["d0", "d1", "d2", "d3", "d4", "f0", "f1", "f2", "f3", "f4"]);
    assert_eq!(Cursor::decode("x:y"), None);
    app.stop().await;
}
both_backends!(a_level_is_paged_by_cursor_folders_first, a_level_is_paged_by_cursor_folders_first);

async fn the_quota_answers_with_what_is_left(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state().db;
    seed::dev(db).await.unwrap();
    let project = bare_project(db, "files00003").await;
    sqlx::query("UPDATE units SET quota_bytes = 1000").execute(db.pool()).await.unwrap();
    upload(db, project, "a", 300, 1).await; // 400 stored
    let check = dds_server::projects::quota::may_add(db, project, 600, 0).await.unwrap();
    assert!(check.allowed());
    assert_eq!(check.left_bytes, 600);
    let check = dds_server::projects::quota::may_add(db, project, 600, 1).await.unwrap();
    assert!(!check.allowed(), "a byte promised to another upload counts");
    assert!(check.refusal().contains("599 B of the quota of 1.0 kB is left"), "{}", check.refusal());
    app.stop().await;
}
both_backends!(the_quota_answers_with_what_is_left, the_quota_answers_with_what_is_left);

/// Uploads recorded at the same moment by many connections all land, with every aggregate
/// right: on SQLite a writing transaction that read first would otherwise be refused at once
/// ("database is locked") when another connection writes.
async fn uploads_recorded_at_once_all_land(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = app.state().db.clone();
    seed::dev(&db).await.unwrap();
    let project = bare_project(&db, "files00004").await;
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..32 {
        let db = db.clone();
        writers.spawn(async move {
            upload(&db, project, &format!("run/sample-{}/reads-{i}", i % 4), 10, i).await
        });
    }
    while let Some(done) = writers.join_next().await {
        assert!(!done.unwrap().overwrote);
    }
    assert_eq!(sizes(&db, project).await, (320, 3520, 32, 3520));
    assert_eq!(folder(&db, project, "run").await, Some((320, 32)));
}
both_backends!(uploads_recorded_at_once_all_land, uploads_recorded_at_once_all_land);
