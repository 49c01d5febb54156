//! How the read path's tiers answered: L1 hits and misses, L1 evictions by
//! cause, and whether the store covered a load (an L2 hit) or the upstream
//! had to be asked (an L2 miss). Lock-free counters for `server_stats`.

use std::sync::atomic::{AtomicU64, Ordering};

use moka::notification::RemovalCause;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Default)]
pub struct TierCounters {
    l1_hits: AtomicU64,
    l1_misses: AtomicU64,
    l2_hits: AtomicU64,
    l2_misses: AtomicU64,
    evicted_size: AtomicU64,
    evicted_expired: AtomicU64,
    evicted_replaced: AtomicU64,
    evicted_explicit: AtomicU64,
}

/// L1 evictions by cause.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Evictions {
    /// Pushed out to stay within the capacity.
    pub size: u64,
    /// A live series' TTL ran out.
    pub expired: u64,
    /// Replaced by a wider or fresher load of the same series.
    pub replaced: u64,
    /// Removed on purpose.
    pub explicit: u64,
}

/// The tiers' counters since start.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TierStats {
    /// Requests L1 answered (the series held covered them).
    pub l1_hits: u64,
    pub l1_misses: u64,
    /// l1_hits / (l1_hits + l1_misses); null before any request.
    pub l1_hit_ratio: Option<f64>,
    pub l1_evictions: Evictions,
    /// L1 misses the store covered completely.
    pub l2_hits: u64,
    /// L1 misses the store could not cover (the upstream was asked, or it was offline).
    pub l2_misses: u64,
    pub l2_hit_ratio: Option<f64>,
}

fn ratio(hits: u64, misses: u64) -> Option<f64> {
    let total = hits + misses;
    (total > 0).then(|| hits as f64 / total as f64)
}

impl TierCounters {
    pub fn l1(&self, hit: bool) {
        let c = if hit { &self.l1_hits } else { &self.l1_misses };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn l2(&self, hit: bool) {
        let c = if hit { &self.l2_hits } else { &self.l2_misses };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn evicted(&self, cause: RemovalCause) {
        let c = match cause {
            RemovalCause::Size => &self.evicted_size,
            RemovalCause::Expired => &self.evicted_expired,
            RemovalCause::Replaced => &self.evicted_replaced,
            RemovalCause::Explicit => &self.evicted_explicit,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> TierStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let (l1_hits, l1_misses) = (get(&self.l1_hits), get(&self.l1_misses));
        let (l2_hits, l2_misses) = (get(&self.l2_hits), get(&self.l2_misses));
        TierStats {
            l1_hits,
            l1_misses,
            l1_hit_ratio: ratio(l1_hits, l1_misses),
            l1_evictions: Evictions {
                size: get(&self.evicted_size),
                expired: get(&self.evicted_expired),
                replaced: get(&self.evicted_replaced),
                explicit: get(&self.evicted_explicit),
            },
            l2_hits,
            l2_misses,
            l2_hit_ratio: ratio(l2_hits, l2_misses),
        }
    }
}
