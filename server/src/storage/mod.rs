//! Object storage: the server authorizes and presigns; browsers move the bytes.
//!
//! One bucket per project (`<prefix>-<project public id>`), object keys are random UUIDs. The
//! same code talks to the embedded endpoint ([`embedded`]) and to any real S3 service.

pub mod bucket;
pub mod buckets;
pub mod embedded;
mod embedded_endpoint;
mod embedded_join;

use std::time::Duration;

use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use aws_sdk_s3::Client;
pub use bucket::{BucketName, InvalidBucketName};

/// Presigned URLs never outlive this (S3's own maximum is 7 days).
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);
/// An endpoint that does not accept the connection by then is taken as down.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// One call (every retry included) never holds a request or a job longer than this; the server
/// itself moves no file bytes, so its calls are small.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(60);
/// One attempt of a call, so a hung attempt leaves time for a retry.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("object storage request failed: {0}")]
    Request(String),
    #[error("object storage did not answer in time")]
    Timeout,
    #[error("invalid storage request: {0}")]
    Invalid(String),
}

fn request_error<E: std::fmt::Debug, R: std::fmt::Debug>(err: SdkError<E, R>) -> StorageError {
    match err {
        SdkError::TimeoutError(_) => StorageError::Timeout,
        err => StorageError::Request(format!("{err:?}")),
    }
}

/// Where and how to reach the S3 endpoint.
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// The endpoint the server uses.
    pub endpoint: String,
    /// The endpoint browsers use: presigned URLs name this host.
    pub public_endpoint: String,
    pub access_key: String,
    pub secret_key: secrecy::SecretString,
    pub region: String,
    pub bucket_prefix: String,
}

/// A part of a multipart upload as the endpoint holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedPart {
    pub number: i32,
    pub size: i64,
    /// Some endpoints (the embedded one among them) do not list ETags.
    pub etag: Option<String>,
}

/// A presigned request: the browser sends `method` to `url` with `headers`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PresignedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct ObjectStore {
    client: Client,
    presigner: Client,
    bucket_prefix: String,
    public_endpoint: String,
}

impl ObjectStore {
    pub fn new(settings: &S3Settings) -> ObjectStore {
        ObjectStore {
            client: client_for(settings, &settings.endpoint),
            presigner: client_for(settings, &settings.public_endpoint),
            bucket_prefix: settings.bucket_prefix.clone(),
            public_endpoint: settings.public_endpoint.clone(),
        }
    }

    /// Origin browsers talk to (for the page's CSP `connect-src`).
    pub fn public_origin(&self) -> &str {
        &self.public_endpoint
    }

