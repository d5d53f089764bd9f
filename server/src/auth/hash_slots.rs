//! A bound on concurrent Argon2 checks of auth_keys. Each check holds ~19 MiB and a core for tens
//! of milliseconds; unbounded, a burst of logins (even for unknown names, which are checked
//! against a dummy hash) can exhaust the server's memory. A check waits at most [`WAIT`] for a
//! slot; then the request is answered 503 with `Retry-After` ([`Busy`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a check waits for a free slot before the request is turned away.
pub const WAIT: Duration = Duration::from_secs(2);
/// What `Retry-After` tells the client (seconds).
pub const RETRY_AFTER_SECS: u64 = 5;

/// No slot became free within [`WAIT`].
#[derive(Debug, thiserror::Error)]
#[error("The portal is busy checking other logins. Please try again in a few seconds.")]
pub struct Busy;

#[derive(Debug, Clone)]
pub struct HashSlots {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl HashSlots {
    pub fn new(slots: usize) -> HashSlots {
        HashSlots::with_wait(slots, WAIT)
    }

    pub fn with_wait(slots: usize, wait: Duration) -> HashSlots {
        HashSlots { slots: Arc::new(Semaphore::new(slots.max(1))), wait }
    }

    /// A slot, held until the permit is dropped.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, Busy> {
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }

    /// Runs the CPU- and memory-heavy `check` on the blocking pool while holding a slot.
    pub async fn run<R: Send + 'static>(
        &self,
        check: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, Busy> {
        let permit = self.acquire().await?;
        let result = tokio::task::spawn_blocking(move || {
            let result = check();
            drop(permit);
            result
        })
        .await;
        // A panicking check is a bug; it is reported like an overload rather than a success.
        result.map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_check_waits_briefly_for_a_slot_then_gives_up() {
        let slots = HashSlots::with_wait(1, Duration::from_millis(50));
        let held = slots.acquire().await.unwrap();
        assert!(slots.run(|| 1).await.is_err(), "the only slot is taken");
        drop(held);
        assert_eq!(slots.run(|| 2).await.unwrap(), 2);
    }
}
