//! The DDS file format, version 1 (DESIGN §4): header, segment layout, nonces.
//!
//! ```text
//! header: magic "DDSF" | version u8 = 1 | segment_size u32 BE | nonce_prefix [7]
//!         | sealed CEK (eph_pub 32 | ct 32 | tag 16)                          = 96 bytes
//! body:   segment_i = AES-256-GCM(CEK, nonce_i, plaintext_i, aad = header)
//! nonce_i = nonce_prefix (7) || i as u32 BE (4) || last (1: 0x01 final segment, else 0x00)
//! ```
//! Every segment but the last holds exactly `segment_size` plaintext bytes; the last holds
//! 1..=segment_size bytes, or 0 for an empty file (which is one empty final segment).

use crate::error::{CryptoError, Result};
use crate::seal::SEALED_KEY_LEN;

pub const MAGIC: [u8; 4] = *b"DDSF";
pub const VERSION: u8 = 1;
pub const NONCE_PREFIX_LEN: usize = 7;
pub const TAG_LEN: usize = 16;
pub const HEADER_LEN: usize = 4 + 1 + 4 + NONCE_PREFIX_LEN + SEALED_KEY_LEN;
/// 256 KiB: WebCrypto's per-call cost dominates below this in Web Workers (docs/deviations.md).
pub const DEFAULT_SEGMENT_SIZE: u32 = 256 * 1024;
pub const MIN_SEGMENT_SIZE: u32 = 1024;
pub const MAX_SEGMENT_SIZE: u32 = 16 * 1024 * 1024;
/// Segment indices are 32-bit in the nonce.
pub const MAX_SEGMENTS: u64 = u32::MAX as u64 + 1;

/// The last nonce byte of the encrypted checksum: never used by a segment.
pub(crate) const CHECKSUM_NONCE_FLAG: u8 = 0x02;

/// A parsed header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub segment_size: u32,
    pub nonce_prefix: [u8; NONCE_PREFIX_LEN],
    pub sealed_cek: [u8; SEALED_KEY_LEN],
}

impl Header {
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..4].copy_from_slice(&MAGIC);
        out[4] = VERSION;
        out[5..9].copy_from_slice(&self.segment_size.to_be_bytes());
        out[9..16].copy_from_slice(&self.nonce_prefix);
        out[16..].copy_from_slice(&self.sealed_cek);
        out
    }

    /// Parses the first [`HEADER_LEN`] bytes of `bytes` (more may follow).
    pub fn parse(bytes: &[u8]) -> Result<Header> {
        if bytes.len() >= 4 && bytes[0..4] != MAGIC {
            return Err(CryptoError::BadMagic);
        }
        if bytes.len() < HEADER_LEN {
            return Err(CryptoError::TruncatedHeader);
        }
        if bytes[4] != VERSION {
            return Err(CryptoError::UnsupportedVersion(bytes[4]));
        }
        let segment_size = u32::from_be_bytes(bytes[5..9].try_into().expect("4 bytes"));
        Layout::new(segment_size)?;
        Ok(Header {
            segment_size,
            nonce_prefix: bytes[9..16].try_into().expect("7 bytes"),
            sealed_cek: bytes[16..HEADER_LEN].try_into().expect("80 bytes"),
        })
    }
}

/// The nonce of segment `index`.
pub fn segment_nonce(prefix: &[u8; NONCE_PREFIX_LEN], index: u32, last: bool) -> [u8; 12] {
    nonce(prefix, index, u8::from(last))
}

pub(crate) fn nonce(prefix: &[u8; NONCE_PREFIX_LEN], index: u32, flag: u8) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..NONCE_PREFIX_LEN].copy_from_slice(prefix);
    n[7..11].copy_from_slice(&index.to_be_bytes());
    n[11] = flag;
    n
}

/// Where every segment sits, for a given segment size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    segment_size: u32,
}

impl Layout {
    pub fn new(segment_size: u32) -> Result<Layout> {
        if !(MIN_SEGMENT_SIZE..=MAX_SEGMENT_SIZE).contains(&segment_size) {
            return Err(CryptoError::BadSegmentSize(segment_size));
        }
        Ok(Layout { segment_size })
    }

    pub fn segment_size(&self) -> u64 {
        self.segment_size as u64
    }

    pub fn encrypted_segment_size(&self) -> u64 {
        self.segment_size as u64 + TAG_LEN as u64
    }

    /// Number of segments of a file (an empty file has one, empty).
    pub fn segment_count(&self, plaintext_len: u64) -> Result<u64> {
        let count = plaintext_len.div_ceil(self.segment_size()).max(1);
        if count > MAX_SEGMENTS {
            return Err(CryptoError::FileTooLarge(plaintext_len));
        }
        Ok(count)
    }

    pub fn ciphertext_len(&self, plaintext_len: u64) -> Result<u64> {
        Ok(HEADER_LEN as u64 + plaintext_len + TAG_LEN as u64 * self.segment_count(plaintext_len)?)
    }

