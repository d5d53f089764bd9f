//! The embedded S3-compatible endpoint (s3s + s3s-fs) for the default setup: real SigV4
//! verification of presigned URLs, data as files under the data dir, on its own loopback port.

use std::net::SocketAddr;
use std::path::Path;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{header, Method, StatusCode};
use s3s::service::{S3Service, S3ServiceBuilder};
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedS3Error {
    #[error("cannot prepare the embedded S3 folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    #[error("cannot listen on {addr} for the embedded S3 endpoint: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
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
        access_key: &str,
        secret_key: &str,
    ) -> Result<EmbeddedS3, EmbeddedS3Error> {
        let folder_error = |source| EmbeddedS3Error::Folder { path: root.display().to_string(), source };
        std::fs::create_dir_all(root).map_err(folder_error)?;
        let fs = s3s_fs::FileSystem::new(root)
            .map_err(|e| folder_error(std::io::Error::other(format!("{e:?}"))))?;
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(access_key, secret_key));
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
