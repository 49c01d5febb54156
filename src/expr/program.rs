//! A compiled set of expressions: one graph of nodes shared by every
//! expression added to it, so a subexpression written twice (in one
//! expression, or in the condition and the sort key) is one node and is
//! computed once per evaluation.
//!
//! Nodes are keyed by their canonical text (see [`Program::label`]): two
//! spellings that mean the same computation (`sma(close, 200)`,
//! `sma(timeperiod=200)`, `SMA(200)`) print the same and share a node.
//! Children always come before their parents, so the node list is already
//! in evaluation order.

use std::collections::HashMap;

use super::ast::{BinOp, Prec};
use super::error::ExprError;
use super::names::Column;
use super::resolve::Resolver;
use super::{parser, warmup};
use crate::indicators::{IndicatorSpec, Warmup};

pub(super) type Id = usize;

/// What an expression (or a node) yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A number per bar (NaN where undefined).
    Number,
    /// True / false / unknown per bar, as 1.0 / 0.0 / NaN.
    Condition,
    /// Every output of a multi-output indicator (`bbands(20)`); only the
    /// root of an expression added with [`Program::add_plot`].
    Outputs,
}

/// One computation.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Const(f64),
    Column(Column),
    Neg(Id),
    Not(Id),
    Abs(Id),
    Binary(BinOp, Id, Id),
    Min(Id, Id),
    Max(Id, Id),
    Lag(Id, usize),
    Highest(Id, usize),
    Lowest(Id, usize),
    CrossAbove(Id, Id),
    CrossBelow(Id, Id),
    Within(Id, usize),
    /// A registry indicator with resolved parameters (in `spec.params`
    /// order); `input` is the series a single-input indicator reads in
    /// place of close (the close column itself when none was named), `None`
    /// for indicators that read the bars' columns themselves.
    Indicator {
        spec: &'static IndicatorSpec,
        params: Vec<f64>,
        input: Option<Id>,
    },
    /// Output `index` of a multi-output indicator node.
    Output {
        call: Id,
        index: usize,
    },
}

#[derive(Debug, Clone)]
pub(super) struct Node {
    pub op: Op,
    pub kind: Kind,
    /// Canonical text; also the node's identity.
    pub label: String,
    /// How tightly the label binds, to parenthesise it inside a parent.
    pub prec: Prec,
}

/// One expression added to a [`Program`]; it belongs to that program (a
/// root from another program reads the wrong expression).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Root(pub(super) usize);

#[derive(Debug, Clone)]
pub(super) struct RootInfo {
    pub node: Id,
    pub text: String,
    /// The values reported next to a result, in order of first appearance.
    pub terms: Vec<Id>,
}

/// Compiled expressions, ready to evaluate on any number of series.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub(super) nodes: Vec<Node>,
    by_label: HashMap<String, Id>,
    pub(super) roots: Vec<RootInfo>,
}

impl Program {
    pub fn new() -> Program {
        Program::default()
    }

    /// Compiles `text` and adds it: a number (`sma(close, 20) - sma(close,
    /// 50)`) or a condition (`rsi(14) < 30 and close > sma(200)`). A
    /// multi-output indicator must name its output (`macd().signal`). On an
    /// error the program is unchanged.
    pub fn add(&mut self, text: &str) -> Result<Root, ExprError> {
        self.add_root(text, false)
    }

    /// Like [`Program::add`], but a multi-output indicator without a
    /// selector stands for all its outputs, as a chart overlay or pane
    /// draws them (`bbands(20)`: three bands; `macd`: three lines).
    pub fn add_plot(&mut self, text: &str) -> Result<Root, ExprError> {
        self.add_root(text, true)
    }

    fn add_root(&mut self, text: &str, allow_outputs: bool) -> Result<Root, ExprError> {
        let ast = parser::parse(text)?;
        let mark = self.nodes.len();
        let resolved = Resolver::new(self).root(&ast, allow_outputs);
        let node = match resolved {
            Ok(node) => node,
            Err(e) => {
                self.nodes.truncate(mark);
                self.by_label.retain(|_, id| *id < mark);
                return Err(e);
            }
        };
        let terms = self.collect_terms(node);
        self.roots.push(RootInfo {
            node,
            text: text.to_string(),
            terms,
        });
        Ok(Root(self.roots.len() - 1))
    }

    /// The existing node with this label, or a new one.
    pub(super) fn intern(&mut self, op: Op, kind: Kind, label: String, prec: Prec) -> Id {
        if let Some(&id) = self.by_label.get(&label) {
            return id;
        }
        self.nodes.push(Node {
            op,
            kind,
            label: label.clone(),
            prec,
        });
        let id = self.nodes.len() - 1;
        self.by_label.insert(label, id);
        id
    }

    pub(super) fn root_info(&self, root: Root) -> &RootInfo {
        &self.roots[root.0.min(self.roots.len().saturating_sub(1))]
    }

