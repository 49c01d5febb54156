//! `calculate_technical_indicator`: the indicator library over bars from
//! the read-through service, with the warm-up history each indicator's
//! registry entry asks for.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::args::{Choice, adjust, bar_query, max_points};
use super::columns::Columns;
use super::custom_indicator::ExpressionJob;
use super::freshness::{BarClock, Freshness, short_time, zone_note};
use super::numbers::Precision;
use super::paging::{Budget, Cursor, end_header};
use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::indicators::{self, IndicatorSpec, Warmup};
use crate::model::Interval;
use crate::service::Served;
use crate::service::adjust::Adjust;
use crate::symbol::Exchange;

/// Most indicators one call may compute.
const MAX_INDICATORS: usize = 20;

/// The `calculate_technical_indicator` tool.
pub struct TechnicalIndicator;

/// One indicator to compute.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorItem {
    /// Indicator name (see list_indicators), e.g. RSI, MACD, SUPERTREND.
    pub name: String,
    /// Parameters by TA-Lib's names, e.g. {"timeperiod": 14}; omitted ones take their defaults.
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
    /// A custom indicator instead of `indicator`, in the expression language: e.g. "sma(close, 20) - sma(close, 50)", "ema(rsi(14), 9)", "(close - lowest(low, 14)) / (highest(high, 14) - lowest(low, 14))". Registry indicators take TA-Lib's parameters positionally or by name; its warm-up is derived from it.
    #[serde(default)]
    pub expression: Option<String>,
    /// First date of the output, YYYY-MM-DD or RFC 3339; history before it
    /// is fetched for the warm-up. Default: a span suiting the interval.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Last date (inclusive). Default: today.
    #[serde(default)]
    pub end_date: Option<String>,
    /// Bar interval (default 1d).
    #[serde(default)]
    pub interval: Option<Choice<Interval>>,
    /// Exchange for a bare symbol: NSE (default), BSE or US.
    #[serde(default)]
    pub exchange: Option<Choice<Exchange>>,
    /// Most rows of the series to return (default 500, the most recent).
    #[serde(default)]
    pub max_points: Option<i64>,
    /// Price basis: splits (default: Yahoo's, split-adjusted, with adj_close for dividends too), none (as traded, like broker charts), or all (adjusted for splits and dividends).
    #[serde(default)]
    pub adjust: Option<Choice<Adjust>>,
    /// Significant digits of the values returned, 1 to 17 (default 10: within 1e-9 of the full value; 17: exact). The computation always uses full precision.
    #[serde(default)]
    pub precision: Option<i64>,
    /// The `next_cursor` of a previous answer, with the same other arguments: the page of rows before that answer's.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// One row of the computed series: its time and every output column
/// (null in the warm-up, where TA-Lib gives NaN).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct IndicatorRow {
    pub t: String,
    #[serde(flatten)]
    pub values: BTreeMap<String, Option<f64>>,
}

/// One computed indicator, as resolved.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct IndicatorInfo {
    pub name: String,
    /// The name with its parameters, e.g. sma_20 (prefixes columns when several are asked).
    pub label: String,
    /// Every parameter's value as used (defaults filled in).
    pub params: BTreeMap<String, f64>,
    /// Its columns in `series`.
    pub columns: Vec<String>,
    /// Bars before the first defined value (TA-Lib's lookback).
    pub warmup_bars: usize,
    /// Its latest values.
    pub latest: BTreeMap<String, Option<f64>>,
    /// A one-line reading of the latest value against the usual levels (RSI, STOCH, MFI, WILLR, CCI).
    pub reading: Option<String>,
}

/// Result of `calculate_technical_indicator`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct IndicatorOutput {
    pub symbol: String,
    pub yahoo_symbol: String,
    pub interval: String,
    /// IANA timezone of the exchange; intraday times are local to it.
    pub timezone: String,
    pub indicators: Vec<IndicatorInfo>,
    /// Rows in the requested range, oldest first.
    pub series: Vec<IndicatorRow>,
    /// The last row.
    pub latest: Option<IndicatorRow>,
    /// Rows in the requested range, over every page.
    pub total_rows: usize,
    /// True when this answer does not hold every row of the range.
    pub truncated: bool,
    /// Pass as `cursor`, with the same other arguments, for the rows before this page; null on the oldest page.
    pub next_cursor: Option<String>,
    /// Estimated tokens of this answer (bytes / 4 of the larger of its text and structured content).
    pub estimated_tokens: usize,
    pub message: Option<String>,
    /// Bars of history before the range that the warm-up used.
    pub history_bars_used: usize,
    pub freshness: Freshness,
}

