//! `ChartService`: bars for a symbol and range, from wherever is cheapest.
//!
//! A request becomes a key range in the symbol's own timezone; L1 holds one
//! series per (symbol, interval) and the request takes a slice of it, with
//! as many bars of warm-up history before the range as the caller needs.
//! A series that does not cover the request is (re)loaded under moka's
//! per-key lock by [`super::fill`]: store first, upstream for the gaps.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use moka::future::Cache;
use moka::ops::compute::{CompResult, Op};

use super::adjust::Adjust;
use super::cache::{self, SeriesKey};
use super::counters::TierCounters;
use super::range::key_range;
use super::warmup::days_for_bars;
use super::{BarQuery, Series, Served, ServiceConfig, ServiceError, Source};
use crate::clock::SharedClock;
use crate::indicators::Warmup;
use crate::model::exchange_zone;
use crate::model::{Interval, date_key, local_date, local_midnight};
use crate::store::BarStore;
use crate::symbol::{ResolvedSymbol, Venue};
use crate::upstream::ChartClient;

/// Read-through access to bars. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ChartService {
    pub(super) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) store: BarStore,
    pub(super) chart: ChartClient,
    pub(super) l1: Cache<SeriesKey, Arc<Series>>,
    pub(super) unknown: Cache<String, String>,
    zones: Mutex<HashMap<String, Tz>>,
    pub(super) clock: SharedClock,
    pub(super) config: ServiceConfig,
    /// Source of [`Series::generation`].
    pub(super) generations: AtomicU64,
    /// How the tiers answered.
    pub(super) counters: Arc<TierCounters>,
}

/// The earliest key any request may reach: 1970-01-01.
const MIN_KEY: i64 = 0;

/// Extensions of the warm-up window before giving up on finding more
/// history (each doubles the reach).
const MAX_WARMUP_EXTENSIONS: usize = 6;

impl ChartService {
    pub fn new(
        store: BarStore,
        chart: ChartClient,
        clock: SharedClock,
        config: ServiceConfig,
    ) -> Self {
        let unknown = Cache::builder()
            .max_capacity(10_000)
            .time_to_live(config.negative_ttl.max(std::time::Duration::from_millis(1)))
            .build();
        let counters = Arc::new(TierCounters::default());
        Self {
            inner: Arc::new(Inner {
                l1: cache::build(config.cache_bytes, counters.clone()),
                counters,
                store,
                chart,
                unknown,
                zones: Mutex::new(HashMap::new()),
                clock,
                config,
                generations: AtomicU64::new(1),
            }),
        }
    }

    pub fn store(&self) -> &BarStore {
        &self.inner.store
    }

    pub fn chart_client(&self) -> &ChartClient {
        &self.inner.chart
    }

    pub fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    /// Entries and weighed bytes in L1 (moka counts lazily, so this runs
    /// its pending maintenance first).
    pub async fn l1_usage(&self) -> (u64, u64) {
        self.inner.l1.run_pending_tasks().await;
        (self.inner.l1.entry_count(), self.inner.l1.weighted_size())
    }

    /// How the tiers have answered since start.
    pub fn tier_stats(&self) -> super::counters::TierStats {
        self.inner.counters.snapshot()
    }

    /// The generation of the series L1 holds now for (symbol, interval),
    /// if it holds one that has not expired.
    pub async fn generation(&self, yahoo_symbol: &str, interval: Interval) -> Option<u64> {
        let key = SeriesKey {
            yahoo_symbol: yahoo_symbol.into(),
            interval,
        };
        let now = self.inner.clock.now().timestamp();
        self.inner
            .l1
            .get(&key)
            .await
            .filter(|s| !s.expired(now))
            .map(|s| s.generation)
    }

    /// Seconds the upstream's breaker still rejects chart calls, if open:
    /// the scheduler skips its runs meanwhile instead of queueing them.
    pub fn upstream_blocked_for(&self) -> Option<i64> {
        self.inner.chart.blocked_for()
    }

    /// The calendar `symbol` trades on: from its suffix, else from the
    /// stored chart meta; `None` when neither says (not fetched yet, or a
    /// market without one).
    pub async fn exchange_of(&self, symbol: &ResolvedSymbol) -> Option<crate::calendar::Exchange> {
        use crate::calendar::Exchange;
        if let Some(e) = Exchange::for_venue(symbol.venue) {
            return Some(e);
        }
        let stored = self.inner.store.instrument(&symbol.yahoo).await.ok()??;
        Exchange::from_chart_meta(&stored.timezone, &stored.exchange)
    }

