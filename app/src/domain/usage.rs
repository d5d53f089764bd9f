//! Storage usage in byte-hours (DDS §13, without its `/usage` formula bug): a version counts
//! its stored bytes for every hour it existed within the period being invoiced.
//!
//! For a version stored `b` bytes, uploaded at `u`, deleted at `d` (or still present), last
//! invoiced up to `i` (or never), and a period ending at `end`:
//! `start = max(u, i)`, `stop = min(d, end)`, byte-hours = `b × max(0, stop − start) / 3600 s`.

/// One version's life as the usage job reads it (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionLife {
    pub stored_bytes: i64,
    pub uploaded_at: i64,
    pub deleted_at: Option<i64>,
    pub invoiced_at: Option<i64>,
}

/// Byte-hours of one version from where it was last invoiced up to `end`.
pub fn byte_hours(version: &VersionLife, end: i64) -> f64 {
    let start = version.invoiced_at.map_or(version.uploaded_at, |invoiced| invoiced.max(version.uploaded_at));
    let stop = version.deleted_at.map_or(end, |deleted| deleted.min(end));
    let seconds = (stop - start).max(0);
    version.stored_bytes as f64 * seconds as f64 / 3600.0
}

/// Whether a version has been counted to its end (nothing more will ever be invoiced).
pub fn fully_invoiced(version: &VersionLife) -> bool {
    matches!((version.deleted_at, version.invoiced_at), (Some(deleted), Some(invoiced)) if invoiced >= deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;

    #[test]
    fn dds_cases_by_hand() {
        let end = 1_000 * HOUR;
        // New, never invoiced: now − uploaded. 2 GB for 10 hours = 20 GB-hours.
        let new = VersionLife {
            stored_bytes: 2_000_000_000,
            uploaded_at: end - 10 * HOUR,
            deleted_at: None,
            invoiced_at: None,
        };
        assert_eq!(byte_hours(&new, end), 20_000_000_000.0);
        // Present and invoiced: now − invoiced.
        let invoiced = VersionLife { invoiced_at: Some(end - 4 * HOUR), ..new };
        assert_eq!(byte_hours(&invoiced, end), 8_000_000_000.0);
        // Deleted, never invoiced: deleted − uploaded (1.5 hours).
        let deleted = VersionLife { deleted_at: Some(end - 10 * HOUR + 5_400), ..new };
        assert_eq!(byte_hours(&deleted, end), 3_000_000_000.0);
        // Deleted after invoicing: deleted − invoiced.
        let both = VersionLife { deleted_at: Some(end - HOUR), invoiced_at: Some(end - 3 * HOUR), ..new };
        assert_eq!(byte_hours(&both, end), 4_000_000_000.0);
        assert!(!fully_invoiced(&both));
        // Deleted before it was last invoiced: nothing more.
        let done = VersionLife { deleted_at: Some(end - 3 * HOUR), invoiced_at: Some(end - 3 * HOUR), ..new };
        assert_eq!(byte_hours(&done, end), 0.0);
        assert!(fully_invoiced(&done));
        // Uploaded after the period's end: nothing in this period.
        let later = VersionLife { uploaded_at: end + HOUR, ..new };
        assert_eq!(byte_hours(&later, end), 0.0);
    }
}
