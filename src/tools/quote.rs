//! `get_quote`: the last price of one symbol or of up to 50, with the day's
//! range, the previous session's close, the 52-week range and the market
//! phase, from the chart API's meta and the daily bars, through the same
//! tiers as the bars (the year of daily bars a default chart reads).
//!
//! The previous close is the close of the session before the latest bar,
//! from the stored daily bars: never Yahoo's `chartPreviousClose`, which is
//! the close before the requested range.

use std::fmt::Write as _;

use chrono::{DateTime, TimeZone};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::args::{Choice, bar_query};
use super::freshness::{BarClock, Freshness};
use super::numbers::{Precision, price};
use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::calendar;
use crate::indicators::Warmup;
use crate::model::exchange_zone;
use crate::service::Served;
use crate::symbol::Exchange;

/// The `get_quote` tool.
pub struct GetQuote;

/// Most symbols one call quotes.
const MAX_SYMBOLS: usize = 50;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteArgs {
    /// One symbol: NSE symbol (RELIANCE), Yahoo ticker or alias (NIFTY).
    #[serde(default)]
    pub symbol: Option<String>,
    /// Up to 50 symbols instead of `symbol`; one bad symbol does not fail the rest.
    #[serde(default)]
    pub symbols: Option<Vec<String>>,
    /// Exchange for bare symbols: NSE (default), BSE or US.
    #[serde(default)]
    pub exchange: Option<Choice<Exchange>>,
}

