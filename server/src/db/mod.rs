//! The database: SQLite (default) or PostgreSQL behind one `sqlx::AnyPool`, so every query is
//! written once (`$1` placeholders work on both). Each backend has its own migrations folder.
//! Times are stored as Unix seconds.

pub mod account_links;
pub mod audit;
pub mod dashboard;
pub mod files;
pub mod invites;
pub mod job_schedule;
pub mod mail_queue;
pub mod maintenance;
pub mod members;
pub mod motd;
pub mod password_resets;
pub mod projects;
pub mod rate_limits;
pub mod seals;
pub mod second_factors;
pub mod seed;
pub mod sessions;
pub mod statistics;
pub mod tasks;
pub mod unit_keys;
pub mod units;
pub mod uploads;
pub mod usage;
pub mod users;

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

use crate::config::{DatabaseConfig, DatabaseKind};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database folder or file {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    #[error("database query failed: {0}")]
    Query(sqlx::Error),
    /// A UNIQUE constraint refused a write (another request got there first, or the value is
    /// taken): the one typed form of every unique violation, answered with 409 and its sentence.
    #[error(transparent)]
    Duplicate(Duplicate),
    /// A rule the user broke, with the sentence they read.
    #[error("{0}")]
    Rule(String),
    /// Something the database holds or returned that the code cannot use (an unknown role, a
    /// failed key derivation): only for the log, never shown.
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for DbError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(e) if e.is_unique_violation() => {
                tracing::info!(error = %e, "unique constraint refused a write");
                DbError::Duplicate(Duplicate::of(e.as_ref()))
            }
            _ => DbError::Query(err),
        }
    }
}

/// What a UNIQUE constraint found taken, with the sentence the user reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Duplicate {
    #[error("An invitation has already been sent to this email address.")]
    InviteEmail,
    #[error("This email address already belongs to an account.")]
    Email,
    #[error("The username is already taken. Choose another one.")]
    Username,
    #[error("Another request changed this at the same moment. Reload the page and try again.")]
    Other,
}

impl Duplicate {
    /// Recognises the constraint from the backend's message: SQLite names `table.column`
    /// ("UNIQUE constraint failed: invites.email"), PostgreSQL the constraint
    /// ("... unique constraint \"invites_email_key\"").
    fn of(err: &dyn sqlx::error::DatabaseError) -> Duplicate {
        let text = format!("{} {}", err.constraint().unwrap_or_default(), err.message());
        let names = |sqlite: &str, postgres: &str| text.contains(sqlite) || text.contains(postgres);
        if names("invites.email", "invites_email_key") {
            Duplicate::InviteEmail
        } else if names("emails.email", "emails_email_key") {
            Duplicate::Email
        } else if names("users.username", "users_username_key") {
            Duplicate::Username
        } else {
            Duplicate::Other
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    kind: DatabaseKind,
}

impl Db {
    pub async fn connect(config: &DatabaseConfig) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        if config.kind == DatabaseKind::Sqlite {
            create_sqlite_folder(&config.url)?;
        }
        let kind = config.kind;
        let pool = AnyPoolOptions::new()
            .max_connections(if kind == DatabaseKind::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == DatabaseKind::Sqlite {
                        // WAL lets readers work during a write; foreign keys are off by default
                        // in SQLite itself.
                        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(&config.url)
            .await
            .map_err(DbError::Connect)?;
        Ok(Db { pool, kind })
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        match self.kind {
            DatabaseKind::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            DatabaseKind::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// A cheap round trip, for `/status`.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that may write. On SQLite it takes the write lock at `BEGIN IMMEDIATE`:
    /// a deferred transaction that reads before it writes cannot wait for another writer (SQLite
    /// answers "database is locked" at once, as the busy timeout would risk a deadlock), so every
    /// writing transaction queues for the lock up front instead, within the busy timeout. On
    /// PostgreSQL it is a plain `BEGIN`; row locks and constraints order the writers there.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, DbError> {
        let tx = match self.kind {
            DatabaseKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            DatabaseKind::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Values per `IN (...)` list: well inside SQLite's and PostgreSQL's limits on bound values.
pub const IN_LIST_CHUNK: usize = 500;

/// `$first, $first+1, ...`: `count` placeholders for an `IN (...)` list.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// Current time as stored in the database.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The SQLite file's folder (0700) and the file itself (0600, so its `-wal` and `-shm` files
/// get that mode too), before SQLite would create them with the process's umask.
fn create_sqlite_folder(url: &str) -> Result<(), DbError> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    let path = std::path::Path::new(path);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::files::create_private_dir(parent)
            .map_err(|source| DbError::Folder { path: parent.display().to_string(), source })?;
    }
    crate::files::create_private_file(path)
        .map_err(|source| DbError::Folder { path: path.display().to_string(), source })?;
    Ok(())
}
