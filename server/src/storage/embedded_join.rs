//! CompleteMultipartUpload for the embedded endpoint without reading the parts back.
//!
//! s3s-fs completes an upload by copying every part into the object in 64 KiB reads (each a
//! round trip to a blocking thread) and hashing all of it again with MD5: about 2 s per GiB,
//! serial, at the end of every upload, with no progress to show (measured with
//! scripts/bench-delivery). Here the kernel joins the part files (`std::io::copy` between two
//! files is `copy_file_range` on Linux: no bytes through this process) and the multipart ETag is
//! computed as S3 computes it, from the parts' ETags (each the MD5 s3s-fs answered to its
//! UploadPart). Like s3s-fs, which ignores them, it does not check the given ETags against the
//! stored parts; the portal checks the object's size after completing.
//!
//! It keeps s3s-fs's on-disk layout (parts `.upload_id-<id>.part-<n>` in the root, the upload's
//! credentials `.upload-<id>.json`, attributes `.bucket-<b64>.object-<b64>[.upload-<id>].metadata.json`,
//! the ETag in `.bucket-<b64>.object-<b64>.internal.json`), so every other operation stays
//! s3s-fs's. Two completions of one upload at once: the first to claim its credentials file (a
//! rename) joins it; the other is told the upload is gone, as after it ended.

use std::fs::{self, File};
use std::io;
use std::path::PathBuf;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use s3s::crypto::{Checksum, Md5};
use s3s::dto::{CompletedPart, ETag};
use s3s::{s3_error, S3Error, S3Result};

/// S3's smallest part, except the last.
const MIN_PART: u64 = 5 * 1024 * 1024;

/// One completion: what it joins and where the result goes.
pub(super) struct Join {
    pub root: PathBuf,
    pub bucket: String,
    pub key: String,
    pub upload_id: uuid::Uuid,
    /// The object's file (`root/bucket/key`, checked to stay below the root).
    pub object: PathBuf,
}

impl Join {
    /// Joins the parts named in `parts` (1..n in order, each with its ETag) into the object, as
    /// the upload's owner (`access_key`, None for an anonymous one); answers the object's ETag.
    /// Blocking: run it on a blocking thread.
    pub fn run(&self, access_key: Option<&str>, parts: &[CompletedPart]) -> S3Result<String> {
        let e_tag = multipart_e_tag(parts)?;
        let sources = self.part_files(parts.len())?;
        self.check_owner(access_key)?;
        // Claimed: a second completion of this upload no longer finds it.
        let claimed = self.root.join(format!(".upload-{}.json.completing", self.upload_id));
        fs::rename(self.upload_info(), &claimed).map_err(|_| s3_error!(NoSuchUpload))?;
        let joined = self.join_into_object(&sources);
        if let Err(err) = joined {
            // The parts are still there: the upload can be completed again or aborted.
            let _ = fs::rename(&claimed, self.upload_info());
            return Err(err);
        }
        for source in &sources {
            let _ = fs::remove_file(source);
        }
        let _ = fs::remove_file(&claimed);
        self.move_attributes().map_err(S3Error::internal_error)?;
        self.save_e_tag(&e_tag).map_err(S3Error::internal_error)?;
        Ok(e_tag)
    }

    fn upload_info(&self) -> PathBuf {
        self.root.join(format!(".upload-{}.json", self.upload_id))
    }

    /// The upload exists and was made with these credentials (what s3s-fs checks).
    fn check_owner(&self, access_key: Option<&str>) -> S3Result<()> {
        let content = fs::read(self.upload_info()).map_err(|_| s3_error!(NoSuchUpload))?;
        let owner: Option<String> = serde_json::from_slice(&content).map_err(S3Error::internal_error)?;
        if owner.as_deref() != access_key {
            return Err(s3_error!(AccessDenied));
        }
        Ok(())
    }

    /// The part files 1..=count, each there and at least [`MIN_PART`] but the last: checked
    /// before anything changes.
    fn part_files(&self, count: usize) -> S3Result<Vec<PathBuf>> {
        (1..=count)
            .map(|number| {
                let path = self.root.join(format!(".upload_id-{}.part-{number}", self.upload_id));
                let size = fs::metadata(&path)
                    .map_err(|_| s3_error!(InvalidPart, "part {number} was not uploaded"))?
                    .len();
                if number < count && size < MIN_PART {
                    return Err(s3_error!(EntityTooSmall));
                }
                Ok(path)
            })
            .collect()
    }

    /// Writes the parts one after another into a new file and puts it in the object's place.
    fn join_into_object(&self, sources: &[PathBuf]) -> S3Result<()> {
        // s3s-fs removes leftovers of this name pattern when it starts (a crash mid-join).
        let temporary = self.root.join(format!(".tmp.join-{}.internal.part", self.upload_id));
        let written = (|| {
            let mut out = File::create(&temporary)?;
            for source in sources {
                io::copy(&mut File::open(source)?, &mut out)?;
            }
            out.sync_all()?;
            if let Some(folder) = self.object.parent() {
                fs::create_dir_all(folder)?;
            }
            fs::rename(&temporary, &self.object)
        })();
        written.map_err(|err| {
            let _ = fs::remove_file(&temporary);
            S3Error::internal_error(err)
        })
    }

