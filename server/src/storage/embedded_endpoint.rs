//! The embedded endpoint's S3 implementation: s3s-fs, with file bytes moved in 1 MiB blocks
//! instead of its 4 KiB (GetObject) and network-sized (UploadPart) ones.
//!
//! Measured (scripts/bench-delivery, 1 GiB in 8 MiB ranges): s3s-fs spent 8–11 CPU-seconds
//! serving a GiB, on the same two cores as the browser that downloads it, because every 4 KiB
//! read of a tokio `File` is a round trip to a blocking thread; with 1 MiB reads, 0.6. Everything
//! else (signatures, ranges, ETags, metadata, errors) stays s3s-fs's own: its `get_object`
//! answers first, and only its body is replaced by the same bytes of the same file, read in large
//! positioned reads; an uploaded part's body reaches its `upload_part` gathered into 1 MiB blocks
//! (one blocking write each, where it wrote each network read on its own). CompleteMultipartUpload
//! joins the part files without reading them back (`embedded_join`).

use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, S3};
use s3s_fs::FileSystem;

use super::embedded_join::Join;

/// How many bytes of an object's file one read takes, and one write of an uploaded part.
const BLOCK: usize = 1024 * 1024;

pub struct Endpoint {
    fs: FileSystem,
    root: PathBuf,
}

impl Endpoint {
    pub fn new(root: &Path) -> Result<Endpoint, s3s_fs::Error> {
        Ok(Endpoint { fs: FileSystem::new(root)?, root: root.to_path_buf() })
    }

    /// The file holding `bucket/key`, as s3s-fs lays it out; None for a name that could leave the
    /// root (s3s-fs itself resolves those; its own body is kept for them).
    fn object_path(&self, bucket: &str, key: &str) -> Option<PathBuf> {
        let relative = Path::new(bucket).join(key);
        relative.components().all(|c| matches!(c, Component::Normal(_))).then(|| self.root.join(relative))
    }

    /// s3s-fs's answer with its body read in large blocks (see the module's comment).
    async fn get_object_in_blocks(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let path = self.object_path(&req.input.bucket, &req.input.key);
        let range = req.input.range;
        let mut response = self.fs.get_object(req).await?;
        let Some(path) = path else { return Ok(response) };
        // s3s-fs answered (the object exists, the range fits): the same bytes, read faster.
        let file = std::fs::File::open(&path).map_err(s3s::S3Error::internal_error)?;
        let file_len = file.metadata().map_err(s3s::S3Error::internal_error)?.len();
        let bytes = match range {
            Some(range) => range.check(file_len).map_err(|_| s3s::s3_error!(InvalidRange))?,
            None => 0..file_len,
        };
        let output = &mut response.output;
        if output.content_length != i64::try_from(bytes.end - bytes.start).ok() {
            return Ok(response); // the file changed between the two opens: keep s3s-fs's answer
        }
        output.body = Some(StreamingBlob::wrap(file_range(file, bytes.start, bytes.end - bytes.start)));
        Ok(response)
    }

    /// CompleteMultipartUpload by joining the part files (`embedded_join`); a conditional one
    /// (If-Match, If-None-Match: the portal sends none) or one for a name s3s-fs resolves itself
    /// is left to s3s-fs.
    async fn complete_by_joining(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let input = &req.input;
        let conditional = input.if_match.is_some() || input.if_none_match.is_some();
        let (Some(object), false) = (self.object_path(&input.bucket, &input.key), conditional) else {
            return self.fs.complete_multipart_upload(req).await;
        };
        let upload_id = uuid::Uuid::parse_str(&input.upload_id).map_err(|_| s3s::s3_error!(NoSuchUpload))?;
        let join = Join {
            root: self.root.clone(),
            bucket: input.bucket.clone(),
            key: input.key.clone(),
            upload_id,
            object,
        };
        let parts =
            input.multipart_upload.as_ref().and_then(|upload| upload.parts.clone()).unwrap_or_default();
        let access_key = req.credentials.as_ref().map(|c| c.access_key.clone());
        let (bucket, key) = (input.bucket.clone(), input.key.clone());
        let e_tag = tokio::task::spawn_blocking(move || join.run(access_key.as_deref(), &parts))
            .await
            .map_err(s3s::S3Error::internal_error)??;
        Ok(S3Response::new(CompleteMultipartUploadOutput {
            bucket: Some(bucket),
            key: Some(key),
            e_tag: Some(ETag::Strong(e_tag)),
            ..Default::default()
        }))
    }
}

