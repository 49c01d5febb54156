//! Series the fake Yahoo makes for listings and intervals no shared file
//! records, each from a shared one or by a stated rule, with the meta
//! Yahoo gives such an instrument:
//! - `X.BO`: the NSE history of `X.NS` (a BSE listing trades within paise
//!   of it), on the BSE;
//! - `^NSEBANK` (BANKNIFTY) and `^BSESN` (SENSEX): the NIFTY 50 history
//!   scaled by 2.2 and 3.3, standing in for indices we have no file of;
//! - `BTC-USD`: every calendar day of 2024, weekends included, at 00:00
//!   UTC as Yahoo stamps crypto; `INR=X` (USD/INR): every weekday of 2024,
//!   at 00:00 London time as Yahoo stamps FX;
//! - `RELIANCE.NS` at 15m, 30m and 1h: its 5m bars gathered into bars that
//!   start at the 09:15 open, as Yahoo's NSE intraday bars do (so the last
//!   30m and 1h bars of a session are short);
//! - any daily `.NS` series at 1wk and 1mo: its days gathered into weeks
//!   stamped on their Monday and months stamped on their 1st, at 09:15 IST.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Weekday};
use serde_json::{Value, json};

use super::fake_yahoo::{Row, ist_date, nse_open_ts, rows_for};

/// How Yahoo describes the instrument, for the answer's `meta`.
pub fn meta(symbol: &str) -> Value {
    let (currency, exchange, full, kind, zone, short, offset) = if symbol == "BTC-USD" {
        ("USD", "CCC", "CCC", "CRYPTOCURRENCY", "UTC", "UTC", 0)
    } else if symbol.ends_with("=X") {
        ("INR", "CCY", "CCY", "CURRENCY", "Europe/London", "GMT", 0)
    } else if symbol.ends_with(".BO") || symbol == "^BSESN" {
        let kind = if symbol.starts_with('^') {
            "INDEX"
        } else {
            "EQUITY"
        };
        ("INR", "BSE", "BSE", kind, "Asia/Kolkata", "IST", 19800)
    } else {
        let kind = if symbol.starts_with('^') {
            "INDEX"
        } else {
            "EQUITY"
        };
        ("INR", "NSI", "NSE", kind, "Asia/Kolkata", "IST", 19800)
    };
    json!({
        "currency": currency, "symbol": symbol, "exchangeName": exchange,
        "fullExchangeName": full, "instrumentType": kind, "firstTradeDate": 820467900,
        "regularMarketTime": 1711619999, "hasPrePostMarketData": false, "gmtoffset": offset,
        "timezone": short, "exchangeTimezoneName": zone, "longName": format!("{symbol} Limited"),
        "shortName": symbol, "priceHint": 2, "range": "",
    })
}

/// The rows of a made series, or `None` when `symbol` at `interval` is not
/// one of them.
pub fn made_rows(symbol: &str, interval: &str) -> Option<Vec<Row>> {
    match (symbol, interval) {
        ("BTC-USD", "1d") => Some(calendar_2024(|_| true, utc_midnight, 42_000.0)),
        ("INR=X", "1d") => Some(calendar_2024(
            |d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
            london_midnight,
            83.0,
        )),
        ("^NSEBANK", "1d") => Some(scaled(rows_for("^NSEI", "1d")?, 2.2)),
        ("^BSESN", "1d") => Some(scaled(rows_for("^NSEI", "1d")?, 3.3)),
        ("RELIANCE.NS", "15m" | "30m" | "1h") => {
            let minutes = match interval {
                "15m" => 15,
                "30m" => 30,
                _ => 60,
            };
            Some(gather_intraday(&rows_for(symbol, "5m")?, minutes * 60))
        }
        (_, "1wk" | "1mo") if symbol.ends_with(".NS") => {
            Some(gather_days(&rows_for(symbol, "1d")?, interval == "1wk"))
        }
        _ => {
            let nse = symbol.strip_suffix(".BO")?;
            rows_for(&format!("{nse}.NS"), interval)
        }
    }
}

fn utc_midnight(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
}

fn london_midnight(d: NaiveDate) -> i64 {
    chrono_tz::Europe::London
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .timestamp()
}

/// A bar on each day of 2024 that `trades`, drifting up from `start` with a
/// weekly swing, stamped by `stamp`.
fn calendar_2024(
    trades: impl Fn(NaiveDate) -> bool,
    stamp: impl Fn(NaiveDate) -> i64,
    start: f64,
) -> Vec<Row> {
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    (0..366)
        .map(|i| first + Duration::days(i))
        .filter(|&d| trades(d))
        .map(|d| {
            let day = f64::from(d.ordinal());
            let open = start * (1.0 + day / 1_000.0 + (day / 7.0).sin() / 100.0);
            let close = open * (1.0 + (day / 3.0).cos() / 200.0);
            Row {
                ts: stamp(d),
                open,
                high: open.max(close) * 1.004,
                low: open.min(close) * 0.996,
                close,
                adj: close,
                volume: 1_000.0 + day,
            }
        })
        .collect()
}

fn scaled(rows: Vec<Row>, by: f64) -> Vec<Row> {
    rows.into_iter()
        .map(|r| Row {
            open: r.open * by,
            high: r.high * by,
            low: r.low * by,
            close: r.close * by,
            adj: r.adj * by,
            ..r
        })
        .collect()
}

/// One bar from consecutive bars: first open, last close, extremes, total volume.
fn merged(ts: i64, part: &[Row]) -> Row {
    Row {
        ts,
        open: part[0].open,
        high: part.iter().map(|r| r.high).fold(f64::MIN, f64::max),
        low: part.iter().map(|r| r.low).fold(f64::MAX, f64::min),
        close: part[part.len() - 1].close,
        adj: part[part.len() - 1].adj,
        volume: part.iter().map(|r| r.volume).sum(),
    }
}

/// Groups consecutive rows that share `key`, each group stamped by `key`.
fn gather(rows: &[Row], key: impl Fn(&Row) -> i64) -> Vec<Row> {
    rows.chunk_by(|a, b| key(a) == key(b))
        .map(|part| merged(key(&part[0]), part))
        .collect()
}

/// Intraday bars of `secs` counted from each session's 09:15 open.
fn gather_intraday(rows: &[Row], secs: i64) -> Vec<Row> {
    gather(rows, |r| {
        let open = nse_open_ts(&ist_date(r.ts).to_string());
        open + (r.ts - open) / secs * secs
    })
}

/// Daily bars gathered into weeks (Monday) or months (the 1st).
fn gather_days(rows: &[Row], weekly: bool) -> Vec<Row> {
    gather(rows, |r| {
        let date = ist_date(r.ts);
        let start = if weekly {
            date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
        } else {
            date.with_day(1).unwrap()
        };
        nse_open_ts(&start.to_string())
    })
}