    /// Ciphertext offset of segment `index`: any range is one ranged GET away.
    pub fn segment_offset(&self, index: u64) -> u64 {
        HEADER_LEN as u64 + index * self.encrypted_segment_size()
    }

    /// Plaintext bytes held by segment `index` of a file of `plaintext_len` bytes.
    pub fn segment_plaintext_len(&self, index: u64, plaintext_len: u64) -> Result<u64> {
        let count = self.segment_count(plaintext_len)?;
        if index >= count {
            return Err(CryptoError::SegmentOutOfRange { index, count });
        }
        Ok(if index + 1 < count { self.segment_size() } else { plaintext_len - index * self.segment_size() })
    }

    /// The segment holding plaintext byte `offset` (for ranged downloads).
    pub fn segment_of_plaintext_offset(&self, offset: u64) -> u64 {
        offset / self.segment_size()
    }

    /// The plaintext length of a well-formed ciphertext of `ciphertext_len` bytes.
    pub fn plaintext_len(&self, ciphertext_len: u64) -> Result<u64> {
        let bad = || CryptoError::BadCiphertextLength(ciphertext_len);
        let body = ciphertext_len.checked_sub(HEADER_LEN as u64).ok_or_else(bad)?;
        if body < TAG_LEN as u64 {
            return Err(bad());
        }
        let count = body.div_ceil(self.encrypted_segment_size());
        let last = body - (count - 1) * self.encrypted_segment_size();
        // Only an empty file ends in an empty segment.
        if last == TAG_LEN as u64 && count > 1 {
            return Err(bad());
        }
        let plaintext = body - count * TAG_LEN as u64;
        if self.segment_count(plaintext)? != count {
            return Err(bad());
        }
        Ok(plaintext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header { segment_size: DEFAULT_SEGMENT_SIZE, nonce_prefix: [9; 7], sealed_cek: [5; SEALED_KEY_LEN] }
    }

    #[test]
    fn header_round_trips_and_is_96_bytes() {
        let bytes = header().to_bytes();
        assert_eq!(bytes.len(), 96);
        assert_eq!(&bytes[..5], b"DDSF\x01");
        assert_eq!(Header::parse(&bytes).unwrap(), header());
    }

    #[test]
    fn header_errors_are_typed() {
        let bytes = header().to_bytes();
        assert_eq!(Header::parse(&bytes[..50]).unwrap_err(), CryptoError::TruncatedHeader);
        let mut wrong_magic = bytes;
        wrong_magic[0] = b'X';
        assert_eq!(Header::parse(&wrong_magic).unwrap_err(), CryptoError::BadMagic);
        let mut wrong_version = bytes;
        wrong_version[4] = 2;
        assert_eq!(Header::parse(&wrong_version).unwrap_err(), CryptoError::UnsupportedVersion(2));
        let mut tiny_segments = bytes;
        tiny_segments[5..9].copy_from_slice(&16u32.to_be_bytes());
        assert_eq!(Header::parse(&tiny_segments).unwrap_err(), CryptoError::BadSegmentSize(16));
    }

    #[test]
    fn nonce_layout_is_prefix_index_flag() {
        let n = segment_nonce(&[1, 2, 3, 4, 5, 6, 7], 0x0A0B0C0D, true);
        assert_eq!(n, [1, 2, 3, 4, 5, 6, 7, 0x0A, 0x0B, 0x0C, 0x0D, 1]);
        assert_eq!(segment_nonce(&[0; 7], 1, false)[11], 0);
    }

    #[test]
    fn offsets_and_lengths_agree() {
        let layout = Layout::new(1024).unwrap();
        for len in [0u64, 1, 1023, 1024, 1025, 10 * 1024, 10 * 1024 + 7] {
            let ct = layout.ciphertext_len(len).unwrap();
            assert_eq!(layout.plaintext_len(ct).unwrap(), len, "len {len}");
            let count = layout.segment_count(len).unwrap();
            let sum: u64 = (0..count).map(|i| layout.segment_plaintext_len(i, len).unwrap()).sum();
            assert_eq!(sum, len);
            let last = count - 1;
            let end = layout.segment_offset(last) + layout.segment_plaintext_len(last, len).unwrap() + 16;
            assert_eq!(end, ct);
        }
        assert_eq!(layout.segment_count(0).unwrap(), 1);
        assert_eq!(layout.segment_offset(2), 96 + 2 * 1040);
        assert_eq!(layout.segment_of_plaintext_offset(2048), 2);
    }

    #[test]
    fn impossible_ciphertext_lengths_are_refused() {
        let layout = Layout::new(1024).unwrap();
        for len in [0u64, 95, 96, 96 + 15, 96 + 1040 + 16] {
            assert!(layout.plaintext_len(len).is_err(), "len {len}");
        }
    }

    #[test]
    fn segment_size_bounds() {
        assert!(Layout::new(MIN_SEGMENT_SIZE - 1).is_err());
        assert!(Layout::new(MAX_SEGMENT_SIZE + 1).is_err());
        assert!(Layout::new(DEFAULT_SEGMENT_SIZE).is_ok());
    }
}