/// `len` bytes of `file` from `start`, in blocks of [`BLOCK`]; a file that ends early ends
/// the stream with an error (the client sees a short body, never other bytes).
fn file_range(file: std::fs::File, start: u64, len: u64) -> impl futures::Stream<Item = io::Result<Bytes>> {
    let file = Arc::new(file);
    futures::stream::try_unfold((file, start, start + len), |(file, at, end)| async move {
        if at >= end {
            return Ok(None);
        }
        // At most BLOCK: it fits a usize.
        let want = (end - at).min(BLOCK as u64) as usize;
        let reader = file.clone();
        let block = tokio::task::spawn_blocking(move || {
            let mut block = vec![0; want];
            let read = reader.read_at(&mut block, at)?;
            block.truncate(read);
            Ok::<_, io::Error>(block)
        })
        .await
        .map_err(io::Error::other)??;
        if block.is_empty() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the object's file ended early"));
        }
        let next = at + block.len() as u64;
        Ok(Some((Bytes::from(block), (file, next, end))))
    })
}

/// `body` in blocks of [`BLOCK`] bytes (the last one shorter), copied together from the
/// network's smaller reads.
fn in_blocks(body: StreamingBlob) -> impl futures::Stream<Item = io::Result<Bytes>> {
    use futures::StreamExt;
    futures::stream::try_unfold((body, false), |(mut body, ended)| async move {
        if ended {
            return Ok(None);
        }
        let mut gathered = Vec::with_capacity(BLOCK);
        while gathered.len() < BLOCK {
            match body.next().await.transpose().map_err(io::Error::other)? {
                Some(bytes) => gathered.extend_from_slice(&bytes),
                None if gathered.is_empty() => return Ok(None),
                None => return Ok(Some((Bytes::from(gathered), (body, true)))),
            }
        }
        Ok(Some((Bytes::from(gathered), (body, false))))
    })
}

/// The S3 implementation: GetObject, UploadPart and CompleteMultipartUpload (`embedded_join`) as
/// above, every other operation s3s-fs
/// implements passed on to it (the rest answer NotImplemented, as s3s-fs's do).
macro_rules! endpoint {
    ($($op:ident: $input:ty => $output:ty),* $(,)?) => {
        #[async_trait::async_trait]
        impl S3 for Endpoint {
            async fn get_object(&self, req: S3Request<GetObjectInput>) -> S3Result<S3Response<GetObjectOutput>> {
                self.get_object_in_blocks(req).await
            }
            async fn complete_multipart_upload(
                &self,
                req: S3Request<CompleteMultipartUploadInput>,
            ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
                self.complete_by_joining(req).await
            }
            async fn upload_part(&self, mut req: S3Request<UploadPartInput>) -> S3Result<S3Response<UploadPartOutput>> {
                req.input.body = req.input.body.take().map(|body| StreamingBlob::wrap(in_blocks(body)));
                self.fs.upload_part(req).await
            }
            $(
                async fn $op(&self, req: S3Request<$input>) -> S3Result<S3Response<$output>> {
                    self.fs.$op(req).await
                }
            )*
        }
    };
}

endpoint! {
    abort_multipart_upload: AbortMultipartUploadInput => AbortMultipartUploadOutput,
    copy_object: CopyObjectInput => CopyObjectOutput,
    create_bucket: CreateBucketInput => CreateBucketOutput,
    create_multipart_upload: CreateMultipartUploadInput => CreateMultipartUploadOutput,
    delete_bucket: DeleteBucketInput => DeleteBucketOutput,
    delete_object: DeleteObjectInput => DeleteObjectOutput,
    delete_objects: DeleteObjectsInput => DeleteObjectsOutput,
    get_bucket_location: GetBucketLocationInput => GetBucketLocationOutput,
    head_bucket: HeadBucketInput => HeadBucketOutput,
    head_object: HeadObjectInput => HeadObjectOutput,
    list_buckets: ListBucketsInput => ListBucketsOutput,
    list_objects: ListObjectsInput => ListObjectsOutput,
    list_objects_v2: ListObjectsV2Input => ListObjectsV2Output,
    list_parts: ListPartsInput => ListPartsOutput,
    put_object: PutObjectInput => PutObjectOutput,
    upload_part_copy: UploadPartCopyInput => UploadPartCopyOutput,
}
