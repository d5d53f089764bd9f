//! The one typed configuration: a TOML file (optional) overridden by environment variables,
//! validated once at start. Every error names the setting (environment name and TOML key).
//!
//! With no configuration at all the portal runs on embedded defaults: SQLite and the S3 endpoint
//! under `./data`, mail into an outbox folder.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::{SecretSlice, SecretString};

/// A setting: its TOML key (dotted for tables) and its environment variable.
struct Setting {
    key: &'static str,
    env: &'static str,
}

const fn setting(key: &'static str, env: &'static str) -> Setting {
    Setting { key, env }
}

const SETTINGS: &[Setting] = &[
    setting("data_dir", "DDS_DATA_DIR"),
    setting("listen", "DDS_LISTEN"),
    setting("public_url", "DDS_PUBLIC_URL"),
    setting("database_url", "DATABASE_URL"),
    setting("site_root", "DDS_SITE_ROOT"),
    setting("log_format", "DDS_LOG_FORMAT"),
    setting("s3.endpoint", "DDS_S3_ENDPOINT"),
    setting("s3.public_endpoint", "DDS_S3_PUBLIC_ENDPOINT"),
    setting("s3.access_key", "DDS_S3_ACCESS_KEY"),
    setting("s3.secret_key", "DDS_S3_SECRET_KEY"),
    setting("s3.region", "DDS_S3_REGION"),
    setting("s3.listen", "DDS_S3_LISTEN"),
    setting("s3.bucket_prefix", "DDS_S3_BUCKET_PREFIX"),
    setting("mail.smtp_url", "DDS_SMTP_URL"),
    setting("mail.from", "DDS_MAIL_FROM"),
    setting("superadmin.username", "DDS_SUPERADMIN_USERNAME"),
    setting("superadmin.name", "DDS_SUPERADMIN_NAME"),
    setting("superadmin.email", "DDS_SUPERADMIN_EMAIL"),
    setting("secret_key", "DDS_SECRET_KEY"),
    setting("login_concurrency", "DDS_LOGIN_CONCURRENCY"),
    setting("trusted_proxies", "DDS_TRUSTED_PROXIES"),
    setting("jobs.tick_secs", "DDS_JOBS_TICK_SECS"),
    setting("clock.offset_file", "DDS_CLOCK_OFFSET_FILE"),
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    ReadFile { path: PathBuf, source: std::io::Error },
    #[error("the configuration file {path} is not valid TOML: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("unknown setting '{key}' in {path} (known: {known})")]
    UnknownKey { path: PathBuf, key: String, known: String },
    #[error("invalid value for {env} ({key}): {reason}")]
    Invalid { env: &'static str, key: &'static str, reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Which database, decided by the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct DatabaseConfig {
    /// May carry a password (`postgres://user:password@host/db`): `Debug` leaves it out.
    pub url: String,
    pub kind: DatabaseKind,
}

impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &without_password(&self.url))
            .field("kind", &self.kind)
            .finish()
    }
}

/// `scheme://user:password@host/…` as `scheme://user:[redacted]@host/…`; other URLs unchanged.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_string();
    };
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:[redacted]{}", &rest[at..]),
        None => url.to_string(),
    }
}

/// An S3 access key and its secret (`Debug` shows the key only).
#[derive(Debug, Clone)]
pub struct S3Credentials {
    pub access_key: String,
    pub secret_key: SecretString,
}

/// Object storage: the embedded endpoint (default) or an external S3 service.
#[derive(Debug, Clone)]
pub enum StorageConfig {
    Embedded {
        listen: SocketAddr,
        root: PathBuf,
        /// `None`: drawn once per data directory (`storage::embedded::data_dir_credentials`).
        credentials: Option<S3Credentials>,
        region: String,
        bucket_prefix: String,
    },
    External {
        endpoint: String,
        /// The endpoint browsers use, if it differs (presigned URLs must name the exact host).
        public_endpoint: String,
        credentials: S3Credentials,
        region: String,
        bucket_prefix: String,
    },
}

