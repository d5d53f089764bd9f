//! Brings the portal up: database (migrated), object store (embedded or external), the mail
//! queue's worker, the job scheduler, HTTP.

use std::net::SocketAddr;
use std::sync::Arc;

use app::domain::site::SiteInfo;
use leptos::config::{Env, LeptosOptions};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::auth::secret::ServerSecret;
use crate::auth::session_store::DbSessionStore;
use crate::clock::{OffsetFileClock, SharedClock, SystemClock};
use crate::config::{Config, StorageConfig};
use crate::db::{Db, DbError};
use crate::mail::MailError;
use crate::state::AppState;
use crate::storage::embedded::{EmbeddedS3, EmbeddedS3Error};
use crate::storage::{ObjectStore, S3Settings};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    EmbeddedS3(#[from] EmbeddedS3Error),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Secret(#[from] crate::auth::secret::SecretError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("cannot create the data folder {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
}

/// A running portal. Dropping it does not stop it: call [`Running::shutdown`].
pub struct Running {
    pub addr: SocketAddr,
    pub s3_addr: Option<SocketAddr>,
    pub state: AppState,
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<std::io::Result<()>>,
}

impl Running {
    /// Waits until a listener stops (an error, or a shutdown).
    pub async fn wait(&mut self) -> std::io::Result<()> {
        while let Some(result) = self.tasks.join_next().await {
            result.map_err(std::io::Error::other)??;
        }
        Ok(())
    }

    pub async fn shutdown(mut self) -> std::io::Result<()> {
        let _ = self.shutdown.send(true);
        self.wait().await?;
        self.state.db.close().await;
        Ok(())
    }
}

/// Opens the database named by the configuration and brings its schema up to date.
pub async fn open_database(config: &Config) -> Result<Db, DbError> {
    let db = Db::connect(&config.database).await?;
    db.migrate().await?;
    Ok(db)
}

/// The object store's settings: the configured external S3, or the embedded endpoint bound at
/// `listen` (its configured address unless given) over its folder, for the caller to serve.
async fn object_storage(
    config: &Config,
    listen: Option<std::net::SocketAddr>,
) -> Result<(S3Settings, Option<EmbeddedS3>), StartupError> {
    match &config.storage {
        StorageConfig::Embedded { listen: configured, root, credentials, region, bucket_prefix } => {
            let credentials = match credentials {
                Some(configured) => configured.clone(),
                None => crate::storage::embedded::data_dir_credentials(&config.data_dir)?,
            };
            let embedded = EmbeddedS3::bind(listen.unwrap_or(*configured), root, &credentials).await?;
            let endpoint = format!("http://{}", embedded.local_addr());
            let settings = S3Settings {
                public_endpoint: endpoint.clone(),
                endpoint,
                access_key: credentials.access_key,
                secret_key: credentials.secret_key,
                region: region.clone(),
                bucket_prefix: bucket_prefix.clone(),
            };
            Ok((settings, Some(embedded)))
        }
        StorageConfig::External { endpoint, public_endpoint, credentials, region, bucket_prefix } => {
            let settings = S3Settings {
                endpoint: endpoint.clone(),
                public_endpoint: public_endpoint.clone(),
                access_key: credentials.access_key.clone(),
                secret_key: credentials.secret_key.clone(),
                region: region.clone(),
                bucket_prefix: bucket_prefix.clone(),
            };
            Ok((settings, None))
        }
    }
}

/// The object store for a command run beside `dds serve` or without it (`dds reconcile`): the
/// configured external S3, or the embedded endpoint's folder served on a free loopback port for
/// as long as the returned guard lives.
pub async fn tool_object_store(
    config: &Config,
) -> Result<(ObjectStore, Option<tokio::sync::oneshot::Sender<()>>), StartupError> {
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let (settings, embedded) = object_storage(config, Some(loopback)).await?;
    let guard = embedded.map(|embedded| {
        let (guard, dropped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(embedded.serve(async move {
            let _ = dropped.await;
        }));
        guard
    });
    Ok((ObjectStore::new(&settings), guard))
}

pub async fn start(config: Config) -> Result<Running, StartupError> {
    let clock: SharedClock = match &config.clock_offset_file {
        Some(path) => {
            tracing::warn!(file = %path.display(), "the clock runs ahead by the seconds in this file (testing only)");
            Arc::new(OffsetFileClock::new(path.clone()))
        }
        None => Arc::new(SystemClock),
    };
    start_with_clock(config, clock).await
}

/// [`start`] with the given clock (tests pass a [`crate::clock::ManualClock`]).
pub async fn start_with_clock(config: Config, clock: SharedClock) -> Result<Running, StartupError> {
    crate::files::create_private_dir(&config.data_dir)
        .map_err(|source| StartupError::DataDir { path: config.data_dir.display().to_string(), source })?;
    let db = open_database(&config).await?;
    let (shutdown, shutdown_rx) = watch::channel(false);
    let stopped = move || {
        let mut rx = shutdown_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    let mut tasks = JoinSet::new();

    let (s3_settings, embedded) = object_storage(&config, None).await?;
    let s3_addr = embedded.as_ref().map(EmbeddedS3::local_addr);
    if let Some(embedded) = embedded {
        tasks.spawn(embedded.serve(stopped()));
    }
    let storage = ObjectStore::new(&s3_settings);
    let secret = ServerSecret::load(
        config.secret_key.as_ref().map(secrecy::ExposeSecret::expose_secret),
        &config.data_dir,
    )?;
    let (mailer, mail_worker) = crate::mail::start(db.clone(), secret.clone(), &config.mail)?;

    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartupError::Bind { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| StartupError::Bind { addr: config.listen, source })?;
    let mut config = config;
    if !config.public_url_configured {
        // Port 0 (tests) or an unspecified host: links and origin checks use the real address.
        config.public_url = format!("http://{addr}");
    }

    let leptos_options = LeptosOptions::builder()
        .output_name("dds")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(Env::PROD)
        .build();
    let site = SiteInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        storage_origin: storage.public_origin().to_string(),
    };
    let state = AppState {
        hash_slots: crate::auth::hash_slots::HashSlots::new(config.login_concurrency),
        config: Arc::new(config),
        sessions: DbSessionStore::new(db.clone()),
        db,
        storage,
        mailer,
        secret,
        site,
        leptos_options,
        clock,
    };
    let tick = state.config.job_tick;
    tasks.spawn(crate::jobs::scheduler(crate::jobs::JobContext::from_state(&state), tick, stopped()));
    tasks.spawn(mail_worker.run(shutdown.subscribe()));
    tasks.spawn(crate::jobs::tasks::runner(
        state.db.clone(),
        state.storage.clone(),
        state.clock.clone(),
        shutdown.subscribe(),
    ));
    let router = crate::http::router(state.clone());
    let shutdown_signal = stopped();
    tasks.spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal)
            .await
    });

    Ok(Running { addr, s3_addr, state, shutdown, tasks })
}