/// One quote.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Quote {
    pub symbol: String,
    pub yahoo_symbol: String,
    pub currency: String,
    /// The last price: the chart meta's regular-market price when it is
    /// newer than the latest bar, else that bar's close.
    pub price: f64,
    /// Against the previous session's close.
    pub change: Option<f64>,
    pub change_pct: Option<f64>,
    /// Close of the session before the latest bar's.
    pub previous_close: Option<f64>,
    /// The latest session's date and its open, high, low and volume so far.
    pub session_date: String,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub volume: i64,
    /// When the last price traded, exchange-local (the meta's time, else the session date).
    pub last_trade_time: String,
    /// Highest high and lowest low of the daily bars of the last 52 weeks.
    pub week52_high: f64,
    pub week52_low: f64,
    /// The exchange's phase now (open, closed, pre_open, special_session), or unknown.
    pub market_phase: String,
    /// True while the symbol's market is open; null without a known calendar.
    pub market_open: Option<bool>,
    pub freshness: Freshness,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct QuoteError {
    pub symbol: String,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct QuoteOutput {
    pub quotes: Vec<Quote>,
    /// Symbols that could not be quoted, and why.
    pub errors: Vec<QuoteError>,
}

impl Tool for GetQuote {
    const NAME: &'static str = "get_quote";
    type Args = QuoteArgs;
    type Output = QuoteOutput;

    fn description() -> String {
        "The last price of a symbol (or of up to 50 with `symbols`): price, change and change % \
         against the previous session's close, the day's open, high, low and volume, the 52-week \
         high and low, the last trade time, the market phase, and freshness. Bare symbols are NSE."
            .to_string()
    }

    async fn run(
        app: &App,
        args: QuoteArgs,
        ctx: &mut CallContext,
    ) -> Result<QuoteOutput, ToolError> {
        let symbols = match (args.symbol, args.symbols) {
            (Some(s), None) => vec![s],
            (None, Some(list)) if (1..=MAX_SYMBOLS).contains(&list.len()) => list,
            (None, Some(list)) => {
                return Err(ToolError::new(format!(
                    "`symbols` lists {}; give 1 to {MAX_SYMBOLS}",
                    list.len()
                )));
            }
            (Some(_), Some(_)) => {
                return Err(ToolError::new("give `symbol` or `symbols`, not both"));
            }
            (None, None) => {
                return Err(ToolError::new(
                    "name a symbol: `symbol` (e.g. \"RELIANCE\") or `symbols` (up to 50)",
                ));
            }
        };
        if let Some(e) = &args.exchange {
            e.get()?;
        }
        // Every symbol is checked before anything is fetched; a bad one is
        // reported with the others still quoted.
        let mut errors = Vec::new();
        let mut asked = Vec::new();
        let mut queries = Vec::new();
        for s in &symbols {
            match bar_query(s, args.exchange.as_ref(), None, None, None) {
                Ok(mut q) => {
                    // While the market is open the price may be at most
                    // --quote-ttl-secs old; closed, the stored one stands.
                    let open = calendar::Exchange::for_venue(q.symbol.venue)
                        .and_then(|e| e.calendar().is_open(app.clock().now()));
                    if open == Some(true) {
                        let ttl =
                            i64::try_from(app.config.settings.quote_ttl_secs).unwrap_or(i64::MAX);
                        q.max_age_secs = Some(ttl);
                        // The answer cache keeps the quote no longer either.
                        ctx.valid_until(app.clock().now().timestamp().saturating_add(ttl));
                    }
                    asked.push(s.clone());
                    queries.push(q);
                }
                Err(e) => errors.push(QuoteError {
                    symbol: s.clone(),
                    error: e.0,
                }),
            }
        }
        let read = app.chart.get_each(queries, Warmup::Bars(0), |_| {}).await;
        let now = app.clock().now();
        let mut quotes = Vec::new();
        for (asked, served) in asked.into_iter().zip(read) {
            match served.map_err(|e| e.to_string()).and_then(|s| {
                ctx.depends_on(&s);
                quote(&asked, &s, now)
            }) {
                Ok(q) => quotes.push(q),
                Err(error) => errors.push(QuoteError {
                    symbol: asked,
                    error,
                }),
            }
        }
        if quotes.is_empty() && symbols.len() == 1 {
            return Err(ToolError::new(errors.remove(0).error));
        }
        Ok(QuoteOutput { quotes, errors })
    }

    fn text(out: &QuoteOutput) -> String {
        let mut text = String::new();
        for q in &out.quotes {
            let change = match (q.change, q.change_pct) {
                (Some(c), Some(p)) => format!("{c:+.2} ({p:+.2}%)"),
                _ => "n/a".to_string(),
            };
            let _ = writeln!(
                text,
                "{} ({}) {} {}: {} {}, prev close {}, day {}-{}, 52w {}-{}, vol {}, market {}; {}",
                q.symbol,
                q.yahoo_symbol,
                q.currency,
                q.last_trade_time,
                q.price,
                change,
                q.previous_close.map_or("n/a".into(), |p| p.to_string()),
                q.low,
                q.high,
                q.week52_low,
                q.week52_high,
                q.volume,
                q.market_phase,
                q.freshness.summary()
            );
        }
        for e in &out.errors {
            let _ = writeln!(text, "# {}: {}", e.symbol, e.error);
        }
        text
    }
}

/// The quote of one symbol from its served daily bars and stored meta.
fn quote(asked: &str, served: &Served, now: DateTime<chrono::Utc>) -> Result<Quote, String> {
    let series = &served.series;
    let bars = served.in_range();
    let Some(last) = bars.last() else {
        return Err(format!(
            "{} has no daily bars in the last year",
            series.yahoo_symbol
        ));
    };
    let previous_close = bars.len().checked_sub(2).map(|i| price(bars[i].close));
    let meta = &series.instrument;
    let (last_price, traded_at) = match (meta.regular_market_price, meta.regular_market_time) {
        // The meta's price is the last trade when it is not older than the
        // latest bar, and not after now (replay: the stored meta may be
        // from a later fetch than the replay instant).
        (Some(p), Some(t)) if p.is_finite() && t >= last.ts && t <= now.timestamp() => (p, Some(t)),
        _ => (last.close, None),
    };
    // Differences of the quoted decimals, to 10 digits: 2855.9 - 2850.1 is 5.8.
    let last_price = price(last_price);
    let digits = Precision::default();
    let change = previous_close.map(|p| digits.round(last_price - p));
    let year_ago = last.ts - 365 * 86_400;
    let year = bars.iter().filter(|b| b.ts > year_ago);
    let (hi, lo) = year.fold((f64::MIN, f64::MAX), |(h, l), b| {
        (h.max(b.high), l.min(b.low))
    });
    let zone = exchange_zone(&meta.timezone).unwrap_or(chrono_tz::UTC);
    let clock = BarClock::of(series);
    // The phase by its wire name (`open`, `pre_open`, ...); whether the
    // market is open the service already said, in `served`.
    let market_phase = series
        .exchange()
        .and_then(|e| serde_json::to_value(e.calendar().phase(now)).ok())
        .and_then(|v| v["phase"].as_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    Ok(Quote {
        symbol: asked.trim().to_ascii_uppercase(),
        yahoo_symbol: series.yahoo_symbol.clone(),
        currency: meta.currency.clone(),
        price: last_price,
        change,
        change_pct: previous_close
            .filter(|p| *p != 0.0)
            .map(|p| digits.round((last_price - p) / p * 100.0)),
        previous_close,
        session_date: clock.format(last.ts),
        open: price(last.open),
        high: price(last.high),
        low: price(last.low),
        volume: last.volume,
        last_trade_time: traded_at
            .and_then(|t| zone.timestamp_opt(t, 0).single())
            .map_or_else(|| clock.format(last.ts), |t| t.to_rfc3339()),
        week52_high: price(hi),
        week52_low: price(lo),
        market_phase,
        market_open: served.market_open,
        freshness: Freshness::of(served),
    })
}
