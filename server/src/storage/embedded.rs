//! The embedded S3-compatible endpoint (s3s + s3s-fs, `embedded_endpoint`) for the default setup: real SigV4
//! verification of presigned URLs, data as files under the data dir, on its own loopback port.
//! Its credentials are configured, or drawn at random once per data directory and kept in
//! `<data_dir>/s3-credentials` (mode 0600), never fixed values anyone could read in the source.

use std::net::SocketAddr;
use std::path::Path;

use rand::RngCore;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{header, Method, StatusCode};
use s3s::service::{S3Service, S3ServiceBuilder};
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::S3Credentials;

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedS3Error {
    #[error("cannot prepare the embedded S3 folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    #[error("cannot listen on {addr} for the embedded S3 endpoint: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("cannot read or create the embedded S3 credentials {path}: {source}")]
    Credentials { path: String, source: std::io::Error },
}

/// The file holding the embedded endpoint's drawn credentials: the access key, then the secret
/// key, one per line.
pub const CREDENTIALS_FILE: &str = "s3-credentials";

/// The credentials kept in `data_dir` (drawn and written, mode 0600, on first use).
pub fn data_dir_credentials(data_dir: &Path) -> Result<S3Credentials, EmbeddedS3Error> {
    let path = data_dir.join(CREDENTIALS_FILE);
    let error = |source| EmbeddedS3Error::Credentials { path: path.display().to_string(), source };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let mut lines = text.lines().map(str::trim);
            match (lines.next(), lines.next()) {
                (Some(access_key), Some(secret_key)) if !access_key.is_empty() && !secret_key.is_empty() => {
                    Ok(S3Credentials { access_key: access_key.to_string(), secret_key: secret_key.into() })
                }
                _ => {
                    Err(error(std::io::Error::other("expected an access key and a secret key, one per line")))
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::files::create_private_dir(data_dir).map_err(error)?;
            let random_hex = |len: usize| {
                let mut bytes = vec![0u8; len];
                rand::rngs::OsRng.fill_bytes(&mut bytes);
                hex::encode(bytes)
            };
            let (access_key, secret_key) = (format!("dds-{}", random_hex(10)), random_hex(32));
            crate::files::write_private(&path, &format!("{access_key}\n{secret_key}\n")).map_err(error)?;
            Ok(S3Credentials { access_key, secret_key: secret_key.into() })
        }
        Err(e) => Err(error(e)),
    }
}

/// A bound, not yet serving, embedded endpoint.
pub struct EmbeddedS3 {
    listener: TcpListener,
    service: S3Service,
}

impl EmbeddedS3 {
    pub async fn bind(
        listen: SocketAddr,
        root: &Path,
        credentials: &S3Credentials,
    ) -> Result<EmbeddedS3, EmbeddedS3Error> {
        let folder_error = |source| EmbeddedS3Error::Folder { path: root.display().to_string(), source };
        crate::files::create_private_dir(root).map_err(folder_error)?;
        let endpoint = super::embedded_endpoint::Endpoint::new(root)
            .map_err(|e| folder_error(std::io::Error::other(format!("{e:?}"))))?;
        let mut builder = S3ServiceBuilder::new(endpoint);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(
            credentials.access_key.as_str(),
            secrecy::ExposeSecret::expose_secret(&credentials.secret_key),
        ));
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| EmbeddedS3Error::Bind { addr: listen, source })?;
        Ok(EmbeddedS3 { listener, service: builder.build() })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = axum::Router::new().fallback(forward).with_state(self.service).layer(cors());
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await
    }
}

/// Browsers upload and download directly: allow any origin (every request is still signed),
/// and expose ETag, without which a browser cannot complete a multipart upload.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::PUT, Method::HEAD, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::RANGE, header::CONTENT_LENGTH])
        .expose_headers([header::ETAG, header::CONTENT_LENGTH, header::CONTENT_RANGE])
        .max_age(std::time::Duration::from_secs(3600))
}

async fn forward(State(service): State<S3Service>, request: Request) -> Response {
    match service.call(request.map(s3s::Body::http_body_unsync)).await {
        Ok(response) => response.map(Body::new),
        Err(err) => {
            tracing::warn!(error = ?err, "embedded S3 failed a request");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_drawn_once_per_data_directory_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = data_dir_credentials(dir.path()).unwrap();
        let again = data_dir_credentials(dir.path()).unwrap();
        use secrecy::ExposeSecret;
        assert_eq!(
            (&first.access_key, first.secret_key.expose_secret()),
            (&again.access_key, again.secret_key.expose_secret())
        );
        assert_ne!(first.access_key, "dds-embedded");
        assert_eq!(first.secret_key.expose_secret().len(), 64);
        let other = data_dir_credentials(tempfile::tempdir().unwrap().path()).unwrap();
        assert_ne!(first.secret_key.expose_secret(), other.secret_key.expose_secret());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(CREDENTIALS_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_credentials_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CREDENTIALS_FILE), "only-one-line\n").unwrap();
        let err = data_dir_credentials(dir.path()).unwrap_err().to_string();
        assert!(err.contains("s3-credentials") && err.contains("one per line"), "{err}");
    }
}
