//! Indicator calls: the input series and parameters of a registry
//! indicator, resolved through [`indicators::resolve_params`] (and a dry
//! run for rules between parameters), and the call's canonical label.

use super::MAX_INDICATOR_CALLS;
use super::ast::{Arg, Prec};
use super::error::{ErrorKind, ExprError};
use super::lexer::shorten;
use super::names::Column;
use super::program::{Id, Kind, Op};
use super::resolve::{Resolver, fmt_num};
use crate::indicators::{self, IndicatorError, IndicatorSpec, Input};

/// A call's arguments, sorted.
struct CallArgs {
    input: Option<Id>,
    /// Parameter names and values, for `resolve_params`.
    given: Vec<(String, f64)>,
    /// The column of each given parameter, for its error.
    given_at: Vec<usize>,
}

/// True for indicators that read only close, and so accept any input series.
fn reads_one_series(spec: &IndicatorSpec) -> bool {
    spec.inputs == [Input::Close]
}

impl Resolver<'_> {
    /// A registry indicator call: an optional input series first (for
    /// indicators that read only close), then parameters positionally in
    /// TA-Lib's order, then by keyword.
    pub(super) fn indicator(
        &mut self,
        spec: &'static IndicatorSpec,
        args: &[Arg],
        pos: usize,
    ) -> Result<Id, ExprError> {
        let name = spec.name.to_ascii_lowercase();
        let CallArgs {
            input,
            given,
            given_at,
        } = self.call_args(spec, &name, args)?;
        let params = indicators::resolve_params(spec, &given).map_err(|e| {
            let at = match &e {
                IndicatorError::InvalidParam { param, .. } => given
                    .iter()
                    .position(|(n, _)| n.eq_ignore_ascii_case(param))
                    .map_or(pos, |i| given_at[i]),
                _ => pos,
            };
            ExprError::param(at, &name, &e)
        })?;
        if let Err(e) = check_together(spec, &params) {
            return Err(ExprError::param(pos, &name, &e));
        }
        let input = match input {
            Some(id) => Some(id),
            None if reads_one_series(spec) => Some(self.column(Column::Close)),
            None => None,
        };
        let label = self.indicator_label(spec, &name, &params, input);
        let kind = if spec.outputs.len() == 1 {
            Kind::Number
        } else {
            Kind::Outputs
        };
        let op = Op::Indicator {
            spec,
            params,
            input,
        };
        let id = self.prog.intern(op, kind, label, Prec::Atom);
        if !self.calls.contains(&id) {
            self.calls.push(id);
            if self.calls.len() > MAX_INDICATOR_CALLS {
                return Err(ExprError::at(
                    ErrorKind::Limit,
                    pos,
                    format!(
                        "more than {MAX_INDICATOR_CALLS} different indicator calls in one expression"
                    ),
                )
                .hint("split it into smaller expressions"));
            }
        }
        Ok(id)
    }

    /// Sorts a call's arguments into the input series and named parameter
    /// values (positional ones named after `spec.params`, in order).
    fn call_args(
        &mut self,
        spec: &IndicatorSpec,
        name: &str,
        args: &[Arg],
    ) -> Result<CallArgs, ExprError> {
        let mut out = CallArgs {
            input: None,
            given: Vec::new(),
            given_at: Vec::new(),
        };
        let mut positional = 0;
        let mut keyword_seen = false;
        for (i, arg) in args.iter().enumerate() {
            let id = self.value(&arg.value)?;
            if let Some(kw) = &arg.keyword {
                keyword_seen = true;
                let Some(x) = self.constant(id) else {
                    return Err(ExprError::at(
                        ErrorKind::Type,
                        arg.pos,
                        format!("{name}: parameter '{kw}' must be a number"),
                    ));
                };
                out.given.push((kw.clone(), x));
                out.given_at.push(arg.pos);
                continue;
            }
            if keyword_seen {
                return Err(ExprError::at(
                    ErrorKind::Arity,
                    arg.pos,
                    format!("{name}: positional argument after a keyword argument"),
                )
                .hint("give positional arguments first"));
            }
            if let Some(x) = self.constant(id) {
                let Some(p) = spec.params.get(positional) else {
                    let has_input = out.input.is_some();
                    return Err(too_many_params(spec, name, args, arg.pos, has_input));
                };
                out.given.push((p.name.to_string(), x));
                out.given_at.push(arg.pos);
                positional += 1;
                continue;
            }
            self.check_input(spec, name, i, arg.pos, id)?;
            out.input = Some(id);
        }
        Ok(out)
    }

    /// A series argument `id` at index `i` is valid only as the first
    /// argument of an indicator that reads one series, and only a number.
    fn check_input(
        &self,
        spec: &IndicatorSpec,
        name: &str,
        i: usize,
        pos: usize,
        id: Id,
    ) -> Result<(), ExprError> {
        if !reads_one_series(spec) {
            return Err(ExprError::at(
                ErrorKind::Type,
                pos,
                format!(
                    "{name} reads {} itself and takes no input series",
                    describe_inputs(spec.inputs)
                ),
            )
            .hint(params_hint(spec)));
        }
        if i != 0 {
            return Err(ExprError::at(
                ErrorKind::Arity,
                pos,
                format!("{name}: the input series must be the first argument"),
            )
            .hint(format!("e.g. {name}(close, {})", fmt_num(default_of(spec)))));
        }
        if self.kind(id) != Kind::Number {
            return Err(ExprError::at(
                ErrorKind::Type,
                pos,
                format!(
                    "{name} needs a number series as input, but '{}' is a condition",
                    shorten(self.label(id), 40)
                ),
            ));
        }
        Ok(())
    }

    /// `name(input, p1, p2)`: the input unless it is close, the parameters
    /// up to the last non-default one (at least one), a bare name when
    /// there is nothing to show.
    fn indicator_label(
        &self,
        spec: &IndicatorSpec,
        name: &str,
        params: &[f64],
        input: Option<Id>,
    ) -> String {
        let mut parts = Vec::new();
        if let Some(id) = input
            && !matches!(self.prog.nodes[id].op, Op::Column(Column::Close))
        {
            parts.push(self.label(id).to_string());
        }
        let shown = params
            .iter()
            .zip(spec.params)
            .rposition(|(v, p)| v.to_bits() != p.default.to_bits())
            .map_or(usize::from(!params.is_empty()), |i| i + 1);
        parts.extend(params[..shown].iter().map(|&v| fmt_num(v)));
        if parts.is_empty() {
            name.to_string()
        } else {
            format!("{name}({})", parts.join(", "))
        }
    }
}

