//! `ChartService`: bars for a symbol and range, from wherever is cheapest.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use moka::future::Cache;

use super::cache::{self, SeriesKey};
use super::range::{Bound, key_range};
use super::ranges::{gaps, windows};
use super::{ChartSeries, Renders, Served, ServiceConfig, ServiceError, Source};
use crate::calendar::{Exchange, SettleConfig};
use crate::clock::SharedClock;
use crate::model::{Instrument, Interval, date_key, key_date};
use crate::store::{BarStore, FetchBatch};
use crate::symbol::{ResolvedSymbol, Venue};
use crate::upstream::{ChartClient, UpstreamError, exchange_zone};

/// Read-through access to bars. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ChartService {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: BarStore,
    chart: ChartClient,
    l1: Cache<SeriesKey, Arc<ChartSeries>>,
    unknown: Cache<String, String>,
    zones: Mutex<HashMap<String, Tz>>,
    clock: SharedClock,
    config: ServiceConfig,
}

/// Padding around upstream requests: a local date spans UTC instants from
/// 14 hours before its UTC midnight to 12 hours after the next one.
const PAD_SECS: i64 = 86_400;

impl ChartService {
    pub fn new(
        store: BarStore,
        chart: ChartClient,
        clock: SharedClock,
        config: ServiceConfig,
    ) -> Self {
        let unknown = Cache::builder()
            .max_capacity(10_000)
            .time_to_live(config.negative_ttl)
            .build();
        Self {
            inner: Arc::new(Inner {
                l1: cache::build(config.cache_bytes),
                store,
                chart,
                unknown,
                zones: Mutex::new(HashMap::new()),
                clock,
                config,
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

    fn remember_zone(&self, yahoo: &str, zone: Tz) {
        self.inner
            .zones
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(yahoo.to_string(), zone);
    }

    /// Bars of `symbol` at `interval` between `start` and `end` (inclusive
    /// dates), through L1, L2 and the upstream, coalesced per key.
    pub async fn get(
        &self,
        symbol: &ResolvedSymbol,
        interval: Interval,
        start: Option<Bound>,
        end: Option<Bound>,
    ) -> Result<Served, ServiceError> {
        if let Some(detail) = self.inner.unknown.get(&symbol.yahoo).await {
            return Err(ServiceError::UnknownSymbol {
                symbol: symbol.yahoo.clone(),
                detail,
            });
        }
        let now = self.inner.clock.now();
        let zone = self.zone(symbol).await?;
        let range = key_range(interval, zone.unwrap_or(chrono_tz::UTC), start, end, now)?;
        let key = SeriesKey {
            yahoo_symbol: symbol.yahoo.clone(),
            interval,
            start: range.0,
            end: range.1,
        };
        let loaded = AtomicBool::new(false);
        let series = self
            .inner
            .l1
            .try_get_with(key, async {
                loaded.store(true, Ordering::Relaxed);
                self.load(symbol, interval, range, zone).await.map(Arc::new)
            })
            .await
            .map_err(|e: Arc<ServiceError>| (*e).clone())?;
        let source = if loaded.load(Ordering::Relaxed) {
            series.source
        } else {
            Source::Memory
        };
        Ok(Served { series, source })
    }

    /// The instant (intraday) or date key (daily and coarser) before which
    /// bars can no longer change.
    fn settled_boundary(
        &self,
        venue: Venue,
        zone: Tz,
        interval: Interval,
        now: DateTime<Utc>,
    ) -> i64 {
        let calendar = Exchange::for_venue(venue).map(Exchange::calendar);
        let today = zone.from_utc_datetime(&now.naive_utc()).date_naive();
        let today_settled =
            calendar.is_some_and(|c| c.is_settled(today, now, SettleConfig::default()));
        if interval.is_intraday() {
            if today_settled {
                now.timestamp()
            } else {
                zone.from_local_datetime(&today.and_hms_opt(0, 0, 0).unwrap_or_default())
                    .earliest()
                    .map(|t| t.timestamp())
                    .unwrap_or_else(|| date_key(today))
            }
        } else {
            let first_unsettled = date_key(today) + if today_settled { 86_400 } else { 0 };
            match interval {
                // The current week's or month's bar changes until it ends.
                Interval::W1 | Interval::Mo1 => first_unsettled - interval.seconds(),
                _ => first_unsettled,
            }
        }
    }

    /// L1 missed: read L2, fill gaps from the upstream, write back.
    async fn load(
        &self,
        symbol: &ResolvedSymbol,
        interval: Interval,
        range: (i64, i64),
        zone: Option<Tz>,
    ) -> Result<ChartSeries, ServiceError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let zone_now = zone.unwrap_or(chrono_tz::UTC);
        let settled = self.settled_boundary(symbol.venue, zone_now, interval, now);
        // Bars cannot exist past now: never ask the upstream about the future.
        let horizon = if interval.is_intraday() {
            now.timestamp()
        } else {
            date_key(zone_now.from_utc_datetime(&now.naive_utc()).date_naive()) + 86_400
        };
        let wanted = (range.0, range.1.min(horizon));
        let covered = inner
            .store
            .coverage(&symbol.yahoo, interval, wanted.0, wanted.1)
            .await?;
        let missing = gaps(&covered, wanted);
        let mut notes = Vec::new();
        let mut failure: Option<UpstreamError> = None;
        let mut fetched_any = false;

        if !missing.is_empty() && inner.chart.http().offline() {
            notes.push(format!(
                "offline: the store does not cover {}; bars there may be missing",
                describe_ranges(&missing, interval)
            ));
            failure = Some(UpstreamError::Offline);
        } else if !missing.is_empty() {
            if let Some(days) = interval.yahoo_history_days() {
                let earliest = now.timestamp() - days * 86_400;
                if missing[0].0 < earliest {
                    let earliest_date = zone_now.from_utc_datetime(
                        &DateTime::from_timestamp(earliest, 0)
                            .unwrap_or(now)
                            .naive_utc(),
                    );
                    return Err(ServiceError::BadRequest(format!(
                        "Yahoo keeps {interval} bars for the last {days} days only, and the range starts earlier without stored data; use start_date {} or later, or a coarser interval (1h keeps 730 days, 1d all history)",
                        earliest_date.date_naive() + chrono::Duration::days(1)
                    )));
                }
            }
            let window = interval.yahoo_window_days().map(|d| d * 86_400);
            'gaps: for gap in &missing {
                let pieces = match window {
                    Some(w) => windows(*gap, w),
                    None => vec![*gap],
                };
                for piece in pieces {
                    let (p1, p2) = if interval.is_intraday() {
                        (piece.0, piece.1)
                    } else {
                        (piece.0 - PAD_SECS, piece.1 + PAD_SECS)
                    };
                    let p2 = p2.min(now.timestamp() + PAD_SECS);
                    match inner.chart.fetch(&symbol.yahoo, interval, p1, p2).await {
                        Ok(data) => {
                            if let Some(z) = exchange_zone(&data.instrument.timezone) {
                                self.remember_zone(&symbol.yahoo, z);
                            }
                            if data.skipped_null > 0 {
                                tracing::debug!(symbol = %symbol.yahoo, skipped = data.skipped_null, "bars with null prices skipped");
                            }
                            let instrument = Instrument {
                                yahoo_symbol: symbol.yahoo.clone(),
                                ..data.instrument.clone()
                            };
                            let covered_end = piece.1.min(settled);
                            let batch = FetchBatch {
                                instrument: &instrument,
                                interval,
                                bars: &data.bars,
                                actions: &data.actions,
                                covered: (covered_end > piece.0).then_some((piece.0, covered_end)),
                                fetched_at: now.timestamp(),
                            };
                            inner.store.save_fetch(&batch).await?;
                            fetched_any = true;
                        }
                        Err(UpstreamError::UnknownSymbol { symbol: s, detail }) => {
                            inner.unknown.insert(s.clone(), detail.clone()).await;
                            return Err(ServiceError::UnknownSymbol { symbol: s, detail });
                        }
                        Err(e) => {
                            tracing::warn!(symbol = %symbol.yahoo, error = %e, "upstream failed; serving what the store has");
                            failure = Some(e);
                            break 'gaps;
                        }
                    }
                }
            }
        }

        let (bars, fetched_at) = inner
            .store
            .read_bars(&symbol.yahoo, interval, range.0, range.1)
            .await?;
        let instrument = inner.store.instrument(&symbol.yahoo).await?;
        let stale_reason = failure.as_ref().map(|e| e.to_string());
        let Some(instrument) = instrument.filter(|_| !bars.is_empty() || failure.is_none()) else {
            let reason = stale_reason.unwrap_or_else(|| "no bars".into());
            let hint = match failure {
                Some(UpstreamError::Offline) => {
                    "run without --offline (or TRADING_MCP_OFFLINE) to fetch it".to_string()
                }
                Some(UpstreamError::BreakerOpen { retry_in_secs, .. }) => {
                    format!("try again in {retry_in_secs} s")
                }
                _ => {
                    "try again in a minute, or ask for a range that was fetched before".to_string()
                }
            };
            return Err(ServiceError::Unavailable {
                symbol: symbol.yahoo.clone(),
                interval,
                reason,
                hint,
            });
        };
        let stale = failure.is_some();
        let live = range.1 > settled;
        let ttl = if stale || live {
            Some(inner.config.live_ttl)
        } else {
            None
        };
        let source = if fetched_any {
            Source::Upstream
        } else {
            Source::Store
        };
        Ok(ChartSeries {
            yahoo_symbol: symbol.yahoo.clone(),
            venue: symbol.venue,
            instrument,
            interval,
            range,
            bars,
            source,
            fetched_at,
            stale,
            stale_reason,
            notes,
            ttl: ttl.map(|t: Duration| t.max(Duration::from_millis(1))),
            renders: Renders::default(),
        })
    }
}

fn describe_ranges(ranges: &[(i64, i64)], interval: Interval) -> String {
    let show = |k: i64, end: bool| -> String {
        if interval.is_intraday() {
            DateTime::from_timestamp(k, 0)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default()
        } else if end {
            key_date(k - 86_400).to_string()
        } else {
            key_date(k).to_string()
        }
    };
    ranges
        .iter()
        .map(|&(s, e)| format!("{}..{}", show(s, false), show(e, true)))
        .collect::<Vec<_>>()
        .join(", ")
}
