//! `detect_candlestick_patterns`: TA-Lib's 61 patterns over a range.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::args::{Choice, bar_query};
use super::columns::Columns;
use super::freshness::{BarClock, Freshness};
use super::paging::Budget;
use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::indicators::Warmup;
use crate::model::Interval;
use crate::patterns::{self, PatternSpec};
use crate::symbol::Exchange;

/// Candles before the range that every pattern's settings averages need.
const WARMUP: usize = 20;
/// Most occurrences listed (all are counted).
const MAX_OCCURRENCES: usize = 2_000;

/// The `detect_candlestick_patterns` tool.
pub struct CandlestickPatterns;

/// Arguments of `detect_candlestick_patterns`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternArgs {
    /// NSE symbol (RELIANCE), Yahoo ticker or alias (NIFTY).
    pub symbol: String,
    /// First date, YYYY-MM-DD or RFC 3339. Default: a span suiting the interval.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Last date (inclusive). Default: today.
    #[serde(default)]
    pub end_date: Option<String>,
    /// Bar interval (default 1d).
    #[serde(default)]
    pub interval: Option<Choice<Interval>>,
    /// Patterns to look for (TA-Lib names, with or without CDL, any case); default all 61.
    #[serde(default)]
    pub patterns: Option<Vec<String>>,
    /// Exchange for a bare symbol: NSE (default), BSE or US.
    #[serde(default)]
    pub exchange: Option<Choice<Exchange>>,
}

/// One pattern found on one candle.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Occurrence {
    /// The candle's date (daily) or exchange-local start time (intraday).
    pub t: String,
    /// TA-Lib's name, e.g. CDLHAMMER.
    pub pattern: String,
    /// bullish or bearish.
    pub signal: String,
    /// |code|: 100 a pattern, 200 a confirmed/strong one, 80 a weak engulfing/harami.
    pub strength: i32,
    /// TA-Lib's signed code.
    pub code: i32,
}

/// Result of `detect_candlestick_patterns`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PatternOutput {
    pub symbol: String,
    pub yahoo_symbol: String,
    pub interval: String,
    /// Candles in the requested range.
    pub bars_scanned: usize,
    pub patterns_checked: usize,
    /// Newest first (at most 2,000 listed).
    pub occurrences: Vec<Occurrence>,
    pub total_occurrences: usize,
    pub truncated: bool,
    /// Occurrences by pattern name.
    pub counts: BTreeMap<String, usize>,
    /// True when the newest candle's session is still in progress: a pattern on it may not hold at the close.
    pub newest_candle_partial: bool,
    /// Set when not every occurrence is listed, with how to see the older ones.
    pub message: Option<String>,
    /// Estimated tokens of this answer (bytes / 4 of the larger of its text and structured content).
    pub estimated_tokens: usize,
    pub freshness: Freshness,
}

super::paging::measured!(PatternOutput);

impl Tool for CandlestickPatterns {
    const NAME: &'static str = "detect_candlestick_patterns";
    type Args = PatternArgs;
    type Output = PatternOutput;

