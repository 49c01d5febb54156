//! `compare_symbols`: returns, volatility, drawdown, Sharpe ratio, and beta
//! and correlation against a benchmark, for 2 to 20 symbols over one
//! range, on the dates every one of them (and the benchmark) traded; with
//! the correlation matrix and, optionally, the closes rebased to 100 under
//! one `max_points` budget. The statistics are `crate::analysis`'s.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::args::{Choice, bar_query, max_points};
use super::freshness::BarClock;
use super::numbers::{Precision, price};
use super::paging::Budget;
use super::{CallContext, Tool, ToolError};
use crate::analysis;
use crate::app::App;
use crate::indicators::Warmup;
use crate::model::Interval;
use crate::service::Served;
use crate::symbol::{Exchange, Venue};

/// The `compare_symbols` tool.
pub struct CompareSymbols;

const MIN_SYMBOLS: usize = 2;
const MAX_SYMBOLS: usize = 20;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareArgs {
    /// 2 to 20 symbols, e.g. ["TCS", "INFY", "WIPRO"].
    pub symbols: Vec<String>,
    /// First date, YYYY-MM-DD. Default: a span suiting the interval (1 year for 1d).
    #[serde(default)]
    pub start_date: Option<String>,
    /// Last date (inclusive). Default: today.
    #[serde(default)]
    pub end_date: Option<String>,
    /// 1d (default), 1wk or 1mo.
    #[serde(default)]
    pub interval: Option<Choice<Interval>>,
    /// Exchange for bare symbols: NSE (default), BSE or US.
    #[serde(default)]
    pub exchange: Option<Choice<Exchange>>,
    /// Benchmark symbol. Default: NIFTY (^NSEI) when the first symbol is Indian, else ^GSPC.
    #[serde(default)]
    pub benchmark: Option<String>,
    /// Annual risk-free rate as a fraction, for the Sharpe ratio (default 0; e.g. 0.065).
    #[serde(default)]
    pub risk_free_rate: Option<f64>,
    /// Also return each symbol's closes rebased to 100 (default false).
    #[serde(default)]
    pub include_series: Option<bool>,
    /// Points of all series together (default 500): each series gets an equal share, most recent kept. The server's output budget may cut them further, with a note.
    #[serde(default)]
    pub max_points: Option<i64>,
    /// Significant digits of the statistics and rebased points, 1 to 17 (default 10). Prices print as quoted.
    #[serde(default)]
    pub precision: Option<i64>,
}

/// One symbol's statistics over the aligned dates.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SymbolStats {
    pub symbol: String,
    pub yahoo_symbol: String,
    pub first_close: f64,
    pub last_close: f64,
    /// last / first - 1, as a fraction.
    pub total_return: f64,
    pub annualized_return: f64,
    /// Annualised standard deviation of log returns.
    pub volatility: f64,
    pub sharpe: Option<f64>,
    /// Largest fall from a running peak, as a negative fraction.
    pub max_drawdown: f64,
    pub drawdown_peak: String,
    pub drawdown_trough: String,
    /// Against the benchmark (null for the benchmark itself).
    pub beta: Option<f64>,
    pub correlation: Option<f64>,
}

/// Closes rebased to 100 at the first aligned date.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RebasedSeries {
    pub symbol: String,
    /// [date, value] pairs, oldest first.
    pub points: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CompareOutput {
    pub interval: String,
    /// First and last aligned date.
    pub start: String,
    pub end: String,
    pub benchmark: SymbolStats,
    pub symbols: Vec<SymbolStats>,
    /// Dates every symbol and the benchmark traded: the statistics use these.
    pub aligned_dates: usize,
    /// Dates some but not all of them traded, left out.
    pub dropped_dates: usize,
    /// Why dates were dropped: which symbol had no bar on how many dates.
    pub dropped_because: Vec<String>,
    /// Correlation of log returns, in the order of `symbols`.
    pub correlation_matrix: Vec<Vec<Option<f64>>>,
    pub series: Option<Vec<RebasedSeries>>,
    pub series_truncated: bool,
    pub message: Option<String>,
    /// Symbols served from the store because the upstream failed.
    pub stale_symbols: Vec<String>,
    /// Estimated tokens of this answer (bytes / 4 of the larger of its text and structured content).
    pub estimated_tokens: usize,
}

super::paging::measured!(CompareOutput);

impl Tool for CompareSymbols {
    const NAME: &'static str = "compare_symbols";
    type Args = CompareArgs;
    type Output = CompareOutput;

    fn description() -> String {
        "Compare 2 to 20 symbols over a range against a benchmark (NIFTY for Indian symbols, ^GSPC \
         otherwise): total and annualised return, annualised volatility of log returns, max drawdown \
         with its dates, Sharpe ratio (risk_free_rate), beta and correlation, and the correlation \
         matrix, on the dates all of them traded (252 periods a year for 1d, 52 for 1wk, 12 for 1mo). \
         Optionally the closes rebased to 100 under one max_points budget."
            .to_string()
    }

