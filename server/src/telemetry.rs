//! Logging through `tracing`: readable lines for a terminal, JSON lines for production.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber (once; later calls are ignored, which suits tests).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("DDS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,s3s=warn,aws_smithy_runtime=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