impl StorageConfig {
    pub fn bucket_prefix(&self) -> &str {
        match self {
            StorageConfig::Embedded { bucket_prefix, .. } | StorageConfig::External { bucket_prefix, .. } => {
                bucket_prefix
            }
        }
    }
}

#[derive(Debug, Clone)]
pub enum MailConfig {
    /// Messages are written as .eml files into this folder and their links logged.
    Outbox { dir: PathBuf, from: String },
    Smtp {
        /// May carry the SMTP password (`smtps://user:password@host`).
        url: SecretString,
        from: String,
    },
}

/// The first Super Admin, created by `dds init-db production`.
#[derive(Debug, Clone, Default)]
pub struct SuperAdminConfig {
    pub username: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub public_url: String,
    /// `false` when `public_url` was derived from `listen` (then it follows the bound address).
    pub public_url_configured: bool,
    pub database: DatabaseConfig,
    pub storage: StorageConfig,
    pub mail: MailConfig,
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    pub superadmin: SuperAdminConfig,
    /// The server secret (fake pre-login salts, one-time code hashes). `None`: kept in
    /// `<data_dir>/secret.key`, created on first start (fine for one node; set it for replicas).
    pub secret_key: Option<SecretSlice<u8>>,
    /// How many auth_key checks (Argon2, ~19 MiB each) may run at once; more wait briefly, then
    /// get 503.
    pub login_concurrency: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR blocks); empty:
    /// the TCP peer is the client.
    pub trusted_proxies: Vec<crate::http::client_ip::IpRange>,
    /// How often this replica looks for due jobs.
    pub job_tick: std::time::Duration,
    /// For demonstrations and end-to-end tests only: a file holding a number of seconds the
    /// server's clock runs ahead of the system's (deadlines, expiry and jobs follow it). `None`:
    /// the system clock.
    pub clock_offset_file: Option<PathBuf>,
}

/// Raw values by TOML key, before validation.
type RawValues = BTreeMap<&'static str, String>;