    /// The expressions added so far, in order.
    pub fn roots(&self) -> impl Iterator<Item = Root> + '_ {
        (0..self.roots.len()).map(Root)
    }

    pub fn kind(&self, root: Root) -> Kind {
        self.nodes[self.root_info(root).node].kind
    }

    /// The text the expression was added with.
    pub fn text(&self, root: Root) -> &str {
        &self.root_info(root).text
    }

    /// The canonical text: lower-case names, positional parameters up to
    /// the last one that differs from its default (at least one), `close`
    /// as input left out, TA-Lib's output names, single spaces around
    /// operators and only the parentheses precedence needs. It parses back
    /// to the same expression, so it is a stable label: `RSI(timeperiod=14)`
    /// and `rsi()` are both `rsi(14)`.
    pub fn label(&self, root: Root) -> &str {
        &self.nodes[self.root_info(root).node].label
    }

    /// Labels of the root's outputs: one for a number or condition; for an
    /// [`Kind::Outputs`] root, `bbands(20).upperband` and so on.
    pub fn output_labels(&self, root: Root) -> Vec<String> {
        let node = &self.nodes[self.root_info(root).node];
        match &node.op {
            Op::Indicator { spec, .. } if node.kind == Kind::Outputs => spec
                .outputs
                .iter()
                .map(|o| format!("{}.{o}", node.label))
                .collect(),
            _ => vec![node.label.clone()],
        }
    }

    /// The registry indicator an expression is, when it is one call of
    /// one (`rsi(14)`, `bbands(20)`) or one output of one
    /// (`macd().signal`): charts draw such a pane with the indicator's
    /// reference levels. `None` for anything computed from it.
    pub fn root_indicator(&self, root: Root) -> Option<&'static IndicatorSpec> {
        let mut node = &self.nodes[self.root_info(root).node];
        if let Op::Output { call, .. } = node.op {
            node = &self.nodes[call];
        }
        match node.op {
            Op::Indicator { spec, .. } => Some(spec),
            _ => None,
        }
    }

    /// Labels of the values reported with a result ([`super::Evaluation::terms`]).
    pub fn term_labels(&self, root: Root) -> Vec<&str> {
        self.root_info(root)
            .terms
            .iter()
            .map(|&id| self.nodes[id].label.as_str())
            .collect()
    }

    /// How many bars before the first wanted bar every expression needs for
    /// its values there to be final (`FullHistory` when a cumulative
    /// indicator is involved); `intraday` selects session rules.
    pub fn warmup(&self, intraday: bool) -> Warmup {
        let needs = warmup::node_warmups(&self.nodes, intraday);
        self.roots
            .iter()
            .map(|r| needs[r.node])
            .max()
            .unwrap_or(Warmup::Bars(0))
    }

    /// [`Program::warmup`] for one expression.
    pub fn root_warmup(&self, root: Root, intraday: bool) -> Warmup {
        warmup::node_warmups(&self.nodes, intraday)[self.root_info(root).node]
    }

    /// Distinct registry indicator computations one evaluation performs.
    pub fn indicator_count(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| matches!(n.op, Op::Indicator { .. }))
            .count()
    }

    /// The terms of a root: for a condition, the operands of every
    /// comparison and cross (constants left out); for a number, the number
    /// itself. Each term is followed by the indicator values inside it.
    fn collect_terms(&self, root: Id) -> Vec<Id> {
        let mut out = Vec::new();
        if self.nodes[root].kind == Kind::Condition {
            self.condition_terms(root, &mut out);
        } else {
            self.term(root, &mut out);
        }
        out
    }

    fn condition_terms(&self, id: Id, out: &mut Vec<Id>) {
        match self.nodes[id].op {
            Op::Binary(op, a, b) if op.is_comparison() => {
                self.term(a, out);
                self.term(b, out);
            }
            Op::CrossAbove(a, b) | Op::CrossBelow(a, b) => {
                self.term(a, out);
                self.term(b, out);
            }
            Op::Binary(_, a, b) => {
                self.condition_terms(a, out);
                self.condition_terms(b, out);
            }
            Op::Not(a) | Op::Within(a, _) | Op::Lag(a, _) => self.condition_terms(a, out),
            _ => {}
        }
    }

    fn term(&self, id: Id, out: &mut Vec<Id>) {
        if matches!(self.nodes[id].op, Op::Const(_)) {
            return;
        }
        if !out.contains(&id) {
            out.push(id);
        }
        self.indicators_inside(id, out);
    }

    /// Every indicator value below `id`, in reading order.
    fn indicators_inside(&self, id: Id, out: &mut Vec<Id>) {
        let node = &self.nodes[id];
        let add = |child: Id, out: &mut Vec<Id>| {
            let c = &self.nodes[child];
            let is_value = matches!(c.op, Op::Output { .. })
                || (matches!(c.op, Op::Indicator { .. }) && c.kind == Kind::Number);
            if is_value && !out.contains(&child) {
                out.push(child);
            }
            self.indicators_inside(child, out);
        };
        match node.op {
            Op::Const(_) | Op::Column(_) => {}
            Op::Neg(a)
            | Op::Not(a)
            | Op::Abs(a)
            | Op::Lag(a, _)
            | Op::Highest(a, _)
            | Op::Lowest(a, _)
            | Op::Within(a, _) => add(a, out),
            Op::Binary(_, a, b)
            | Op::Min(a, b)
            | Op::Max(a, b)
            | Op::CrossAbove(a, b)
            | Op::CrossBelow(a, b) => {
                add(a, out);
                add(b, out);
            }
            Op::Indicator { input, .. } => {
                if let Some(a) = input {
                    add(a, out);
                }
            }
            // The call node itself is of kind Outputs: not a value to show.
            Op::Output { call, .. } => self.indicators_inside(call, out),
        }
    }
}
