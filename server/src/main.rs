//! `dds`: the portal's one binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use dds_server::accounts::password_reset;
use dds_server::auth::secret::ServerSecret;
use dds_server::config::Config;
use dds_server::db::seed::{self, SeedOutcome};
use dds_server::db::Db;
use dds_server::{startup, telemetry};

#[derive(Parser)]
#[command(name = "dds", version, about = "Data Delivery System portal")]
struct Cli {
    /// TOML configuration file (environment variables override it).
    #[arg(long, env = "DDS_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the portal (and the embedded S3 endpoint unless an external one is configured).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Seed the database: `dev` accounts for development, or the `production` Super Admin.
    InitDb {
        #[arg(value_enum)]
        mode: InitMode,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum InitMode {
    Dev,
    Production,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("dds: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("dds: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dds: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> Result<(), String> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            startup::open_database(&config).await.map_err(|e| e.to_string())?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::InitDb { mode } => {
            let db = startup::open_database(&config).await.map_err(|e| e.to_string())?;
            let outcome = match mode {
                InitMode::Dev => seed::dev(&db).await,
                InitMode::Production => seed::production(&db, &config.superadmin).await,
            }
            .map_err(|e| e.to_string())?;
            match outcome {
                SeedOutcome::Created { accounts } => println!("Created {accounts} account(s)."),
                SeedOutcome::AlreadySeeded => println!("Already initialised: nothing changed."),
            }
            if let InitMode::Production = mode {
                send_first_password_link(&db, &config).await?;
            }
            Ok(())
        }
    }
}

/// The production Super Admin has no password until they follow a reset link: mail one (again,
/// while no password was chosen; the link lasts an hour). The message is queued and delivered
/// here at once; if that fails, it stays queued for `dds serve` to retry.
async fn send_first_password_link(db: &Db, config: &Config) -> Result<(), String> {
    let username = config.superadmin.username.as_deref().unwrap_or_default();
    let secret = ServerSecret::load(
        config.secret_key.as_ref().map(secrecy::ExposeSecret::expose_secret),
        &config.data_dir,
    )
    .map_err(|e| e.to_string())?;
    let (mailer, worker) =
        dds_server::mail::start(db.clone(), secret, &config.mail).map_err(|e| e.to_string())?;
    let sent = password_reset::send_first_password_link(db, &mailer, &config.public_url, username)
        .await
        .map_err(|e| format!("cannot send the Super Admin a password link: {e}"))?;
    let (_keep_running, running) = tokio::sync::watch::channel(false);
    let round = worker.deliver_due(dds_server::db::now(), &running).await.map_err(|e| e.to_string())?;
    if let Some(email) = sent {
        if round.failed == 0 {
            println!("Sent a password reset link to {email} (valid for 1 hour) to choose a first password.");
        } else {
            println!(
                "Queued a password reset link to {email} (valid for 1 hour); it could not be delivered \
                 yet (see the log), `dds serve` retries it."
            );
        }
        if let Some(dir) = mailer.outbox_dir() {
            println!("Mail goes to the outbox folder {}", dir.display());
        }
    }
    Ok(())
}

async fn serve(config: Config) -> Result<(), String> {
    let running = startup::start(config).await.map_err(|e| e.to_string())?;
    let public_url = running.state.config.public_url.clone();
    tracing::info!(addr = %running.addr, s3 = ?running.s3_addr, "DDS is running");
    println!("DDS is running at {public_url}");
    if let Some(dir) = running.state.mailer.outbox_dir() {
        println!("Mail goes to the outbox folder {}", dir.display());
    }
    let mut running = running;
    tokio::select! {
        result = running.wait() => result.map_err(|e| format!("server stopped: {e}")),
        _ = stop_requested() => {
            tracing::info!("shutting down");
            running.shutdown().await.map_err(|e| e.to_string())
        }
    }
}

/// Ctrl-C or SIGTERM (what service managers and container runtimes send).
async fn stop_requested() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}
