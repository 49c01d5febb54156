//! `get_stock_chart_data`: OHLCV bars with their provenance.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::args::{Choice, adjust, bar_query, max_points};
use super::freshness::{BarClock, Freshness, short_time, zone_note};
use super::numbers::price;
use super::paging::{Budget, Cursor, end_header};
use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::model::{Bar, INTERVALS, Interval};
use crate::service::Served;
use crate::service::adjust::Adjust;
use crate::service::resample::{self, SessionAnchor};
use crate::symbol::Exchange;

/// The `get_stock_chart_data` tool.
pub struct ChartData;

/// Arguments of `get_stock_chart_data`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChartArgs {
    /// NSE symbol (RELIANCE, M&M), Yahoo ticker (AAPL with exchange US,
    /// ^NSEI, RELIANCE.BO, EURUSD=X, BTC-USD) or alias (NIFTY, BANKNIFTY, SENSEX).
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
    /// The `next_cursor` of a previous answer, with the same other arguments: the page of bars before that answer's.
    #[serde(default)]
    pub cursor: Option<String>,
    /// When the bars do not fit the output budget, resample them to the finest coarser interval that fits (1d to 1wk to 1mo), saying so, instead of paging.
    #[serde(default)]
    pub resample: Option<bool>,
}

/// Bars as columns, oldest first: the layout of Yahoo's own chart API,
/// and half the bytes of one object per bar.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct BarColumns {
    /// Trading date (YYYY-MM-DD) for daily and coarser bars; bar start in
    /// exchange-local RFC 3339 for intraday bars.
    pub t: Vec<String>,
    /// Prices are the exchange's quotes, the shortest decimal of Yahoo's float32.
    pub o: Vec<f64>,
    pub h: Vec<f64>,
    pub l: Vec<f64>,
    pub c: Vec<f64>,
    /// Close adjusted for splits and dividends (Yahoo's basis); left out
    /// when it equals `c` on every bar (intraday bars, or no corporate
    /// action since).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adj_close: Option<Vec<f64>>,
    pub v: Vec<i64>,
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
    /// The interval of these bars (coarser than asked when resampled).
    pub interval: String,
    /// The interval asked for, when `resample: true` made the bars coarser to fit the budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resampled_from: Option<String>,
    /// This page's bars, oldest first.
    pub bars: BarColumns,
    /// True when the last bar's session (or interval) is still in progress: its values will change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub last_bar_partial: bool,
    /// Bars in the requested range, over every page.
    pub total_bars: usize,
    /// True when this answer does not hold every bar of the range.
    pub truncated: bool,
    /// Pass as `cursor`, with the same other arguments, for the bars before this page; null on the oldest page.
    pub next_cursor: Option<String>,
    /// Estimated tokens of this answer (bytes / 4 of the larger of its text and structured content).
    pub estimated_tokens: usize,
    /// Set when truncated (with how to get the rest) or when something about the data needs saying.
    pub message: Option<String>,
    pub freshness: Freshness,
}

super::paging::measured!(ChartOutput);

impl Tool for ChartData {
    const NAME: &'static str = "get_stock_chart_data";
    type Args = ChartArgs;
    type Output = ChartOutput;

    fn description() -> String {
        "OHLCV bars for an NSE/BSE stock, index or global ticker over a date range, \
         served from cache when possible. Returns bars as columns {t,o,h,l,c,adj_close,v} oldest first, \
         instrument currency/exchange/timezone, and freshness (memory/store/upstream, stale flag \
         when the upstream failed and stored data is served). Bare symbols are NSE (RELIANCE -> \
         RELIANCE.NS); aliases NIFTY, BANKNIFTY, SENSEX. Intervals 1m,5m,15m,30m,1h,1d,1wk,1mo. \
         An answer holds the most recent bars that fit max_points (default 500) and the server's \
         output budget; `next_cursor`, passed back as `cursor`, pages to earlier bars, and \
         `resample: true` returns coarser bars instead."
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
        let cursor = args
            .cursor
            .as_deref()
            .map(|c| Cursor::parse(c, ctx.request()))
            .transpose()?;
        let served = app.chart.get(&query).await?;
        ctx.depends_on(&served);
        if let Some(c) = &cursor {
            c.check_range(served.requested)?;
        }
        let page = Page {
            asked: args.symbol.trim(),
            served: &served,
            max_points,
            limit,
            budget: Budget::new(app.config.output_budget_tokens),
            request: ctx.request(),
        };
        page.render(cursor, args.resample.unwrap_or(false))
    }

