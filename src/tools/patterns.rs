//! `detect_candlestick_patterns`: TA-Lib's 61 patterns over a range.

use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::chart::{bar_request, bar_time, freshness};
use super::series::fetch_with_warmup;
use super::{CallError, ToolInfo, ToolOutput, parse_args, schema_for};
use crate::app::App;
use crate::patterns::{self, PatternSpec};

pub const NAME: &str = "detect_candlestick_patterns";
/// Candles before the range that every pattern's settings averages need.
const WARMUP: usize = 20;
const MAX_OCCURRENCES: usize = 2_000;

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
    /// 1m, 5m, 15m, 30m, 1h, 1d (default), 1wk, 1mo.
    #[serde(default)]
    pub interval: Option<String>,
    /// Patterns to look for (TA-Lib names, with or without CDL); default all 61.
    #[serde(default)]
    pub patterns: Option<Vec<String>>,
    /// Exchange for a bare symbol: NSE (default), BSE or US.
    #[serde(default)]
    pub exchange: Option<String>,
}

pub fn info() -> ToolInfo {
    let names: Vec<Value> = patterns::registry().iter().map(|p| json!(p.name)).collect();
    let mut schema = (*schema_for::<PatternArgs>()).clone();
    if let Some(Value::Object(p)) = schema
        .get_mut("properties")
        .and_then(|p| p.get_mut("patterns"))
    {
        p.insert("items".into(), json!({"type": "string", "enum": names}));
    }
    ToolInfo {
        name: NAME,
        description: format!(
            "Candlestick patterns (TA-Lib's, bar for bar) in a symbol's bars over a date range: occurrences \
             [{{t, pattern, signal: bullish|bearish, strength}}] newest first, and counts by pattern. \
             strength is TA-Lib's |code|: 100 a pattern, 200 a confirmed/strong one (80 a weak engulfing/harami). \
             Patterns: {}.",
            patterns::registry()
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        input_schema: Arc::new(schema),
        output_schema: None,
    }
}

pub async fn call(app: &App, args: Map<String, Value>) -> Result<ToolOutput, CallError> {
    let args: PatternArgs = parse_args(NAME, args)?;
    let specs: Vec<&'static PatternSpec> = match &args.patterns {
        None => patterns::registry().iter().collect(),
        Some(list) if list.is_empty() => {
            return Err(CallError::Tool(
                "`patterns` is empty; omit it to look for all 61".into(),
            ));
        }
        Some(list) => list
            .iter()
            .map(|n| patterns::lookup(n).map_err(|e| CallError::Tool(e.to_string())))
            .collect::<Result<_, _>>()?,
    };
    let req = bar_request(
        &args.symbol,
        args.exchange.as_deref(),
        args.interval.as_deref(),
        args.start_date.as_deref(),
        args.end_date.as_deref(),
    )?;
    let cols = fetch_with_warmup(app, &req, WARMUP).await?;
    let series = &cols.served.series;
    let ohlcv = cols.ohlcv();
    let mut found: Vec<(usize, &'static str, i32)> = Vec::new();
    let mut codes = vec![0i32; cols.len()];
    for spec in &specs {
        patterns::detect_into(spec, &ohlcv, None, &mut codes)
            .map_err(|e| CallError::Tool(e.to_string()))?;
        for (i, &code) in codes.iter().enumerate().skip(cols.first_in_range) {
            if code != 0 {
                found.push((i, spec.name, code));
            }
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, name, _) in &found {
        *counts.entry(name).or_default() += 1;
    }
    let total = found.len();
    let mut text = format!(
        "{} ({}) {}: {} pattern occurrences in {} bars\n",
        args.symbol.trim(),
        series.yahoo_symbol,
        series.interval,
        total,
        cols.len() - cols.first_in_range
    );
    let occurrences: Vec<Value> = found
        .iter()
        .take(MAX_OCCURRENCES)
        .map(|&(i, name, code)| {
            let t = bar_time(series, series.bars[i].ts);
            let signal = if code > 0 { "bullish" } else { "bearish" };
            text.push_str(&format!("{t} {name} {signal} {}\n", code.abs()));
            json!({"t": t, "pattern": name, "signal": signal, "strength": code.abs(), "code": code})
        })
        .collect();
    let structured = json!({
        "symbol": args.symbol.trim(),
        "yahoo_symbol": series.yahoo_symbol,
        "interval": series.interval.as_str(),
        "bars_scanned": cols.len() - cols.first_in_range,
        "patterns_checked": specs.len(),
        "occurrences": occurrences,
        "total_occurrences": total,
        "truncated": total > MAX_OCCURRENCES,
        "counts": counts,
        "freshness": serde_json::to_value(freshness(&cols.served)).unwrap_or(Value::Null),
    });
    Ok(ToolOutput { structured, text })
}
