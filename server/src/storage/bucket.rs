//! A bucket name checked against S3's naming rules once, where it is made: whatever holds a
//! [`BucketName`] may send it to any S3 endpoint.
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>

use std::net::Ipv4Addr;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BucketName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{name}' cannot name a bucket: {reason}")]
pub struct InvalidBucketName {
    pub name: String,
    pub reason: &'static str,
}

/// Prefixes and suffixes S3 reserves for its own kinds of buckets and access points.
const RESERVED_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES: [&str; 5] = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

impl BucketName {
    pub fn parse(name: &str) -> Result<BucketName, InvalidBucketName> {
        let refuse = |reason| Err(InvalidBucketName { name: name.to_string(), reason });
        if !(3..=63).contains(&name.len()) {
            return refuse("it must be 3 to 63 characters long");
        }
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.') {
            return refuse("only lowercase letters, digits, hyphens and dots are allowed");
        }
        let edge = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !edge(name.bytes().next()) || !edge(name.bytes().last()) {
            return refuse("it must begin and end with a letter or digit");
        }
        if name.contains("..") {
            return refuse("two dots may not follow each other");
        }
        if name.parse::<Ipv4Addr>().is_ok() {
            return refuse("it may not look like an IP address");
        }
        if RESERVED_PREFIXES.iter().any(|p| name.starts_with(p))
            || RESERVED_SUFFIXES.iter().any(|s| name.ends_with(s))
        {
            return refuse("S3 reserves this prefix or suffix");
        }
        Ok(BucketName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BucketName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<&str> for BucketName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl AsRef<str> for BucketName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_parse() {
        for name in ["dds-someunit00001", "abc", "a.b-c.1", &"a".repeat(63)] {
            assert_eq!(BucketName::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn names_against_s3_rules_are_refused() {
        for name in [
            "ab",
            &"a".repeat(64),
            "Upper-case",
            "under_score",
            "-leading",
            "trailing-",
            ".dot",
            "two..dots",
            "192.168.5.4",
            "xn--punycode",
            "sthree-bucket",
            "bucket-s3alias",
            "bucket--ol-s3",
            "with space",
            "",
        ] {
            assert!(BucketName::parse(name).is_err(), "{name} was accepted");
        }
    }
}