    /// The exchange timezone of a symbol: IST for NSE/BSE, else what the
    /// chart meta said (remembered in memory, else read from the store).
    pub async fn zone(&self, symbol: &ResolvedSymbol) -> Result<Option<Tz>, ServiceError> {
        if matches!(symbol.venue, Venue::Nse | Venue::Bse) {
            return Ok(Some(chrono_tz::Asia::Kolkata));
        }
        if let Some(z) = self.zone_cached(&symbol.yahoo) {
            return Ok(Some(z));
        }
        let zone = self
            .inner
            .store
            .instrument(&symbol.yahoo)
            .await?
            .and_then(|i| exchange_zone(&i.timezone));
        if let Some(z) = zone {
            self.remember_zone(&symbol.yahoo, z);
        }
        Ok(zone)
    }

    fn zone_cached(&self, yahoo: &str) -> Option<Tz> {
        self.inner
            .zones
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(yahoo)
            .copied()
    }

    pub(super) fn remember_zone(&self, yahoo: &str, zone: Tz) {
        self.inner
            .zones
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(yahoo.to_string(), zone);
    }

    /// The bars of `query`, through L1, L2 and the upstream.
    pub async fn get(&self, query: &BarQuery) -> Result<Served, ServiceError> {
        self.get_with_warmup(query, Warmup::Bars(0)).await
    }

    /// The bars of `query` plus `warmup` bars of history before its range
    /// (all of it for [`Warmup::FullHistory`]), through L1, L2 and the
    /// upstream, coalesced per (symbol, interval).
    pub async fn get_with_warmup(
        &self,
        query: &BarQuery,
        warmup: Warmup,
    ) -> Result<Served, ServiceError> {
        let symbol = &query.symbol;
        let interval = query.interval;
        if let Some(detail) = self.inner.unknown.get(&symbol.yahoo).await {
            return Err(ServiceError::UnknownSymbol {
                symbol: symbol.yahoo.clone(),
                detail,
            });
        }
        let now = self.inner.clock.now();
        let zone = self.zone(symbol).await?;
        let zone_or_utc = zone.unwrap_or(chrono_tz::UTC);
        let requested = key_range(interval, zone_or_utc, query.start, query.end, now)?;
        // Bars cannot exist past now: never ask about the future.
        let want_end = requested.1.min(horizon(interval, zone_or_utc, now));
        let floor = earliest_fetchable(interval, now).max(MIN_KEY);
        let mut start = match warmup {
            Warmup::Bars(0) => requested.0,
            Warmup::Bars(n) => requested
                .0
                .saturating_sub(days_for_bars(interval, n).saturating_mul(86_400))
                .max(floor),
            // From the first trade when the stored meta knows it; else the
            // first load learns it and the loop below reaches back.
            Warmup::FullHistory => match self.inner.store.instrument(&symbol.yahoo).await? {
                Some(i) => i
                    .first_trade_date
                    .and_then(|t| DateTime::from_timestamp(t, 0))
                    .map(|t| first_key(interval, zone_or_utc, t))
                    .unwrap_or(MIN_KEY)
                    .max(floor),
                None => requested.0,
            },
        }
        .min(requested.0);
        let (mut series, mut source) = self
            .series(
                symbol,
                interval,
                (start, want_end),
                requested,
                zone,
                query.max_age_secs,
            )
            .await?;
        for _ in 0..MAX_WARMUP_EXTENSIONS {
            let before = series.bars.partition_point(|b| b.ts < requested.0);
            let first_trade = first_trade_key(&series, zone_or_utc);
            let enough = match warmup {
                Warmup::Bars(n) => before >= n,
                Warmup::FullHistory => series.span.0 <= first_trade.unwrap_or(MIN_KEY),
            };
            let reach_limit = floor.max(first_trade.unwrap_or(MIN_KEY));
            if enough || series.span.0 <= reach_limit {
                break;
            }
            start = match warmup {
                Warmup::FullHistory => reach_limit,
                Warmup::Bars(_) => {
                    let reach = (requested.0 - series.span.0).max(86_400);
                    series
                        .span
                        .0
                        .saturating_sub(reach.saturating_mul(2))
                        .max(reach_limit)
                }
            };
            let (wider, how) = self
                .series(
                    symbol,
                    interval,
                    (start, want_end),
                    requested,
                    zone,
                    query.max_age_secs,
                )
                .await?;
            series = wider;
            source = source.max_rank(how);
        }
        let served = self.slice(
            series,
            source,
            query,
            requested,
            want_end,
            warmup,
            zone_or_utc,
            now,
        )?;
        self.rebased(served, query, zone_or_utc).await
    }