    /// `.bucket-<b64>.object-<b64><suffix>` in the root, as s3s-fs names an object's side files.
    fn side_file(&self, suffix: &str) -> PathBuf {
        let (bucket, key) = (URL_SAFE_NO_PAD.encode(&self.bucket), URL_SAFE_NO_PAD.encode(&self.key));
        self.root.join(format!(".bucket-{bucket}.object-{key}{suffix}"))
    }

    /// The attributes given when the upload was created become the object's (content type,
    /// metadata), as s3s-fs does; none given, the object's stay.
    fn move_attributes(&self) -> io::Result<()> {
        let given = self.side_file(&format!(".upload-{}.metadata.json", self.upload_id));
        match fs::rename(given, self.side_file(".metadata.json")) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// Records the ETag where s3s-fs reads it, keeping what else it recorded for the object.
    fn save_e_tag(&self, e_tag: &str) -> io::Result<()> {
        let path = self.side_file(".internal.json");
        let mut info: serde_json::Map<String, serde_json::Value> = match fs::read(&path) {
            Ok(content) => serde_json::from_slice(&content).map_err(io::Error::other)?,
            Err(err) if err.kind() == io::ErrorKind::NotFound => Default::default(),
            Err(err) => return Err(err),
        };
        info.insert("e_tag".into(), e_tag.into());
        let temporary = self.root.join(format!(".tmp.etag-{}.internal.part", self.upload_id));
        fs::write(&temporary, serde_json::to_vec(&info).map_err(io::Error::other)?)?;
        fs::rename(temporary, path)
    }
}

/// S3's multipart ETag: the MD5 of the parts' MD5s one after another, `-` the number of parts.
/// The parts must be numbered 1..n in order and each carry the ETag its upload answered.
pub(super) fn multipart_e_tag(parts: &[CompletedPart]) -> S3Result<String> {
    if parts.is_empty() {
        return Err(s3_error!(InvalidPart, "You must specify at least one part"));
    }
    let mut md5 = Md5::new();
    for (i, part) in parts.iter().enumerate() {
        let number = i + 1;
        if part.part_number != Some(number as i32) {
            return Err(s3_error!(InvalidRequest, "invalid part order"));
        }
        let digest = part
            .e_tag
            .as_ref()
            .and_then(ETag::as_strong)
            .and_then(|value| hex::decode(value).ok())
            .filter(|digest| digest.len() == 16)
            .ok_or_else(|| s3_error!(InvalidPart, "part {number} has no ETag this endpoint gave"))?;
        md5.update(&digest);
    }
    Ok(format!("{}-{}", hex::encode(md5.finalize()), parts.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(number: i32, e_tag: Option<&str>) -> CompletedPart {
        CompletedPart {
            part_number: Some(number),
            e_tag: e_tag.map(|t| ETag::Strong(t.into())),
            ..Default::default()
        }
    }

    #[test]
    fn the_multipart_e_tag_is_s3s() {
        // Two parts whose MD5s are those of "a" and "b": S3 answers MD5(md5("a") || md5("b"))-2.
        let (a, b) = ("0cc175b9c0f1b6a831c399e269772661", "92eb5ffee6ae2fec3ad71c777531578f");
        let mut both = Md5::new();
        both.update(&hex::decode(a).unwrap());
        both.update(&hex::decode(b).unwrap());
        let expected = format!("{}-2", hex::encode(both.finalize()));
        assert_eq!(multipart_e_tag(&[part(1, Some(a)), part(2, Some(b))]).unwrap(), expected);
    }

    #[test]
    fn parts_out_of_order_or_without_their_e_tag_are_refused() {
        let tag = "0cc175b9c0f1b6a831c399e269772661";
        let refused =
            |parts: &[CompletedPart]| multipart_e_tag(parts).unwrap_err().code().as_str().to_string();
        assert_eq!(refused(&[]), "InvalidPart");
        assert_eq!(refused(&[part(2, Some(tag))]), "InvalidRequest");
        assert_eq!(refused(&[part(1, Some(tag)), part(1, Some(tag))]), "InvalidRequest");
        assert_eq!(refused(&[part(1, None)]), "InvalidPart");
        assert_eq!(refused(&[part(1, Some("not hex"))]), "InvalidPart");
        assert_eq!(refused(&[part(1, Some("0cc175b9"))]), "InvalidPart");
    }

    #[test]
    fn side_files_are_named_as_s3s_fs_names_them() {
        let join = Join {
            root: PathBuf::from("/r"),
            bucket: "b".into(),
            key: "k".into(),
            upload_id: uuid::Uuid::nil(),
            object: PathBuf::from("/r/b/k"),
        };
        assert_eq!(
            join.side_file(".metadata.json"),
            PathBuf::from("/r/.bucket-Yg.object-aw.metadata.json"),
            "base64url without padding, as s3s-fs names it"
        );
    }
}
