//! Durable tasks against the embedded S3 endpoint: archiving a project empties and deletes its
//! bucket in the background, and a removal left half done by a replica that died (its lease
//! ran out, half the objects gone) is finished by the next runner: bucket gone, rows and sizes
//! forgotten, nothing left behind.

use std::time::Duration;

use dds_server::db::seed::DEV_PROJECT;
use dds_server::jobs::tasks;
use dds_server::storage::bucket::BucketName;
use serde_json::json;

use crate::auth::{seeded, signed_in};
use crate::both_backends;
use crate::files::upload;
use crate::helpers::{project_id, store_as_browser, Backend, TestApp};

/// Gives the seeded project a bucket holding `objects` small objects (recorded as files too).
async fn fill_bucket(app: &TestApp, objects: usize) -> (app::domain::ids::ProjectId, BucketName) {
    let db = &app.state().db;
    let store = &app.state().storage;
    let bucket = store.bucket_for(DEV_PROJECT).unwrap();
    store.ensure_bucket(&bucket).await.unwrap();
    let (project_id,): (app::domain::ids::ProjectId,) =
        sqlx::query_as("UPDATE projects SET bucket = $1 WHERE public_id = $2 RETURNING id")
            .bind(bucket.as_str())
            .bind(DEV_PROJECT)
            .fetch_one(db.pool())
            .await
            .unwrap();
    let client = reqwest::Client::new();
    for i in 0..objects {
        store_as_browser(&client, store, &bucket, &format!("object-{i:05}"), vec![i as u8; 10]).await;
        upload(db, project_id, &format!("folder/file-{i:05}"), 10, 1).await;
    }
    (project_id, bucket)
}

async fn wait_until_done(app: &TestApp) {
    for _ in 0..300 {
        let (open,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tasks WHERE done_at IS NULL")
            .fetch_one(app.state().db.pool())
            .await
            .unwrap();
        if open == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the tasks did not finish: {:?}", tasks::open_tasks(&app.state().db, 10).await.unwrap());
}

async fn archiving_removes_the_bucket_in_the_background(backend: Backend) {
    let app = seeded(backend).await;
    let (project_id, bucket) = fill_bucket(&app, 5).await;
    let admin = signed_in(&app, "unitadmin_1").await;
    let status = format!("/api/v1/projects/{DEV_PROJECT}/status");
    assert_eq!(admin.post(&status, json!({ "action": "release", "send_email": false })).await.status(), 200);
    let archived = admin.post(&status, json!({ "action": "archive" })).await;
    assert_eq!(archived.status(), 200);
    wait_until_done(&app).await;
    assert!(!app.state().storage.bucket_exists(&bucket).await.unwrap(), "the bucket is gone");
    let (files, size): (i64, i64) =
        sqlx::query_as("SELECT file_count, stored_bytes FROM projects WHERE id = $1")
            .bind(project_id)
            .fetch_one(app.state().db.pool())
            .await
            .unwrap();
    assert_eq!((files, size), (0, 0));
    let (used,): (i64,) =
        sqlx::query_as("SELECT used_bytes FROM units u JOIN projects p ON p.unit_id = u.id WHERE p.id = $1")
            .bind(project_id)
            .fetch_one(app.state().db.pool())
            .await
            .unwrap();
    assert_eq!(used, 0, "the unit's usage went down");
    app.stop().await;
}
both_backends!(
    archiving_removes_the_bucket_in_the_background,
    archiving_removes_the_bucket_in_the_background
);

async fn a_removal_left_half_done_is_finished(backend: Backend) {
    let app = seeded(backend).await;
    let (project_id, bucket) = fill_bucket(&app, 20).await;
    let store = &app.state().storage;
    // A replica claimed the removal, deleted half the objects and died; its lease ran out.
    let first_half: Vec<String> = (0..10).map(|i| format!("object-{i:05}")).collect();
    store.remove_objects(&bucket, &first_half).await.unwrap();
    let now = dds_server::clock::Clock::now(app.clock.as_ref());
    sqlx::query(
        "INSERT INTO tasks (kind, project_id, bucket, delete_bucket, created_at, attempts, next_attempt_at, holder, lease_until) \
         VALUES ('remove_project_data', $1, $2, TRUE, $3, 1, $3, 'replica-that-died', $4)",
    )
    .bind(project_id)
    .bind(bucket.as_str())
    .bind(now - 700)
    .bind(now - 1)
    .execute(app.state().db.pool())
    .await
    .unwrap();
    tasks::wake();
    wait_until_done(&app).await;
    assert!(!store.bucket_exists(&bucket).await.unwrap(), "the bucket is gone");
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM files WHERE project_id = $1")
        .bind(project_id)
        .fetch_one(app.state().db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 0, "no file rows left behind");
    let (open,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM file_versions WHERE project_id = $1 AND removed_at IS NULL")
            .bind(project_id)
            .fetch_one(app.state().db.pool())
            .await
            .unwrap();
    assert_eq!(open, 0, "every version is marked removed");
    app.stop().await;
}
both_backends!(a_removal_left_half_done_is_finished, a_removal_left_half_done_is_finished);

async fn super_admins_see_failing_tasks_and_retry_them(backend: Backend) {
    let app = seeded(backend).await;
    let project_id = project_id(&app.state().db, DEV_PROJECT).await;
    // A bucket name S3 refuses: the task fails and keeps its error.
    let now = dds_server::clock::Clock::now(app.clock.as_ref());
    sqlx::query(
        "INSERT INTO tasks (kind, project_id, bucket, delete_bucket, created_at, next_attempt_at) \
         VALUES ('remove_project_data', $1, 'Not_A_Bucket', TRUE, $2, $2)",
    )
    .bind(project_id)
    .bind(now)
    .execute(app.state().db.pool())
    .await
    .unwrap();
    tasks::wake();
    let admin = signed_in(&app, "superadmin").await;
    let mut open = Vec::new();
    for _ in 0..200 {
        open = admin.get("/api/v1/tasks").await.json::<Vec<serde_json::Value>>().await.unwrap();
        if open.first().is_some_and(|t| t["last_error"].is_string()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["project"], DEV_PROJECT);
    assert!(open[0]["attempts"].as_i64().unwrap() >= 1);
    assert!(
        !open[0]["last_error"].as_str().unwrap().contains("SdkBody"),
        "one line, not a dump: {}",
        open[0]["last_error"]
    );
    let id = open[0]["id"].as_i64().unwrap();
    assert_eq!(admin.post(&format!("/api/v1/tasks/{id}/retry"), json!({})).await.status(), 204);
    assert_eq!(admin.post("/api/v1/tasks/999999/retry", json!({})).await.status(), 404);
    for username in ["unitadmin_1", "unituser_1", "researchuser_1"] {
        let browser = signed_in(&app, username).await;
        assert_eq!(browser.get("/api/v1/tasks").await.status(), 403, "{username}");
        assert_eq!(
            browser.post(&format!("/api/v1/tasks/{id}/retry"), json!({})).await.status(),
            403,
            "{username}"
        );
    }
    app.stop().await;
}
both_backends!(super_admins_see_failing_tasks_and_retry_them, super_admins_see_failing_tasks_and_retry_them);
