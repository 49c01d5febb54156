//! `get_stock_chart_data`: OHLCV bars with their provenance.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, TimeZone};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{CallError, ToolInfo, ToolOutput, parse_args, schema_for};
use crate::app::App;
use crate::model::{Bar, Interval, key_date};
use crate::service::{ChartSeries, Served, ServiceError, Source, parse_bound, render_key};
use crate::symbol;
use crate::upstream::exchange_zone;

pub const NAME: &str = "get_stock_chart_data";
/// Rows returned when `max_points` is not given.
pub(crate) const DEFAULT_MAX_POINTS: i64 = 500;

/// Arguments of `get_stock_chart_data`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChartArgs {
    /// NSE symbol (RELIANCE, M&M), Yahoo ticker (AAPL with exchange US,
    /// ^NSEI, RELIANCE.BO, EURUSD=X) or alias (NIFTY, BANKNIFTY, SENSEX).
    pub symbol: String,
    /// First date, YYYY-MM-DD (exchange-local) or RFC 3339. Default: a span
    /// before end_date that suits the interval (1 year for 1d).
    #[serde(default)]
    pub start_date: Option<String>,
    /// Last date (inclusive), YYYY-MM-DD or RFC 3339. Default: today.
    #[serde(default)]
    pub end_date: Option<String>,
    /// Bar interval: 1m, 5m, 15m, 30m, 1h, 1d (default), 1wk, 1mo.
    #[serde(default)]
    pub interval: Option<String>,
    /// Most bars to return (default 500); the most recent are kept.
    #[serde(default)]
    pub max_points: Option<i64>,
    /// Exchange for a bare symbol: NSE (default), BSE, or US for a Yahoo
    /// ticker as given.
    #[serde(default)]
    pub exchange: Option<String>,
}

/// One bar as returned.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BarOut {
    /// Trading date (YYYY-MM-DD) for daily and coarser bars; bar start in
    /// exchange-local RFC 3339 for intraday bars.
    pub t: String,
    pub o: f64,
    pub h: f64,
    pub l: f64,
    pub c: f64,
    pub adj_close: f64,
    pub v: i64,
}

/// Where the answer came from and how fresh it is.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Freshness {
    /// memory (L1), store (SQLite) or upstream (fetched for this call).
    pub source: String,
    /// When the newest of these bars was fetched from the upstream (RFC 3339).
    pub fetched_at: Option<String>,
    /// True when the upstream failed and stored data was served instead.
    pub stale: bool,
    pub stale_reason: Option<String>,
}

/// Result of `get_stock_chart_data`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChartOutput {
    /// The symbol as asked.
    pub symbol: String,
    pub yahoo_symbol: String,
    pub exchange: String,
    pub currency: String,
    pub timezone: String,
    pub interval: String,
    pub bars: Vec<BarOut>,
    /// Bars in the requested range (before truncation).
    pub total_bars: usize,
    pub truncated: bool,
    /// Set when truncated or when something about the data needs saying.
    pub message: Option<String>,
    pub freshness: Freshness,
}

pub fn info() -> ToolInfo {
    ToolInfo {
        name: NAME,
        description: "OHLCV bars for an NSE/BSE stock, index or global ticker over a date range, \
            served from cache when possible. Returns bars [{t,o,h,l,c,adj_close,v}] oldest first, \
            instrument currency/exchange/timezone, and freshness (memory/store/upstream, stale flag \
            when the upstream failed and stored data is served). Bare symbols are NSE (RELIANCE -> \
            RELIANCE.NS); aliases NIFTY, BANKNIFTY, SENSEX. Intervals 1m,5m,15m,30m,1h,1d,1wk,1mo; \
            at most max_points bars (default 500), the most recent kept."
            .to_string(),
        input_schema: schema_for::<ChartArgs>(),
        output_schema: Some(schema_for::<ChartOutput>()),
    }
}

/// Validated request fields shared by tools that read bars.
pub(crate) struct BarRequest {
    pub symbol: symbol::ResolvedSymbol,
    pub interval: Interval,
    pub start: Option<crate::service::Bound>,
    pub end: Option<crate::service::Bound>,
}

