//! What every answer over bars says about them: where they came from, how
//! fresh they are, and their times as the exchange writes them.

use chrono::{DateTime, TimeZone};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::Serialize;

use crate::model::exchange_zone;
use crate::model::{Interval, key_date};
use crate::service::{Series, Served};

/// Where the answer came from and how fresh it is.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Freshness {
    /// memory (L1), store (SQLite) or upstream (fetched for this call).
    pub source: String,
    /// When the newest of these bars was fetched from the upstream (RFC 3339, UTC).
    pub fetched_at: Option<String>,
    /// True when the upstream failed (or the server is offline) and stored data was served instead.
    pub stale: bool,
    /// Why the data is stale.
    pub stale_reason: Option<String>,
    /// Whether the symbol's market is open now: true, false, or null for a market with no known calendar.
    pub market_open: Option<bool>,
}

impl Freshness {
    pub fn of(served: &Served) -> Freshness {
        Freshness {
            source: served.source.as_str().to_string(),
            fetched_at: served
                .fetched_at
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .map(|t| t.to_rfc3339()),
            stale: served.stale,
            stale_reason: served.stale_reason.clone(),
            market_open: served.market_open,
        }
    }

    /// `source store, fetched 2024-03-29T10:00:00+00:00, STALE: ...` for text headers.
    pub fn summary(&self) -> String {
        let mut s = format!("source {}", self.source);
        if let Some(t) = &self.fetched_at {
            s.push_str(&format!(", fetched {t}"));
        }
        if self.stale {
            s.push_str(&format!(
                ", STALE: {}",
                self.stale_reason.as_deref().unwrap_or("upstream failed")
            ));
        }
        s
    }
}

/// Formats bar keys of one series: a date for daily and coarser bars, the
/// bar's start in exchange-local RFC 3339 for intraday bars.
#[derive(Debug, Clone, Copy)]
pub struct BarClock {
    interval: Interval,
    zone: Tz,
}

impl BarClock {
    pub fn of(series: &Series) -> BarClock {
        BarClock::new(
            series.interval,
            exchange_zone(&series.instrument.timezone).unwrap_or(chrono_tz::UTC),
        )
    }

    pub fn new(interval: Interval, zone: Tz) -> BarClock {
        BarClock { interval, zone }
    }

    /// A bar key as exchange-local time: the bar's start for intraday
    /// bars, the trading date at midnight for daily and coarser ones.
    pub fn local(&self, ts: i64) -> chrono::NaiveDateTime {
        if self.interval.is_intraday() {
            DateTime::from_timestamp(ts, 0)
                .map(|t| self.zone.from_utc_datetime(&t.naive_utc()).naive_local())
                .unwrap_or_default()
        } else {
            key_date(ts).and_time(chrono::NaiveTime::MIN)
        }
    }

    /// The exchange's zone.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    pub fn format(&self, ts: i64) -> String {
        if self.interval.is_intraday() {
            match DateTime::from_timestamp(ts, 0) {
                Some(t) => self.zone.from_utc_datetime(&t.naive_utc()).to_rfc3339(),
                None => ts.to_string(),
            }
        } else {
            key_date(ts).to_string()
        }
    }
}

/// `dates in Asia/Kolkata` for daily bars; for intraday bars the zone by
/// name and each UTC offset the page spans, so a DST change is
/// unambiguous: `times America/New_York (UTC-05:00; UTC-04:00 from 2024-03-11 09:30)`.
pub fn zone_note(timezone: &str, times: &[String]) -> String {
    if times.first().is_none_or(|t| t.len() <= 10) {
        return format!("dates in {timezone}");
    }
    let mut note = format!("times {timezone}");
    let mut last = None;
    for t in times {
        let offset = t.get(19..).unwrap_or("");
        if last != Some(offset) {
            match last {
                None => note.push_str(&format!(" (UTC{offset}")),
                Some(_) => note.push_str(&format!("; UTC{offset} from {}", short_time(t))),
            }
            last = Some(offset);
        }
    }
    note.push(')');
    note
}

/// `2024-03-28T09:15:00+05:30` as `2024-03-28 09:15`; a date stays a date.
pub fn short_time(t: &str) -> std::borrow::Cow<'_, str> {
    match (t.get(..10), t.get(11..16), t.get(16..19)) {
        (Some(date), Some(hm), Some(":00")) => format!("{date} {hm}").into(),
        (Some(date), Some(_), Some(_)) => format!("{date} {}", &t[11..19]).into(),
        _ => t.into(),
    }
}