/// One requested indicator, resolved.
struct Job {
    spec: &'static IndicatorSpec,
    params: Vec<f64>,
    label: String,
}

super::paging::measured!(IndicatorOutput);

impl Tool for TechnicalIndicator {
    const NAME: &'static str = "calculate_technical_indicator";
    type Args = IndicatorArgs;
    type Output = IndicatorOutput;

    fn description() -> String {
        let catalogue = indicators::registry()
            .iter()
            .map(describe_spec)
            .collect::<Vec<_>>()
            .join("; ");
        format!(
            "Technical indicators matching TA-Lib bar for bar, over a symbol's bars (fetched with enough \
             history before start_date for the warm-up, so the first value returned is already correct). \
             Give `indicator` (+ `params`), `indicators: [{{name, params}}]`, or a custom `expression` \
             such as \"sma(close, 20) - sma(close, 50)\". Returns series \
             [{{t, <outputs>}}], `latest`, the parameters used, and a one-line `reading` for RSI, STOCH, \
             MFI, WILLR and CCI. Indicators and defaults: {catalogue}. See list_indicators for ranges."
        )
    }

    fn refine_input_schema(schema: &mut Map<String, Value>) {
        let names: Vec<Value> = indicators::registry()
            .iter()
            .map(|s| json!(s.name))
            .collect();
        let props = schema.get_mut("properties").and_then(Value::as_object_mut);
        if let Some(Value::Object(ind)) = props.and_then(|p| p.get_mut("indicator")) {
            let mut choices = names.clone();
            choices.push(Value::Null);
            ind.insert("enum".into(), Value::Array(choices));
        }
        let item = schema
            .get_mut("$defs")
            .and_then(|d| d.get_mut("IndicatorItem"))
            .and_then(|i| i.get_mut("properties"))
            .and_then(|p| p.get_mut("name"))
            .and_then(Value::as_object_mut);
        if let Some(name) = item {
            name.insert("enum".into(), Value::Array(names));
        }
    }

