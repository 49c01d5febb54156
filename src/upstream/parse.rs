//! Parsing Yahoo's chart API v8 response. No IO: bytes in, bars out.
//!
//! Shape: `chart.result[0]` has `meta`, `timestamp[]`,
//! `indicators.quote[0].{open,high,low,close,volume}[]`,
//! `indicators.adjclose[0].adjclose[]` and `events.{dividends,splits}`;
//! `chart.error` is set instead when Yahoo refuses (404: unknown symbol).

use std::collections::HashMap;

use chrono::{DateTime, TimeZone};
use serde::Deserialize;

use crate::model::{Bar, CorporateAction, Instrument, Interval, date_key};

/// A parsed chart response.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    pub instrument: Instrument,
    /// Oldest first, keyed as [`Bar::ts`] says; bars with null prices skipped.
    pub bars: Vec<Bar>,
    pub actions: Vec<CorporateAction>,
    /// How many bars were skipped for null prices.
    pub skipped_null: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("Yahoo says {code}: {description}")]
    Refused { code: String, description: String },
    #[error("malformed chart response: {0}")]
    Malformed(String),
}

#[derive(Deserialize)]
struct Envelope {
    chart: Option<Chart>,
    // Yahoo's gateway errors and the quoteSummary endpoint use the same
    // `{result, error}` shape under other names.
    finance: Option<Chart>,
    #[serde(rename = "quoteSummary")]
    quote_summary: Option<Chart>,
}

#[derive(Deserialize)]
struct Chart {
    result: Option<Vec<ChartResult>>,
    error: Option<YahooError>,
}

#[derive(Deserialize)]
struct YahooError {
    code: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChartResult {
    meta: Meta,
    timestamp: Option<Vec<i64>>,
    indicators: Option<Indicators>,
    events: Option<Events>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    symbol: Option<String>,
    currency: Option<String>,
    exchange_name: Option<String>,
    full_exchange_name: Option<String>,
    instrument_type: Option<String>,
    exchange_timezone_name: Option<String>,
    short_name: Option<String>,
    long_name: Option<String>,
    first_trade_date: Option<i64>,
    regular_market_price: Option<f64>,
    regular_market_time: Option<i64>,
}

#[derive(Deserialize)]
struct Indicators {
    quote: Option<Vec<Quote>>,
    adjclose: Option<Vec<AdjClose>>,
}

#[derive(Deserialize, Default)]
struct Quote {
    open: Option<Vec<Option<f64>>>,
    high: Option<Vec<Option<f64>>>,
    low: Option<Vec<Option<f64>>>,
    close: Option<Vec<Option<f64>>>,
    volume: Option<Vec<Option<f64>>>,
}

#[derive(Deserialize)]
struct AdjClose {
    adjclose: Option<Vec<Option<f64>>>,
}

#[derive(Deserialize)]
struct Events {
    dividends: Option<HashMap<String, Dividend>>,
    splits: Option<HashMap<String, Split>>,
}

#[derive(Deserialize)]
struct Dividend {
    amount: f64,
    date: i64,
}

#[derive(Deserialize)]
struct Split {
    date: i64,
    numerator: f64,
    denominator: f64,
}

pub use crate::model::exchange_zone;

/// Parses a chart response body for `interval`.
pub fn parse_chart(body: &[u8], interval: Interval) -> Result<ChartData, ParseError> {
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| ParseError::Malformed(e.to_string()))?;
    let chart = envelope
        .chart
        .or(envelope.finance)
        .or(envelope.quote_summary)
        .ok_or_else(|| ParseError::Malformed("no `chart` object".into()))?;
    if let Some(err) = chart.error {
        return Err(ParseError::Refused {
            code: err.code.unwrap_or_else(|| "error".into()),
            description: err.description.unwrap_or_default(),
        });
    }
    let result = chart
        .result
        .and_then(|r| r.into_iter().next())
        .ok_or_else(|| ParseError::Malformed("`chart.result` is empty".into()))?;
    let meta = result.meta;
    let timezone = meta
        .exchange_timezone_name
        .clone()
        .filter(|z| exchange_zone(z).is_some())
        .unwrap_or_else(|| "UTC".into());
    let zone = exchange_zone(&timezone).unwrap_or(chrono_tz::UTC);
    let instrument = Instrument {
        yahoo_symbol: meta.symbol.unwrap_or_default(),
        exchange: meta.exchange_name.unwrap_or_default(),
        full_exchange_name: meta.full_exchange_name,
        currency: meta.currency.unwrap_or_default(),
        timezone,
        instrument_type: meta.instrument_type,
        short_name: meta.short_name,
        long_name: meta.long_name,
        first_trade_date: meta.first_trade_date,
        regular_market_price: meta.regular_market_price,
        regular_market_time: meta.regular_market_time,
    };