pub(crate) fn bar_request(
    symbol: &str,
    exchange: Option<&str>,
    interval: Option<&str>,
    start_date: Option<&str>,
    end_date: Option<&str>,
) -> Result<BarRequest, CallError> {
    let symbol = symbol::resolve(symbol, exchange).map_err(|e| CallError::Tool(e.to_string()))?;
    let interval = match interval {
        None => Interval::D1,
        Some(s) => s.parse::<Interval>().map_err(CallError::Tool)?,
    };
    let bound = |field: &str, v: Option<&str>| -> Result<_, CallError> {
        v.filter(|s| !s.trim().is_empty())
            .map(|s| parse_bound(field, s))
            .transpose()
            .map_err(|e| CallError::Tool(e.to_string()))
    };
    Ok(BarRequest {
        symbol,
        interval,
        start: bound("start_date", start_date)?,
        end: bound("end_date", end_date)?,
    })
}

pub(crate) fn service_error(e: ServiceError) -> CallError {
    CallError::Tool(e.to_string())
}

/// `max_points` checked against the configured limit (default 500).
pub(crate) fn max_points(app: &App, given: Option<i64>) -> Result<usize, CallError> {
    let limit = app.config.max_points_limit;
    let max_points = given.unwrap_or(DEFAULT_MAX_POINTS);
    if max_points < 1 || max_points as u64 > limit as u64 {
        return Err(CallError::Tool(format!(
            "max_points {max_points} is out of range; use 1 to {limit} (narrow the dates to see more history in pieces)"
        )));
    }
    Ok(max_points as usize)
}

/// Checks the arguments: the bar request and `max_points`.
fn validate(app: &App, args: &ChartArgs) -> Result<(BarRequest, usize), CallError> {
    let max_points = max_points(app, args.max_points)?;
    let req = bar_request(
        &args.symbol,
        args.exchange.as_deref(),
        args.interval.as_deref(),
        args.start_date.as_deref(),
        args.end_date.as_deref(),
    )?;
    Ok((req, max_points))
}

pub async fn call(app: &App, args: Map<String, Value>) -> Result<ToolOutput, CallError> {
    let args: ChartArgs = parse_args(NAME, args)?;
    let (req, max_points) = validate(app, &args)?;
    let served = app
        .chart
        .get(&req.symbol, req.interval, req.start, req.end)
        .await
        .map_err(service_error)?;
    Ok(render(
        &args.symbol,
        &served,
        max_points,
        app.config.max_points_limit,
    ))
}

/// An encoder of a tool outcome into a transport's bytes.
pub type Encode<'a> = &'a (dyn Fn(Result<ToolOutput, CallError>) -> Vec<u8> + Sync);

/// Runs the tool like [`call`] and returns `encode`'s bytes for the outcome.
/// When the series came from memory the bytes are memoised with its L1
/// entry (keyed by `variant` and everything else the answer depends on),
/// so a hot series is rendered and encoded once, not on every request.
/// Malformed arguments come back as `Err`: they are the caller's protocol
/// error to report.
pub async fn call_encoded(
    app: &App,
    args: Map<String, Value>,
    variant: u64,
    encode: Encode<'_>,
) -> Result<Arc<[u8]>, CallError> {
    let args: ChartArgs = parse_args(NAME, args)?;
    let (req, max_points) = match validate(app, &args) {
        Ok(v) => v,
        Err(e @ CallError::Tool(_)) => return Ok(encode(Err(e)).into()),
        Err(e) => return Err(e),
    };
    let served = match app
        .chart
        .get(&req.symbol, req.interval, req.start, req.end)
        .await
    {
        Ok(served) => served,
        Err(e) => return Ok(encode(Err(service_error(e))).into()),
    };
    let limit = app.config.max_points_limit;
    let make = || encode(Ok(render(&args.symbol, &served, max_points, limit)));
    if served.source == Source::Memory {
        let key = render_key(&(variant, args.symbol.trim(), max_points, limit));
        Ok(served.series.renders.get_or_insert_with(key, make))
    } else {
        Ok(make().into())
    }
}

