//! `get_stock_chart_data`: OHLCV bars with their provenance.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::args::{Choice, adjust, bar_query, max_points};
use super::freshness::{BarClock, Freshness};
use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::model::Interval;
use crate::service::Served;
use crate::service::adjust::Adjust;
use crate::symbol::Exchange;

/// The `get_stock_chart_data` tool.
pub struct ChartData;

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
    /// Bar interval (default 1d). Case-insensitive; 60m means 1h.
    #[serde(default)]
    pub interval: Option<Choice<Interval>>,
    /// Most bars to return (default 500, at most the server's max_points_limit, 20,000 by default); the most recent are kept.
    #[serde(default)]
    pub max_points: Option<i64>,
    /// Exchange for a bare symbol: NSE (default), BSE, or US for a Yahoo ticker as given.
    #[serde(default)]
    pub exchange: Option<Choice<Exchange>>,
    /// Price basis: splits (default: Yahoo's, split-adjusted, with adj_close for dividends too), none (as traded, like broker charts), or all (adjusted for splits and dividends).
    #[serde(default)]
    pub adjust: Option<Choice<Adjust>>,
}

/// One bar as returned.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BarOut {
    /// Trading date (YYYY-MM-DD) for daily and coarser bars; bar start in
    /// exchange-local RFC 3339 for intraday bars.
    pub t: String,
    pub o: f64,
    pub h: f64,
    pub l: f64,
    pub c: f64,
    /// Close adjusted for splits and dividends (Yahoo's basis).
    pub adj_close: f64,
    pub v: i64,
    /// True for the bar of a session (or interval) still in progress: its values will change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

/// Result of `get_stock_chart_data`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChartOutput {
    /// The symbol as asked.
    pub symbol: String,
    /// The Yahoo ticker it resolved to.
    pub yahoo_symbol: String,
    /// The exchange code from the chart meta (NSI for NSE, BSE, NMS...).
    pub exchange: String,
    pub currency: String,
    /// IANA timezone of the exchange; intraday times are local to it.
    pub timezone: String,
    pub interval: String,
    /// Bars, oldest first.
    pub bars: Vec<BarOut>,
    /// Bars in the requested range (before truncation to max_points).
    pub total_bars: usize,
    pub truncated: bool,
    /// Set when truncated (with how to get the rest) or when something about the data needs saying.
    pub message: Option<String>,
    pub freshness: Freshness,
}

impl Tool for ChartData {
    const NAME: &'static str = "get_stock_chart_data";
    type Args = ChartArgs;
    type Output = ChartOutput;

    fn description() -> String {
        "OHLCV bars for an NSE/BSE stock, index or global ticker over a date range, \
         served from cache when possible. Returns bars [{t,o,h,l,c,adj_close,v}] oldest first, \
         instrument currency/exchange/timezone, and freshness (memory/store/upstream, stale flag \
         when the upstream failed and stored data is served). Bare symbols are NSE (RELIANCE -> \
         RELIANCE.NS); aliases NIFTY, BANKNIFTY, SENSEX. Intervals 1m,5m,15m,30m,1h,1d,1wk,1mo; \
         at most max_points bars (default 500), the most recent kept."
            .to_string()
    }

    async fn run(
        app: &App,
        args: ChartArgs,
        ctx: &mut CallContext,
    ) -> Result<ChartOutput, ToolError> {
        let limit = app.config.max_points_limit;
        let max_points = max_points(args.max_points, limit)?;
        let mut query = bar_query(
            &args.symbol,
            args.exchange.as_ref(),
            args.interval.as_ref(),
            args.start_date.as_deref(),
            args.end_date.as_deref(),
        )?;
        query.adjust = adjust(args.adjust.as_ref())?;
        let served = app.chart.get(&query).await?;
        ctx.depends_on(&served);
        Ok(render(&args.symbol, &served, max_points, limit))
    }

    fn text(out: &ChartOutput) -> String {
        render_text(out)
    }
}

fn render(asked: &str, served: &Served, max_points: usize, limit: usize) -> ChartOutput {
    let s = &served.series;
    let clock = BarClock::of(s);
    let bars = served.in_range();
    let total = bars.len();
    let shown = &bars[total.saturating_sub(max_points)..];
    let truncated = shown.len() < total;
    let mut messages = served.notes.clone();
    if truncated {
        let first_shown = clock.format(shown[0].ts);
        messages.push(format!(
            "{total} bars in range; showing the most recent {} (from {first_shown}). For earlier bars ask again with end_date before {first_shown}, or raise max_points (up to {limit}).",
            shown.len()
        ));
    }
    if total == 0 {
        messages.push("no bars in this range (a holiday, a weekend, or before listing)".into());
    }
    if let Some(last) = shown.last().filter(|b| served.is_partial(b)) {
        messages.push(format!(
            "the bar of {} is partial: its session is still in progress, so its values will change",
            clock.format(last.ts)
        ));
    }
    ChartOutput {
        symbol: asked.trim().to_string(),
        yahoo_symbol: s.yahoo_symbol.clone(),
        exchange: s.instrument.exchange.clone(),
        currency: s.instrument.currency.clone(),
        timezone: s.instrument.timezone.clone(),
        interval: s.interval.to_string(),
        bars: shown
            .iter()
            .map(|b| BarOut {
                t: clock.format(b.ts),
                o: b.open,
                h: b.high,
                l: b.low,
                c: b.close,
                adj_close: b.adj_close,
                v: b.volume,
                partial: served.is_partial(b),
            })
            .collect(),
        total_bars: total,
        truncated,
        message: (!messages.is_empty()).then(|| messages.join(" ")),
        freshness: Freshness::of(served),
    }
}

/// A header line, then CSV: for clients that read only text.
fn render_text(out: &ChartOutput) -> String {
    let mut text = String::with_capacity(64 + out.bars.len() * 64);
    let _ = writeln!(
        text,
        "{} ({}) {} {} {} {}: {} of {} bars; {}",
        out.symbol,
        out.yahoo_symbol,
        out.exchange,
        out.currency,
        out.timezone,
        out.interval,
        out.bars.len(),
        out.total_bars,
        out.freshness.summary(),
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
