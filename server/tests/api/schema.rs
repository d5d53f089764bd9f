//! The two migration sets cannot drift: both backends are migrated and their schemas compared —
//! tables, columns (type, NOT NULL), primary keys, indexes, unique constraints, foreign keys
//! (with their ON DELETE) and the CHECK constraints (each as the columns, numbers and string
//! literals it names: the backends print the same condition differently). The CHECKs of
//! enumerated columns are also compared with their enums in `app::domain`.

use std::collections::{BTreeMap, BTreeSet};

use app::domain::project_status::ProjectStatus;
use app::domain::roles::Role;
use app::domain::second_factor::SecondFactor;
use dds_server::db::Db;

use crate::helpers::{spawn_app, Backend};

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// name → (type class, NOT NULL)
    columns: BTreeMap<String, (String, bool)>,
    primary_key: Vec<String>,
    /// explicit indexes: name → (columns, an expression as "(expression)"; unique)
    indexes: BTreeMap<String, (String, bool)>,
    /// columns of each UNIQUE constraint
    unique: BTreeSet<String>,
    /// (column, referenced table, referenced column, ON DELETE)
    foreign_keys: BTreeSet<(String, String, String, String)>,
    /// each CHECK as [`check_terms`], sorted
    checks: Vec<String>,
}

/// What a CHECK condition names, whichever way the backend prints it: PostgreSQL turns
/// `role IN ('a', 'b')` into `(role = ANY (ARRAY['a'::text, 'b'::text]))`, SQLite keeps the
/// text as written. Operators and keywords are left out; columns, numbers and literals stay.
fn check_terms(condition: &str) -> String {
    const NOISE: [&str; 15] = [
        "check",
        "and",
        "or",
        "not",
        "in",
        "is",
        "null",
        "any",
        "array",
        "text",
        "bigint",
        "integer",
        "double",
        "precision",
        "real",
    ];
    let mut terms = BTreeSet::new();
    let mut chars = condition.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            let mut literal = String::from("'");
            for c in chars.by_ref() {
                literal.push(c);
                if c == '\'' {
                    break;
                }
            }
            terms.insert(literal);
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let mut word = c.to_ascii_lowercase().to_string();
            while let Some(&c) =
                chars.peek().filter(|c| c.is_ascii_alphanumeric() || **c == '_' || **c == '.')
            {
                word.push(c.to_ascii_lowercase());
                chars.next();
            }
            if !NOISE.contains(&word.as_str()) {
                terms.insert(word);
            }
        }
    }
    terms.into_iter().collect::<Vec<_>>().join(" ")
}

/// The conditions of the CHECK clauses in a SQLite `CREATE TABLE` statement.
fn sqlite_checks(sql: &str) -> Vec<String> {
    let mut checks = Vec::new();
    let upper = sql.to_ascii_uppercase();
    let mut from = 0;
    while let Some(found) = upper[from..].find("CHECK") {
        let start = from + found + "CHECK".len();
        let open = start + sql[start..].find('(').expect("CHECK (");
        let mut depth = 0;
        let mut end = open;
        for (i, c) in sql[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = open + i;
                break;
            }
        }
        checks.push(check_terms(&sql[open..=end]));
        from = end;
    }
    checks.sort();
    checks
}

/// One name per kind of value, whichever spelling the backend uses.
fn type_class(declared: &str) -> String {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "integer",
        "text" => "text",
        "blob" | "bytea" => "bytes",
        "boolean" => "boolean",
        "real" | "double precision" => "float",
        other => return format!("unknown type {other}"),
    }
    .to_string()
}

fn on_delete(rule: &str) -> String {
    // Both mean "refuse while referenced" here (no deferred constraints in the schema).
    match rule.to_ascii_uppercase().as_str() {
        "NO ACTION" | "RESTRICT" => "RESTRICT".to_string(),
        other => other.to_string(),
    }
}

async fn sqlite_schema(db: &Db) -> BTreeMap<String, Table> {
    let pool = db.pool();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut schema = BTreeMap::new();
    for (name, sql) in tables {
        let mut table = Table::default();
        let columns: Vec<(String, String, i64, i64)> =
            sqlx::query_as("SELECT name, type, \"notnull\", pk FROM pragma_table_info($1)")
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
        let mut primary: Vec<(i64, String)> = Vec::new();
        for (column, declared, not_null, pk) in columns {
            if pk > 0 {
                primary.push((pk, column.clone()));
            }
            table.columns.insert(column, (type_class(&declared), not_null != 0 || pk > 0));
        }
        primary.sort();
        table.primary_key = primary.into_iter().map(|(_, c)| c).collect();
        let indexes: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)")
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
        for (index, unique, origin) in indexes {
            let columns: Vec<(String,)> = sqlx::query_as(
                "SELECT COALESCE(name, '(expression)') FROM pragma_index_info($1) ORDER BY seqno",
            )
            .bind(&index)
            .fetch_all(pool)
            .await
            .unwrap();
            let columns = columns.into_iter().map(|(c,)| c).collect::<Vec<_>>().join(",");
            match origin.as_str() {
                "c" => {
                    table.indexes.insert(index, (columns, unique != 0));
                }
                "u" => {
                    table.unique.insert(columns);
                }
                _ => {} // the primary key, compared above
            }
        }
        let keys: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list($1)")
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
        for (column, target, target_column, rule) in keys {
            table.foreign_keys.insert((column, target, target_column, on_delete(&rule)));
        }
        table.checks = sqlite_checks(&sql);
        schema.insert(name, table);
    }
    schema
}

