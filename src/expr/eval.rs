//! Vectorised evaluation: every node of a [`Program`] once, over whole
//! series, in node order (children first). Indicators run the registry's
//! batch functions; an indicator whose input is a computed series runs on
//! each stretch of defined values, as TA-Lib's wrappers do for a leading
//! NaN prefix (compute from the first defined value, pad the front).

use std::borrow::Cow;

use super::error::{ErrorKind, ExprError};
use super::kernels::{self, Arg, Value};
use super::names::Column;
use super::program::{Id, Kind, Op, Program, Root};
use crate::indicators::{self, IndicatorError, IndicatorSpec, Ohlcv};

/// What one evaluation did, for tests and stats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvalStats {
    /// Nodes evaluated (each distinct subexpression once).
    pub nodes: usize,
    /// Indicator nodes computed (each distinct call once).
    pub indicator_computations: usize,
    /// Calls into the registry (an indicator over an input with gaps runs
    /// once per stretch of defined values).
    pub registry_calls: usize,
}

/// One value reported next to a result: `rsi(14)` = 27.3.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TermValue<'a> {
    pub label: &'a str,
    pub value: f64,
}

/// A node's computed value.
#[derive(Debug)]
enum Slot<'a> {
    Scalar(f64),
    Series(Vec<f64>),
    /// A column of the bars, not copied.
    Borrowed(&'a [f64]),
    /// Every output of a multi-output indicator.
    Outputs(Vec<Vec<f64>>),
    /// Output `.1` of the multi-output node `.0`.
    Output(Id, usize),
}

impl From<Value> for Slot<'_> {
    fn from(v: Value) -> Self {
        match v {
            Value::Scalar(x) => Slot::Scalar(x),
            Value::Series(s) => Slot::Series(s),
        }
    }
}

/// The values of every expression of a program over one series of bars.
#[derive(Debug)]
pub struct Evaluation<'a> {
    program: &'a Program,
    len: usize,
    slots: Vec<Slot<'a>>,
    stats: EvalStats,
}

/// The index of the last bar starting at or before `cutoff` (epoch
/// seconds), for "the last bar on or before a date": for daily bars pass
/// the date's key ([`crate::model::date_key`]). `ts` is ascending.
pub fn last_bar_at_or_before(ts: &[i64], cutoff: i64) -> Option<usize> {
    ts.partition_point(|&t| t <= cutoff).checked_sub(1)
}

/// A condition value as a truth value: `None` for unknown.
pub fn truth(value: f64) -> Option<bool> {
    if value.is_nan() {
        None
    } else {
        Some(value != kernels::FALSE)
    }
}

impl Program {
    /// Evaluates every expression over all of `bars`.
    pub fn evaluate<'a>(&'a self, bars: &Ohlcv<'a>) -> Result<Evaluation<'a>, ExprError> {
        let len = bars.close.len();
        if len == 0 {
            return Err(ExprError::general(
                ErrorKind::Data,
                "no bars to evaluate the expression on",
            ));
        }
        for (name, col) in [
            ("open", bars.open),
            ("high", bars.high),
            ("low", bars.low),
            ("volume", bars.volume),
        ] {
            if col.len() != len {
                return Err(ExprError::general(
                    ErrorKind::Data,
                    format!(
                        "column '{name}' has {} values but 'close' has {len}",
                        col.len()
                    ),
                ));
            }
        }
        let mut ev = Evaluation {
            program: self,
            len,
            slots: Vec::with_capacity(self.nodes.len()),
            stats: EvalStats::default(),
        };
        for node in &self.nodes {
            let slot = ev.compute(&node.op, &node.label, bars)?;
            ev.stats.nodes += 1;
            ev.slots.push(slot);
        }
        for root in &self.roots {
            if let Slot::Scalar(x) = ev.slots[root.node] {
                ev.slots[root.node] = Slot::Series(vec![x; len]);
            }
        }
        Ok(ev)
    }

