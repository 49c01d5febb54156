//! The read-through service: L1 (moka) -> L2 (SQLite) -> upstream (Yahoo),
//! coalesced per key. Everything the tools serve comes through here.

pub mod adjust;
mod as_of;
mod cache;
mod chart;
pub mod counters;
mod fill;
mod instrument;
mod many;
mod news;
mod range;
pub mod ranges;
pub mod resample;
mod warmup;

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

pub use cache::{BYTES_PER_BAR, SeriesKey};
pub use chart::ChartService;
pub use news::{FeedRefresh, NewsRequest, NewsService};
pub use range::{Bound, default_start, key_range, parse_bound, shift_back};

use crate::model::{Bar, Instrument, Interval};
use crate::symbol::{ResolvedSymbol, Venue};

#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// L1 capacity in bytes (of bars).
    pub cache_bytes: u64,
    /// How long a series that reaches into the current session stays in L1.
    pub live_ttl: Duration,
    /// How long "unknown symbol" answers are remembered.
    pub negative_ttl: Duration,
    /// Replay as of this instant (`--as-of`): no bar after it is served,
    /// nor the bar of a session still in progress at it.
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// When a session's bars become final (`--settle-grace-minutes`).
    pub settle: crate::calendar::SettleConfig,
}

impl Default for ServiceConfig {
    /// The configuration of the default settings (`crate::config`).
    fn default() -> Self {
        crate::config::Settings::default().service()
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

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Memory => "memory",
            Source::Store => "store",
            Source::Upstream => "upstream",
        }
    }
}

/// What a request asks for: one symbol's bars at one interval between two
/// bounds (inclusive dates; `None` takes the interval's default span
/// ending today).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarQuery {
    pub symbol: ResolvedSymbol,
    pub interval: Interval,
    pub start: Option<Bound>,
    pub end: Option<Bound>,
    /// The price basis of the answer (Yahoo's, split-adjusted, by default).
    pub adjust: adjust::Adjust,
    /// When set, a series held in L1 whose newest fetch is older than this
    /// many seconds is reloaded (quotes while the market is open).
    pub max_age_secs: Option<i64>,
}

/// One (symbol, interval) series as held in L1: every stored bar of a span.
#[derive(Debug)]
pub struct Series {
    /// Unique per load: an answer computed from this series stays valid
    /// while L1 still holds this generation.
    pub generation: u64,
    pub yahoo_symbol: String,
    pub venue: Venue,
    pub instrument: Instrument,
    pub interval: Interval,
    /// The key range `[start, end)` this series holds completely, but for `missing`.
    pub span: (i64, i64),
    pub bars: Vec<Bar>,
    /// When each bar was fetched from the upstream (epoch seconds), parallel to `bars`.
    pub fetched_at: Vec<i64>,
    /// Parts of the span the store lacks and the upstream could not fill.
    pub missing: Vec<(i64, i64)>,
    /// Why they could not be filled (offline, breaker open, HTTP 500...).
    pub failure: Option<String>,
    /// True when the failure was offline mode (nothing was tried).
    pub offline: bool,
    /// How the loader got the bars (a later L1 hit reports `memory`).
    pub source: Source,
    /// Things to tell every caller (e.g. bars with null prices skipped).
    pub notes: Vec<String>,
    /// L1 lifetime: `None` for settled history.
    pub ttl: Option<Duration>,
    /// The end of that lifetime on the process's clock (epoch seconds):
    /// moka evicts on its own monotonic clock, and a hit is also checked
    /// against this, so `--now`, replay and tests' paused time agree.
    pub expires_at: Option<i64>,
}

/// The bars of one request: a slice of an L1 series, with the warm-up
/// history before the requested range.
#[derive(Debug, Clone)]
pub struct Served {
    pub series: Arc<Series>,
    /// Indices into `series.bars`: warm-up start to request end.
    pub range: Range<usize>,
    /// Index into `series.bars` of the first bar inside the requested range.
    pub first_in_range: usize,
    /// The requested key range `[start, end)`.
    pub requested: (i64, i64),
    pub source: Source,
    /// True when part of the requested range could not be fetched and is
    /// served from what the store has.
    pub stale: bool,
    pub stale_reason: Option<String>,
    /// Things the caller should know (missing coverage offline...).
    pub notes: Vec<String>,
    /// The latest fetch time among the requested bars (epoch seconds).
    pub fetched_at: Option<i64>,
    /// The end of the local day the defaults were read on, when the range
    /// came from "today" (epoch seconds): the answer means something else after it.
    pub valid_until: Option<i64>,
    /// Whether the symbol's market is open now (None: no known calendar).
    pub market_open: Option<bool>,
    /// Bars with this key or later were still in progress when served
    /// (the session or interval not over).
    pub partial_from: i64,
}

impl Series {
    /// Whether its L1 lifetime is over at `now` (epoch seconds, the
    /// process's clock).
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|t| now >= t)
    }

    /// The exchange calendar the series trades on: from the symbol's suffix
    /// (NSE, BSE), else from the chart meta (NYSE/Nasdaq); `None` for
    /// markets without one (FX, crypto, other exchanges).
    pub fn exchange(&self) -> Option<crate::calendar::Exchange> {
        use crate::calendar::Exchange;
        Exchange::for_venue(self.venue).or_else(|| {
            Exchange::from_chart_meta(&self.instrument.timezone, &self.instrument.exchange)
        })
    }
}

impl Served {
    /// Whether `bar` was still in progress (its session not closed).
    pub fn is_partial(&self, bar: &Bar) -> bool {
        bar.ts >= self.partial_from
    }
}

impl Served {
    /// Warm-up and requested bars, oldest first.
    pub fn bars(&self) -> &[Bar] {
        &self.series.bars[self.range.clone()]
    }

    /// The requested bars only.
    pub fn in_range(&self) -> &[Bar] {
        &self.series.bars[self.first_in_range..self.range.end]
    }

    /// How many warm-up bars precede the requested range.
    pub fn warmup_len(&self) -> usize {
        self.first_in_range - self.range.start
    }
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
