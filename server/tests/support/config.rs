//! The configuration of a server under test: everything on port 0 under one folder, with SQLite
//! there or a throwaway PostgreSQL database. Shared by the API tests and the benchmarks.

use std::path::Path;

use dds_server::config::Config;

/// The configuration for a server whose data (SQLite file, S3 data, outbox, site) is in `dir`;
/// `database_url` names a PostgreSQL database instead of that SQLite file; `extra` overrides
/// any setting (`DDS_...` names, the last one given wins).
pub fn config_in(dir: &Path, database_url: Option<&str>, extra: &[(&str, &str)]) -> Config {
    let mut vars: Vec<(String, String)> = vec![
        ("DDS_DATA_DIR".into(), dir.display().to_string()),
        ("DDS_LISTEN".into(), "127.0.0.1:0".into()),
        ("DDS_S3_LISTEN".into(), "127.0.0.1:0".into()),
        ("DDS_SITE_ROOT".into(), dir.join("site").display().to_string()),
    ];
    if let Some(url) = database_url {
        vars.push(("DATABASE_URL".into(), url.to_string()));
    }
    for (k, v) in extra {
        vars.push((k.to_string(), v.to_string()));
    }
    Config::load_from(None, |name| vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
        .expect("valid test configuration")
}

/// Creates a fresh database, named `prefix` and a random suffix, on the PostgreSQL server at
/// `admin_url`: its name and URL.
pub async fn create_postgres_database(admin_url: &str, prefix: &str) -> (String, String) {
    use sqlx::Connection;
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("a PostgreSQL server is needed at {admin_url}: {e}"));
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create a database");
    let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(admin_url);
    let url = format!("{base}/{name}");
    (name, url)
}

/// Drops a database `create_postgres_database` made (quietly: a left-over does no harm).
pub async fn drop_postgres_database(admin_url: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin_url).await {
        let _ = sqlx::Executor::execute(
            &mut conn,
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
        )
        .await;
    }
}