    fn description() -> String {
        format!(
            "Candlestick patterns (TA-Lib's, bar for bar) in a symbol's bars over a date range: occurrences \
             [{{t, pattern, signal: bullish|bearish, strength}}] newest first, and counts by pattern. \
             strength is TA-Lib's |code|: 100 a pattern, 200 a confirmed/strong one (80 a weak engulfing/harami). \
             Patterns: {}.",
            patterns::registry()
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    fn refine_input_schema(schema: &mut Map<String, Value>) {
        let names: Vec<Value> = patterns::registry().iter().map(|p| json!(p.name)).collect();
        let patterns = schema
            .get_mut("properties")
            .and_then(|p| p.get_mut("patterns"))
            .and_then(Value::as_object_mut);
        if let Some(p) = patterns {
            p.insert("items".into(), json!({"type": "string", "enum": names}));
        }
    }

    async fn run(
        app: &App,
        args: PatternArgs,
        ctx: &mut CallContext,
    ) -> Result<PatternOutput, ToolError> {
        let specs: Vec<&'static PatternSpec> = match &args.patterns {
            None => patterns::registry().iter().collect(),
            Some(list) if list.is_empty() => {
                return Err(ToolError::new(
                    "`patterns` is empty; omit it to look for all 61",
                ));
            }
            Some(list) => list
                .iter()
                .map(|n| patterns::lookup(n))
                .collect::<Result<_, _>>()?,
        };
        let query = bar_query(
            &args.symbol,
            args.exchange.as_ref(),
            args.interval.as_ref(),
            args.start_date.as_deref(),
            args.end_date.as_deref(),
        )?;
        let served = app
            .chart
            .get_with_warmup(&query, Warmup::Bars(WARMUP))
            .await?;
        ctx.depends_on(&served);
        let cols = Columns::of(&served);
        let ohlcv = cols.ohlcv();
        let mut found: Vec<(usize, &'static str, i32)> = Vec::new();
        let mut codes = vec![0i32; cols.len()];
        for spec in &specs {
            patterns::detect_into(spec, &ohlcv, None, &mut codes)?;
            for (i, &code) in codes.iter().enumerate().skip(cols.first_in_range) {
                if code != 0 {
                    found.push((i, spec.name, code));
                }
            }
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (_, name, _) in &found {
            *counts.entry(name.to_string()).or_default() += 1;
        }
        let clock = BarClock::of(&served.series);
        let total = found.len();
        let base = PatternOutput {
            symbol: args.symbol.trim().to_string(),
            yahoo_symbol: served.series.yahoo_symbol.clone(),
            interval: served.series.interval.to_string(),
            bars_scanned: cols.len() - cols.first_in_range,
            patterns_checked: specs.len(),
            occurrences: Vec::new(),
            total_occurrences: total,
            truncated: false,
            counts,
            newest_candle_partial: served
                .in_range()
                .last()
                .is_some_and(|b| served.is_partial(b)),
            message: None,
            estimated_tokens: 0,
            freshness: Freshness::of(&served),
        };
        let listed: Vec<Occurrence> = found
            .iter()
            .take(MAX_OCCURRENCES)
            .map(|&(i, name, code)| Occurrence {
                t: clock.format(cols.ts[i]),
                pattern: name.to_string(),
                signal: if code > 0 { "bullish" } else { "bearish" }.to_string(),
                strength: code.abs(),
                code,
            })
            .collect();
        let budget = Budget::new(app.config.output_budget_tokens);
        let cap = listed.len();
        let (_, out) = budget.fit::<CandlestickPatterns>(cap, |n| {
            let mut out = base.clone();
            out.occurrences = listed[..n].to_vec();
            out.truncated = n < total;
            if let Some(oldest) = out.occurrences.last().filter(|_| n < total) {
                let why = if n < cap {
                    format!("the output budget of {} tokens", budget.tokens())
                } else {
                    format!("at most {MAX_OCCURRENCES} listed")
                };
                out.message = Some(format!(
                    "{total} occurrences; the newest {n} are listed, back to {} (limited by {why}); `counts` covers them all. For older ones ask again with end_date {}, or name fewer patterns",
                    oldest.t, oldest.t
                ));
            }
            Budget::stamp::<CandlestickPatterns>(&mut out);
            out
        });
        Ok(out)
    }

    fn text(out: &PatternOutput) -> String {
        let mut text = format!(
            "{} ({}) {}: {} pattern occurrences in {} bars; {}\n",
            out.symbol,
            out.yahoo_symbol,
            out.interval,
            out.total_occurrences,
            out.bars_scanned,
            out.freshness.summary()
        );
        if let Some(m) = &out.message {
            let _ = writeln!(text, "# {m}");
        }
        for o in &out.occurrences {
            let _ = writeln!(text, "{} {} {} {}", o.t, o.pattern, o.signal, o.strength);
        }
        text
    }
}