    /// Evaluates on the bars up to and including `index` only, so nothing
    /// after that bar can leak in (ICHIMOKU's chikou looks ahead); the
    /// value at `index` is then the evaluation's last value.
    pub fn evaluate_at<'a>(
        &'a self,
        bars: &Ohlcv<'a>,
        index: usize,
    ) -> Result<Evaluation<'a>, ExprError> {
        let len = bars.close.len();
        if index >= len {
            return Err(ExprError::general(
                ErrorKind::Data,
                format!("bar {index} does not exist: there are {len} bars"),
            ));
        }
        let end = index + 1;
        let cut = |c: &'a [f64]| &c[..end.min(c.len())];
        let head = Ohlcv {
            open: cut(bars.open),
            high: cut(bars.high),
            low: cut(bars.low),
            close: cut(bars.close),
            volume: cut(bars.volume),
            ts: &bars.ts[..end.min(bars.ts.len())],
            ..*bars
        };
        self.evaluate(&head)
    }
}

impl<'a> Evaluation<'a> {
    /// Bars evaluated.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn stats(&self) -> EvalStats {
        self.stats
    }

    fn arg(&self, id: Id) -> Arg<'_> {
        match &self.slots[id] {
            Slot::Scalar(x) => Arg::Scalar(*x),
            Slot::Series(v) => Arg::Series(v),
            Slot::Borrowed(v) => Arg::Series(v),
            Slot::Outputs(outs) => Arg::Series(outs.first().map_or(&[], Vec::as_slice)),
            Slot::Output(call, k) => match &self.slots[*call] {
                Slot::Outputs(outs) => Arg::Series(outs.get(*k).map_or(&[], Vec::as_slice)),
                _ => Arg::Series(&[]),
            },
        }
    }

    /// A node's values as a series (a constant repeated on every bar).
    fn series(&self, id: Id) -> Cow<'_, [f64]> {
        match self.arg(id) {
            Arg::Scalar(x) => Cow::Owned(vec![x; self.len]),
            Arg::Series(v) => Cow::Borrowed(v),
        }
    }

    fn value_of(&self, id: Id, i: usize) -> f64 {
        match self.arg(id) {
            Arg::Scalar(x) if i < self.len => x,
            Arg::Scalar(_) => f64::NAN,
            Arg::Series(v) => v.get(i).copied().unwrap_or(f64::NAN),
        }
    }

    /// The expression's value on every bar (for an [`Kind::Outputs`] root,
    /// its first output; see [`Evaluation::outputs`]). Conditions are 1.0
    /// true, 0.0 false, NaN unknown.
    pub fn series_of(&self, root: Root) -> &[f64] {
        match self.arg(self.program.root_info(root).node) {
            Arg::Series(v) => v,
            Arg::Scalar(_) => &[],
        }
    }

    /// Every output of the expression, in [`Program::output_labels`] order.
    pub fn outputs(&self, root: Root) -> Vec<&[f64]> {
        let node = self.program.root_info(root).node;
        match &self.slots[node] {
            Slot::Outputs(outs) if self.program.nodes[node].kind == Kind::Outputs => {
                outs.iter().map(Vec::as_slice).collect()
            }
            _ => vec![self.series_of(root)],
        }
    }

    /// The value on bar `i` (NaN past the end).
    pub fn value(&self, root: Root, i: usize) -> f64 {
        self.value_of(self.program.root_info(root).node, i)
    }

    /// The value on the last bar.
    pub fn latest(&self, root: Root) -> f64 {
        self.value(root, self.len - 1)
    }

    /// The value of every term on bar `i`, labelled as
    /// [`Program::term_labels`]: for `rsi(14) < 30 and close > sma(200)`,
    /// `rsi(14)`, `close` and `sma(200)`.
    pub fn terms(&self, root: Root, i: usize) -> Vec<TermValue<'a>> {
        self.program
            .root_info(root)
            .terms
            .iter()
            .map(|&id| TermValue {
                label: &self.program.nodes[id].label,
                value: self.value_of(id, i),
            })
            .collect()
    }

    fn compute(&mut self, op: &Op, label: &str, bars: &Ohlcv<'a>) -> Result<Slot<'a>, ExprError> {
        Ok(match op {
            Op::Const(x) => Slot::Scalar(*x),
            Op::Column(c) => Slot::Borrowed(column(bars, *c)),
            Op::Neg(a) => kernels::map1(self.arg(*a), kernels::neg).into(),
            Op::Not(a) => kernels::map1(self.arg(*a), kernels::not).into(),
            Op::Abs(a) => kernels::map1(self.arg(*a), kernels::abs).into(),
            Op::Binary(op, a, b) => kernels::binary(*op, self.arg(*a), self.arg(*b)).into(),
            Op::Min(a, b) => kernels::map2(self.arg(*a), self.arg(*b), kernels::min).into(),
            Op::Max(a, b) => kernels::map2(self.arg(*a), self.arg(*b), kernels::max).into(),
            Op::Lag(a, n) => Slot::Series(kernels::lag(&self.series(*a), *n)),
            Op::Highest(a, n) => Slot::Series(kernels::extreme(&self.series(*a), *n, true)),
            Op::Lowest(a, n) => Slot::Series(kernels::extreme(&self.series(*a), *n, false)),
            Op::CrossAbove(a, b) => {
                Slot::Series(kernels::cross(&self.series(*a), &self.series(*b), true))
            }
            Op::CrossBelow(a, b) => {
                Slot::Series(kernels::cross(&self.series(*a), &self.series(*b), false))
            }
            Op::Within(a, n) => Slot::Series(kernels::within(&self.series(*a), *n)),
            Op::Indicator {
                spec,
                params,
                input,
            } => {
                let (mut outs, calls) = self.indicator(spec, params, *input, label, bars)?;
                self.stats.indicator_computations += 1;
                self.stats.registry_calls += calls;
                if outs.len() == 1 {
                    Slot::Series(outs.pop().unwrap_or_default())
                } else {
                    Slot::Outputs(outs)
                }
            }
            Op::Output { call, index } => Slot::Output(*call, *index),
        })
    }

    /// The outputs of one indicator node, and the registry calls it took.
    fn indicator(
        &self,
        spec: &IndicatorSpec,
        params: &[f64],
        input: Option<Id>,
        label: &str,
        bars: &Ohlcv<'a>,
    ) -> Result<(Vec<Vec<f64>>, usize), ExprError> {
        let failed =
            |e: IndicatorError| ExprError::general(ErrorKind::Data, format!("{label}: {e}"));
        let input =
            input.filter(|&i| !matches!(self.program.nodes[i].op, Op::Column(Column::Close)));
        let Some(input) = input else {
            let outs = indicators::compute(spec, bars, params).map_err(failed)?;
            return Ok((outs, 1));
        };
        let x = self.series(input);
        let need = (spec.lookback)(params).saturating_add(1);
        let mut outs = vec![vec![f64::NAN; x.len()]; spec.outputs.len()];
        let (mut longest, mut calls) = (0, 0);
        for (s, e) in defined_runs(&x) {
            longest = longest.max(e - s);
            if e - s < need {
                continue;
            }
            let part =
                indicators::compute(spec, &window(bars, &x, s, e), params).map_err(failed)?;
            calls += 1;
            for (out, values) in outs.iter_mut().zip(part) {
                let n = values.len().min(e - s);
                out[s..s + n].copy_from_slice(&values[..n]);
            }
        }
        if calls == 0 {
            let input_label = &self.program.nodes[input].label;
            return Err(ExprError::general(
                ErrorKind::Data,
                format!(
                    "{label}: not enough data: its input '{input_label}' has at most {longest} consecutive defined values and {} needs at least {need}",
                    spec.name
                ),
            )
            .hint("evaluate on more bars, or use a shorter period"));
        }
        Ok((outs, calls))
    }
}

fn column<'a>(bars: &Ohlcv<'a>, c: Column) -> &'a [f64] {
    match c {
        Column::Open => bars.open,
        Column::High => bars.high,
        Column::Low => bars.low,
        Column::Close => bars.close,
        Column::Volume => bars.volume,
    }
}

/// The `[start, end)` stretches of finite values of `x`.
fn defined_runs(x: &[f64]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < x.len() && !x[i].is_finite() {
            i += 1;
        }
        let start = i;
        while i < x.len() && x[i].is_finite() {
            i += 1;
        }
        (start < i).then_some((start, i))
    })
}

/// Bars `s..e` with `close` replaced by `input[s..e]`.
fn window<'b>(bars: &Ohlcv<'b>, input: &'b [f64], s: usize, e: usize) -> Ohlcv<'b> {
    let cut = |c: &'b [f64]| c.get(s..e).unwrap_or(&[]);
    Ohlcv {
        open: cut(bars.open),
        high: cut(bars.high),
        low: cut(bars.low),
        close: cut(input),
        volume: cut(bars.volume),
        ts: bars.ts.get(s..e).unwrap_or(&[]),
        ..*bars
    }
}