fn too_many_params(
    spec: &IndicatorSpec,
    name: &str,
    args: &[Arg],
    pos: usize,
    has_input: bool,
) -> ExprError {
    let count = args.len() - usize::from(has_input);
    let err = ExprError::at(
        ErrorKind::Arity,
        pos,
        format!(
            "{name} takes {} parameter{}, got {count}",
            spec.params.len(),
            if spec.params.len() == 1 { "" } else { "s" }
        ),
    )
    .hint(params_hint(spec));
    if reads_one_series(spec) && !has_input {
        err.hint(format!(
            "to name an input series, write it first: {name}(close, {})",
            fmt_num(default_of(spec))
        ))
    } else {
        err
    }
}

/// Rules between parameters (MACD's fastperiod below slowperiod) live in
/// the registry's compute functions, not in `resolve_params`;
/// [`indicators::check_params`] applies them before any bars are fetched.
fn check_together(spec: &IndicatorSpec, params: &[f64]) -> Result<(), IndicatorError> {
    indicators::check_params(spec, params)
}

fn default_of(spec: &IndicatorSpec) -> f64 {
    spec.params.first().map_or(0.0, |p| p.default)
}

fn params_hint(spec: &IndicatorSpec) -> String {
    if spec.params.is_empty() {
        format!("{} takes no parameters", spec.name.to_ascii_lowercase())
    } else {
        format!(
            "parameters, in order: {}",
            spec.params
                .iter()
                .map(|p| format!("{}={}", p.name, fmt_num(p.default)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

fn describe_inputs(inputs: &[Input]) -> String {
    inputs
        .iter()
        .map(|i| i.name())
        .collect::<Vec<_>>()
        .join(", ")
}