    /// The bucket of a project. Project ids are lowercase alphanumerics (validated where they are
    /// created); anything else is refused rather than silently mangled.
    pub fn bucket_for(&self, project_public_id: &str) -> Result<BucketName, StorageError> {
        let ok = !project_public_id.is_empty()
            && project_public_id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(StorageError::Invalid(format!("'{project_public_id}' cannot name a bucket")));
        }
        BucketName::parse(&format!("{}-{}", self.bucket_prefix, project_public_id))
            .map_err(|e| StorageError::Invalid(e.to_string()))
    }

    /// Reachability check for `/status`.
    pub async fn health(&self) -> Result<(), StorageError> {
        with_timeout(Duration::from_secs(3), self.client.list_buckets().send()).await?;
        Ok(())
    }

    /// Creates the bucket unless it exists already, ours. It asks to create first, so two
    /// callers at once both succeed (a check before creating would let both see "missing").
    pub async fn ensure_bucket(&self, bucket: &BucketName) -> Result<(), StorageError> {
        let refused = match self.client.create_bucket().bucket(bucket.as_str()).send().await {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        if refused.as_service_error().is_some_and(|e| e.is_bucket_already_owned_by_you()) {
            return Ok(());
        }
        // BucketAlreadyExists names a bucket of ANY owner (some endpoints, the embedded one
        // included, also answer it, or an internal error, to the loser of a race): it is ours
        // only if we may read it.
        if self.client.head_bucket().bucket(bucket.as_str()).send().await.is_ok() {
            return Ok(());
        }
        Err(request_error(refused))
    }

    /// The parts uploaded so far to a multipart upload, by part number (every page of the
    /// listing: S3 returns at most 1000 parts per call).
    pub async fn list_parts(
        &self,
        bucket: &BucketName,
        key: &str,
        upload_id: &str,
    ) -> Result<Vec<UploadedPart>, StorageError> {
        let mut pages = self
            .client
            .list_parts()
            .bucket(bucket.as_str())
            .key(key)
            .upload_id(upload_id)
            .into_paginator()
            .send();
        let mut parts = Vec::new();
        while let Some(page) = pages.next().await {
            for part in page.map_err(request_error)?.parts() {
                let (Some(number), Some(size)) = (part.part_number(), part.size()) else {
                    return Err(StorageError::Request(
                        "the endpoint listed a part without number or size".into(),
                    ));
                };
                parts.push(UploadedPart { number, size, etag: part.e_tag().map(str::to_string) });
            }
        }
        parts.sort_by_key(|part| part.number);
        Ok(parts)
    }

    /// Starts a multipart upload and returns its upload id.
    pub async fn create_multipart_upload(
        &self,
        bucket: &BucketName,
        key: &str,
    ) -> Result<String, StorageError> {
        let out = self
            .client
            .create_multipart_upload()
            .bucket(bucket.as_str())
            .key(key)
            .send()
            .await
            .map_err(request_error)?;
        out.upload_id.ok_or_else(|| StorageError::Request("the endpoint returned no upload id".into()))
    }

    /// A URL to PUT exactly `content_length` bytes as part `part_number` (1-based).
    pub async fn presign_upload_part(
        &self,
        bucket: &BucketName,
        key: &str,
        upload_id: &str,
        part_number: i32,
        content_length: i64,
        expires_in: Duration,
    ) -> Result<PresignedRequest, StorageError> {
        if !(1..=10_000).contains(&part_number) {
            return Err(StorageError::Invalid(format!("part number {part_number} is outside 1-10000")));
        }
        let presigned = self
            .presigner
            .upload_part()
            .bucket(bucket.as_str())
            .key(key)
            .upload_id(upload_id)
            .part_number(part_number)
            .content_length(content_length)
            .presigned(presigning(expires_in)?)
            .await
            .map_err(request_error)?;
        Ok(to_presigned(&presigned))
    }

    /// Completes a multipart upload. Every part must have an ETag, numbered 1..=n in order: a
    /// rejected complete cannot be retried, so this is checked before asking the endpoint.
    pub async fn complete_multipart_upload(
        &self,
        bucket: &BucketName,
        key: &str,
        upload_id: &str,
        etags: &[String],
    ) -> Result<(), StorageError> {
        if etags.is_empty() || etags.iter().any(|etag| etag.trim().is_empty()) {
            return Err(StorageError::Invalid("every uploaded part needs its ETag".into()));
        }
        let parts = etags
            .iter()
            .enumerate()
            .map(|(i, etag)| CompletedPart::builder().part_number(i as i32 + 1).e_tag(etag).build())
            .collect();
        self.client
            .complete_multipart_upload()
            .bucket(bucket.as_str())
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
            .send()
            .await
            .map_err(request_error)?;
        Ok(())
    }

    pub async fn abort_multipart_upload(
        &self,
        bucket: &BucketName,
        key: &str,
        upload_id: &str,
    ) -> Result<(), StorageError> {
        self.client
            .abort_multipart_upload()
            .bucket(bucket.as_str())
            .key(key)
            .upload_id(upload_id)
            .send()
            .await
            .map_err(request_error)?;
        Ok(())
    }

    /// Size of a stored object in bytes.
    pub async fn object_size(&self, bucket: &BucketName, key: &str) -> Result<i64, StorageError> {
        let out =
            self.client.head_object().bucket(bucket.as_str()).key(key).send().await.map_err(request_error)?;
        out.content_length.ok_or_else(|| StorageError::Request("the endpoint returned no object size".into()))
    }

    /// A URL to GET the object; the browser may add a `Range` header (not signed, so one URL
    /// serves every range of a resumable download).
    pub async fn presign_get(
        &self,
        bucket: &BucketName,
        key: &str,
        expires_in: Duration,
    ) -> Result<PresignedRequest, StorageError> {
        let presigned = self
            .presigner
            .get_object()
            .bucket(bucket.as_str())
            .key(key)
            .presigned(presigning(expires_in)?)
            .await
            .map_err(request_error)?;
        Ok(to_presigned(&presigned))
    }
}

fn client_for(settings: &S3Settings, endpoint: &str) -> Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(settings.region.clone()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            settings.access_key.clone(),
            secrecy::ExposeSecret::expose_secret(&settings.secret_key).to_string(),
            None,
            None,
            "dds-config",
        ))
        // Path-style works with every S3 implementation and needs no wildcard DNS.
        .force_path_style(true)
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .build(),
        )
        .build();
    Client::from_conf(config)
}

fn presigning(expires_in: Duration) -> Result<PresigningConfig, StorageError> {
    PresigningConfig::expires_in(expires_in.min(MAX_PRESIGN_EXPIRY))
        .map_err(|e| StorageError::Invalid(e.to_string()))
}

fn to_presigned(request: &aws_sdk_s3::presigning::PresignedRequest) -> PresignedRequest {
    PresignedRequest {
        method: request.method().to_string(),
        url: request.uri().to_string(),
        headers: request.headers().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

async fn with_timeout<T, E: std::fmt::Debug, R: std::fmt::Debug>(
    limit: Duration,
    future: impl std::future::Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<T, StorageError> {
    match tokio::time::timeout(limit, future).await {
        Ok(result) => result.map_err(request_error),
        Err(_) => Err(StorageError::Timeout),
    }
}
