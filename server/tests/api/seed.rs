use dds_server::db::seed::{self, SeedOutcome, DEV_ACCOUNTS};

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

async fn dev_seed_creates_dds_accounts_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state().db;
    assert_eq!(seed::dev(db).await.unwrap(), SeedOutcome::Created { accounts: 8 });
    assert_eq!(seed::dev(db).await.unwrap(), SeedOutcome::AlreadySeeded);

    let rows: Vec<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT username, role, unit_id FROM users ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(rows.len(), DEV_ACCOUNTS.len());
    for ((username, role, unit), (expected_name, expected_role)) in rows.iter().zip(DEV_ACCOUNTS) {
        assert_eq!(username, expected_name);
        assert_eq!(role, expected_role.as_str());
        assert_eq!(unit.is_some(), expected_role.belongs_to_unit(), "{username}");
    }
    app.stop().await;
}
both_backends!(dev_seed, dev_seed_creates_dds_accounts_once);

async fn production_seed_needs_the_superadmin_settings(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state().db;
    let err = seed::production(db, &Default::default()).await.unwrap_err();
    assert!(err.to_string().contains("DDS_SUPERADMIN_USERNAME"), "{err}");
    let admin = dds_server::config::SuperAdminConfig {
        username: Some("root_admin".into()),
        name: Some("Root Admin".into()),
        email: Some("root@example.org".into()),
    };
    assert_eq!(seed::production(db, &admin).await.unwrap(), SeedOutcome::Created { accounts: 1 });
    assert_eq!(seed::production(db, &admin).await.unwrap(), SeedOutcome::AlreadySeeded);
    app.stop().await;
}
both_backends!(production_seed, production_seed_needs_the_superadmin_settings);

#[tokio::test]
async fn database_refuses_unit_staff_without_a_unit() {
    let app = spawn_app(Backend::Sqlite).await;
    let result = sqlx::query(
        "INSERT INTO users (username, name, role, unit_id, is_active, created_at) VALUES ('x', 'X', 'Unit Admin', NULL, TRUE, 0)",
    )
    .execute(app.state().db.pool())
    .await;
    assert!(result.is_err(), "a Unit Admin must belong to a unit");
    app.stop().await;
}
