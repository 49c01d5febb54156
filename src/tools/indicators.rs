//! `calculate_technical_indicator` and `list_indicators`: the indicator
//! library over bars from the read-through service.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::chart::{bar_request, bar_time, freshness, max_points};
use super::series::{Columns, fetch_with_warmup};
use super::{CallError, ToolInfo, ToolOutput, no_args_schema, parse_args, schema_for};
use crate::app::App;
use crate::indicators::{self, IndicatorSpec, Input};
use crate::patterns;

pub const NAME: &str = "calculate_technical_indicator";
pub const LIST_NAME: &str = "list_indicators";
/// Most indicators one call may compute.
const MAX_INDICATORS: usize = 20;
/// Cap on warm-up history, in bars.
const MAX_WARMUP: usize = 5_000;

/// One indicator to compute.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorItem {
    /// Indicator name (see list_indicators), e.g. RSI, MACD, SUPERTREND.
    pub name: String,
    /// Parameters by name; omitted ones take their defaults.
    #[serde(default)]
    pub params: Option<Map<String, Value>>,
}

/// Arguments of `calculate_technical_indicator`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorArgs {
    /// NSE symbol (RELIANCE), Yahoo ticker or alias (NIFTY).
    pub symbol: String,
    /// One indicator by name (TA-Lib's, e.g. RSI, or ours, e.g. SUPERTREND).
    #[serde(default)]
    pub indicator: Option<String>,
    /// Parameters of `indicator` by name, e.g. {"timeperiod": 14}.
    #[serde(default)]
    pub params: Option<Map<String, Value>>,
    /// Several indicators computed over one fetch, instead of `indicator`.
    #[serde(default)]
    pub indicators: Option<Vec<IndicatorItem>>,
    /// First date of the output, YYYY-MM-DD or RFC 3339; history before it
    /// is fetched for the warm-up. Default: a span suiting the interval.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Last date (inclusive). Default: today.
    #[serde(default)]
    pub end_date: Option<String>,
    /// 1m, 5m, 15m, 30m, 1h, 1d (default), 1wk, 1mo.
    #[serde(default)]
    pub interval: Option<String>,
    /// Exchange for a bare symbol: NSE (default), BSE or US.
    #[serde(default)]
    pub exchange: Option<String>,
    /// Most rows of the series to return (default 500, the most recent).
    #[serde(default)]
    pub max_points: Option<i64>,
}

fn describe_spec(s: &IndicatorSpec) -> String {
    let params = s
        .params
        .iter()
        .map(|p| format!("{}={}", p.name, p.default))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{}({params})", s.name)
}

pub fn info() -> ToolInfo {
    let names: Vec<Value> = indicators::registry()
        .iter()
        .map(|s| json!(s.name))
        .collect();
    let catalogue = indicators::registry()
        .iter()
        .map(describe_spec)
        .collect::<Vec<_>>()
        .join("; ");
    let mut schema = (*schema_for::<IndicatorArgs>()).clone();
    if let Some(Value::Object(ind)) = schema
        .get_mut("properties")
        .and_then(|p| p.get_mut("indicator"))
    {
        ind.insert(
            "enum".into(),
            Value::Array(names.into_iter().chain([Value::Null]).collect()),
        );
    }
    ToolInfo {
        name: NAME,
        description: format!(
            "Technical indicators matching TA-Lib bar for bar, over a symbol's bars (fetched with enough \
             history before start_date for the warm-up, so the first value returned is already correct). \
             Give `indicator` (+ `params`) or `indicators: [{{name, params}}]`. Returns series \
             [{{t, <outputs>}}], `latest`, the parameters used, and a one-line `reading` for RSI, STOCH, \
             MFI, WILLR and CCI. Indicators and defaults: {catalogue}. See list_indicators for ranges."
        ),
        input_schema: Arc::new(schema),
        output_schema: None,
    }
}

pub fn list_info() -> ToolInfo {
    ToolInfo {
        name: LIST_NAME,
        description: "Every indicator and candlestick pattern this server computes, with inputs, \
            parameters (name, default, valid range) and outputs."
            .to_string(),
        input_schema: no_args_schema(),
        output_schema: None,
    }
}

fn input_name(i: &Input) -> &'static str {
    match i {
        Input::Open => "open",
        Input::High => "high",
        Input::Low => "low",
        Input::Close => "close",
        Input::Volume => "volume",
        Input::Time => "time",
    }
}