    async fn run(
        app: &App,
        args: IndicatorArgs,
        ctx: &mut CallContext,
    ) -> Result<IndicatorOutput, ToolError> {
        let custom = match &args.expression {
            Some(_) if args.indicator.is_some() || args.indicators.is_some() => {
                return Err(ToolError::new(
                    "give one of `indicator`, `indicators` or `expression`, not several",
                ));
            }
            Some(_) if args.params.is_some() => {
                return Err(ToolError::new(
                    "`params` belong to `indicator`; in an expression write them in the call, e.g. rsi(21) or bbands(20, nbdevup=2.5)",
                ));
            }
            Some(text) => Some(ExpressionJob::compile(text)?),
            None => None,
        };
        let jobs = if custom.is_some() {
            Vec::new()
        } else {
            jobs(&args)?
        };
        let limit = app.config.max_points_limit;
        let max_points = max_points(args.max_points, limit)?;
        let precision = Precision::of(args.precision)?;
        let cursor = args
            .cursor
            .as_deref()
            .map(|c| Cursor::parse(c, ctx.request()))
            .transpose()?;
        let mut query = bar_query(
            &args.symbol,
            args.exchange.as_ref(),
            args.interval.as_ref(),
            args.start_date.as_deref(),
            args.end_date.as_deref(),
        )?;
        query.adjust = adjust(args.adjust.as_ref())?;
        let intraday = query.interval.is_intraday();
        let warmup = jobs
            .iter()
            .map(|j| indicators::warmup(j.spec, &j.params, intraday))
            .chain(custom.iter().map(|c| c.warmup(intraday)))
            .max()
            .unwrap_or(Warmup::Bars(0));
        let served = app.chart.get_with_warmup(&query, warmup).await?;
        ctx.depends_on(&served);
        if let Some(c) = &cursor {
            c.check_range(served.requested)?;
        }
        let cols = Columns::of(&served);
        let single = jobs.len() == 1;
        let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
        let mut described = Vec::new();
        for job in &jobs {
            let outputs = indicators::compute(job.spec, &cols.ohlcv(), &job.params).map_err(|e| {
                ToolError(format!(
                    "{e}. The range {} holds {} bars (with {} bars of history before it); widen start_date or use a shorter period",
                    range_text(&served),
                    served.in_range().len(),
                    served.warmup_len()
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
            let latest: BTreeMap<String, Option<f64>> = names
                .iter()
                .zip(&outputs)
                .map(|(n, v)| {
                    let last = v.last().copied().and_then(finite);
                    (n.clone(), precision.round_opt(last))
                })
                .collect();
            let first_latest = names.first().and_then(|n| latest.get(n).copied().flatten());
            described.push(IndicatorInfo {
                name: job.spec.name.to_string(),
                label: job.label.clone(),
                params: job
                    .spec
                    .params
                    .iter()
                    .zip(&job.params)
                    .map(|(p, v)| (p.name.to_string(), *v))
                    .collect(),
                columns: names.clone(),
                warmup_bars: (job.spec.lookback)(&job.params),
                latest,
                reading: first_latest.and_then(|v| reading(job.spec, v)),
            });
            columns.extend(names.into_iter().zip(outputs));
        }
        if let Some(custom) = &custom {
            let (mut info, values) = custom.compute(&cols)?;
            for v in info.latest.values_mut() {
                *v = precision.round_opt(*v);
            }
            columns.push((custom.label().to_string(), values));
            described.push(info);
        }
        let page = Page {
            asked: args.symbol.trim(),
            served: &served,
            indicators: described,
            max_points,
            limit,
            budget: Budget::new(app.config.output_budget_tokens),
            request: ctx.request(),
        };
        Ok(page.render(&cols, &columns, precision, cursor))
    }

    fn text(out: &IndicatorOutput) -> String {
        render_text(out)
    }
}

/// The indicators asked for, resolved and checked — before any fetch.
fn jobs(args: &IndicatorArgs) -> Result<Vec<Job>, ToolError> {
    let mut jobs = Vec::new();
    match (&args.indicator, &args.indicators) {
        (Some(_), Some(_)) => {
            return Err(ToolError::new(
                "give either `indicator` or `indicators`, not both",
            ));
        }
        (None, None) => {
            return Err(ToolError(format!(
                "name an indicator: `indicator` (e.g. \"RSI\"), `indicators: [{{name, params}}]` or `expression` (e.g. \"sma(close, 20) - sma(close, 50)\"); valid indicators: {}",
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
                return Err(ToolError::new(
                    "with `indicators`, give params inside each item",
                ));
            }
            if items.is_empty() || items.len() > MAX_INDICATORS {
                return Err(ToolError(format!(
                    "`indicators` must list 1 to {MAX_INDICATORS} indicators"
                )));
            }
            for item in items {
                jobs.push(resolve(&item.name, item.params.as_ref())?);
            }
        }
    }
    Ok(jobs)
}

fn resolve(item_name: &str, params: Option<&Map<String, Value>>) -> Result<Job, ToolError> {
    let spec = indicators::find(item_name)?;
    let mut given = Vec::new();
    for (k, v) in params.into_iter().flatten() {
        let x = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            ToolError(format!(
                "parameter {:?} of {} must be a number, not {}",
                crate::echo::clip(k),
                spec.name,
                crate::echo::clip(&v.to_string())
            ))
        })?;
        given.push((k.clone(), x));
    }
    let params = indicators::resolve_params(spec, &given)?;
    indicators::check_params(spec, &params)?;
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

fn describe_spec(s: &IndicatorSpec) -> String {
    let params = s
        .params
        .iter()
        .map(|p| format!("{}={}", p.name, p.default))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{}({params})", s.name)
}

pub(super) fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A one-line interpretation of the latest value against the levels the
/// registry gives (RSI 70/30...).
fn reading(spec: &IndicatorSpec, v: f64) -> Option<String> {
    let r = spec.reading?;
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

fn range_text(served: &Served) -> String {
    let clock = BarClock::of(&served.series);
    match (served.in_range().first(), served.in_range().last()) {
        (Some(a), Some(b)) => format!("{}..{}", clock.format(a.ts), clock.format(b.ts)),
        _ => "requested".into(),
    }
}

/// One answer of the indicator tool: the rows of a range, paged to the budget.
struct Page<'a> {
    asked: &'a str,
    served: &'a Served,
    indicators: Vec<IndicatorInfo>,
    max_points: usize,
    limit: usize,
    budget: Budget,
    request: u64,
}

impl Page<'_> {
    fn render(
        &self,
        cols: &Columns,
        columns: &[(String, Vec<f64>)],
        precision: Precision,
        cursor: Option<Cursor>,
    ) -> IndicatorOutput {
        let clock = BarClock::of(&self.served.series);
        let in_range = cols.first_in_range..cols.len();
        let before = cursor.map_or(i64::MAX, |c| c.before);
        // Every row a page may show, rendered once: the rows before the cursor.
        let end = in_range.start + cols.ts[in_range.clone()].partition_point(|&t| t < before);
        let rows: Vec<IndicatorRow> = (in_range.start..end)
            .map(|i| IndicatorRow {
                t: clock.format(cols.ts[i]),
                values: columns
                    .iter()
                    .map(|(n, v)| (n.clone(), precision.round_opt(finite(v[i]))))
                    .collect(),
            })
            .collect();
        let total = in_range.len();
        let cap = rows.len().min(self.max_points);
        let (_, out) = self.budget.fit::<TechnicalIndicator>(cap, |n| {
            self.build(
                &rows[rows.len() - n..],
                rows.len() - n,
                total,
                cap,
                &cols.ts[in_range.clone()],
            )
        });
        out
    }

    /// The answer showing `rows`, the page's rows, of which `skipped` older
    /// ones are left for the next page.
    fn build(
        &self,
        rows: &[IndicatorRow],
        skipped: usize,
        total: usize,
        cap: usize,
        keys: &[i64],
    ) -> IndicatorOutput {
        let served = self.served;
        let mut messages = served.notes.clone();
        let first_key = keys.get(skipped).copied();
        let next_cursor = (skipped > 0).then(|| {
            Cursor {
                request: self.request,
                range: served.requested,
                before: first_key.unwrap_or(i64::MAX),
            }
            .encode()
        });
        if total == 0 {
            messages.push("no bars in this range".to_string());
        } else if let (Some(first), Some(last)) = (rows.first(), rows.last())
            && rows.len() < total
        {
            let why = if rows.len() < cap {
                format!(
                    "the output budget of {} tokens, shared by every indicator asked; a larger max_points still pages at the budget",
                    self.budget.tokens()
                )
            } else if cap < skipped + rows.len() {
                format!("max_points {} (at most {})", self.max_points, self.limit)
            } else {
                "the pages before it, which hold the newer rows".to_string()
            };
            let mut m = format!(
                "{total} rows in range; this page holds {} of them, {}..{} (limited by {why}).",
                rows.len(),
                first.t,
                last.t
            );
            if skipped > 0 {
                m.push_str(&format!(
                    " For the {skipped} rows before {}, pass next_cursor as `cursor` with the same arguments.",
                    first.t
                ));
            }
            messages.push(m);
        }
        let mut out = IndicatorOutput {
            symbol: self.asked.to_string(),
            yahoo_symbol: served.series.yahoo_symbol.clone(),
            interval: served.series.interval.to_string(),
            timezone: served.series.instrument.timezone.clone(),
            indicators: self.indicators.clone(),
            latest: rows.last().cloned(),
            series: rows.to_vec(),
            total_rows: total,
            truncated: rows.len() < total,
            next_cursor,
            estimated_tokens: 0,
            message: (!messages.is_empty()).then(|| messages.join(" ")),
            history_bars_used: served.warmup_len(),
            freshness: Freshness::of(served),
        };
        Budget::stamp::<TechnicalIndicator>(&mut out);
        out
    }
}

fn render_text(out: &IndicatorOutput) -> String {
    let names: Vec<&str> = out
        .indicators
        .iter()
        .flat_map(|i| i.columns.iter().map(String::as_str))
        .collect();
    let times: Vec<String> = out.series.iter().map(|r| r.t.clone()).collect();
    let mut text = format!(
        "{} ({}) {} {}, {}: {} of {} rows; {}",
        out.symbol,
        out.yahoo_symbol,
        out.interval,
        names.join(","),
        zone_note(&out.timezone, &times),
        out.series.len(),
        out.total_rows,
        out.freshness.summary()
    );
    end_header(&mut text, out.truncated, out.next_cursor.as_deref());
    for i in &out.indicators {
        if let Some(r) = &i.reading {
            let _ = writeln!(text, "# {r}");
        }
    }
    if let Some(m) = &out.message {
        let _ = writeln!(text, "# {m}");
    }
    text.push('t');
    for n in &names {
        text.push(',');
        text.push_str(n);
    }
    text.push('\n');
    for row in &out.series {
        text.push_str(&short_time(&row.t));
        for n in &names {
            text.push(',');
            if let Some(Some(v)) = row.values.get(*n) {
                let _ = write!(text, "{v}");
            }
        }
        text.push('\n');
    }
    text
}
