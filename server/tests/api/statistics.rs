//! The Super Admins' statistics (DDS's reporting figures, live): accounts by role, units,
//! projects by status, data stored and ever uploaded (kept on each unit as uploads complete),
//! byte-hours last month and in all. Other roles are refused by the permission matrix.

use app::domain::file_paths::FilePath;
use dds_server::db::files::{record_version, NewVersion};

use crate::auth::{seeded, signed_in};
use crate::both_backends;
use crate::helpers::{answer, project_id, Backend};

async fn super_admins_read_the_reporting_figures(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let project = project_id(db, "someunit00001").await;
    let now = app.state().clock.now();
    // Two uploads of one path: both count as uploaded, the second replaces the first in store.
    for (key, bytes) in [("a", 1_000), ("b", 300)] {
        let mut tx = db.begin().await.unwrap();
        let path = FilePath::parse("run/reads.bin").unwrap();
        let version = NewVersion {
            project_id: project,
            path: &path,
            object_key: key,
            size_bytes: bytes - 16,
            stored_bytes: bytes,
            sha256_sealed: None,
            uploaded_by: None,
            now,
        };
        record_version(&mut tx, version).await.unwrap();
        tx.commit().await.unwrap();
    }
    let this_month = app::domain::dates::month_start(now, 0);
    for (end, byte_hours) in [(this_month, 7_000.0), (app::domain::dates::month_start(now, -1), 500.0)] {
        sqlx::query(
            "INSERT INTO usage_records (project_id, period_start, period_end, byte_hours, created_at, unit_id) \
             VALUES ($1, $2, $3, $4, $3, (SELECT unit_id FROM projects WHERE id = $1))",
        )
        .bind(project)
        .bind(end - 86_400)
        .bind(end)
        .bind(byte_hours)
        .execute(db.pool())
        .await
        .unwrap();
    }

    let (status, figures) = answer(signed_in(&app, "superadmin").await.get("/api/v1/statistics").await).await;
    assert_eq!(status, 200, "{figures}");
    assert_eq!(figures["units"], 1);
    let roles: Vec<(&str, i64)> = figures["users_by_role"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["role"].as_str().unwrap(), r["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(roles, [("Super Admin", 1), ("Unit Admin", 3), ("Unit Personnel", 2), ("Researcher", 2)]);
    assert_eq!(figures["project_owners"], 1);
    assert_eq!(figures["projects_by_status"][0], serde_json::json!({ "status": "In Progress", "count": 1 }));
    assert_eq!(
        (figures["stored_bytes"].as_i64(), figures["uploaded_bytes"].as_i64()),
        (Some(300), Some(1_300))
    );
    assert_eq!(figures["byte_hours_last_month"], 7_000.0, "the run on the 1st ends last month");
    assert_eq!(figures["byte_hours_total"], 7_500.0);

    let admin = signed_in(&app, "unitadmin_1").await;
    assert_eq!(admin.get("/api/v1/statistics").await.status(), 403);
    app.stop().await;
}
both_backends!(super_admins_read_the_reporting_figures, super_admins_read_the_reporting_figures);