impl Config {
    /// Loads `file` (if given), then the process environment on top, and validates.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_from(file, |name| std::env::var(name).ok())
    }

    /// As [`Config::load`], with the environment given as a lookup function (for tests).
    pub fn load_from(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut raw = match file {
            Some(path) => read_toml(path)?,
            None => RawValues::new(),
        };
        for setting in SETTINGS {
            if let Some(value) = env(setting.env) {
                raw.insert(setting.key, value);
            }
        }
        Config::validate(raw)
    }

    fn validate(raw: RawValues) -> Result<Config, ConfigError> {
        let get = |key: &str| raw.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());

        let data_dir = PathBuf::from(get("data_dir").unwrap_or("./data"));
        let listen = parse_addr(get("listen").unwrap_or("127.0.0.1:8080"), "listen")?;
        let public_url = match get("public_url") {
            Some(url) => parse_http_url(url, "public_url")?,
            None => format!("http://{listen}"),
        };

        let database = match get("database_url") {
            Some(url) => parse_database_url(url)?,
            None => DatabaseConfig {
                url: format!("sqlite://{}?mode=rwc", data_dir.join("dds.sqlite").display()),
                kind: DatabaseKind::Sqlite,
            },
        };

        let region = get("s3.region").unwrap_or("us-east-1").to_string();
        let bucket_prefix = get("s3.bucket_prefix").unwrap_or("dds").to_string();
        validate_bucket_prefix(&bucket_prefix)?;
        let credentials = match (get("s3.access_key"), get("s3.secret_key")) {
            (Some(access_key), Some(secret_key)) => {
                Some(S3Credentials { access_key: access_key.to_string(), secret_key: secret_key.into() })
            }
            (None, None) => None,
            (None, Some(_)) => {
                return Err(invalid("s3.access_key", "missing: set it with the secret key".into()))
            }
            (Some(_), None) => {
                return Err(invalid("s3.secret_key", "missing: set it with the access key".into()))
            }
        };
        let storage = match get("s3.endpoint") {
            Some(endpoint) => {
                let endpoint = parse_http_url(endpoint, "s3.endpoint")?;
                let public_endpoint = match get("s3.public_endpoint") {
                    Some(url) => parse_http_url(url, "s3.public_endpoint")?,
                    None => endpoint.clone(),
                };
                StorageConfig::External {
                    endpoint,
                    public_endpoint,
                    credentials: credentials.ok_or_else(|| {
                        invalid("s3.access_key", "missing: an external S3 endpoint needs credentials".into())
                    })?,
                    region,
                    bucket_prefix,
                }
            }
            None => {
                let listen = parse_addr(get("s3.listen").unwrap_or("127.0.0.1:9000"), "s3.listen")?;
                if credentials.is_none() && !listen.ip().is_loopback() {
                    return Err(invalid(
                        "s3.listen",
                        format!(
                            "'{listen}' is not a loopback address, so other machines could reach the \
                             embedded S3 endpoint: set DDS_S3_ACCESS_KEY and DDS_S3_SECRET_KEY \
                             (s3.access_key, s3.secret_key) to credentials of your own, or listen on \
                             127.0.0.1"
                        ),
                    ));
                }
                StorageConfig::Embedded {
                    listen,
                    root: data_dir.join("s3"),
                    credentials,
                    region,
                    bucket_prefix,
                }
            }
        };

        let from = get("mail.from").unwrap_or("Data Delivery System <dds@localhost>").to_string();
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid("mail.from", format!("'{from}' is not a mail address")));
        }
        let mail = match get("mail.smtp_url") {
            Some(url) => {
                if lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url).is_err() {
                    return Err(invalid(
                        "mail.smtp_url",
                        "expected smtp://, smtps:// URL such as smtps://user:pass@host:465".into(),
                    ));
                }
                MailConfig::Smtp { url: url.into(), from }
            }
            None => MailConfig::Outbox { dir: data_dir.join("outbox"), from },
        };

        let log_format = match get("log_format").unwrap_or("pretty") {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => return Err(invalid("log_format", format!("'{other}' is not one of: pretty, json"))),
        };

        let secret_key = match get("secret_key") {
            Some(text) => Some(parse_secret(text)?.into()),
            None => None,
        };

        let login_concurrency = match get("login_concurrency") {
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=256).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        "login_concurrency",
                        format!("'{text}' is not a number from 1 to 256"),
                    ))
                }
            },
            None => 4,
        };

        let trusted_proxies = get("trusted_proxies")
            .unwrap_or("")
            .split([',', ' '])
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| entry.parse().map_err(|reason| invalid("trusted_proxies", reason)))
            .collect::<Result<Vec<_>, _>>()?;

        let job_tick = match get("jobs.tick_secs") {
            Some(text) => match text.parse::<u64>() {
                Ok(n) if (1..=3600).contains(&n) => std::time::Duration::from_secs(n),
                _ => {
                    return Err(invalid("jobs.tick_secs", format!("'{text}' is not a number from 1 to 3600")))
                }
            },
            None => std::time::Duration::from_secs(60),
        };

        Ok(Config {
            job_tick,
            clock_offset_file: get("clock.offset_file").map(PathBuf::from),
            secret_key,
            login_concurrency,
            trusted_proxies,
            site_root: PathBuf::from(get("site_root").unwrap_or("target/site")),
            superadmin: SuperAdminConfig {
                username: get("superadmin.username").map(str::to_string),
                name: get("superadmin.name").map(str::to_string),
                email: get("superadmin.email").map(str::to_string),
            },
            data_dir,
            listen,
            public_url_configured: get("public_url").is_some(),
            public_url,
            database,
            storage,
            mail,
            log_format,
        })
    }
}

fn env_name(key: &str) -> &'static str {
    SETTINGS.iter().find(|s| s.key == key).map(|s| s.env).unwrap_or("?")
}

fn key_name(key: &str) -> &'static str {
    SETTINGS.iter().find(|s| s.key == key).map(|s| s.key).unwrap_or("?")
}