    fn text(out: &ChartOutput) -> String {
        render_text(out)
    }
}

/// One answer of the chart tool: the bars of a range, paged to the budget.
struct Page<'a> {
    asked: &'a str,
    served: &'a Served,
    max_points: usize,
    limit: usize,
    budget: Budget,
    request: u64,
}

/// The bars one answer pages through: the served ones, or resampled.
struct Rows {
    bars: Vec<Bar>,
    interval: Interval,
    resampled_from: Option<(Interval, usize)>,
}

impl Page<'_> {
    fn render(&self, cursor: Option<Cursor>, resample: bool) -> Result<ChartOutput, ToolError> {
        let rows = if resample {
            self.resampled()?
        } else {
            Rows {
                bars: self.served.in_range().to_vec(),
                interval: self.served.series.interval,
                resampled_from: None,
            }
        };
        let before = cursor.map_or(i64::MAX, |c| c.before);
        let end = rows.bars.partition_point(|b| b.ts < before);
        let cap = end.min(self.max_points);
        let (_, out) = self
            .budget
            .fit::<ChartData>(cap, |n| self.build(&rows, end - n..end));
        Ok(out)
    }

    /// The finest interval, the asked one or coarser, whose bars all fit
    /// the budget; the coarsest reachable when none does (it then pages).
    fn resampled(&self) -> Result<Rows, ToolError> {
        let served = self.served;
        let from = served.series.interval;
        let source = served.in_range();
        let whole = |rows: &Rows| {
            let n = rows.bars.len();
            n <= self.max_points && self.budget.fits(&self.build(rows, 0..n))
        };
        let zone = BarClock::of(&served.series).zone();
        let anchor = served
            .series
            .exchange()
            .map_or(SessionAnchor::midnight(zone), |e| {
                SessionAnchor::of(e.calendar())
            });
        let mut rows = Rows {
            bars: source.to_vec(),
            interval: from,
            resampled_from: None,
        };
        for to in INTERVALS
            .into_iter()
            .filter(|&to| to != from && resample::can_resample(from, to))
        {
            if whole(&rows) {
                break;
            }
            let bars = resample::resample(source, from, to, &anchor)
                .map_err(|e| ToolError::new(e.to_string()))?;
            rows = Rows {
                bars,
                interval: to,
                resampled_from: Some((from, source.len())),
            };
        }
        Ok(rows)
    }

    /// The answer showing `rows.bars[shown]`.
    fn build(&self, rows: &Rows, shown: std::ops::Range<usize>) -> ChartOutput {
        let served = self.served;
        let s = &served.series;
        let clock = BarClock::new(rows.interval, BarClock::of(s).zone());
        let total = rows.bars.len();
        let bars = &rows.bars[shown.clone()];
        let newest_page = shown.end == total;
        let last_bar_partial = newest_page
            && served
                .in_range()
                .last()
                .is_some_and(|b| served.is_partial(b));
        let next_cursor = (shown.start > 0).then(|| {
            Cursor {
                request: self.request,
                range: served.requested,
                before: bars.first().map_or(i64::MAX, |b| b.ts),
            }
            .encode()
        });
        let mut messages = served.notes.clone();
        if let Some((from, n)) = rows.resampled_from {
            messages.push(format!(
                "{n} {from} bars resampled to {total} {} bars to fit the output budget of {} tokens; leave out resample to page through the {from} bars with cursor",
                rows.interval,
                self.budget.tokens()
            ));
        }
        if total == 0 {
            messages.push("no bars in this range (a holiday, a weekend, or before listing)".into());
        } else if let (Some(first), Some(last)) = (bars.first(), bars.last())
            && bars.len() < total
        {
            let cap = shown.end.min(self.max_points);
            let why = if bars.len() < cap {
                format!(
                    "the output budget of {} tokens; a larger max_points still pages at the budget, and `trading-mcp export` dumps everything",
                    self.budget.tokens()
                )
            } else if cap < shown.end {
                let mut m = format!("max_points {}", self.max_points);
                if self.max_points < self.limit {
                    m.push_str(&format!(", which may be raised up to {}", self.limit));
                }
                m
            } else {
                "the pages before it, which hold the newer bars".to_string()
            };
            let mut m = format!(
                "{total} bars in range; this page holds {} of them, {}..{} (limited by {why}).",
                bars.len(),
                clock.format(first.ts),
                clock.format(last.ts),
            );
            if shown.start > 0 {
                m.push_str(&format!(
                    " For the {} bars before {}, pass next_cursor as `cursor` with the same arguments",
                    shown.start,
                    clock.format(first.ts)
                ));
                let coarser = INTERVALS
                    .into_iter()
                    .any(|to| to != rows.interval && resample::can_resample(rows.interval, to));
                if rows.resampled_from.is_none() && coarser {
                    m.push_str(", or add resample: true for coarser bars");
                }
                m.push('.');
            }
            messages.push(m);
        }
        if last_bar_partial && let Some(last) = bars.last() {
            messages.push(format!(
                "the bar of {} is partial: its session is still in progress, so its values will change",
                clock.format(last.ts)
            ));
        }
        let mut out = ChartOutput {
            symbol: self.asked.to_string(),
            yahoo_symbol: s.yahoo_symbol.clone(),
            exchange: s.instrument.exchange.clone(),
            currency: s.instrument.currency.clone(),
            timezone: s.instrument.timezone.clone(),
            interval: rows.interval.to_string(),
            resampled_from: rows.resampled_from.map(|(from, _)| from.to_string()),
            bars: columns(bars, &clock),
            last_bar_partial,
            total_bars: total,
            truncated: bars.len() < total,
            next_cursor,
            estimated_tokens: 0,
            message: (!messages.is_empty()).then(|| messages.join(" ")),
            freshness: Freshness::of(served),
        };
        Budget::stamp::<ChartData>(&mut out);
        out
    }
}

