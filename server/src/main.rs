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
    /// Units: create, update and list them (as Super Admins do in the web console).
    Unit {
        #[command(subcommand)]
        action: UnitAction,
    },
    /// Compare every project's bucket with its rows: objects no row names, and files whose
    /// object is missing. With `--fix`, remove the first and delete the second.
    Reconcile {
        #[arg(long)]
        fix: bool,
    },
}

#[derive(Subcommand)]
enum UnitAction {
    /// Create a unit.
    Create(UnitArgs),
    /// Change a unit's settings (its public id and internal reference stay).
    Update {
        /// The unit's public id.
        public_id: String,
        #[command(flatten)]
        changes: UnitChanges,
    },
    /// List every unit with its usage.
    List,
}

/// DDS's `create-unit` options; the quota in TB (1000⁴ bytes), as DDS enters it.
#[derive(clap::Args)]
struct UnitArgs {
    #[arg(long)]
    public_id: String,
    #[arg(long)]
    name: String,
    #[arg(long)]
    display_name: String,
    #[arg(long)]
    contact_email: String,
    #[arg(long)]
    internal_ref: String,
    #[arg(long)]
    quota_tb: f64,
    #[arg(long, default_value_t = 0.8)]
    warning_level: f64,
    #[arg(long, default_value_t = 90)]
    days_in_available: i64,
    #[arg(long, default_value_t = 30)]
    days_in_expired: i64,
    #[arg(long, default_value = "")]
    bucket_prefix: String,
}

#[derive(clap::Args)]
struct UnitChanges {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    display_name: Option<String>,
    #[arg(long)]
    contact_email: Option<String>,
    #[arg(long)]
    quota_tb: Option<f64>,
    #[arg(long)]
    warning_level: Option<f64>,
    #[arg(long)]
    days_in_available: Option<i64>,
    #[arg(long)]
    days_in_expired: Option<i64>,
    #[arg(long)]
    bucket_prefix: Option<String>,
}

const TB: f64 = 1_000_000_000_000.0;

fn tb_to_bytes(tb: f64) -> i64 {
    (tb * TB).round() as i64
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
        Command::Reconcile { fix } => {
            let db = startup::open_database(&config).await.map_err(|e| e.to_string())?;
            let (store, _serving) = startup::tool_object_store(&config).await.map_err(|e| e.to_string())?;
            let now = dds_server::db::now();
            let report = dds_server::transfers::reconcile::run(&db, &store, fix, now)
                .await
                .map_err(|e| e.to_string())?;
            let done = if fix { " (removed)" } else { "" };
            for (project, key) in &report.orphans {
                println!("{project}: object {key} has no file row{done}");
            }
            let done = if fix { " (file deleted)" } else { "" };
            for (project, path) in &report.missing {
                println!("{project}: {path} has no object in the storage{done}");
            }
            println!(
                "reconcile: {} project(s), {} object(s) without a file row, {} file(s) without their object",
                report.projects,
                report.orphans.len(),
                report.missing.len()
            );
            Ok(())
        }
        Command::Unit { action } => {
            let db = startup::open_database(&config).await.map_err(|e| e.to_string())?;
            unit_command(&db, action).await
        }
    }
}

async fn unit_command(db: &Db, action: UnitAction) -> Result<(), String> {
    use app::api::units::UnitSettings;
    use dds_server::units;
    let unit = match action {
        UnitAction::List => {
            let all = units::list(db).await.map_err(|e| e.to_string())?;
            println!(
                "{:<20} {:<30} {:<10} {:>12} {:>12} {:>9}",
                "PUBLIC ID", "NAME", "REF", "USED", "QUOTA", "PROJECTS"
            );
            for unit in all {
                println!(
                    "{:<20} {:<30} {:<10} {:>12} {:>12} {:>9}",
                    unit.settings.public_id,
                    unit.settings.name,
                    unit.settings.internal_ref,
                    app::domain::quota::human_bytes(unit.used_bytes),
                    app::domain::quota::human_bytes(unit.settings.quota_bytes),
                    unit.projects
                );
            }
            return Ok(());
        }
        UnitAction::Create(args) => {
            let settings = UnitSettings {
                public_id: args.public_id,
                name: args.name,
                external_display_name: args.display_name,
                contact_email: args.contact_email,
                internal_ref: args.internal_ref,
                quota_bytes: tb_to_bytes(args.quota_tb),
                warning_level: args.warning_level,
                days_in_available: args.days_in_available,
                days_in_expired: args.days_in_expired,
                bucket_prefix: args.bucket_prefix,
            };
            units::create(db, &settings, dds_server::db::now()).await.map_err(|e| e.to_string())?
        }
        UnitAction::Update { public_id, changes } => {
            let mut settings = units::get(db, &public_id).await.map_err(|e| e.to_string())?.settings;
            let UnitChanges {
                name,
                display_name,
                contact_email,
                quota_tb,
                warning_level,
                days_in_available,
                days_in_expired,
                bucket_prefix,
            } = changes;
            settings.name = name.unwrap_or(settings.name);
            settings.external_display_name = display_name.unwrap_or(settings.external_display_name);
            settings.contact_email = contact_email.unwrap_or(settings.contact_email);
            settings.quota_bytes = quota_tb.map(tb_to_bytes).unwrap_or(settings.quota_bytes);
            settings.warning_level = warning_level.unwrap_or(settings.warning_level);
            settings.days_in_available = days_in_available.unwrap_or(settings.days_in_available);
            settings.days_in_expired = days_in_expired.unwrap_or(settings.days_in_expired);
            settings.bucket_prefix = bucket_prefix.unwrap_or(settings.bucket_prefix);
            units::update(db, &public_id, &settings).await.map_err(|e| e.to_string())?
        }
    };
    println!("Unit {} ({}) saved.", unit.settings.public_id, unit.settings.name);
    Ok(())
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
