//! L1: moka, weighed in bytes, with per-entry expiry and single flight.
//!
//! A series that ends before the current session never changes, so it lives
//! until evicted; one that reaches into the current session expires after
//! the live TTL. Concurrent misses on one key share one loader
//! (`try_get_with`), which is what makes 100 cold requests one upstream call.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::future::Cache;

use super::ChartSeries;
use crate::model::Interval;

/// What a series in L1 is keyed by: the resolved symbol and the exact range.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeriesKey {
    pub yahoo_symbol: String,
    pub interval: Interval,
    pub start: i64,
    pub end: i64,
}

struct PerEntryExpiry;

impl Expiry<SeriesKey, Arc<ChartSeries>> for PerEntryExpiry {
    fn expire_after_create(
        &self,
        _key: &SeriesKey,
        value: &Arc<ChartSeries>,
        _created_at: Instant,
    ) -> Option<Duration> {
        value.ttl
    }
}

/// Fixed cost per entry beyond its bars: key, metadata, moka's own nodes.
const ENTRY_OVERHEAD: usize = 512;

/// Weight is fixed at insertion, but renderings are added later, so each
/// entry is charged up front for [`MAX_RENDERS`] encoded renderings of about
/// 160 bytes a bar (JSON object plus CSV row).
const RENDER_BYTES_PER_BAR: usize = MAX_RENDERS * 160;

pub fn weigh(key: &SeriesKey, value: &Arc<ChartSeries>) -> u32 {
    let bytes = ENTRY_OVERHEAD
        + key.yahoo_symbol.len()
        + value.bars.len() * (std::mem::size_of::<crate::model::Bar>() + RENDER_BYTES_PER_BAR);
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

pub fn build(capacity_bytes: u64) -> Cache<SeriesKey, Arc<ChartSeries>> {
    Cache::builder()
        .max_capacity(capacity_bytes)
        .weigher(weigh)
        .expire_after(PerEntryExpiry)
        .build()
}

/// Encoded renderings of a series, memoised by the caller's key (for
/// example a hash of the output options), so a hot entry is serialised
/// once, not per request. Bounded: older renderings are dropped.
#[derive(Debug, Default)]
pub struct Renders {
    slots: Mutex<Vec<(u64, Arc<[u8]>)>>,
}

const MAX_RENDERS: usize = 2;

impl Renders {
    pub fn get_or_insert_with(&self, key: u64, make: impl FnOnce() -> Vec<u8>) -> Arc<[u8]> {
        if let Some(hit) = self.get(key) {
            return hit;
        }
        let made: Arc<[u8]> = make().into();
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= MAX_RENDERS {
            slots.remove(0);
        }
        slots.push((key, made.clone()));
        made
    }

    pub fn get(&self, key: u64) -> Option<Arc<[u8]>> {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }
}

/// A stable 64-bit key for render memoisation.
pub fn render_key(parts: &impl Hash) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}