pub async fn list(_app: &App, args: Map<String, Value>) -> Result<ToolOutput, CallError> {
    if let Some(k) = args.keys().next() {
        return Err(CallError::InvalidParams(format!(
            "{LIST_NAME} takes no arguments (got {:?})",
            crate::echo::clip(k)
        )));
    }
    let inds: Vec<Value> = indicators::registry()
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "group": s.group,
                "description": s.description,
                "inputs": s.inputs.iter().map(input_name).collect::<Vec<_>>(),
                "params": s.params.iter().map(|p| json!({
                    "name": p.name, "default": p.default, "min": p.min, "max": p.max,
                    "integer": p.integer, "description": p.description,
                })).collect::<Vec<_>>(),
                "outputs": s.outputs,
            })
        })
        .collect();
    let pats: Vec<Value> = patterns::registry()
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "description": p.description,
                "inputs": ["open", "high", "low", "close"],
                "params": p.penetration.map(|d| vec![json!({"name": "penetration", "default": d, "min": 0.0, "max": f64::MAX, "integer": false})]).unwrap_or_default(),
                "outputs": ["code: -200/-100/0/100/200 (negative bearish, positive bullish)"],
            })
        })
        .collect();
    let mut text = format!("{} indicators:\n", inds.len());
    for s in indicators::registry() {
        text.push_str(&format!(
            "  {} [{}] -> {}\n",
            describe_spec(s),
            s.group,
            s.outputs.join(", ")
        ));
    }
    text.push_str(&format!("{} candlestick patterns: ", pats.len()));
    text.push_str(
        &patterns::registry()
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", "),
    );
    text.push('\n');
    Ok(ToolOutput {
        structured: json!({"indicators": inds, "patterns": pats}),
        text,
    })
}

/// One requested indicator, resolved.
struct Job {
    spec: &'static IndicatorSpec,
    params: Vec<f64>,
    label: String,
}

fn resolve(item_name: &str, params: Option<&Map<String, Value>>) -> Result<Job, CallError> {
    let spec = indicators::find(item_name).map_err(|e| CallError::Tool(e.to_string()))?;
    let mut given = Vec::new();
    for (k, v) in params.into_iter().flatten() {
        let x = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            CallError::Tool(format!(
                "parameter {:?} of {} must be a number, not {}",
                crate::echo::clip(k),
                spec.name,
                crate::echo::clip(&v.to_string())
            ))
        })?;
        given.push((k.clone(), x));
    }
    let params =
        indicators::resolve_params(spec, &given).map_err(|e| CallError::Tool(e.to_string()))?;
    let mut label = spec.name.to_ascii_lowercase();
    for p in &params {
        label.push('_');
        label.push_str(&fmt_num(*p));
    }
    Ok(Job {
        spec,
        params,
        label,
    })
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Bars of history needed before the first output for values to be final:
/// the registry's rule, capped for now (cumulative ones get the cap).
fn warmup(job: &Job, intraday: bool) -> usize {
    match indicators::warmup(job.spec, &job.params, intraday) {
        indicators::Warmup::Bars(n) => n.min(MAX_WARMUP),
        indicators::Warmup::FullHistory => MAX_WARMUP,
    }
}

/// A one-line interpretation of the latest value against the levels the
/// registry gives (RSI 70/30...).
fn reading(spec: &IndicatorSpec, latest: &[(String, f64)]) -> Option<String> {
    let r = spec.reading?;
    let v = latest.first()?.1;
    if !v.is_finite() {
        return None;
    }
    let verdict = if v > r.high {
        format!("above {}, overbought", fmt_num(r.high))
    } else if v < r.low {
        format!("below {}, oversold", fmt_num(r.low))
    } else {
        format!(
            "between {} and {}, neutral",
            fmt_num(r.low),
            fmt_num(r.high)
        )
    };
    Some(format!("{} {v:.1}: {verdict}", r.label))
}

fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

