//! L1: moka, weighed by the bars it holds, with per-entry expiry.
//!
//! One entry per (symbol, interval) holds every stored bar of a span;
//! requests take slices of it, so overlapping ranges and indicator warm-up
//! windows share memory. A span that ends before the current session never
//! changes, so it lives until evicted; one that reaches into the current
//! session (or was served stale) expires after the live TTL. Loads of one
//! key are serialised by moka's per-key compute lock, which is what makes
//! 100 cold requests one upstream call.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::future::Cache;

use super::Series;
use crate::model::{Bar, Interval};

/// What a series in L1 is keyed by: the resolved symbol and the interval.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeriesKey {
    pub yahoo_symbol: Arc<str>,
    pub interval: Interval,
}

struct PerEntryExpiry;

impl Expiry<SeriesKey, Arc<Series>> for PerEntryExpiry {
    fn expire_after_create(
        &self,
        _key: &SeriesKey,
        value: &Arc<Series>,
        _created_at: Instant,
    ) -> Option<Duration> {
        value.ttl
    }

    fn expire_after_update(
        &self,
        _key: &SeriesKey,
        value: &Arc<Series>,
        _updated_at: Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        value.ttl
    }
}

/// Fixed cost per entry beyond its bars: key, metadata, moka's own nodes.
const ENTRY_OVERHEAD: usize = 512;

/// Bytes a bar costs in L1: the bar and its `fetched_at`.
pub const BYTES_PER_BAR: usize = std::mem::size_of::<Bar>() + std::mem::size_of::<i64>();

fn weigh(key: &SeriesKey, value: &Arc<Series>) -> u32 {
    let bytes = ENTRY_OVERHEAD + key.yahoo_symbol.len() + value.bars.len() * BYTES_PER_BAR;
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

pub fn build(
    capacity_bytes: u64,
    counters: Arc<super::counters::TierCounters>,
) -> Cache<SeriesKey, Arc<Series>> {
    Cache::builder()
        .max_capacity(capacity_bytes)
        .weigher(weigh)
        .expire_after(PerEntryExpiry)
        .eviction_listener(move |_key, _value, cause| counters.evicted(cause))
        .build()
}
