//! A unit's quota (DDS §13, enforced here before an upload starts rather than by the storage
//! provider): one answer to "may N more bytes be added?", with what is left.

use serde::{Deserialize, Serialize};

/// What the quota leaves for an upload of `wanted` stored bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaCheck {
    pub quota_bytes: i64,
    pub used_bytes: i64,
    pub wanted_bytes: i64,
    /// Bytes still free before this upload (never negative).
    pub left_bytes: i64,
}

impl QuotaCheck {
    pub fn new(quota_bytes: i64, used_bytes: i64, wanted_bytes: i64) -> QuotaCheck {
        let left_bytes = quota_bytes.saturating_sub(used_bytes).max(0);
        QuotaCheck { quota_bytes, used_bytes, wanted_bytes, left_bytes }
    }

    pub fn allowed(&self) -> bool {
        self.wanted_bytes >= 0 && self.wanted_bytes <= self.left_bytes
    }

    /// The refusal a user reads.
    pub fn refusal(&self) -> String {
        format!(
            "The unit's storage quota does not allow this upload: it needs {}, and {} of the quota of {} is left.",
            human_bytes(self.wanted_bytes),
            human_bytes(self.left_bytes),
            human_bytes(self.quota_bytes)
        )
    }

    /// Whether usage has passed the unit's warning level (DDS's `monitor-usage`: usage/quota > level).
    pub fn over_warning_level(used_bytes: i64, quota_bytes: i64, warning_level: f64) -> bool {
        quota_bytes > 0 && (used_bytes as f64) / (quota_bytes as f64) > warning_level
    }
}

/// Decimal units, as DDS enters quotas (TB = 1000⁴ bytes).
pub fn human_bytes(bytes: i64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_fits_or_is_refused_with_what_is_left() {
        let fits = QuotaCheck::new(1_000, 400, 600);
        assert!(fits.allowed());
        assert_eq!(fits.left_bytes, 600);
        let too_big = QuotaCheck::new(1_000, 400, 601);
        assert!(!too_big.allowed());
        assert_eq!(
            too_big.refusal(),
            "The unit's storage quota does not allow this upload: it needs 601 B, and 600 B of the quota of 1.0 kB is left."
        );
        let over = QuotaCheck::new(1_000, 1_200, 0);
        assert_eq!(over.left_bytes, 0, "never negative");
        assert!(over.allowed(), "an empty file always fits");
        assert!(!QuotaCheck::new(1_000, 0, -1).allowed());
    }

    #[test]
    fn the_warning_level_is_passed_above_the_fraction() {
        assert!(!QuotaCheck::over_warning_level(800, 1_000, 0.8));
        assert!(QuotaCheck::over_warning_level(801, 1_000, 0.8));
        assert!(!QuotaCheck::over_warning_level(5, 0, 0.8), "no quota, no warning");
    }

    #[test]
    fn bytes_read_as_decimal_units() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
        assert_eq!(human_bytes(100 * 1_000_000_000_000), "100.0 TB");
    }
}
