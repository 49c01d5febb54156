//! A served slice of bars as the column vectors the indicator and pattern
//! libraries take.

use crate::indicators::Ohlcv;
use crate::model::{Bar, Interval, exchange_zone, utc_offset_secs};
use crate::service::Served;

/// The columns of a served slice (warm-up included), oldest first.
pub struct Columns {
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Vec<f64>,
    pub ts: Vec<i64>,
    pub utc_offset_secs: i32,
    pub intraday: bool,
    /// Index of the first bar inside the requested range.
    pub first_in_range: usize,
}

impl Columns {
    pub fn of(served: &Served) -> Columns {
        let series = &served.series;
        Columns::of_bars(
            served.bars(),
            &series.instrument.timezone,
            series.interval,
            served.warmup_len(),
        )
    }

    /// The columns of `bars` (of `interval`, on an exchange in `timezone`),
    /// the requested range starting at index `first_in_range`.
    pub fn of_bars(
        bars: &[Bar],
        timezone: &str,
        interval: Interval,
        first_in_range: usize,
    ) -> Columns {
        let col = |f: fn(&Bar) -> f64| bars.iter().map(f).collect::<Vec<f64>>();
        let zone = exchange_zone(timezone);
        let utc_offset_secs = match (zone, bars.last()) {
            (Some(z), Some(last)) => {
                chrono::DateTime::from_timestamp(last.ts, 0).map_or(0, |t| utc_offset_secs(z, t))
            }
            _ => 0,
        };
        Columns {
            open: col(|b| b.open),
            high: col(|b| b.high),
            low: col(|b| b.low),
            close: col(|b| b.close),
            volume: col(|b| b.volume as f64),
            ts: bars.iter().map(|b| b.ts).collect(),
            utc_offset_secs,
            intraday: interval.is_intraday(),
            first_in_range,
        }
    }

    pub fn ohlcv(&self) -> Ohlcv<'_> {
        Ohlcv {
            open: &self.open,
            high: &self.high,
            low: &self.low,
            close: &self.close,
            volume: &self.volume,
            ts: &self.ts,
            utc_offset_secs: self.utc_offset_secs,
            intraday: self.intraday,
        }
    }

    pub fn len(&self) -> usize {
        self.close.len()
    }
}
