//! Name resolution and type checking: turns an [`Ast`] into program nodes.
//! Names are checked against the price columns, the built-ins and the
//! indicator registry; indicator parameters go through
//! [`indicators::resolve_params`] so their errors are the registry's own.
//! Arithmetic on constants is folded here, with the evaluator's own code.
//!
//! Recursion follows the syntax tree, whose depth the parser has bounded.

use super::MAX_BARS;
use super::ast::{Arg, Ast, AstKind, BinOp, Prec};
use super::error::{ErrorKind, ExprError};
use super::kernels;
use super::lexer::shorten;
use super::names::{self, Builtin, Column};
use super::program::{Id, Kind, Op, Program};
use crate::indicators::IndicatorSpec;

pub(super) struct Resolver<'p> {
    pub(super) prog: &'p mut Program,
    /// Distinct indicator nodes this expression uses, for the limit.
    pub(super) calls: Vec<Id>,
}

/// A number as the canonical text prints it: whole numbers without a
/// fraction, others in Rust's shortest round-trip form (`0.1`, `1e-7`).
pub(super) fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:?}")
    }
}

impl<'p> Resolver<'p> {
    pub(super) fn new(prog: &'p mut Program) -> Resolver<'p> {
        Resolver {
            prog,
            calls: Vec::new(),
        }
    }

    /// The node of a whole expression.
    pub(super) fn root(mut self, ast: &Ast, allow_outputs: bool) -> Result<Id, ExprError> {
        if allow_outputs {
            self.any(ast)
        } else {
            self.value(ast)
        }
    }

    pub(super) fn kind(&self, id: Id) -> Kind {
        self.prog.nodes[id].kind
    }

    pub(super) fn label(&self, id: Id) -> &str {
        &self.prog.nodes[id].label
    }

    pub(super) fn constant(&self, id: Id) -> Option<f64> {
        match (&self.prog.nodes[id].op, self.kind(id)) {
            (Op::Const(x), Kind::Number) => Some(*x),
            _ => None,
        }
    }

    /// A constant; an undefined one (a folded `0 / 0`) prints as `(0 / 0)`
    /// so that its label still parses.
    fn konst(&mut self, x: f64) -> Id {
        let prec = if x < 0.0 { Prec::Neg } else { Prec::Atom };
        let label = if x.is_nan() {
            "(0 / 0)".to_string()
        } else {
            fmt_num(x)
        };
        self.prog.intern(Op::Const(x), Kind::Number, label, prec)
    }

    /// A node's label as an operand of a parent that binds at `prec`:
    /// parenthesised when the child binds more loosely (or equally, when
    /// `strict`, for the right side of a left-associative operator).
    fn operand(&self, id: Id, prec: Prec, strict: bool) -> String {
        let n = &self.prog.nodes[id];
        if n.prec < prec || (strict && n.prec == prec) {
            format!("({})", n.label)
        } else {
            n.label.clone()
        }
    }

    /// A number or a condition (a multi-output indicator must be selected).
    pub(super) fn value(&mut self, ast: &Ast) -> Result<Id, ExprError> {
        let id = self.any(ast)?;
        if self.kind(id) == Kind::Outputs
            && let Op::Indicator { spec, .. } = &self.prog.nodes[id].op
        {
            let label = self.label(id).to_string();
            return Err(ExprError::at(
                ErrorKind::Type,
                ast.pos,
                format!(
                    "{label} has {} outputs: {}",
                    spec.outputs.len(),
                    names::describe_outputs(spec)
                ),
            )
            .hint(format!("select one, e.g. {label}.{}", spec.outputs[0])));
        }
        Ok(id)
    }

    /// `ast` resolved and checked to be of kind `want`; `context` (which
    /// names position `pos`) says who needs it.
    fn typed(&mut self, ast: &Ast, want: Kind, context: &str, pos: usize) -> Result<Id, ExprError> {
        let id = self.value(ast)?;
        let got = self.kind(id);
        if got == want {
            return Ok(id);
        }
        let label = shorten(self.label(id), 40);
        let err = match want {
            Kind::Number => ExprError::general(
                ErrorKind::Type,
                format!("{context} needs a number, but '{label}' is a condition (true/false)"),
            ),
            _ => ExprError::general(
                ErrorKind::Type,
                format!("{context} needs a condition, but '{label}' is a number"),
            )
            .hint(format!("compare it, e.g. {label} > 0")),
        };
        Err(ExprError {
            position: Some(pos),
            ..err
        })
    }

    fn any(&mut self, ast: &Ast) -> Result<Id, ExprError> {
        match &ast.node {
            AstKind::Number(x) => Ok(self.konst(*x)),
            AstKind::Name(name) => self.name(name, ast.pos),
            AstKind::Call { name, args } => self.call(name, args, ast.pos),
            AstKind::Select {
                base,
                field,
                field_pos,
            } => self.select(base, field, *field_pos),
            AstKind::Neg(x) => {
                let a = self.typed(x, Kind::Number, &format!("'-' at {}", ast.pos), ast.pos)?;
                if let Some(c) = self.constant(a) {
                    return Ok(self.konst(kernels::neg(c)));
                }
                let label = format!("-{}", self.operand(a, Prec::Neg, false));
                Ok(self.prog.intern(Op::Neg(a), Kind::Number, label, Prec::Neg))
            }
            AstKind::Not(x) => {
                let a = self.typed(
                    x,
                    Kind::Condition,
                    &format!("'not' at {}", ast.pos),
                    ast.pos,
                )?;
                let label = format!("not {}", self.operand(a, Prec::Not, false));
                Ok(self
                    .prog
                    .intern(Op::Not(a), Kind::Condition, label, Prec::Not))
            }
            AstKind::Binary {
                op,
                op_pos,
                lhs,
                rhs,
            } => self.binary(*op, *op_pos, lhs, rhs),
            AstKind::Within {
                cond,
                word_pos,
                bars,
                bars_pos,
            } => {
                let a = self.typed(
                    cond,
                    Kind::Condition,
                    &format!("'within' at {word_pos}"),
                    *word_pos,
                )?;
                let n = whole_bars(*bars, 1, *bars_pos, "within: n")?;
                let label = format!("{} within {n}", self.operand(a, Prec::Within, false));
                Ok(self
                    .prog
                    .intern(Op::Within(a, n), Kind::Condition, label, Prec::Within))
            }
        }
    }

    fn binary(&mut self, op: BinOp, pos: usize, lhs: &Ast, rhs: &Ast) -> Result<Id, ExprError> {
        let (want, kind) = if op.is_logic() {
            (Kind::Condition, Kind::Condition)
        } else if op.is_comparison() {
            (Kind::Number, Kind::Condition)
        } else {
            (Kind::Number, Kind::Number)
        };
        let sym = op.symbol();
        let a = self.typed(
            lhs,
            want,
            &format!("the left side of '{sym}' at {pos}"),
            pos,
        )?;
        let b = self.typed(
            rhs,
            want,
            &format!("the right side of '{sym}' at {pos}"),
            pos,
        )?;
        if kind == Kind::Number
            && let (Some(x), Some(y)) = (self.constant(a), self.constant(b))
        {
            return Ok(self.konst(kernels::binary_scalar(op, x, y)));
        }
        let prec = op.prec();
        // Comparisons do not chain, so both sides of one are parenthesised
        // when they are comparisons themselves.
        let strict_left = prec == Prec::Compare;
        let label = format!(
            "{} {sym} {}",
            self.operand(a, prec, strict_left),
            self.operand(b, prec, true)
        );
        Ok(self.prog.intern(Op::Binary(op, a, b), kind, label, prec))
    }

    fn name(&mut self, name: &str, pos: usize) -> Result<Id, ExprError> {
        if let Some(col) = names::column(name) {
            return Ok(self.column(col));
        }
        if let Some(spec) = names::indicator(name) {
            return self.indicator(spec, &[], pos);
        }
        if let Some((_, signature)) = names::builtin(name) {
            return Err(ExprError::at(
                ErrorKind::Arity,
                pos,
                format!("{} needs arguments", name.to_ascii_lowercase()),
            )
            .hint(format!("write {signature}")));
        }
        let candidates: Vec<String> = names::bare_names().collect();
        let err = ExprError::at(
            ErrorKind::UnknownName,
            pos,
            format!("unknown name '{}'", shorten(name, 30)),
        );
        Err(
            match names::suggest(name, candidates.iter().map(String::as_str)) {
                Some(s) => err.hint(format!("did you mean '{s}'?")),
                None => err.hint(
                    "names are price columns (open, high, low, close, volume) and indicators (rsi, sma, ...)",
                ),
            },
        )
    }

    pub(super) fn column(&mut self, col: Column) -> Id {
        self.prog.intern(
            Op::Column(col),
            Kind::Number,
            col.name().to_string(),
            Prec::Atom,
        )
    }

    fn call(&mut self, name: &str, args: &[Arg], pos: usize) -> Result<Id, ExprError> {
        if let Some((builtin, signature)) = names::builtin(name) {
            return self.builtin(builtin, signature, args, pos);
        }
        if let Some(spec) = names::indicator(name) {
            return self.indicator(spec, args, pos);
        }
        if let Some(col) = names::column(name) {
            return Err(ExprError::at(
                ErrorKind::Type,
                pos,
                format!("{} is a price column, not a function", col.name()),
            )
            .hint(format!(
                "write {0} alone; for an earlier bar use lag({0}, 1)",
                col.name()
            )));
        }
        let candidates: Vec<String> = names::function_names().collect();
        let err = ExprError::at(
            ErrorKind::UnknownName,
            pos,
            format!("unknown function '{}'", shorten(name, 30)),
        );
        Err(
            match names::suggest(name, candidates.iter().map(String::as_str)) {
                Some(s) => err.hint(format!("did you mean '{s}'?")),
                None => err.hint(
                    "functions are the registry's indicators (list_indicators) and lag, highest, lowest, cross_above, cross_below, abs, min, max",
                ),
            },
        )
    }

    fn builtin(
        &mut self,
        builtin: Builtin,
        signature: &str,
        args: &[Arg],
        pos: usize,
    ) -> Result<Id, ExprError> {
        let fname = &signature[..signature.find('(').unwrap_or(signature.len())];
        if let Some(kw) = args.iter().find(|a| a.keyword.is_some()) {
            return Err(ExprError::at(
                ErrorKind::Arity,
                kw.pos,
                format!("{fname} takes no keyword arguments"),
            )
            .hint(format!("write {signature}")));
        }
        let want = match builtin {
            Builtin::Abs => 1,
            _ => 2,
        };
        if args.len() != want {
            return Err(ExprError::at(
                ErrorKind::Arity,
                pos,
                format!(
                    "{signature} takes {want} argument{}, got {}",
                    if want == 1 { "" } else { "s" },
                    args.len()
                ),
            ));
        }
        let ctx = |i: usize| format!("argument {} of {fname} at {}", i + 1, args[i].pos);
        match builtin {
            Builtin::Lag => {
                let x = self.value(&args[0].value)?;
                let n = self.bars(&args[1], 0, fname)?;
                let label = format!("lag({}, {n})", self.label(x));
                let kind = self.kind(x);
                Ok(self.prog.intern(Op::Lag(x, n), kind, label, Prec::Atom))
            }
            Builtin::Highest | Builtin::Lowest => {
                let x = self.typed(&args[0].value, Kind::Number, &ctx(0), args[0].pos)?;
                let n = self.bars(&args[1], 1, fname)?;
                let label = format!("{fname}({}, {n})", self.label(x));
                let op = if builtin == Builtin::Highest {
                    Op::Highest(x, n)
                } else {
                    Op::Lowest(x, n)
                };
                Ok(self.prog.intern(op, Kind::Number, label, Prec::Atom))
            }
            Builtin::CrossAbove | Builtin::CrossBelow => {
                let a = self.typed(&args[0].value, Kind::Number, &ctx(0), args[0].pos)?;
                let b = self.typed(&args[1].value, Kind::Number, &ctx(1), args[1].pos)?;
                let label = format!("{fname}({}, {})", self.label(a), self.label(b));
                let op = if builtin == Builtin::CrossAbove {
                    Op::CrossAbove(a, b)
                } else {
                    Op::CrossBelow(a, b)
                };
                Ok(self.prog.intern(op, Kind::Condition, label, Prec::Atom))
            }
            Builtin::Abs => {
                let a = self.typed(&args[0].value, Kind::Number, &ctx(0), args[0].pos)?;
                if let Some(c) = self.constant(a) {
                    return Ok(self.konst(kernels::abs(c)));
                }
                let label = format!("abs({})", self.label(a));
                Ok(self
                    .prog
                    .intern(Op::Abs(a), Kind::Number, label, Prec::Atom))
            }
            Builtin::Min | Builtin::Max => {
                let a = self.typed(&args[0].value, Kind::Number, &ctx(0), args[0].pos)?;
                let b = self.typed(&args[1].value, Kind::Number, &ctx(1), args[1].pos)?;
                let is_min = builtin == Builtin::Min;
                if let (Some(x), Some(y)) = (self.constant(a), self.constant(b)) {
                    let v = if is_min {
                        kernels::min(x, y)
                    } else {
                        kernels::max(x, y)
                    };
                    return Ok(self.konst(v));
                }
                let label = format!("{fname}({}, {})", self.label(a), self.label(b));
                let op = if is_min { Op::Min(a, b) } else { Op::Max(a, b) };
                Ok(self.prog.intern(op, Kind::Number, label, Prec::Atom))
            }
        }
    }

    /// A whole number of bars `min..=MAX_BARS` given as a constant.
    fn bars(&mut self, arg: &Arg, min: usize, fname: &str) -> Result<usize, ExprError> {
        let id = self.value(&arg.value)?;
        let Some(x) = self.constant(id) else {
            return Err(ExprError::at(
                ErrorKind::Type,
                arg.pos,
                format!(
                    "{fname}: n must be a number of bars, not a series such as '{}'",
                    shorten(self.label(id), 30)
                ),
            ));
        };
        whole_bars(x, min, arg.pos, &format!("{fname}: n"))
    }

    fn select(&mut self, base: &Ast, field: &str, pos: usize) -> Result<Id, ExprError> {
        let call = self.any(base)?;
        let node = &self.prog.nodes[call];
        let Op::Indicator { spec, .. } = &node.op else {
            return Err(ExprError::at(
                ErrorKind::Type,
                pos,
                format!(
                    "'.{}' selects an output of an indicator, but '{}' is not an indicator call",
                    shorten(field, 30),
                    shorten(&node.label, 30)
                ),
            ));
        };
        let spec: &'static IndicatorSpec = spec;
        let Some(index) = names::output_index(spec, field) else {
            return Err(ExprError::at(
                ErrorKind::UnknownName,
                pos,
                format!(
                    "{} has no output '{}'",
                    shorten(&node.label, 30),
                    shorten(field, 30)
                ),
            )
            .hint(format!("valid outputs: {}", names::describe_outputs(spec))));
        };
        if spec.outputs.len() == 1 {
            return Ok(call);
        }
        let label = format!("{}.{}", node.label, spec.outputs[index]);
        Ok(self
            .prog
            .intern(Op::Output { call, index }, Kind::Number, label, Prec::Atom))
    }
}

/// `x` as a whole number of bars in `min..=MAX_BARS`.
fn whole_bars(x: f64, min: usize, pos: usize, what: &str) -> Result<usize, ExprError> {
    if x.fract() != 0.0 || x < min as f64 || x > MAX_BARS as f64 {
        return Err(ExprError::at(
            ErrorKind::Param,
            pos,
            format!(
                "{what} must be a whole number of bars in {min}..={MAX_BARS}, got {}",
                fmt_num(x)
            ),
        ));
    }
    Ok(x as usize)
}
