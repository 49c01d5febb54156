//! Which symbols callers ask for: counted in memory on the call path (a
//! mutex and a map, no IO) and flushed to the store about once a minute, so
//! the counts survive restarts without one write per request.
//!
//! Only symbols a tool actually served are counted (the caller passes the
//! series an answer was computed from), so hostile or misspelt input never
//! reaches the watchlist.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::Exchange;

/// Request counts per IST day and Yahoo ticker, not yet flushed.
#[derive(Debug, Default)]
pub struct Popularity {
    pending: Mutex<Pending>,
}

#[derive(Debug, Default)]
struct Pending {
    /// By day, then symbol: a repeat request finds its counter by `&str`,
    /// with no allocation on the call path.
    counts: HashMap<NaiveDate, HashMap<String, u64>>,
    /// The day of the last request and the instants `[start, end)` it spans
    /// (epoch seconds), so most requests skip the timezone arithmetic.
    day: Option<(NaiveDate, i64, i64)>,
}

impl Pending {
    fn day_at(&mut self, at: DateTime<Utc>) -> NaiveDate {
        let t = at.timestamp();
        match self.day {
            Some((day, start, end)) if (start..end).contains(&t) => day,
            _ => {
                let day = day_of(at);
                let zone = Exchange::Nse.calendar().zone();
                let start = crate::model::local_midnight(zone, day);
                let end = crate::model::local_midnight(zone, day + chrono::Duration::days(1));
                self.day = Some((day, start, end));
                day
            }
        }
    }
}

/// The day requests at `at` count for: the NSE calendar's local date.
pub fn day_of(at: DateTime<Utc>) -> NaiveDate {
    Exchange::Nse.calendar().local_date(at)
}

impl Popularity {
    /// Counts one request served at `at` for each of `symbols`.
    pub fn record<'a>(&self, at: DateTime<Utc>, symbols: impl IntoIterator<Item = &'a str>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let today = pending.day_at(at);
        let day = pending.counts.entry(today).or_default();
        for symbol in symbols {
            match day.get_mut(symbol) {
                Some(n) => *n += 1,
                None => {
                    day.insert(symbol.to_string(), 1);
                }
            }
        }
    }

    /// Takes the counts not yet flushed: (ISO day, symbol, requests).
    pub fn drain(&self) -> Vec<(String, String, u64)> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<_> = pending
            .counts
            .drain()
            .flat_map(|(day, symbols)| {
                let day = day.to_string();
                symbols.into_iter().map(move |(s, n)| (day.clone(), s, n))
            })
            .collect();
        out.sort();
        out
    }

    /// Puts counts back after a failed flush, so none is lost.
    pub fn restore(&self, counts: Vec<(String, String, u64)>) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for (day, symbol, n) in counts {
            if let Ok(day) = day.parse::<NaiveDate>() {
                *pending
                    .counts
                    .entry(day)
                    .or_default()
                    .entry(symbol)
                    .or_default() += n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_ist_day_and_drains_once() {
        let p = Popularity::default();
        // 23:00 UTC on the 22nd is 04:30 IST on the 23rd.
        let late = DateTime::parse_from_rfc3339("2026-11-22T23:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        p.record(late, ["ITC.NS", "TCS.NS"]);
        p.record(late, ["ITC.NS"]);
        let counts = p.drain();
        assert_eq!(
            counts,
            [
                ("2026-11-23".to_string(), "ITC.NS".to_string(), 2),
                ("2026-11-23".to_string(), "TCS.NS".to_string(), 1),
            ]
        );
        assert!(p.drain().is_empty());
        p.restore(counts);
        p.record(late, ["ITC.NS"]);
        // 18:30 UTC on the 23rd is midnight IST: the 24th.
        let midnight = DateTime::parse_from_rfc3339("2026-11-23T18:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        p.record(midnight - chrono::Duration::seconds(1), ["ITC.NS"]);
        p.record(midnight, ["ITC.NS"]);
        let counts = p.drain();
        assert_eq!(
            counts[0],
            ("2026-11-23".to_string(), "ITC.NS".to_string(), 4)
        );
        assert_eq!(
            counts[2],
            ("2026-11-24".to_string(), "ITC.NS".to_string(), 1)
        );
    }
}