fn invalid(key: &str, reason: String) -> ConfigError {
    ConfigError::Invalid { env: env_name(key), key: key_name(key), reason }
}

fn parse_addr(value: &str, key: &str) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| invalid(key, format!("'{value}' is not an address like 127.0.0.1:8080")))
}

fn parse_http_url(value: &str, key: &str) -> Result<String, ConfigError> {
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .ok_or_else(|| invalid(key, format!("'{value}' must start with http:// or https://")))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(invalid(key, format!("'{value}' has no host")));
    }
    Ok(value.trim_end_matches('/').to_string())
}

/// At least 32 bytes, as hex (64+ hex digits).
fn parse_secret(text: &str) -> Result<Vec<u8>, ConfigError> {
    match hex::decode(text) {
        Ok(bytes) if bytes.len() >= 32 => Ok(bytes),
        _ => Err(invalid(
            "secret_key",
            "expected at least 32 random bytes as hex (e.g. `openssl rand -hex 32`)".to_string(),
        )),
    }
}

fn parse_database_url(url: &str) -> Result<DatabaseConfig, ConfigError> {
    let kind = if url.starts_with("sqlite:") {
        DatabaseKind::Sqlite
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        DatabaseKind::Postgres
    } else {
        return Err(invalid("database_url", "expected a sqlite:// or postgres:// URL".to_string()));
    };
    Ok(DatabaseConfig { url: url.to_string(), kind })
}

/// Bucket names are `<prefix>-<project id>`: the prefix must keep them valid S3 names.
fn validate_bucket_prefix(prefix: &str) -> Result<(), ConfigError> {
    let valid = (1..=30).contains(&prefix.len())
        && prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && prefix.starts_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(invalid(
            "s3.bucket_prefix",
            format!(
                "'{prefix}' must be 1-30 lowercase letters, digits or '-', starting with a letter or digit"
            ),
        ))
    }
}

fn read_toml(path: &Path) -> Result<RawValues, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::ReadFile { path: path.to_path_buf(), source })?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError::Toml {
        path: path.to_path_buf(),
        message: e.message().to_string(),
    })?;
    let mut raw = RawValues::new();
    flatten(path, "", &table, &mut raw)?;
    Ok(raw)
}

