//! An L1 miss: read what the store covers, fetch only the gaps from the
//! upstream (one transaction per fetch, coverage claimed only for settled
//! data), and build the series L1 will hold.

use std::sync::atomic::Ordering;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::chart::{ChartService, earliest_fetchable};
use super::ranges::{gaps, windows};
use super::{Series, ServiceError, Source};
use crate::calendar::Exchange;
use crate::model::exchange_zone;
use crate::model::{Instrument, Interval, date_key, key_date, local_date, local_midnight};
use crate::store::{FetchBatch, StoreError};
use crate::symbol::{ResolvedSymbol, Venue};
use crate::upstream::UpstreamError;

/// Padding around daily upstream requests: a local date spans UTC instants
/// from 14 hours before its UTC midnight to 12 hours after the next one.
const PAD_SECS: i64 = 86_400;

impl ChartService {
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
        let today = local_date(zone, now);
        let today_settled =
            calendar.is_some_and(|c| c.is_settled(today, now, self.inner.config.settle));
        if interval.is_intraday() {
            if today_settled {
                now.timestamp()
            } else {
                local_midnight(zone, today)
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

    /// Loads `span` of (symbol, interval): the store's bars, with its gaps
    /// fetched from the upstream first. `requested` is the part a caller
    /// asked for (the rest is warm-up or what L1 already held).
    pub(super) async fn fill(
        &self,
        symbol: &ResolvedSymbol,
        interval: Interval,
        span: (i64, i64),
        requested: (i64, i64),
        zone: Option<Tz>,
    ) -> Result<Series, ServiceError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let zone_now = zone.unwrap_or(chrono_tz::UTC);
        let settled = self.settled_boundary(symbol.venue, zone_now, interval, now);
        let covered = inner
            .store
            .coverage(&symbol.yahoo, interval, span.0, span.1)
            .await?;
        let mut missing = gaps(&covered, span);
        inner.counters.l2(missing.is_empty());
        let mut failure: Option<UpstreamError> = None;
        let mut fetched_any = false;
        let offline = inner.chart.http().offline();

        if !missing.is_empty() && offline {
            failure = Some(UpstreamError::Offline);
        } else if !missing.is_empty() {
            // One instance fetches a gap; the others wait, then find it stored.
            let lock = inner.store.fetch_lock(&symbol.yahoo, interval).await?;
            if lock.is_held() {
                let covered = inner
                    .store
                    .coverage(&symbol.yahoo, interval, span.0, span.1)
                    .await?;
                missing = gaps(&covered, span);
            }
            missing =
                self.within_history(&missing, symbol.venue, interval, requested, zone_now, now)?;
            let mut unfilled = Vec::new();
            let mut windows_done =
                Progress::new(missing.iter().map(|gap| pieces(interval, *gap).len()).sum());
            for (i, gap) in missing.iter().enumerate() {
                let fetched = self
                    .fetch_gap(symbol, interval, *gap, settled, now, &mut windows_done)
                    .await;
                match fetched {
                    Ok(()) => fetched_any = true,
                    Err(GapError::Store(e)) => return Err(e.into()),
                    Err(GapError::Upstream(UpstreamError::UnknownSymbol { symbol: s, detail })) => {
                        // A zero TTL means not remembered at all (moka's
                        // shortest lifetime, 1 ms, would still answer a
                        // call that follows at once).
                        if !inner.config.negative_ttl.is_zero() {
                            inner.unknown.insert(s.clone(), detail.clone()).await;
                        }
                        return Err(ServiceError::UnknownSymbol { symbol: s, detail });
                    }
                    Err(GapError::Upstream(e)) => {
                        tracing::warn!(symbol = %symbol.yahoo, error = %e, "upstream failed; serving what the store has");
                        failure = Some(e);
                        unfilled.extend_from_slice(&missing[i..]);
                        break;
                    }
                }
            }
            missing = unfilled;
            lock.release().await;
        }

        let (bars, fetched_at) = inner
            .store
            .read_bars(&symbol.yahoo, interval, span.0, span.1)
            .await?;
        let Some(instrument) = inner.store.instrument(&symbol.yahoo).await? else {
            let reason = failure
                .as_ref()
                .map_or_else(|| "no bars".to_string(), ToString::to_string);
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
        let stale = !missing.is_empty();
        let live = span.1 > settled;
        let ttl = match (stale, live) {
            // A stale answer is retried on the live TTL, whatever the phase.
            (true, _) => Some(inner.config.live_ttl),
            (false, true) => Some(live_lifetime(
                symbol.venue,
                zone_now,
                now,
                inner.config.live_ttl,
            )),
            (false, false) => None,
        };
        Ok(Series {
            generation: inner.generations.fetch_add(1, Ordering::Relaxed),
            yahoo_symbol: symbol.yahoo.clone(),
            venue: symbol.venue,
            instrument,
            interval,
            span,
            bars,
            fetched_at,
            missing,
            offline: matches!(failure, Some(UpstreamError::Offline)),
            failure: failure.map(|e| e.to_string()),
            source: if fetched_any {
                Source::Upstream
            } else {
                Source::Store
            },
            notes: Vec::new(),
            expires_at: ttl.map(|t| {
                now.timestamp()
                    .saturating_add(i64::try_from(t.as_secs()).unwrap_or(i64::MAX))
            }),
            ttl: ttl.map(|t| t.max(std::time::Duration::from_millis(1))),
        })
    }

    /// The gaps Yahoo can still serve. A gap inside the requested range
    /// that starts before Yahoo's history limit is the caller's error,
    /// unless the venue's calendar says no session was open in it (the
    /// evening after a stored session's close, say: coverage is claimed
    /// only up to the fetch); older warm-up gaps are trimmed to the limit.
    fn within_history(
        &self,
        missing: &[(i64, i64)],
        venue: Venue,
        interval: Interval,
        requested: (i64, i64),
        zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, i64)>, ServiceError> {
        let Some(days) = interval.yahoo_history_days() else {
            return Ok(missing.to_vec());
        };
        let earliest = earliest_fetchable(interval, now);
        let calendar = Exchange::for_venue(venue).map(Exchange::calendar);
        let may_hold_bars = |s: i64, e: i64| {
            let (Some(calendar), Some(at)) = (calendar, DateTime::from_timestamp(s, 0)) else {
                return true;
            };
            calendar.is_open(at) != Some(false)
                || calendar
                    .next_open(at)
                    .is_none_or(|open| open.timestamp() < e)
        };
        let asked_too_early = missing.iter().any(|&(s, e)| {
            s.max(requested.0) < earliest
                && e > requested.0
                && s < requested.1
                && may_hold_bars(s, e)
        });
        if asked_too_early {
            let earliest_date = zone.from_utc_datetime(
                &DateTime::from_timestamp(earliest, 0)
                    .unwrap_or(now)
                    .naive_utc(),
            );
            return Err(ServiceError::BadRequest(format!(
                "Yahoo keeps {interval} bars for the last {days} days only, and the range starts earlier without stored data; use start_date {} or later, or a coarser interval (1h keeps 730 days, 1d all history)",
                earliest_date.date_naive() + chrono::Duration::days(1)
            )));
        }
        Ok(missing
            .iter()
            .filter_map(|&(s, e)| {
                let s = s.max(earliest);
                (e > s).then_some((s, e))
            })
            .collect())
    }

    /// Fetches one gap (in the windows Yahoo allows) and stores each piece
    /// in its own transaction.
    async fn fetch_gap(
        &self,
        symbol: &ResolvedSymbol,
        interval: Interval,
        gap: (i64, i64),
        settled: i64,
        now: DateTime<Utc>,
        progress: &mut Progress,
    ) -> Result<(), GapError> {
        let inner = &self.inner;
        for piece in pieces(interval, gap) {
            let (p1, p2) = if interval.is_intraday() {
                piece
            } else {
                (piece.0 - PAD_SECS, piece.1 + PAD_SECS)
            };
            let p2 = p2.min(now.timestamp() + PAD_SECS);
            let data = inner
                .chart
                .fetch(&symbol.yahoo, interval, p1, p2)
                .await
                .map_err(GapError::Upstream)?;
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
            inner
                .store
                .save_fetch(&batch)
                .await
                .map_err(GapError::Store)?;
            crate::background::count_bars_written(data.bars.len());
            progress.window_stored(&symbol.yahoo, interval, piece);
        }
        Ok(())
    }
}

/// How long a series reaching into today's unsettled session stays in L1:
/// the live TTL, or, before the day's session has opened, until it opens
/// (nothing can change before then, so nothing is refetched).
fn live_lifetime(
    venue: Venue,
    zone: Tz,
    now: DateTime<Utc>,
    live_ttl: std::time::Duration,
) -> std::time::Duration {
    let opens_later = Exchange::for_venue(venue).and_then(|e| {
        match e.calendar().day_times(local_date(zone, now)) {
            crate::calendar::DayTimes::Known(times) => times
                .segments
                .first()
                .map(|s| s.open)
                .filter(|open| now < *open),
            _ => None,
        }
    });
    opens_later
        .and_then(|open| (open - now).to_std().ok())
        .map_or(live_ttl, |until_open| until_open.max(live_ttl))
}

/// The upstream requests one gap takes: Yahoo's window for the interval.
fn pieces(interval: Interval, gap: (i64, i64)) -> Vec<(i64, i64)> {
    match interval.yahoo_window_days() {
        Some(days) => windows(gap, days * 86_400),
        None => vec![gap],
    }
}

/// Windows stored so far of one load, reported when there is more than one.
struct Progress {
    done: usize,
    total: usize,
}

impl Progress {
    fn new(total: usize) -> Self {
        Self { done: 0, total }
    }

    fn window_stored(&mut self, symbol: &str, interval: Interval, piece: (i64, i64)) {
        self.done += 1;
        if self.total > 1 {
            crate::progress::report(self.done as f64, Some(self.total as f64), || {
                format!(
                    "{symbol} {interval}: stored window {} of {} ({})",
                    self.done,
                    self.total,
                    describe_ranges(&[piece], interval)
                )
            });
        }
    }
}

/// Why a gap could not be filled: the upstream failed (serve what is
/// stored), or the store did (an error for the caller).
enum GapError {
    Upstream(UpstreamError),
    Store(StoreError),
}

/// `2024-01-01..2024-03-28`-style text for key ranges.
pub(super) fn describe_ranges(ranges: &[(i64, i64)], interval: Interval) -> String {
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