async fn postgres_schema(db: &Db) -> BTreeMap<String, Table> {
    let pool = db.pool();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::TEXT FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut schema = BTreeMap::new();
    for (name,) in tables {
        let mut table = Table::default();
        let columns: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT column_name::TEXT, data_type::TEXT, is_nullable::TEXT FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        for (column, declared, nullable) in columns {
            table.columns.insert(column, (type_class(&declared), nullable == "NO"));
        }
        let indexes: Vec<(String, i64, i64, i64, String)> = sqlx::query_as(
            "SELECT ic.relname::TEXT, CAST(CASE WHEN ix.indisunique THEN 1 ELSE 0 END AS BIGINT), \
             CAST(CASE WHEN ix.indisprimary THEN 1 ELSE 0 END AS BIGINT), \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid) \
             THEN 1 ELSE 0 END AS BIGINT), \
             array_to_string(ARRAY(SELECT COALESCE(a.attname::TEXT, '(expression)') \
             FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord) \
             LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.ord), ',') \
             FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' AND t.relname = $1",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        for (index, unique, primary, constraint, columns) in indexes {
            match (primary, constraint) {
                (1, _) => table.primary_key = columns.split(',').map(str::to_string).collect(),
                (_, 1) => {
                    table.unique.insert(columns);
                }
                _ => {
                    table.indexes.insert(index, (columns, unique != 0));
                }
            }
        }
        let keys: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT a.attname::TEXT, rt.relname::TEXT, ra.attname::TEXT, \
             CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' \
             ELSE 'RESTRICT' END \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class rt ON rt.oid = c.confrelid \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] \
             WHERE c.contype = 'f' AND t.relname = $1",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        for (column, target, target_column, rule) in keys {
            table.foreign_keys.insert((column, target, target_column, on_delete(&rule)));
        }
        let checks: Vec<(String,)> = sqlx::query_as(
            "SELECT pg_get_constraintdef(c.oid)::TEXT FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             WHERE c.contype = 'c' AND t.relname = $1",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .unwrap();
        table.checks = checks.iter().map(|(condition,)| check_terms(condition)).collect();
        table.checks.sort();
        schema.insert(name, table);
    }
    schema
}

#[tokio::test]
async fn both_migration_sets_make_the_same_schema() {
    let sqlite = spawn_app(Backend::Sqlite).await;
    let postgres = spawn_app(Backend::Postgres).await;
    let lite = sqlite_schema(&sqlite.state().db).await;
    let pg = postgres_schema(&postgres.state().db).await;
    assert!(lite.len() >= 15 && lite.contains_key("projects"), "the schema was read: {:?}", lite.keys());
    assert_eq!(lite.keys().collect::<Vec<_>>(), pg.keys().collect::<Vec<_>>(), "the same tables");
    for (name, table) in &lite {
        assert_eq!(table, &pg[name], "table {name}: SQLite (left) and PostgreSQL (right) differ");
        assert!(table.columns.values().all(|(class, _)| !class.starts_with("unknown")), "{name}: {table:?}");
    }
    // The comparison sees what it claims to: a known foreign key, index and check.
    let credentials = &lite["user_credentials"];
    assert!(
        credentials.checks.contains(&"'password-reset' 'registration' key_origin".to_string()),
        "key_origin's CHECK: {credentials:?}"
    );
    // Enumerated columns accept exactly their enum's spellings.
    let allows = |values: Vec<&str>, column: &str| {
        let mut terms: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
        terms.push(column.to_string());
        terms.sort();
        terms.join(" ")
    };
    let statuses = allows(ProjectStatus::ALL.iter().map(|s| s.as_str()).collect(), "status");
    assert!(lite["project_statuses"].checks.contains(&statuses), "{:?}", lite["project_statuses"]);
    let factors = allows(SecondFactor::ALL.iter().map(|s| s.as_str()).collect(), "method");
    assert!(lite["second_factors"].checks.contains(&factors), "{:?}", lite["second_factors"]);
    let roles = allows(Role::ALL.iter().map(|r| r.as_str()).collect(), "role");
    assert!(lite["users"].checks.contains(&roles), "{:?}", lite["users"]);
    assert!(lite["invites"].checks.contains(&roles), "{:?}", lite["invites"]);
    assert!(lite["users"].foreign_keys.contains(&(
        "invited_by".to_string(),
        "users".to_string(),
        "id".to_string(),
        "SET NULL".to_string()
    )));
    assert_eq!(lite["users"].indexes.get("users_unit"), Some(&("unit_id".to_string(), false)));
    sqlite.stop().await;
    postgres.stop().await;
}