/// Formats a bar's time: a date for daily bars, local RFC 3339 intraday.
pub(crate) fn bar_time(series: &ChartSeries, ts: i64) -> String {
    if series.interval.is_intraday() {
        let zone = exchange_zone(&series.instrument.timezone).unwrap_or(chrono_tz::UTC);
        match DateTime::from_timestamp(ts, 0) {
            Some(t) => zone.from_utc_datetime(&t.naive_utc()).to_rfc3339(),
            None => ts.to_string(),
        }
    } else {
        key_date(ts).to_string()
    }
}

pub(crate) fn freshness(served: &Served) -> Freshness {
    let s = &served.series;
    Freshness {
        source: match served.source {
            Source::Memory => "memory",
            Source::Store => "store",
            Source::Upstream => "upstream",
        }
        .to_string(),
        fetched_at: s
            .fetched_at
            .and_then(|t| DateTime::from_timestamp(t, 0))
            .map(|t| t.to_rfc3339()),
        stale: s.stale,
        stale_reason: s.stale_reason.clone(),
    }
}

fn render(asked: &str, served: &Served, max_points: usize, limit: usize) -> ToolOutput {
    let s: &Arc<ChartSeries> = &served.series;
    let total = s.bars.len();
    let shown: &[Bar] = &s.bars[total.saturating_sub(max_points)..];
    let truncated = shown.len() < total;
    let mut messages: Vec<String> = s.notes.clone();
    if truncated {
        let first_shown = bar_time(s, shown[0].ts);
        messages.push(format!(
            "{total} bars in range; showing the most recent {} (from {first_shown}). For earlier bars ask again with end_date before {first_shown}, or raise max_points (up to {limit}).",
            shown.len()
        ));
    }
    if total == 0 {
        messages.push("no bars in this range (a holiday, a weekend, or before listing)".into());
    }
    let out = ChartOutput {
        symbol: asked.trim().to_string(),
        yahoo_symbol: s.yahoo_symbol.clone(),
        exchange: s.instrument.exchange.clone(),
        currency: s.instrument.currency.clone(),
        timezone: s.instrument.timezone.clone(),
        interval: s.interval.to_string(),
        bars: shown
            .iter()
            .map(|b| BarOut {
                t: bar_time(s, b.ts),
                o: b.open,
                h: b.high,
                l: b.low,
                c: b.close,
                adj_close: b.adj_close,
                v: b.volume,
            })
            .collect(),
        total_bars: total,
        truncated,
        message: (!messages.is_empty()).then(|| messages.join(" ")),
        freshness: freshness(served),
    };
    let text = render_text(&out);
    let structured = serde_json::to_value(&out).unwrap_or(Value::Null);
    ToolOutput { structured, text }
}

/// A header line, then CSV: for clients that read only text.
fn render_text(out: &ChartOutput) -> String {
    let mut text = String::with_capacity(64 + out.bars.len() * 64);
    let f = &out.freshness;
    let _ = writeln!(
        text,
        "{} ({}) {} {} {} {}: {} of {} bars; source {}{}{}",
        out.symbol,
        out.yahoo_symbol,
        out.exchange,
        out.currency,
        out.timezone,
        out.interval,
        out.bars.len(),
        out.total_bars,
        f.source,
        f.fetched_at
            .as_deref()
            .map(|t| format!(", fetched {t}"))
            .unwrap_or_default(),
        if f.stale {
            format!(
                ", STALE: {}",
                f.stale_reason.as_deref().unwrap_or("upstream failed")
            )
        } else {
            String::new()
        }
    );
    if let Some(m) = &out.message {
        let _ = writeln!(text, "# {m}");
    }
    text.push_str("t,o,h,l,c,adj_close,v\n");
    for b in &out.bars {
        let _ = writeln!(
            text,
            "{},{},{},{},{},{},{}",
            b.t, b.o, b.h, b.l, b.c, b.adj_close, b.v
        );
    }
    text
}