    async fn run(
        app: &App,
        args: CompareArgs,
        ctx: &mut CallContext,
    ) -> Result<CompareOutput, ToolError> {
        let n = args.symbols.len();
        if !(MIN_SYMBOLS..=MAX_SYMBOLS).contains(&n) {
            return Err(ToolError::new(format!(
                "symbols lists {n}; give {MIN_SYMBOLS} to {MAX_SYMBOLS}"
            )));
        }
        let rf = args.risk_free_rate.unwrap_or(0.0);
        if !rf.is_finite() || !(-1.0..=1.0).contains(&rf) {
            return Err(ToolError::new(format!(
                "risk_free_rate {rf} is not an annual fraction; use e.g. 0.065 for 6.5%"
            )));
        }
        let max_points = max_points(args.max_points, app.config.max_points_limit)?;
        let precision = Precision::of(args.precision)?;
        let query = |symbol: &str| {
            bar_query(
                symbol,
                args.exchange.as_ref(),
                args.interval.as_ref(),
                args.start_date.as_deref(),
                args.end_date.as_deref(),
            )
            .map_err(|e| ToolError::new(format!("{:?}: {e}", crate::echo::clip(symbol.trim()))))
        };
        let queries = args
            .symbols
            .iter()
            .map(|s| query(s))
            .collect::<Result<Vec<_>, _>>()?;
        let interval = queries[0].interval;
        let per_year = match interval {
            Interval::D1 => 252.0,
            Interval::W1 => 52.0,
            Interval::Mo1 => 12.0,
            other => {
                return Err(ToolError::new(format!(
                    "compare_symbols takes 1d, 1wk or 1mo bars, not {other}"
                )));
            }
        };
        let benchmark = match &args.benchmark {
            Some(b) => b.clone(),
            None if matches!(queries[0].symbol.venue, Venue::Nse | Venue::Bse) => {
                "^NSEI".to_string()
            }
            None => "^GSPC".to_string(),
        };
        let mut queries = queries;
        queries.push(query(&benchmark)?);
        let names: Vec<String> = args
            .symbols
            .iter()
            .map(|s| s.trim().to_ascii_uppercase())
            .chain(std::iter::once(benchmark.trim().to_ascii_uppercase()))
            .collect();
        let total = queries.len();
        let mut done = 0;
        let report = &*ctx;
        let read = app
            .chart
            .get_each(queries, Warmup::Bars(0), |i| {
                done += 1;
                report.progress(
                    done as f64,
                    Some(total as f64),
                    format!("read {}", names[i]),
                );
            })
            .await;
        let served = read.into_iter().collect::<Result<Vec<_>, _>>()?;
        for s in &served {
            ctx.depends_on(s);
        }
        let (base, series) = compare(&names, &served, interval, per_year, rf, precision)?;
        let budget = Budget::new(app.config.output_budget_tokens);
        if !args.include_series.unwrap_or(false) {
            let mut out = base;
            Budget::stamp::<CompareSymbols>(&mut out);
            return Ok(out);
        }
        let aligned = base.aligned_dates;
        let per_series = (max_points / series.len()).max(1).min(aligned);
        let (_, out) = budget.fit::<CompareSymbols>(per_series, |n| {
            with_series(&base, &series, n, per_series, max_points, budget)
        });
        Ok(out)
    }

    fn text(out: &CompareOutput) -> String {
        let mut text = format!(
            "{} to {} ({} {} dates aligned, {} dropped), benchmark {}:\n",
            out.start,
            out.end,
            out.aligned_dates,
            out.interval,
            out.dropped_dates,
            out.benchmark.symbol
        );
        text.push_str("symbol,total_return,annualized_return,volatility,max_drawdown,sharpe,beta,correlation\n");
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
        for s in out.symbols.iter().chain(std::iter::once(&out.benchmark)) {
            let _ = writeln!(
                text,
                "{},{:.4},{:.4},{:.4},{:.4},{},{},{}",
                s.symbol,
                s.total_return,
                s.annualized_return,
                s.volatility,
                s.max_drawdown,
                opt(s.sharpe),
                opt(s.beta),
                opt(s.correlation)
            );
        }
        for why in &out.dropped_because {
            let _ = writeln!(text, "# {why}");
        }
        if let Some(m) = &out.message {
            let _ = writeln!(text, "# {m}");
        }
        if let Some(series) = out.series.as_ref().filter(|s| !s.is_empty()) {
            text.push_str("# closes rebased to 100\nt");
            for s in series {
                let _ = write!(text, ",{}", s.symbol);
            }
            text.push('\n');
            for k in 0..series[0].points.len() {
                text.push_str(&series[0].points[k].0);
                for s in series {
                    let _ = write!(text, ",{}", s.points[k].1);
                }
                text.push('\n');
            }
        }
        text
    }
}