pub async fn call(app: &App, args: Map<String, Value>) -> Result<ToolOutput, CallError> {
    let args: IndicatorArgs = parse_args(NAME, args)?;
    let mut jobs = Vec::new();
    match (&args.indicator, &args.indicators) {
        (Some(_), Some(_)) => {
            return Err(CallError::Tool(
                "give either `indicator` or `indicators`, not both".into(),
            ));
        }
        (None, None) => {
            return Err(CallError::Tool(format!(
                "name an indicator: `indicator` (e.g. \"RSI\") or `indicators: [{{name, params}}]`; valid choices: {}",
                indicators::registry()
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        (Some(name), None) => jobs.push(resolve(name, args.params.as_ref())?),
        (None, Some(items)) => {
            if args.params.is_some() {
                return Err(CallError::Tool(
                    "with `indicators`, give params inside each item".into(),
                ));
            }
            if items.is_empty() || items.len() > MAX_INDICATORS {
                return Err(CallError::Tool(format!(
                    "`indicators` must list 1 to {MAX_INDICATORS} indicators"
                )));
            }
            for item in items {
                jobs.push(resolve(&item.name, item.params.as_ref())?);
            }
        }
    }
    let limit = app.config.max_points_limit;
    let max_points = max_points(app, args.max_points)?;
    let req = bar_request(
        &args.symbol,
        args.exchange.as_deref(),
        args.interval.as_deref(),
        args.start_date.as_deref(),
        args.end_date.as_deref(),
    )?;
    let intraday = req.interval.is_intraday();
    let warm = jobs.iter().map(|j| warmup(j, intraday)).max().unwrap_or(0);
    let cols = fetch_with_warmup(app, &req, warm).await?;
    let single = jobs.len() == 1;
    let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
    let mut described = Vec::new();
    for job in &jobs {
        let outputs = indicators::compute(job.spec, &cols.ohlcv(), &job.params).map_err(|e| {
            CallError::Tool(format!(
                "{e}. The range {} holds {} bars (with {} bars of history before it); widen start_date or use a shorter period",
                range_text(&cols),
                cols.len() - cols.first_in_range,
                cols.first_in_range
            ))
        })?;
        let names: Vec<String> = job
            .spec
            .outputs
            .iter()
            .map(|o| {
                if single {
                    o.to_string()
                } else if job.spec.outputs.len() == 1 {
                    job.label.clone()
                } else {
                    format!("{}_{o}", job.label)
                }
            })
            .collect();
        let last = cols.len().checked_sub(1);
        let latest: Vec<(String, f64)> = names
            .iter()
            .zip(&outputs)
            .map(|(n, v)| (n.clone(), last.map_or(f64::NAN, |i| v[i])))
            .collect();
        let params: Map<String, Value> = job
            .spec
            .params
            .iter()
            .zip(&job.params)
            .map(|(p, v)| (p.name.to_string(), json!(v)))
            .collect();
        described.push(json!({
            "name": job.spec.name,
            "label": job.label,
            "params": params,
            "columns": names,
            "warmup_bars": (job.spec.lookback)(&job.params),
            "latest": latest.iter().map(|(n, v)| (n.clone(), num(*v))).collect::<Map<_, _>>(),
            "reading": reading(job.spec, &latest),
        }));
        columns.extend(names.into_iter().zip(outputs));
    }
    Ok(render(
        &args.symbol,
        &cols,
        &columns,
        described,
        max_points,
        limit,
    ))
}

fn range_text(cols: &Columns) -> String {
    let s = &cols.served.series;
    match (s.bars.get(cols.first_in_range), s.bars.last()) {
        (Some(a), Some(b)) => format!("{}..{}", bar_time(s, a.ts), bar_time(s, b.ts)),
        _ => "requested".into(),
    }
}

fn render(
    asked: &str,
    cols: &Columns,
    columns: &[(String, Vec<f64>)],
    described: Vec<Value>,
    max_points: usize,
    limit: usize,
) -> ToolOutput {
    let s = &cols.served.series;
    let in_range = cols.first_in_range..cols.len();
    let total = in_range.len();
    let from = cols.len() - total.min(max_points);
    let mut series = Vec::with_capacity(cols.len() - from);
    let mut text = String::new();
    text.push_str(&format!(
        "{} ({}) {} {}: {} of {} rows\n",
        asked.trim(),
        s.yahoo_symbol,
        s.interval,
        columns
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(","),
        cols.len() - from,
        total
    ));
    for d in &described {
        if let Some(r) = d["reading"].as_str() {
            text.push_str(&format!("# {r}\n"));
        }
    }
    text.push('t');
    for (n, _) in columns {
        text.push(',');
        text.push_str(n);
    }
    text.push('\n');
    for i in from..cols.len() {
        let t = bar_time(s, s.bars[i].ts);
        let mut row = Map::new();
        row.insert("t".into(), json!(t));
        text.push_str(&t);
        for (n, v) in columns {
            row.insert(n.clone(), num(v[i]));
            text.push(',');
            if v[i].is_finite() {
                text.push_str(&v[i].to_string());
            }
        }
        text.push('\n');
        series.push(Value::Object(row));
    }
    let truncated = total > max_points;
    let latest = series.last().cloned().unwrap_or(Value::Null);
    let message = if truncated {
        Some(format!(
            "{total} rows in range; showing the most recent {max_points}. Ask with an earlier end_date for older rows, or raise max_points (up to {limit})."
        ))
    } else if total == 0 {
        Some("no bars in this range".to_string())
    } else {
        None
    };
    let structured = json!({
        "symbol": asked.trim(),
        "yahoo_symbol": s.yahoo_symbol,
        "interval": s.interval.as_str(),
        "indicators": described,
        "series": series,
        "latest": latest,
        "total_rows": total,
        "truncated": truncated,
        "message": message,
        "history_bars_used": cols.first_in_range,
        "freshness": serde_json::to_value(freshness(&cols.served)).unwrap_or(Value::Null),
    });
    ToolOutput { structured, text }
}