    /// `served` on the price basis `query` asks for, with the adjustments
    /// dated after a replay instant undone: a copy of its bars (same L1
    /// generation, so cached answers still follow the series), or
    /// `served` itself when nothing changes.
    async fn rebased(
        &self,
        served: Served,
        query: &BarQuery,
        zone: Tz,
    ) -> Result<Served, ServiceError> {
        let undo_after = self.inner.config.as_of.map(|t| t.timestamp());
        if query.adjust == Adjust::Splits && undo_after.is_none() {
            return Ok(served);
        }
        let s = &served.series;
        let actions = self.inner.store.corporate_actions(&s.yahoo_symbol).await?;
        let Some((bars, notes)) = super::adjust::rebase(
            served.bars(),
            &actions,
            query.adjust,
            undo_after,
            s.interval,
            zone,
        ) else {
            return Ok(served);
        };
        let series = Series {
            generation: s.generation,
            yahoo_symbol: s.yahoo_symbol.clone(),
            venue: s.venue,
            instrument: s.instrument.clone(),
            interval: s.interval,
            span: s.span,
            fetched_at: s.fetched_at[served.range.clone()].to_vec(),
            bars,
            missing: s.missing.clone(),
            failure: s.failure.clone(),
            offline: s.offline,
            source: s.source,
            notes: s.notes.clone(),
            ttl: s.ttl,
            expires_at: s.expires_at,
        };
        let (first_in_range, len) = (served.warmup_len(), series.bars.len());
        let mut out = Served {
            series: Arc::new(series),
            range: 0..len,
            first_in_range,
            ..served
        };
        out.notes.extend(notes);
        Ok(out)
    }