/// The comparison over the served bars (symbols first, the benchmark
/// last), without its series, and every series rebased in full.
fn compare(
    names: &[String],
    served: &[Served],
    interval: Interval,
    per_year: f64,
    rf: f64,
    precision: Precision,
) -> Result<(CompareOutput, Vec<RebasedSeries>), ToolError> {
    let closes: Vec<BTreeMap<i64, f64>> = served
        .iter()
        .map(|s| s.in_range().iter().map(|b| (b.ts, b.close)).collect())
        .collect();
    let all: BTreeSet<i64> = closes.iter().flat_map(|c| c.keys().copied()).collect();
    let aligned: Vec<i64> = all
        .iter()
        .copied()
        .filter(|t| closes.iter().all(|c| c.contains_key(t)))
        .collect();
    if aligned.len() < 3 {
        return Err(ToolError::new(format!(
            "only {} dates in the range are traded by every symbol and the benchmark; widen the range or drop the symbol that traded least",
            aligned.len()
        )));
    }
    let dropped_because: Vec<String> = names
        .iter()
        .zip(&closes)
        .filter_map(|(name, c)| {
            let missing = all.len() - c.len();
            (missing > 0)
                .then(|| format!("{name} has no bar on {missing} of the {} dates", all.len()))
        })
        .collect();
    let clock = BarClock::new(interval, chrono_tz::UTC);
    let date = |t: i64| clock.format(t);
    let columns: Vec<Vec<f64>> = closes
        .iter()
        .map(|c| aligned.iter().map(|t| c[t]).collect())
        .collect();
    let returns: Vec<Vec<f64>> = columns.iter().map(|c| analysis::log_returns(c)).collect();
    let bench = columns.len() - 1;
    let round = |v: f64| precision.round(v);
    let finite = |v: f64| v.is_finite().then(|| precision.round(v));
    let stats_of = |i: usize| {
        let st = analysis::stats(&columns[i], per_year, rf);
        let vs_bench = i != bench;
        SymbolStats {
            symbol: names[i].clone(),
            yahoo_symbol: served[i].series.yahoo_symbol.clone(),
            first_close: price(columns[i][0]),
            last_close: price(columns[i][columns[i].len() - 1]),
            total_return: round(st.total_return),
            annualized_return: round(st.annualized_return),
            volatility: round(st.volatility),
            sharpe: finite(st.sharpe),
            max_drawdown: round(st.max_drawdown),
            drawdown_peak: date(aligned[st.drawdown_peak]),
            drawdown_trough: date(aligned[st.drawdown_trough]),
            beta: vs_bench
                .then(|| analysis::beta(&returns[i], &returns[bench]))
                .and_then(finite),
            correlation: vs_bench
                .then(|| analysis::correlation(&returns[i], &returns[bench]))
                .and_then(finite),
        }
    };
    let symbols: Vec<SymbolStats> = (0..bench).map(stats_of).collect();
    let correlation_matrix = (0..bench)
        .map(|i| {
            (0..bench)
                .map(|j| finite(analysis::correlation(&returns[i], &returns[j])))
                .collect()
        })
        .collect();
    let series = names
        .iter()
        .zip(&columns)
        .map(|(name, closes)| RebasedSeries {
            symbol: name.clone(),
            points: aligned
                .iter()
                .zip(closes)
                .map(|(&t, c)| (date(t), round(c / closes[0] * 100.0)))
                .collect(),
        })
        .collect();
    let out = CompareOutput {
        interval: interval.to_string(),
        start: date(aligned[0]),
        end: date(aligned[aligned.len() - 1]),
        benchmark: stats_of(bench),
        symbols,
        aligned_dates: aligned.len(),
        dropped_dates: all.len() - aligned.len(),
        dropped_because,
        correlation_matrix,
        series: None,
        series_truncated: false,
        message: None,
        stale_symbols: served
            .iter()
            .filter(|s| s.stale)
            .map(|s| s.series.yahoo_symbol.clone())
            .collect(),
        estimated_tokens: 0,
    };
    Ok((out, series))
}

/// `base` with the most recent `n` points of each series: one budget of
/// points (`max_points`, shared equally: `cap` each) and of tokens shared
/// by every series, with the note saying how to see the rest when either
/// cut them.
fn with_series(
    base: &CompareOutput,
    series: &[RebasedSeries],
    n: usize,
    cap: usize,
    max_points: usize,
    budget: Budget,
) -> CompareOutput {
    let aligned = base.aligned_dates;
    let mut out = base.clone();
    out.series = Some(
        series
            .iter()
            .map(|s| RebasedSeries {
                symbol: s.symbol.clone(),
                points: s.points[s.points.len() - n..].to_vec(),
            })
            .collect(),
    );
    if n < aligned && n > 0 {
        let why = if n < cap {
            format!(
                "the output budget of {} tokens, shared by the {} series",
                budget.tokens(),
                series.len()
            )
        } else {
            format!(
                "max_points {max_points} shared by {} series; raise max_points to see more",
                series.len()
            )
        };
        let first = &series[0].points[series[0].points.len() - n].0;
        out.series_truncated = true;
        out.message = Some(format!(
            "each series shows its most recent {n} of {aligned} points, from {first} (limited by {why}); ask again with end_date before {first} for the earlier points, or use a coarser interval"
        ));
    }
    Budget::stamp::<CompareSymbols>(&mut out);
    out
}
