//! `screen_stocks`: a condition in the expression language evaluated on
//! each symbol of a universe (an index from the symbol directory, or a
//! list) at its last daily bar on or before a date, through the service's
//! tiers. Nothing after that bar is seen (the program is evaluated on the
//! bars up to it). Symbols that cannot be evaluated are reported with why.

use std::fmt::Write as _;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::args::limit;
use super::columns::Columns;
use super::numbers::{Precision, price};
use super::paging::Budget;
use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::directory::Directory;
use crate::expr::{self, Kind, Program, SortKey};
use crate::model::{Interval, date_key};
use crate::service::{BarQuery, Bound, Served};

/// The `screen_stocks` tool.
pub struct ScreenStocks;

/// Most symbols one screen may cover.
const MAX_UNIVERSE: usize = 200;
/// Days of bars before `as_of` read besides the warm-up, so a holiday or a
/// gap at the end still leaves a last bar to evaluate.
const TAIL_DAYS: i64 = 14;

/// An index by name, or symbols.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Universe {
    /// An index from the symbol directory: NIFTY50 (default), BANKNIFTY, "NIFTY 50"...
    Index(String),
    /// Symbols, as the other tools take them.
    Symbols(Vec<String>),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenArgs {
    /// An index name (NIFTY50, the default, or BANKNIFTY) or a list of symbols (at most 200).
    #[serde(default)]
    pub universe: Option<Universe>,
    /// The condition, in the expression language: e.g. "rsi(14) < 30 and close > sma(200)", "cross_above(sma(20), sma(50)) within 5".
    pub conditions: String,
    /// Evaluate at the last daily bar on or before this date (YYYY-MM-DD). Default: today.
    #[serde(default)]
    pub as_of: Option<String>,
    /// A term or expression to sort the matches by, ascending; append " desc" for descending (e.g. "rsi(14) desc").
    #[serde(default)]
    pub sort_by: Option<String>,
    /// Most matches to return (default 20, at most 200). The server's output budget may cut them further, with a message.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Significant digits of the term values, 1 to 17 (default 10). Prices print as quoted.
    #[serde(default)]
    pub precision: Option<i64>,
}

/// One term's value at the evaluated bar.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TermOut {
    pub term: String,
    /// null where the term has no value on that bar (warm-up).
    pub value: Option<f64>,
}

/// A symbol that matched.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ScreenMatch {
    pub symbol: String,
    pub yahoo_symbol: String,
    pub name: Option<String>,
    /// The bar the condition was evaluated on.
    pub date: String,
    pub close: f64,
    /// Every term of the condition (and the sort key) on that bar.
    pub terms: Vec<TermOut>,
    pub sort_value: Option<f64>,
}

/// A symbol the screen could not evaluate, and why.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct NotEvaluated {
    pub symbol: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ScreenOutput {
    /// The universe as resolved: the index's name, or "list".
    pub universe: String,
    pub symbols_screened: usize,
    /// The condition, canonical.
    pub conditions: String,
    pub as_of: String,
    pub sort_by: Option<String>,
    pub matches: Vec<ScreenMatch>,
    /// Matches before `limit`.
    pub total_matches: usize,
    /// Symbols where the condition was unknown on the bar (a term without a value) or false are not listed; these could not be evaluated at all.
    pub not_evaluated: Vec<NotEvaluated>,
    /// Symbols served from the store because the upstream failed.
    pub stale_symbols: Vec<String>,
    /// About the universe: index membership is today's (survivorship bias for past dates).
    pub note: Option<String>,
    /// Set when `limit` or the output budget left matches out, with how to see them.
    pub message: Option<String>,
    /// Estimated tokens of this answer (bytes / 4 of the larger of its text and structured content).
    pub estimated_tokens: usize,
}

/// The compiled condition and sort key, checked before any fetch.
struct Screen {
    program: Program,
    condition: expr::Root,
    sort: Option<(expr::Root, bool)>,
}

