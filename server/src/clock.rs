//! The time as the server's work sees it. Production reads the system clock; tests hold a
//! [`ManualClock`] they set and advance, so expiry (jobs, projects) is tested without waiting.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Unix seconds, like every time in the database.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> i64;
}

/// What `AppState` and the jobs hold.
pub type SharedClock = Arc<dyn Clock>;

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        crate::db::now()
    }
}

/// A clock that stands still until told otherwise.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(at: i64) -> ManualClock {
        ManualClock(AtomicI64::new(at))
    }

    /// Stands at the system's time now.
    pub fn at_system_time() -> ManualClock {
        ManualClock::new(crate::db::now())
    }

    pub fn set(&self, at: i64) {
        self.0.store(at, Ordering::SeqCst);
    }

    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The system clock moved ahead by a number of seconds read from a file at every reading
/// (`clock.offset_file`): end-to-end tests and demonstrations move a running server's time
/// (deadlines passing, jobs falling due) by writing that file, never by waiting. A missing or
/// unreadable file means no offset, so a half-written file cannot stop the server.
#[derive(Debug)]
pub struct OffsetFileClock {
    path: PathBuf,
}

impl OffsetFileClock {
    pub fn new(path: PathBuf) -> OffsetFileClock {
        OffsetFileClock { path }
    }

    fn offset(&self) -> i64 {
        std::fs::read_to_string(&self.path).ok().and_then(|text| text.trim().parse().ok()).unwrap_or(0)
    }
}

impl Clock for OffsetFileClock {
    fn now(&self) -> i64 {
        crate::db::now() + self.offset()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_file_moves_the_clock_when_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offset");
        let clock = OffsetFileClock::new(path.clone());
        let near = |a: i64, b: i64| (a - b).abs() <= 2;
        assert!(near(clock.now(), crate::db::now()), "no file: no offset");
        std::fs::write(&path, "86400\n").unwrap();
        assert!(near(clock.now(), crate::db::now() + 86_400));
        std::fs::write(&path, "not a number").unwrap();
        assert!(near(clock.now(), crate::db::now()), "unreadable: no offset");
    }

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance(60);
        assert_eq!(clock.now(), 1_060);
        clock.set(5);
        assert_eq!(clock.now(), 5);
    }
}
