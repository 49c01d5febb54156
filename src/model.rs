//! The data types every layer shares: intervals, bars, instruments, series.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Bar length. Daily and coarser bars are keyed by trading date, intraday
/// bars by their start instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Interval {
    #[serde(rename = "1m")]
    M1,
    #[serde(rename = "5m")]
    M5,
    #[serde(rename = "15m")]
    M15,
    #[serde(rename = "30m")]
    M30,
    #[serde(rename = "1h")]
    H1,
    #[serde(rename = "1d")]
    D1,
    #[serde(rename = "1wk")]
    W1,
    #[serde(rename = "1mo")]
    Mo1,
}

pub const INTERVALS: [Interval; 8] = [
    Interval::M1,
    Interval::M5,
    Interval::M15,
    Interval::M30,
    Interval::H1,
    Interval::D1,
    Interval::W1,
    Interval::Mo1,
];

impl Interval {
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::M1 => "1m",
            Interval::M5 => "5m",
            Interval::M15 => "15m",
            Interval::M30 => "30m",
            Interval::H1 => "1h",
            Interval::D1 => "1d",
            Interval::W1 => "1wk",
            Interval::Mo1 => "1mo",
        }
    }

    pub fn is_intraday(self) -> bool {
        matches!(
            self,
            Interval::M1 | Interval::M5 | Interval::M15 | Interval::M30 | Interval::H1
        )
    }

    /// Nominal bar length in seconds (a month counts 31 days).
    pub fn seconds(self) -> i64 {
        match self {
            Interval::M1 => 60,
            Interval::M5 => 300,
            Interval::M15 => 900,
            Interval::M30 => 1800,
            Interval::H1 => 3600,
            Interval::D1 => 86_400,
            Interval::W1 => 7 * 86_400,
            Interval::Mo1 => 31 * 86_400,
        }
    }

    /// How far back Yahoo serves this interval, in days (`None`: all history).
    pub fn yahoo_history_days(self) -> Option<i64> {
        match self {
            Interval::M1 => Some(30),
            Interval::M5 | Interval::M15 | Interval::M30 => Some(60),
            Interval::H1 => Some(730),
            _ => None,
        }
    }

    /// The longest span one Yahoo request may cover, in days (`None`: no limit).
    pub fn yahoo_window_days(self) -> Option<i64> {
        match self {
            Interval::M1 => Some(7),
            Interval::M5 | Interval::M15 | Interval::M30 => Some(60),
            Interval::H1 => Some(730),
            _ => None,
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Interval {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        INTERVALS
            .iter()
            .copied()
            .find(|i| i.as_str() == s || (s == "60m" && *i == Interval::H1))
            .ok_or_else(|| {
                format!(
                    "unknown interval {:?}; use one of {}",
                    crate::echo::clip(&s),
                    INTERVALS.map(|i| i.as_str()).join(", ")
                )
            })
    }
}

/// One OHLCV bar. `ts` is the key: for intraday bars the start instant in
/// epoch seconds (UTC); for daily and coarser bars the exchange-local trading
/// date, as the epoch seconds of that date's midnight UTC (see [`date_key`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub ts: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub adj_close: f64,
    pub volume: i64,
}

/// The key of a trading date: epoch seconds of its midnight UTC.
pub fn date_key(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .map(|dt| dt.and_utc().timestamp())
        .unwrap_or(0)
}

/// The trading date of a date key.
pub fn key_date(key: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp(key, 0)
        .map(|dt| dt.date_naive())
        .unwrap_or_default()
}

/// The exchange-local date of an instant.
pub fn local_date(zone: Tz, t: DateTime<Utc>) -> NaiveDate {
    zone.from_utc_datetime(&t.naive_utc()).date_naive()
}

/// The instant (epoch seconds) at which `date` begins in `zone`: its local
/// midnight, or the first instant after it when a DST change skips midnight.
pub fn local_midnight(zone: Tz, date: NaiveDate) -> i64 {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    match zone.from_local_datetime(&midnight).earliest() {
        Some(t) => t.timestamp(),
        // A gap at midnight: the day starts when the clocks jump, at most an
        // hour later; the first valid local minute after midnight.
        None => (1..=180)
            .find_map(|m| {
                zone.from_local_datetime(&(midnight + chrono::Duration::minutes(m)))
                    .earliest()
            })
            .map(|t| t.timestamp())
            .unwrap_or_else(|| date_key(date)),
    }
}

/// The UTC offset of `zone` at an instant, in seconds (IST is 19,800).
pub fn utc_offset_secs(zone: Tz, t: DateTime<Utc>) -> i32 {
    use chrono::Offset;
    zone.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

/// The IANA zone named by an instrument's `timezone` (Yahoo's
/// `exchangeTimezoneName`), if it is one.
pub fn exchange_zone(timezone: &str) -> Option<Tz> {
    timezone.parse::<Tz>().ok()
}

/// What the chart API says about an instrument (its `meta`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Instrument {
    pub yahoo_symbol: String,
    pub exchange: String,
    pub full_exchange_name: Option<String>,
    pub currency: String,
    /// IANA zone, e.g. `Asia/Kolkata`.
    pub timezone: String,
    pub instrument_type: Option<String>,
    pub short_name: Option<String>,
    pub long_name: Option<String>,
    pub first_trade_date: Option<i64>,
    pub regular_market_price: Option<f64>,
    pub regular_market_time: Option<i64>,
}

/// A dividend or split from the chart `events`.
#[derive(Debug, Clone, PartialEq)]
pub enum CorporateAction {
    Dividend {
        ts: i64,
        amount: f64,
    },
    Split {
        ts: i64,
        numerator: f64,
        denominator: f64,
    },
}

/// Where a stored bar came from (the `bars.source` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BarSource {
    /// Fetched from Yahoo's chart API.
    Yahoo,
    /// Loaded from a file by `trading-mcp import`.
    Import,
}

impl BarSource {
    pub fn as_str(self) -> &'static str {
        match self {
            BarSource::Yahoo => "yahoo",
            BarSource::Import => "import",
        }
    }

    /// Reads the column's text.
    pub fn from_db(text: &[u8]) -> Option<Self> {
        match text {
            b"yahoo" => Some(BarSource::Yahoo),
            b"import" => Some(BarSource::Import),
            _ => None,
        }
    }
}

impl fmt::Display for BarSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