impl Screen {
    fn compile(conditions: &str, sort_by: Option<&str>) -> Result<Screen, ToolError> {
        let mut program = Program::new();
        let condition = program
            .add(conditions)
            .map_err(|e| ToolError::new(format!("conditions: {e}")))?;
        if program.kind(condition) != Kind::Condition {
            return Err(ToolError::new(format!(
                "conditions `{}` is a number, not a condition; compare it, e.g. `{} > 0`",
                program.label(condition),
                program.label(condition)
            )));
        }
        let sort = match sort_by.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => {
                let key = SortKey::parse(text);
                let root = program
                    .add(key.expression)
                    .map_err(|e| ToolError::new(format!("sort_by: {e}")))?;
                Some((root, key.descending))
            }
        };
        Ok(Screen {
            program,
            condition,
            sort,
        })
    }
}

super::paging::measured!(ScreenOutput);

impl Tool for ScreenStocks {
    const NAME: &'static str = "screen_stocks";
    type Args = ScreenArgs;
    type Output = ScreenOutput;

    fn description() -> String {
        "Screen a universe (NIFTY50 by default, BANKNIFTY, or a list of symbols) with a condition in \
         the expression language, e.g. \"rsi(14) < 30 and close > sma(200)\" or \
         \"cross_above(sma(20), sma(50)) within 5\", on each symbol's last daily bar on or before \
         `as_of` (default today), with no lookahead. Returns the matches with the value of every \
         term, sorted by `sort_by` (\"rsi(14) desc\"), and the symbols that could not be evaluated \
         and why. Index membership is today's."
            .to_string()
    }