    /// The slice of `series` one request gets, with what it should be told.
    #[allow(clippy::too_many_arguments)]
    fn slice(
        &self,
        series: Arc<Series>,
        source: Source,
        query: &BarQuery,
        requested: (i64, i64),
        want_end: i64,
        warmup: Warmup,
        zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<Served, ServiceError> {
        let first_in_range = series.bars.partition_point(|b| b.ts < requested.0);
        let mut end = series.bars.partition_point(|b| b.ts < requested.1);
        let mut replay_note = None;
        let exchange = series.exchange();
        if let Some(t) = self.inner.config.as_of {
            let cutoff = super::as_of::cutoff(series.interval, zone, exchange, t);
            if requested.1 > cutoff {
                let final_end = series.bars.partition_point(|b| b.ts < cutoff);
                end = end.min(final_end).max(first_in_range);
                replay_note = Some(format!(
                    "replay as of {}: nothing after it is shown, and a bar still in progress at it (its session or period not over) is left out",
                    t.with_timezone(&zone).to_rfc3339()
                ));
            }
        }
        let start = match warmup {
            Warmup::Bars(n) => first_in_range.saturating_sub(n),
            Warmup::FullHistory => 0,
        };
        let missing: Vec<(i64, i64)> = series
            .missing
            .iter()
            .filter_map(|&(s, e)| {
                let (s, e) = (s.max(requested.0), e.min(want_end));
                (e > s).then_some((s, e))
            })
            .collect();
        let mut notes = series.notes.clone();
        notes.extend(replay_note);
        let stale = !missing.is_empty();
        let stale_reason = stale.then(|| series.failure.clone()).flatten();
        if stale && series.offline {
            notes.push(format!(
                "offline: the store does not cover {}; bars there may be missing",
                super::fill::describe_ranges(&missing, series.interval)
            ));
        }
        if stale && first_in_range == end {
            return Err(ServiceError::Unavailable {
                symbol: series.yahoo_symbol.clone(),
                interval: series.interval,
                reason: stale_reason.unwrap_or_else(|| "no bars".into()),
                hint: if series.offline {
                    "run without --offline (or TRADING_MCP_OFFLINE) to fetch it".to_string()
                } else {
                    "try again in a minute, or ask for a range that was fetched before".to_string()
                },
            });
        }
        let fetched_at = series.fetched_at[first_in_range..end].iter().max().copied();
        // An open-ended range means "up to now": it means something else
        // from the next local day. Any answer says whether the market is
        // open, and the last bar of a session settles at the close: both
        // change at the next market phase change.
        let midnight = (query.start.is_none() || query.end.is_none())
            .then(|| local_midnight(zone, local_date(zone, now) + chrono::Duration::days(1)));
        let phase_change = exchange
            .and_then(|e| e.calendar().next_change(now))
            .map(|t| t.timestamp());
        let valid_until = match (midnight, phase_change) {
            (Some(m), Some(p)) => Some(m.min(p)),
            (m, p) => m.or(p),
        };
        Ok(Served {
            range: start..end,
            first_in_range,
            requested,
            source,
            stale,
            stale_reason,
            notes,
            fetched_at,
            valid_until,
            market_open: exchange.and_then(|e| e.calendar().is_open(now)),
            partial_from: super::as_of::cutoff(series.interval, zone, exchange, now),
            series,
        })
    }

    /// The L1 series of (symbol, interval), loaded or widened so its span
    /// covers `want`, and how this call got it.
    async fn series(
        &self,
        symbol: &ResolvedSymbol,
        interval: Interval,
        want: (i64, i64),
        requested: (i64, i64),
        zone: Option<Tz>,
        max_age_secs: Option<i64>,
    ) -> Result<(Arc<Series>, Source), ServiceError> {
        let key = SeriesKey {
            yahoo_symbol: symbol.yahoo.as_str().into(),
            interval,
        };
        let now = self.inner.clock.now().timestamp();
        let fresh = |s: &Series| {
            !s.expired(now)
                && max_age_secs
                    .is_none_or(|age| s.fetched_at.iter().max().is_some_and(|&at| now - at < age))
        };
        if let Some(s) = self.inner.l1.get(&key).await
            && covers(s.span, want)
            && fresh(&s)
        {
            self.inner.counters.l1(true);
            return Ok((s, Source::Memory));
        }
        self.inner.counters.l1(false);
        let result = self
            .inner
            .l1
            .entry(key)
            .and_try_compute_with(|current| async move {
                let span = match current.map(|e| e.into_value()) {
                    Some(s) if covers(s.span, want) && fresh(&s) => return Ok(Op::Nop),
                    // Widen what is held, so overlapping requests share it.
                    Some(s) if s.span.0 <= want.1 && want.0 <= s.span.1 => {
                        (s.span.0.min(want.0), s.span.1.max(want.1))
                    }
                    _ => want,
                };
                let loaded = self.fill(symbol, interval, span, requested, zone).await?;
                Ok::<_, ServiceError>(Op::Put(Arc::new(loaded)))
            })
            .await?;
        match result {
            CompResult::Inserted(e) | CompResult::ReplacedWith(e) => {
                let series = e.into_value();
                let source = series.source;
                Ok((series, source))
            }
            CompResult::Unchanged(e) => Ok((e.into_value(), Source::Memory)),
            CompResult::StillNone(_) | CompResult::Removed(_) => Err(ServiceError::Store(
                "the memory cache lost a series while loading it; try again".into(),
            )),
        }
    }
}

impl Source {
    /// The costlier of two ways of getting bars (memory < store < upstream).
    fn max_rank(self, other: Source) -> Source {
        let rank = |s: Source| match s {
            Source::Memory => 0,
            Source::Store => 1,
            Source::Upstream => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

fn covers(span: (i64, i64), want: (i64, i64)) -> bool {
    span.0 <= want.0 && span.1 >= want.1
}

/// The first key that cannot hold a bar yet.
pub(super) fn horizon(interval: Interval, zone: Tz, now: DateTime<Utc>) -> i64 {
    if interval.is_intraday() {
        now.timestamp()
    } else {
        date_key(local_date(zone, now)) + 86_400
    }
}

/// The earliest key Yahoo serves at `interval` (intraday history is short).
pub(super) fn earliest_fetchable(interval: Interval, now: DateTime<Utc>) -> i64 {
    interval
        .yahoo_history_days()
        .map_or(MIN_KEY, |days| now.timestamp() - days * 86_400)
}

/// The key of the bar at `interval` that holds instant `t`'s day or time.
fn first_key(interval: Interval, zone: Tz, t: DateTime<Utc>) -> i64 {
    if interval.is_intraday() {
        t.timestamp()
    } else {
        date_key(local_date(zone, t))
    }
}

/// The key of the instrument's first trade, if the meta gave it.
fn first_trade_key(series: &Series, zone: Tz) -> Option<i64> {
    let t = DateTime::from_timestamp(series.instrument.first_trade_date?, 0)?;
    Some(first_key(series.interval, zone, t))
}
