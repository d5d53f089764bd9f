//! How an encrypted file is cut into S3 multipart parts (DESIGN §4): parts hold whole segments
//! (the first also the header), are at least 8 MiB, and grow so a file needs at most 10,000.

use std::ops::Range;

use crate::error::{CryptoError, Result};
use crate::format::{Layout, HEADER_LEN};

pub const MIN_PART_SIZE: u64 = 8 * 1024 * 1024;
pub const MAX_PARTS: u64 = 10_000;

/// One part of the multipart upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// S3 part number, 1-based.
    pub number: u32,
    /// The segments it holds.
    pub segments: Range<u64>,
    /// Its bytes in the ciphertext (part 1 starts with the header).
    pub ciphertext: Range<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartPlan {
    layout: Layout,
    plaintext_len: u64,
    segment_count: u64,
    segments_per_part: u64,
}

impl PartPlan {
    pub fn new(layout: Layout, plaintext_len: u64) -> Result<PartPlan> {
        let segment_count = layout.segment_count(plaintext_len)?;
        let by_size = MIN_PART_SIZE.div_ceil(layout.encrypted_segment_size());
        let by_count = segment_count.div_ceil(MAX_PARTS);
        let segments_per_part = by_size.max(by_count);
        let plan = PartPlan { layout, plaintext_len, segment_count, segments_per_part };
        if plan.part_count() > MAX_PARTS {
            return Err(CryptoError::FileTooLarge(plaintext_len));
        }
        Ok(plan)
    }

    pub fn part_count(&self) -> u64 {
        self.segment_count.div_ceil(self.segments_per_part)
    }

    pub fn segments_per_part(&self) -> u64 {
        self.segments_per_part
    }

    /// Nominal part size in bytes (every part but the first and the last).
    pub fn part_size(&self) -> u64 {
        self.segments_per_part * self.layout.encrypted_segment_size()
    }

    /// Part `number` (1-based).
    pub fn part(&self, number: u32) -> Result<Part> {
        let index = u64::from(number)
            .checked_sub(1)
            .filter(|i| *i < self.part_count())
            .ok_or(CryptoError::SegmentOutOfRange { index: u64::from(number), count: self.part_count() })?;
        let first = index * self.segments_per_part;
        let end = (first + self.segments_per_part).min(self.segment_count);
        let start_byte = if index == 0 { 0 } else { self.layout.segment_offset(first) };
        let last = end - 1;
        let end_byte = self.layout.segment_offset(last)
            + self.layout.segment_plaintext_len(last, self.plaintext_len)?
            + crate::format::TAG_LEN as u64;
        Ok(Part { number, segments: first..end, ciphertext: start_byte..end_byte })
    }

    /// The header is part of the first part.
    pub fn header_len(&self) -> u64 {
        HEADER_LEN as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::DEFAULT_SEGMENT_SIZE;

    fn plan(len: u64) -> PartPlan {
        PartPlan::new(Layout::new(DEFAULT_SEGMENT_SIZE).unwrap(), len).unwrap()
    }

    #[test]
    fn parts_cover_the_ciphertext_without_gaps() {
        let layout = Layout::new(DEFAULT_SEGMENT_SIZE).unwrap();
        for len in [0, 1, 8 << 20, (8 << 20) + 1, 100 << 20, 3 << 30] {
            let plan = plan(len);
            let mut next = 0;
            for number in 1..=plan.part_count() as u32 {
                let part = plan.part(number).unwrap();
                assert_eq!(part.ciphertext.start, next, "len {len} part {number}");
                next = part.ciphertext.end;
                if u64::from(number) < plan.part_count() {
                    assert!(part.ciphertext.end - part.ciphertext.start >= MIN_PART_SIZE);
                }
            }
            assert_eq!(next, layout.ciphertext_len(len).unwrap());
        }
    }

    #[test]
    fn parts_are_whole_segments_of_at_least_8_mib() {
        let plan = plan(1 << 30);
        assert_eq!(plan.part_size() % (DEFAULT_SEGMENT_SIZE as u64 + 16), 0);
        assert!(plan.part_size() >= MIN_PART_SIZE);
    }

    #[test]
    fn huge_files_stay_within_10000_parts() {
        let plan = plan(5 << 40); // 5 TiB, S3's object limit
        assert!(plan.part_count() <= MAX_PARTS);
        assert!(plan.part(plan.part_count() as u32).is_ok());
    }

    #[test]
    fn part_numbers_outside_the_plan_are_refused() {
        let plan = plan(10);
        assert_eq!(plan.part_count(), 1);
        assert!(plan.part(0).is_err());
        assert!(plan.part(2).is_err());
    }
}