fn flatten(path: &Path, prefix: &str, table: &toml::Table, raw: &mut RawValues) -> Result<(), ConfigError> {
    for (name, value) in table {
        let key = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        match value {
            toml::Value::Table(inner) => flatten(path, &key, inner, raw)?,
            scalar => {
                let Some(setting) = SETTINGS.iter().find(|s| s.key == key) else {
                    let known = SETTINGS.iter().map(|s| s.key).collect::<Vec<_>>().join(", ");
                    return Err(ConfigError::UnknownKey { path: path.to_path_buf(), key, known });
                };
                let text = match scalar {
                    toml::Value::String(s) => s.clone(),
                    // A list (e.g. trusted_proxies = ["10.0.0.1", "10.1.0.0/16"]): comma-separated.
                    toml::Value::Array(items) => items
                        .iter()
                        .map(|item| item.as_str().map(str::to_string).unwrap_or_else(|| item.to_string()))
                        .collect::<Vec<_>>()
                        .join(","),
                    other => other.to_string(),
                };
                raw.insert(setting.key, text);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::load_from(None, |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn no_configuration_means_embedded_defaults() {
        let config = load(&[]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert_eq!(config.database.kind, DatabaseKind::Sqlite);
        assert!(config.database.url.contains("data/dds.sqlite"));
        let StorageConfig::Embedded { listen, root, .. } = &config.storage else {
            panic!("expected the embedded S3 endpoint");
        };
        assert_eq!(listen.to_string(), "127.0.0.1:9000");
        assert_eq!(root, &PathBuf::from("./data/s3"));
        assert!(matches!(config.mail, MailConfig::Outbox { .. }));
    }

    #[test]
    fn environment_selects_postgres_external_s3_and_smtp() {
        let config = load(&[
            ("DATABASE_URL", "postgres://dds@db/dds"),
            ("DDS_S3_ENDPOINT", "https://s3.example.org/"),
            ("DDS_S3_ACCESS_KEY", "ak"),
            ("DDS_S3_SECRET_KEY", "sk"),
            ("DDS_SMTP_URL", "smtps://user:pass@mail.example.org:465"),
        ])
        .unwrap();
        assert_eq!(config.database.kind, DatabaseKind::Postgres);
        let StorageConfig::External { endpoint, public_endpoint, .. } = &config.storage else {
            panic!("expected external S3");
        };
        assert_eq!(endpoint, "https://s3.example.org");
        assert_eq!(public_endpoint, endpoint);
        assert!(matches!(config.mail, MailConfig::Smtp { .. }));
    }

    #[test]
    fn embedded_s3_beyond_loopback_needs_credentials_of_ones_own() {
        for listen in ["0.0.0.0:9000", "192.0.2.10:9000", "[::]:9000"] {
            let err = load(&[("DDS_S3_LISTEN", listen)]).unwrap_err().to_string();
            assert!(err.contains("DDS_S3_LISTEN") && err.contains("not a loopback address"), "{err}");
            assert!(err.contains("DDS_S3_ACCESS_KEY") && err.contains("DDS_S3_SECRET_KEY"), "{err}");
        }
        for listen in ["127.0.0.1:9000", "[::1]:9000"] {
            let config = load(&[("DDS_S3_LISTEN", listen)]).unwrap();
            let StorageConfig::Embedded { credentials, .. } = config.storage else { panic!() };
            assert!(credentials.is_none(), "drawn per data directory");
        }
        let config = load(&[
            ("DDS_S3_LISTEN", "0.0.0.0:9000"),
            ("DDS_S3_ACCESS_KEY", "my-key"),
            ("DDS_S3_SECRET_KEY", "my-secret"),
        ])
        .unwrap();
        let StorageConfig::Embedded { credentials: Some(credentials), .. } = config.storage else { panic!() };
        assert_eq!(credentials.access_key, "my-key");
        let err = load(&[("DDS_S3_ACCESS_KEY", "only-the-key")]).unwrap_err().to_string();
        assert!(err.contains("DDS_S3_SECRET_KEY"), "{err}");
    }

    #[test]
    fn job_tick_and_clock_offset_file() {
        let config = load(&[]).unwrap();
        assert_eq!(config.job_tick, std::time::Duration::from_secs(60));
        assert_eq!(config.clock_offset_file, None);
        let config = load(&[("DDS_JOBS_TICK_SECS", "1"), ("DDS_CLOCK_OFFSET_FILE", "/tmp/offset")]).unwrap();
        assert_eq!(config.job_tick, std::time::Duration::from_secs(1));
        assert_eq!(config.clock_offset_file, Some(PathBuf::from("/tmp/offset")));
        for bad in ["0", "3601", "soon", "-5"] {
            let err = load(&[("DDS_JOBS_TICK_SECS", bad)]).unwrap_err().to_string();
            assert!(err.contains("DDS_JOBS_TICK_SECS") && err.contains("from 1 to 3600"), "{err}");
        }
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let secret_hex = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7";
        for vars in [
            vec![
                ("DATABASE_URL", "postgres://dds:db-password-1@db.internal/dds"),
                ("DDS_S3_ENDPOINT", "https://s3.example.org"),
                ("DDS_S3_ACCESS_KEY", "visible-access-key"),
                ("DDS_S3_SECRET_KEY", "s3-secret-2"),
                ("DDS_SMTP_URL", "smtps://mailer:smtp-password-3@mail.example.org:465"),
                ("DDS_SECRET_KEY", secret_hex),
            ],
            vec![("DDS_S3_ACCESS_KEY", "visible-access-key"), ("DDS_S3_SECRET_KEY", "s3-secret-2")],
        ] {
            let config = load(&vars).unwrap();
            let debug = format!("{config:?} {config:#?}");
            for secret in ["db-password-1", "s3-secret-2", "smtp-password-3", "5ec7e75e", "94, 199, 231"] {
                assert!(!debug.contains(secret), "{secret} in {debug}");
            }
            assert!(debug.contains("visible-access-key"), "{debug}");
        }
        assert_eq!(without_password("postgres://dds:pw@db/dds"), "postgres://dds:[redacted]@db/dds");
        assert_eq!(without_password("postgres://dds@db/dds"), "postgres://dds@db/dds");
        assert_eq!(
            without_password("sqlite://./data/dds.sqlite?mode=rwc"),
            "sqlite://./data/dds.sqlite?mode=rwc"
        );
    }

    #[test]
    fn bad_listen_address_names_the_setting() {
        let err = load(&[("DDS_LISTEN", "localhost")]).unwrap_err().to_string();
        assert!(err.contains("DDS_LISTEN"), "{err}");
        assert!(err.contains("'localhost'"), "{err}");
    }

    #[test]
    fn unknown_database_scheme_is_refused() {
        let err = load(&[("DATABASE_URL", "mysql://x")]).unwrap_err().to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
    }

    #[test]
    fn external_s3_without_credentials_is_refused() {
        let err = load(&[("DDS_S3_ENDPOINT", "http://minio:9000")]).unwrap_err().to_string();
        assert!(err.contains("DDS_S3_ACCESS_KEY"), "{err}");
    }

    #[test]
    fn invalid_values_are_refused_with_their_key() {
        for (env, value) in [
            ("DDS_S3_LISTEN", "nine-thousand"),
            ("DDS_PUBLIC_URL", "ftp://x"),
            ("DDS_S3_BUCKET_PREFIX", "Upper_Case"),
            ("DDS_SMTP_URL", "not a url"),
            ("DDS_MAIL_FROM", "nobody"),
            ("DDS_LOG_FORMAT", "xml"),
            ("DDS_SECRET_KEY", "too-short"),
            ("DDS_SECRET_KEY", "abcd"),
            ("DDS_LOGIN_CONCURRENCY", "0"),
            ("DDS_LOGIN_CONCURRENCY", "many"),
            ("DDS_TRUSTED_PROXIES", "10.0.0.1, proxy.internal"),
            ("DDS_TRUSTED_PROXIES", "10.0.0.0/33"),
        ] {
            let err = load(&[(env, value)]).unwrap_err().to_string();
            assert!(err.contains(env), "{env}: {err}");
        }
    }

    #[test]
    fn toml_file_is_read_and_environment_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dds.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:7000\"\n[s3]\nlisten = \"127.0.0.1:7001\"\n").unwrap();
        let config = Config::load_from(Some(&path), |name| {
            (name == "DDS_LISTEN").then(|| "127.0.0.1:7100".to_string())
        })
        .unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:7100");
        let StorageConfig::Embedded { listen, .. } = config.storage else { panic!() };
        assert_eq!(listen.to_string(), "127.0.0.1:7001");
    }

    #[test]
    fn trusted_proxies_are_read_from_a_list_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dds.toml");
        std::fs::write(&path, "trusted_proxies = [\"10.0.0.1\", \"fd00::/8\"]\n").unwrap();
        let config = Config::load_from(Some(&path), |_| None).unwrap();
        assert_eq!(config.trusted_proxies.len(), 2);
        let config = load(&[("DDS_TRUSTED_PROXIES", "10.0.0.0/8,192.0.2.7")]).unwrap();
        assert!(config.trusted_proxies[0].contains("10.9.8.7".parse().unwrap()));
        assert!(load(&[]).unwrap().trusted_proxies.is_empty(), "nobody is trusted by default");
    }

    #[test]
    fn unknown_toml_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dds.toml");
        std::fs::write(&path, "lisen = \"127.0.0.1:7000\"\n").unwrap();
        let err = Config::load_from(Some(&path), |_| None).unwrap_err().to_string();
        assert!(err.contains("unknown setting 'lisen'"), "{err}");
    }
}