fn columns(bars: &[Bar], clock: &BarClock) -> BarColumns {
    let col = |f: fn(&Bar) -> f64| bars.iter().map(|b| price(f(b))).collect::<Vec<f64>>();
    let c = col(|b| b.close);
    let adj = col(|b| b.adj_close);
    BarColumns {
        t: bars.iter().map(|b| clock.format(b.ts)).collect(),
        o: col(|b| b.open),
        h: col(|b| b.high),
        l: col(|b| b.low),
        adj_close: (adj != c).then_some(adj),
        c,
        v: bars.iter().map(|b| b.volume).collect(),
    }
}

/// A one-line header, then CSV: for clients that read only text. It
/// carries what the structured content does; times are as short as they
/// can be, their zone stated once.
fn render_text(out: &ChartOutput) -> String {
    let b = &out.bars;
    let mut text = String::with_capacity(256 + b.t.len() * 48);
    let zone = zone_note(&out.timezone, &b.t);
    let _ = write!(
        text,
        "{} ({}) {} {} {}",
        out.symbol, out.yahoo_symbol, out.exchange, out.currency, out.interval
    );
    if let Some(from) = &out.resampled_from {
        let _ = write!(text, " (resampled from {from})");
    }
    let _ = write!(
        text,
        ", {zone}: {} of {} bars; {}",
        b.t.len(),
        out.total_bars,
        out.freshness.summary()
    );
    end_header(&mut text, out.truncated, out.next_cursor.as_deref());
    if let Some(m) = &out.message {
        let _ = writeln!(text, "# {m}");
    }
    let adj = b.adj_close.as_ref();
    text.push_str(if adj.is_some() {
        "t,o,h,l,c,adj_close,v\n"
    } else {
        "t,o,h,l,c,v\n"
    });
    for i in 0..b.t.len() {
        text.push_str(&short_time(&b.t[i]));
        let _ = write!(text, ",{},{},{},{}", b.o[i], b.h[i], b.l[i], b.c[i]);
        if let Some(a) = adj {
            let _ = write!(text, ",{}", a[i]);
        }
        let _ = writeln!(text, ",{}", b.v[i]);
    }
    text
}
