//! Paths of files inside a project, as the browser sends them and the database keeps them:
//! `folder/sub/name.ext`, no leading or trailing `/`, no empty, `.` or `..` segment, no control
//! characters or backslashes, NFC-insensitive look-alikes are the uploader's business (the
//! bytes are kept as sent). One parser at the edge; everything after works on [`FilePath`].

use serde::{Deserialize, Serialize};

/// DDS's file name limit is the S3 key limit; ours leaves room for the bucket prefix.
pub const MAX_PATH_BYTES: usize = 1000;
pub const MAX_SEGMENT_BYTES: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("The file path is empty.")]
    Empty,
    #[error("The file path is longer than {MAX_PATH_BYTES} bytes.")]
    TooLong,
    #[error("A file or folder name in '{0}' is longer than {MAX_SEGMENT_BYTES} bytes.")]
    SegmentTooLong(String),
    #[error("The file path '{0}' has an empty, '.' or '..' part.")]
    BadSegment(String),
    #[error("The file path '{0}' contains a control character or a backslash.")]
    BadCharacter(String),
}

/// A checked path of a file in a project.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FilePath(String);

impl FilePath {
    pub fn parse(raw: &str) -> Result<FilePath, PathError> {
        let path = raw.trim_start_matches('/');
        if path.is_empty() {
            return Err(PathError::Empty);
        }
        if path.len() > MAX_PATH_BYTES {
            return Err(PathError::TooLong);
        }
        if path.chars().any(|c| c.is_control() || c == '\\') {
            return Err(PathError::BadCharacter(path.escape_debug().to_string()));
        }
        for segment in path.split('/') {
            if segment.is_empty() || segment == "." || segment == ".." || segment.trim().is_empty() {
                return Err(PathError::BadSegment(path.to_string()));
            }
            if segment.len() > MAX_SEGMENT_BYTES {
                return Err(PathError::SegmentTooLong(path.to_string()));
            }
        }
        Ok(FilePath(path.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The folder holding the file ('' for the project's root).
    pub fn folder(&self) -> &str {
        self.0.rsplit_once('/').map_or("", |(folder, _)| folder)
    }

    /// The file's own name.
    pub fn name(&self) -> &str {
        self.0.rsplit_once('/').map_or(self.0.as_str(), |(_, name)| name)
    }

    /// Every folder above the file, outermost first (`a`, `a/b` for `a/b/c.txt`).
    pub fn ancestors(&self) -> impl Iterator<Item = &str> {
        self.0.match_indices('/').map(move |(at, _)| &self.0[..at])
    }
}

impl TryFrom<String> for FilePath {
    type Error = PathError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        FilePath::parse(&value)
    }
}

impl From<FilePath> for String {
    fn from(path: FilePath) -> String {
        path.0
    }
}

impl std::fmt::Display for FilePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A folder path as a listing asks for it: '' (the root) or a checked path.
pub fn parse_folder(raw: &str) -> Result<String, PathError> {
    let trimmed = raw.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    FilePath::parse(trimmed).map(String::from)
}

/// The parent of a folder path and its last segment ('' and the path itself at the top).
pub fn split_folder(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_knows_its_folder_name_and_ancestors() {
        let path = FilePath::parse("/a/b/c.txt").unwrap();
        assert_eq!(path.as_str(), "a/b/c.txt", "a leading slash is dropped");
        assert_eq!((path.folder(), path.name()), ("a/b", "c.txt"));
        assert_eq!(path.ancestors().collect::<Vec<_>>(), vec!["a", "a/b"]);
        let top = FilePath::parse("top.fastq.gz").unwrap();
        assert_eq!((top.folder(), top.name()), ("", "top.fastq.gz"));
        assert_eq!(top.ancestors().count(), 0);
        assert_eq!(split_folder("a/b"), ("a", "b"));
        assert_eq!(split_folder("a"), ("", "a"));
    }

    #[test]
    fn bad_paths_are_refused_with_a_sentence() {
        for bad in ["", "/", "a//b", "a/./b", "../x", "a/..", "a/", "a/ /b", "a\\b", "a\u{0}b", "a\nb"] {
            let error = FilePath::parse(bad).expect_err(bad);
            assert!(
                error.to_string().starts_with("The file path") || error.to_string().starts_with("A file"),
                "{bad:?}: {error}"
            );
        }
        assert_eq!(FilePath::parse(&"a".repeat(1001)), Err(PathError::TooLong));
        assert!(matches!(FilePath::parse(&"b".repeat(256)), Err(PathError::SegmentTooLong(_))));
        assert!(FilePath::parse(&"b".repeat(255)).is_ok());
        assert!(FilePath::parse("résumé/データ.txt").is_ok(), "any Unicode name");
        let json: Result<FilePath, _> = serde_json::from_str("\"a/../b\"");
        assert!(json.is_err(), "checked when deserialized too");
    }

    #[test]
    fn folders_to_list() {
        assert_eq!(parse_folder("").unwrap(), "");
        assert_eq!(parse_folder("/").unwrap(), "");
        assert_eq!(parse_folder("/a/b/").unwrap(), "a/b");
        assert!(parse_folder("a/../b").is_err());
    }
}