    let key = |t: i64| -> Result<i64, ParseError> {
        if interval.is_intraday() {
            return Ok(t);
        }
        let instant = DateTime::from_timestamp(t, 0)
            .ok_or_else(|| ParseError::Malformed(format!("timestamp {t} out of range")))?;
        Ok(date_key(
            zone.from_utc_datetime(&instant.naive_utc()).date_naive(),
        ))
    };

    let timestamps = result.timestamp.unwrap_or_default();
    let mut bars: Vec<Bar> = Vec::with_capacity(timestamps.len());
    let mut skipped_null = 0;
    if !timestamps.is_empty() {
        let indicators = result
            .indicators
            .ok_or_else(|| ParseError::Malformed("timestamps without `indicators`".into()))?;
        let quote = indicators
            .quote
            .and_then(|q| q.into_iter().next())
            .unwrap_or_default();
        let n = timestamps.len();
        let column = |c: Option<Vec<Option<f64>>>,
                      name: &str|
         -> Result<Vec<Option<f64>>, ParseError> {
            let c = c.ok_or_else(|| ParseError::Malformed(format!("missing `{name}` array")))?;
            if c.len() != n {
                return Err(ParseError::Malformed(format!(
                    "`{name}` has {} values for {n} timestamps",
                    c.len()
                )));
            }
            Ok(c)
        };
        let open = column(quote.open, "open")?;
        let high = column(quote.high, "high")?;
        let low = column(quote.low, "low")?;
        let close = column(quote.close, "close")?;
        let volume = quote.volume.unwrap_or_else(|| vec![Some(0.0); n]);
        let adj = indicators
            .adjclose
            .and_then(|a| a.into_iter().next())
            .and_then(|a| a.adjclose)
            .filter(|a| a.len() == n);
        for i in 0..n {
            let (Some(o), Some(h), Some(l), Some(c)) = (open[i], high[i], low[i], close[i]) else {
                skipped_null += 1;
                continue;
            };
            if ![o, h, l, c].iter().all(|x| x.is_finite()) {
                skipped_null += 1;
                continue;
            }
            let ts = key(timestamps[i])?;
            let bar = Bar {
                ts,
                open: o,
                high: h,
                low: l,
                close: c,
                adj_close: adj.as_ref().and_then(|a| a[i]).unwrap_or(c),
                volume: volume.get(i).copied().flatten().unwrap_or(0.0).max(0.0) as i64,
            };
            // Yahoo sometimes repeats the live bar; keep the latest of a key.
            match bars.last_mut() {
                Some(last) if last.ts == ts => *last = bar,
                Some(last) if last.ts > ts => {
                    return Err(ParseError::Malformed(format!(
                        "timestamps out of order at index {i}"
                    )));
                }
                _ => bars.push(bar),
            }
        }
    }

    let mut actions = Vec::new();
    if let Some(events) = result.events {
        for d in events.dividends.into_iter().flat_map(|m| m.into_values()) {
            actions.push(CorporateAction::Dividend {
                ts: key(d.date)?,
                amount: d.amount,
            });
        }
        for s in events.splits.into_iter().flat_map(|m| m.into_values()) {
            actions.push(CorporateAction::Split {
                ts: key(s.date)?,
                numerator: s.numerator,
                denominator: s.denominator,
            });
        }
        actions.sort_by_key(|a| match a {
            CorporateAction::Dividend { ts, .. } | CorporateAction::Split { ts, .. } => *ts,
        });
    }
    Ok(ChartData {
        instrument,
        bars,
        actions,
        skipped_null,
    })
}
