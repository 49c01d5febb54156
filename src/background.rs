//! Marks work done for the warming scheduler rather than for a caller.
//!
//! The scheduler reads through the service exactly as a tool does; the only
//! difference is this task-local scope around its reads. Below it:
//! - the upstream's rate limiter serves interactive requests first, so a
//!   tool call never waits behind queued warm requests;
//! - the upstream and the service count what the run did (requests sent,
//!   bars written) into the run's [`RunTally`], for its `warm_runs` row.
//!
//! Outside a scope everything is interactive and nothing is tallied.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What one background run did, counted as it happens.
#[derive(Debug, Default)]
pub struct RunTally {
    upstream_calls: AtomicU64,
    bars_written: AtomicU64,
}

impl RunTally {
    /// HTTP requests sent to an upstream (each retry counts).
    pub fn upstream_calls(&self) -> u64 {
        self.upstream_calls.load(Ordering::Relaxed)
    }

    /// Bars written to the store.
    pub fn bars_written(&self) -> u64 {
        self.bars_written.load(Ordering::Relaxed)
    }
}

tokio::task_local! {
    static BACKGROUND: Arc<RunTally>;
}

/// Runs `work` as background work, tallied into `tally`.
pub async fn scope<F: Future>(tally: Arc<RunTally>, work: F) -> F::Output {
    BACKGROUND.scope(tally, work).await
}

/// Whether the current task is doing background work.
pub fn is_background() -> bool {
    BACKGROUND.try_with(|_| ()).is_ok()
}

/// Counts one upstream request for the current background run, if any.
pub fn count_upstream_call() {
    let _ = BACKGROUND.try_with(|t| t.upstream_calls.fetch_add(1, Ordering::Relaxed));
}

/// Counts `n` bars written for the current background run, if any.
pub fn count_bars_written(n: usize) {
    let _ = BACKGROUND.try_with(|t| t.bars_written.fetch_add(n as u64, Ordering::Relaxed));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_work_inside_a_scope_is_background_and_tallied() {
        assert!(!is_background());
        count_upstream_call();
        let tally = Arc::new(RunTally::default());
        scope(tally.clone(), async {
            assert!(is_background());
            count_upstream_call();
            count_upstream_call();
            count_bars_written(250);
        })
        .await;
        assert!(!is_background());
        assert_eq!(tally.upstream_calls(), 2);
        assert_eq!(tally.bars_written(), 250);
    }
}
