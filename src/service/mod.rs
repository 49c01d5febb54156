//! The read-through service: L1 (moka) -> L2 (SQLite) -> upstream (Yahoo),
//! coalesced per key. Everything the tools serve comes through here.

mod cache;
mod chart;
mod range;
pub mod ranges;

use std::sync::Arc;
use std::time::Duration;

pub use cache::{Renders, SeriesKey, render_key};
pub use chart::ChartService;
pub use range::{Bound, default_start, key_range, parse_bound, shift_back};

use crate::model::{Bar, Instrument, Interval};
use crate::symbol::Venue;

#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// L1 capacity in bytes.
    pub cache_bytes: u64,
    /// How long a series that reaches into the current session stays in L1.
    pub live_ttl: Duration,
    /// How long "unknown symbol" answers are remembered.
    pub negative_ttl: Duration,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            cache_bytes: 256 * 1024 * 1024,
            live_ttl: Duration::from_secs(60),
            negative_ttl: Duration::from_secs(300),
        }
    }
}

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Memory,
    Store,
    Upstream,
}

/// A series as loaded into L1: the bars of one range plus how they were got.
#[derive(Debug)]
pub struct ChartSeries {
    pub yahoo_symbol: String,
    pub venue: Venue,
    pub instrument: Instrument,
    pub interval: Interval,
    /// The requested range `[start, end)` in bar-key units.
    pub range: (i64, i64),
    pub bars: Vec<Bar>,
    /// How the loader got the bars (a later L1 hit reports `memory`).
    pub source: Source,
    /// The latest fetch time among the bars (epoch seconds).
    pub fetched_at: Option<i64>,
    pub stale: bool,
    pub stale_reason: Option<String>,
    /// Things the caller should know (missing coverage offline, skipped nulls).
    pub notes: Vec<String>,
    /// L1 lifetime: `None` for settled history.
    pub ttl: Option<Duration>,
    pub renders: Renders,
}

/// A series and where this particular answer came from.
#[derive(Debug, Clone)]
pub struct Served {
    pub series: Arc<ChartSeries>,
    pub source: Source,
}

/// Why a request could not be answered. Messages are shown to users and
/// say what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    BadRequest(String),
    #[error(
        "{symbol} is not a symbol Yahoo Finance knows ({detail}). Check the spelling; bare names are read as NSE symbols (RELIANCE -> RELIANCE.NS); for a US ticker pass exchange \"US\""
    )]
    UnknownSymbol { symbol: String, detail: String },
    #[error(
        "no data for {symbol} {interval} in the requested range: {reason}. Nothing is stored for it yet; {hint}"
    )]
    Unavailable {
        symbol: String,
        interval: Interval,
        reason: String,
        hint: String,
    },
    #[error("the local store failed: {0}")]
    Store(String),
}

impl From<crate::store::StoreError> for ServiceError {
    fn from(e: crate::store::StoreError) -> Self {
        ServiceError::Store(e.to_string())
    }
}
