//! Bars for computation: a requested range widened backwards for warm-up,
//! fetched through the read-through service, as column vectors.

use chrono::{Offset, TimeZone};

use super::CallError;
use super::chart::{BarRequest, service_error};
use crate::app::App;
use crate::indicators::Ohlcv;
use crate::model::Interval;
use crate::service::{Bound, Served, default_start, key_range, shift_back};
use crate::upstream::exchange_zone;

/// The columns of a fetched series, oldest first.
pub struct Columns {
    pub served: Served,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Vec<f64>,
    pub ts: Vec<i64>,
    pub utc_offset_secs: i32,
    /// Index of the first bar inside the requested range.
    pub first_in_range: usize,
}

impl Columns {
    pub fn ohlcv(&self) -> Ohlcv<'_> {
        Ohlcv {
            open: &self.open,
            high: &self.high,
            low: &self.low,
            close: &self.close,
            volume: &self.volume,
            ts: &self.ts,
            utc_offset_secs: self.utc_offset_secs,
            intraday: self.served.series.interval.is_intraday(),
        }
    }

    pub fn len(&self) -> usize {
        self.close.len()
    }
}

/// Calendar days that hold about `bars` bars of `interval` (with slack for
/// weekends, holidays and short sessions).
fn days_for_bars(interval: Interval, bars: usize) -> i64 {
    let bars = bars as i64;
    match interval {
        // 75 five-minute bars in an NSE session; weekends and holidays ~ x1.5.
        Interval::M1 => bars / 375 * 3 / 2 + 4,
        Interval::M5 => bars / 75 * 3 / 2 + 4,
        Interval::M15 => bars / 25 * 3 / 2 + 4,
        Interval::M30 => bars / 13 * 3 / 2 + 4,
        Interval::H1 => bars / 7 * 3 / 2 + 4,
        Interval::D1 => bars * 3 / 2 + 10,
        Interval::W1 => bars * 7 + 14,
        Interval::Mo1 => bars * 31 + 62,
    }
}

/// Fetches `req`'s range plus about `warmup_bars` bars before it.
pub async fn fetch_with_warmup(
    app: &App,
    req: &BarRequest,
    warmup_bars: usize,
) -> Result<Columns, CallError> {
    let now = app.chart.clock().now();
    // A symbol never fetched before has no known zone yet: UTC is off by
    // hours at most, and only for that first warm-up window.
    let zone = app
        .chart
        .zone(&req.symbol)
        .await
        .map_err(service_error)?
        .unwrap_or(chrono_tz::UTC);
    let today = zone.from_utc_datetime(&now.naive_utc()).date_naive();
    let requested_start = req
        .start
        .unwrap_or_else(|| default_start(req.interval, req.end.unwrap_or(Bound::Date(today))));
    let mut days = if warmup_bars == 0 {
        0
    } else {
        days_for_bars(req.interval, warmup_bars)
    };
    if let Some(limit) = req.interval.yahoo_history_days() {
        // Never reach past what Yahoo keeps for intraday intervals.
        let start_day = match requested_start {
            Bound::Date(d) => d,
            Bound::Instant(t) => zone.from_utc_datetime(&t.naive_utc()).date_naive(),
        };
        let room = limit - 1 - (today - start_day).num_days();
        days = days.min(room.max(0));
    }
    let warm_start = shift_back(requested_start, chrono::Duration::days(days));
    let served = app
        .chart
        .get(&req.symbol, req.interval, Some(warm_start), req.end)
        .await
        .map_err(service_error)?;
    let series = &served.series;
    // The first bar in the requested range, keyed exactly as the service keys it.
    let zone = exchange_zone(&series.instrument.timezone).unwrap_or(zone);
    let (start_key, _) = key_range(req.interval, zone, Some(requested_start), req.end, now)
        .map_err(service_error)?;
    let bars = &series.bars;
    let first_in_range = bars.partition_point(|b| b.ts < start_key);
    let utc_offset_secs = exchange_zone(&series.instrument.timezone)
        .and_then(|z| {
            let at = chrono::DateTime::from_timestamp(bars.last().map_or(0, |b| b.ts), 0)?;
            Some(
                z.offset_from_utc_datetime(&at.naive_utc())
                    .fix()
                    .local_minus_utc(),
            )
        })
        .unwrap_or(0);
    let col = |f: fn(&crate::model::Bar) -> f64| bars.iter().map(f).collect::<Vec<f64>>();
    Ok(Columns {
        open: col(|b| b.open),
        high: col(|b| b.high),
        low: col(|b| b.low),
        close: col(|b| b.close),
        volume: col(|b| b.volume as f64),
        ts: bars.iter().map(|b| b.ts).collect(),
        utc_offset_secs,
        first_in_range,
        served,
    })
}