    async fn run(
        app: &App,
        args: ScreenArgs,
        ctx: &mut CallContext,
    ) -> Result<ScreenOutput, ToolError> {
        let screen = Screen::compile(&args.conditions, args.sort_by.as_deref())?;
        let limit = limit(args.limit, 20, MAX_UNIVERSE)?;
        let precision = Precision::of(args.precision)?;
        let (universe, symbols, note) = resolve_universe(args.universe.as_ref())?;
        let today = crate::calendar::Exchange::Nse
            .calendar()
            .local_date(app.clock().now());
        let as_of = as_of_date(args.as_of.as_deref(), today)?;
        let queries = queries(&symbols, as_of)?;
        if args.as_of.is_none() {
            // "Today" means another date after midnight.
            let zone = crate::calendar::Exchange::Nse.calendar().zone();
            let tomorrow = today.succ_opt().unwrap_or(today);
            ctx.valid_until(crate::model::local_midnight(zone, tomorrow));
        }
        let total = queries.len();
        let mut done = 0;
        let report = &*ctx;
        let fetched = app
            .chart
            .get_each(queries, screen.program.warmup(false), |i| {
                done += 1;
                let message = format!("read {} ({done} of {total})", symbols[i]);
                report.progress(done as f64, Some(total as f64), message);
            })
            .await;
        let mut matches = Vec::new();
        let mut not_evaluated = Vec::new();
        let mut stale_symbols = Vec::new();
        for (asked, outcome) in symbols.iter().zip(fetched) {
            let served = match outcome {
                Ok(served) => served,
                Err(e) => {
                    not_evaluated.push(NotEvaluated {
                        symbol: asked.clone(),
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            ctx.depends_on(&served);
            if served.stale {
                stale_symbols.push(served.series.yahoo_symbol.clone());
            }
            match evaluate(&screen, asked, &served, as_of, precision) {
                Ok(Some(m)) => matches.push(m),
                Ok(None) => {}
                Err(reason) => not_evaluated.push(NotEvaluated {
                    symbol: asked.clone(),
                    reason,
                }),
            }
        }
        if let Some((_, descending)) = screen.sort {
            sort_matches(&mut matches, descending);
        }
        let total_matches = matches.len();
        let base = ScreenOutput {
            universe,
            symbols_screened: total,
            conditions: screen.program.label(screen.condition).to_string(),
            as_of: as_of.to_string(),
            sort_by: screen.sort.map(|(r, d)| {
                format!(
                    "{}{}",
                    screen.program.label(r),
                    if d { " desc" } else { "" }
                )
            }),
            matches: Vec::new(),
            total_matches,
            not_evaluated,
            stale_symbols,
            note,
            message: None,
            estimated_tokens: 0,
        };
        let budget = Budget::new(app.config.output_budget_tokens);
        let cap = total_matches.min(limit);
        let (_, out) = budget.fit::<ScreenStocks>(cap, |n| {
            let mut out = base.clone();
            out.matches = matches[..n].to_vec();
            if n < total_matches {
                let why = if n < cap {
                    format!(
                        "the output budget of {} tokens; narrow the universe or the condition, or sort_by to rank the ones you want first",
                        budget.tokens()
                    )
                } else {
                    format!("limit {limit} (at most {MAX_UNIVERSE})")
                };
                out.message = Some(format!(
                    "{total_matches} symbols match; this answer lists the first {n} (limited by {why})"
                ));
            }
            Budget::stamp::<ScreenStocks>(&mut out);
            out
        });
        Ok(out)
    }

    fn text(out: &ScreenOutput) -> String {
        let mut text = format!(
            "{} of {} symbols of {} match `{}` as of {}",
            out.total_matches, out.symbols_screened, out.universe, out.conditions, out.as_of
        );
        if out.matches.len() < out.total_matches {
            let _ = write!(text, " (showing {})", out.matches.len());
        }
        text.push('\n');
        for m in &out.matches {
            let terms: Vec<String> = m
                .terms
                .iter()
                .map(|t| match t.value {
                    Some(v) => format!("{}={v}", t.term),
                    None => format!("{}=n/a", t.term),
                })
                .collect();
            let _ = writeln!(
                text,
                "{} {} close {}: {}",
                m.symbol,
                m.date,
                m.close,
                terms.join(", ")
            );
        }
        for n in &out.not_evaluated {
            let _ = writeln!(text, "# not evaluated: {}: {}", n.symbol, n.reason);
        }
        if let Some(note) = &out.note {
            let _ = writeln!(text, "# {note}");
        }
        if let Some(m) = &out.message {
            let _ = writeln!(text, "# {m}");
        }
        text
    }
}

/// `as_of` as given (YYYY-MM-DD, not after today), or today.
fn as_of_date(given: Option<&str>, today: NaiveDate) -> Result<NaiveDate, ToolError> {
    let as_of = match given.map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            ToolError::new(format!(
                "as_of {:?} is not a date; write YYYY-MM-DD",
                crate::echo::clip(text)
            ))
        })?,
    };
    if as_of > today {
        return Err(ToolError::new(format!(
            "as_of {as_of} is after today ({today}); screens cannot see the future"
        )));
    }
    Ok(as_of)
}

/// The daily bars each symbol is read over: a few weeks up to `as_of`
/// (the warm-up is added by the service). Every symbol is checked first.
fn queries(symbols: &[String], as_of: NaiveDate) -> Result<Vec<BarQuery>, ToolError> {
    symbols
        .iter()
        .map(|s| {
            let symbol = crate::symbol::resolve_on(s, None)
                .map_err(|e| ToolError::new(format!("universe: {s:?}: {e}")))?;
            Ok(BarQuery {
                symbol,
                interval: Interval::D1,
                start: Some(Bound::Date(as_of - chrono::Duration::days(TAIL_DAYS))),
                end: Some(Bound::Date(as_of)),
                adjust: Default::default(),
                max_age_secs: None,
            })
        })
        .collect()
}

/// By sort value (no value last), then by symbol.
fn sort_matches(matches: &mut [ScreenMatch], descending: bool) {
    let key = SortKey {
        expression: "",
        descending,
    };
    matches.sort_by(|a, b| {
        let (x, y) = (
            a.sort_value.unwrap_or(f64::NAN),
            b.sort_value.unwrap_or(f64::NAN),
        );
        key.compare(x, y).then_with(|| a.symbol.cmp(&b.symbol))
    });
}

/// The universe's name, its symbols, and what to say about it.
fn resolve_universe(
    universe: Option<&Universe>,
) -> Result<(String, Vec<String>, Option<String>), ToolError> {
    let directory = Directory::get();
    match universe {
        None => resolve_universe(Some(&Universe::Index("NIFTY50".to_string()))),
        Some(Universe::Index(name)) => {
            let members = directory.index_members(name).ok_or_else(|| {
                ToolError::new(format!(
                    "universe {:?} is not an index the symbol directory knows; use NIFTY50 or BANKNIFTY, or a list of symbols",
                    crate::echo::clip(name)
                ))
            })?;
            let index = directory
                .lookup(name.trim())
                .map_or_else(|| name.trim().to_string(), |l| l.name.clone());
            let note = format!(
                "{index} membership as of {} (today's), also for past dates: a screen of an earlier date misses stocks that left the index since (survivorship bias)",
                directory.memberships_as_of()
            );
            Ok((
                index,
                members.iter().map(|l| l.symbol.clone()).collect(),
                Some(note),
            ))
        }
        Some(Universe::Symbols(list)) => {
            if list.is_empty() || list.len() > MAX_UNIVERSE {
                return Err(ToolError::new(format!(
                    "universe lists {} symbols; give 1 to {MAX_UNIVERSE}",
                    list.len()
                )));
            }
            Ok(("list".to_string(), list.clone(), None))
        }
    }
}

/// The condition on the last bar on or before `as_of`: a match, nothing
/// (false or unknown), or why it cannot be evaluated.
fn evaluate(
    screen: &Screen,
    asked: &str,
    served: &Served,
    as_of: NaiveDate,
    precision: Precision,
) -> Result<Option<ScreenMatch>, String> {
    let cols = Columns::of(served);
    let Some(index) = expr::last_bar_at_or_before(&cols.ts, date_key(as_of)) else {
        return Err(format!("no daily bar on or before {as_of}"));
    };
    let bars = cols.ohlcv();
    let ev = screen
        .program
        .evaluate_at(&bars, index)
        .map_err(|e| e.to_string())?;
    let last = ev.len() - 1;
    let date = crate::model::key_date(cols.ts[index]);
    match expr::truth(ev.value(screen.condition, last)) {
        Some(true) => {}
        Some(false) => return Ok(None),
        None => {
            let missing: Vec<String> = ev
                .terms(screen.condition, last)
                .into_iter()
                .filter(|t| !t.value.is_finite())
                .map(|t| t.label.to_string())
                .collect();
            return Err(format!(
                "{} has no value on {date}: {} bars of history up to it are not enough",
                missing.join(", "),
                index + 1
            ));
        }
    }
    let mut terms: Vec<TermOut> = ev
        .terms(screen.condition, last)
        .into_iter()
        .map(|t| TermOut {
            term: t.label.to_string(),
            value: t.value.is_finite().then(|| precision.round(t.value)),
        })
        .collect();
    let sort_value = screen
        .sort
        .map(|(root, _)| ev.value(root, last))
        .filter(|v| v.is_finite())
        .map(|v| precision.round(v));
    if let Some((root, _)) = screen.sort {
        let label = screen.program.label(root);
        if !terms.iter().any(|t| t.term == label) {
            terms.push(TermOut {
                term: label.to_string(),
                value: sort_value,
            });
        }
    }
    let series = &served.series;
    Ok(Some(ScreenMatch {
        symbol: asked.trim().to_ascii_uppercase(),
        yahoo_symbol: series.yahoo_symbol.clone(),
        name: Directory::get()
            .by_yahoo(&series.yahoo_symbol)
            .map(|l| l.name.clone()),
        date: date.to_string(),
        close: price(cols.close[index]),
        terms,
        sort_value,
    }))
}
