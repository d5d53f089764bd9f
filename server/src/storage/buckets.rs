//! A project's bucket over its life: created with CORS for the portal's origin (browsers PUT
//! and GET straight to it), then emptied and deleted by the durable tasks that remove a
//! project's data. Each call is idempotent: a bucket or object that is already gone counts as
//! removed, so a task resumed after a crash simply carries on.

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::{CorsConfiguration, CorsRule, Delete, ObjectIdentifier};

use super::bucket::BucketName;
use super::{request_error, ObjectStore, StorageError};

/// S3's limit for one DeleteObjects request.
const BATCH: i32 = 1000;

fn gone(code: Option<&str>) -> bool {
    matches!(code, Some("NoSuchBucket" | "NoSuchKey" | "NoSuchUpload"))
}

/// An S3 error as a line for the task's `last_error` (code and message, not the whole response).
fn brief<E: ProvideErrorMetadata>(what: &str, err: &E) -> StorageError {
    StorageError::Request(format!(
        "{what}: {} ({})",
        err.message().unwrap_or("no message"),
        err.code().unwrap_or("no error code")
    ))
}

impl ObjectStore {
    /// Lets the portal's pages PUT parts and GET ranges from the browser. Endpoints that do not
    /// implement bucket CORS (the embedded one answers CORS itself) are left as they are.
    pub async fn allow_portal_origin(
        &self,
        bucket: &BucketName,
        portal_origin: &str,
    ) -> Result<(), StorageError> {
        let rule = CorsRule::builder()
            .allowed_origins(portal_origin)
            .allowed_methods("GET")
            .allowed_methods("PUT")
            .allowed_methods("HEAD")
            .allowed_headers("*")
            .expose_headers("ETag")
            .max_age_seconds(3600)
            .build()
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        let cors = CorsConfiguration::builder()
            .cors_rules(rule)
            .build()
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        match self.client.put_bucket_cors().bucket(bucket.as_str()).cors_configuration(cors).send().await {
            Ok(_) => Ok(()),
            Err(err) if matches!(err.code(), Some("NotImplemented")) => Ok(()),
            Err(err) if err.raw_response().is_some_and(|r| r.status().as_u16() == 501) => Ok(()),
            Err(err) => Err(request_error(err)),
        }
    }

    /// Removes up to 1,000 objects of `bucket` and answers how many it removed (0 once empty,
    /// or when the bucket does not exist).
    pub async fn remove_some_objects(&self, bucket: &BucketName) -> Result<usize, StorageError> {
        let listed = match self.client.list_objects_v2().bucket(bucket.as_str()).max_keys(BATCH).send().await
        {
            Ok(listed) => listed,
            Err(err) if gone(err.code()) => return Ok(0),
            Err(err) => return Err(brief("listing objects", &err)),
        };
        let keys: Vec<String> =
            listed.contents().iter().filter_map(|object| object.key().map(str::to_string)).collect();
        self.remove_objects(bucket, &keys).await?;
        Ok(keys.len())
    }

    /// Removes the named objects (missing ones are fine), in batches of 1,000.
    pub async fn remove_objects(&self, bucket: &BucketName, keys: &[String]) -> Result<(), StorageError> {
        for batch in keys.chunks(BATCH as usize) {
            let objects = batch
                .iter()
                .map(|key| ObjectIdentifier::builder().key(key).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StorageError::Invalid(e.to_string()))?;
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|e| StorageError::Invalid(e.to_string()))?;
            match self.client.delete_objects().bucket(bucket.as_str()).delete(delete).send().await {
                Ok(out) => {
                    if let Some(error) = out.errors().iter().find(|e| !gone(e.code())) {
                        return Err(StorageError::Request(format!(
                            "could not remove {}: {}",
                            error.key().unwrap_or("an object"),
                            error.message().unwrap_or("no reason given")
                        )));
                    }
                }
                Err(err) if gone(err.code()) => return Ok(()),
                Err(err) => return Err(brief("removing objects", &err)),
            }
        }
        Ok(())
    }

    /// Aborts every unfinished multipart upload of `bucket` (their parts hold space too).
    /// Endpoints that cannot list them (the embedded one) are skipped: the uploads the portal
    /// started are recorded and aborted one by one.
    pub async fn abort_all_uploads(&self, bucket: &BucketName) -> Result<(), StorageError> {
        loop {
            let listed = match self.client.list_multipart_uploads().bucket(bucket.as_str()).send().await {
                Ok(listed) => listed,
                Err(err) if gone(err.code()) || err.code() == Some("NotImplemented") => return Ok(()),
                Err(err) => return Err(brief("listing unfinished uploads", &err)),
            };
            let uploads = listed.uploads();
            if uploads.is_empty() {
                return Ok(());
            }
            for upload in uploads {
                let (Some(key), Some(id)) = (upload.key(), upload.upload_id()) else { continue };
                match self
                    .client
                    .abort_multipart_upload()
                    .bucket(bucket.as_str())
                    .key(key)
                    .upload_id(id)
                    .send()
                    .await
                {
                    Ok(_) => {}
                    Err(err) if gone(err.code()) => {}
                    Err(err) => return Err(brief("aborting an upload", &err)),
                }
            }
        }
    }

    /// Deletes an empty bucket; one that is already gone is fine.
    pub async fn delete_bucket(&self, bucket: &BucketName) -> Result<(), StorageError> {
        match self.client.delete_bucket().bucket(bucket.as_str()).send().await {
            Ok(_) => Ok(()),
            Err(err) if gone(err.code()) => Ok(()),
            Err(err) => Err(brief("deleting the bucket", &err)),
        }
    }

    /// Every object key of `bucket` (none when it does not exist), 1,000 per request.
    pub async fn list_keys(&self, bucket: &BucketName) -> Result<Vec<String>, StorageError> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut request = self.client.list_objects_v2().bucket(bucket.as_str()).max_keys(BATCH);
            if let Some(token) = &token {
                request = request.continuation_token(token);
            }
            let listed = match request.send().await {
                Ok(listed) => listed,
                Err(err) if gone(err.code()) => return Ok(keys),
                Err(err) => return Err(brief("listing objects", &err)),
            };
            keys.extend(listed.contents().iter().filter_map(|object| object.key().map(str::to_string)));
            match listed.next_continuation_token() {
                Some(next) if listed.is_truncated() == Some(true) => token = Some(next.to_string()),
                _ => return Ok(keys),
            }
        }
    }

    /// Whether the bucket exists (for tests and `dds reconcile`).
    pub async fn bucket_exists(&self, bucket: &BucketName) -> Result<bool, StorageError> {
        match self.client.head_bucket().bucket(bucket.as_str()).send().await {
            Ok(_) => Ok(true),
            Err(err) if err.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(false),
            Err(err) => Err(request_error(err)),
        }
    }
}
