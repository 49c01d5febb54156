//! The names the language knows besides the registry's indicators: price
//! columns, built-in functions, short aliases of output names, and the
//! "did you mean" suggestion for a misspelt one.

use crate::indicators::{IndicatorSpec, registry};

/// A price or volume column of the bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Open,
    High,
    Low,
    Close,
    Volume,
}

pub(super) const COLUMNS: [(&str, Column); 5] = [
    ("open", Column::Open),
    ("high", Column::High),
    ("low", Column::Low),
    ("close", Column::Close),
    ("volume", Column::Volume),
];

impl Column {
    pub fn name(self) -> &'static str {
        COLUMNS
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("close", |(n, _)| n)
    }
}

/// The functions of the language itself (the registry supplies the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Builtin {
    Lag,
    Highest,
    Lowest,
    CrossAbove,
    CrossBelow,
    Abs,
    Min,
    Max,
}

/// Each built-in with its signature, as shown in arity errors.
pub(super) const BUILTINS: [(&str, Builtin, &str); 8] = [
    ("lag", Builtin::Lag, "lag(x, n)"),
    ("highest", Builtin::Highest, "highest(x, n)"),
    ("lowest", Builtin::Lowest, "lowest(x, n)"),
    ("cross_above", Builtin::CrossAbove, "cross_above(a, b)"),
    ("cross_below", Builtin::CrossBelow, "cross_below(a, b)"),
    ("abs", Builtin::Abs, "abs(x)"),
    ("min", Builtin::Min, "min(a, b)"),
    ("max", Builtin::Max, "max(a, b)"),
];

/// The words of the language itself.
pub(super) const KEYWORDS: [&str; 4] = ["and", "or", "not", "within"];

pub(super) fn column(name: &str) -> Option<Column> {
    COLUMNS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, c)| *c)
}

pub(super) fn builtin(name: &str) -> Option<(Builtin, &'static str)> {
    BUILTINS
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, b, sig)| (*b, *sig))
}

pub(super) fn indicator(name: &str) -> Option<&'static IndicatorSpec> {
    registry()
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
}

/// Short names for TA-Lib's output names: `.signal` for `.macdsignal`,
/// `.upper` for `.upperband`... An alias applies to an indicator that has
/// the full name among its outputs (so SUPERTREND's own `upper` is not
/// touched).
pub const OUTPUT_ALIASES: [(&str, &str); 15] = [
    ("macdsignal", "signal"),
    ("macdhist", "hist"),
    ("upperband", "upper"),
    ("middleband", "middle"),
    ("lowerband", "lower"),
    ("slowk", "k"),
    ("slowd", "d"),
    ("fastk", "k"),
    ("fastd", "d"),
    ("aroonup", "up"),
    ("aroondown", "down"),
    ("ha_open", "open"),
    ("ha_high", "high"),
    ("ha_low", "low"),
    ("ha_close", "close"),
];

/// The index of the output `field` (a full name or an alias) of `spec`.
pub(super) fn output_index(spec: &IndicatorSpec, field: &str) -> Option<usize> {
    spec.outputs
        .iter()
        .position(|o| o.eq_ignore_ascii_case(field))
        .or_else(|| {
            spec.outputs.iter().position(|o| {
                OUTPUT_ALIASES
                    .iter()
                    .any(|(full, alias)| full == o && alias.eq_ignore_ascii_case(field))
            })
        })
}

/// "macd, macdsignal (.signal), macdhist (.hist)": the outputs with aliases.
pub(super) fn describe_outputs(spec: &IndicatorSpec) -> String {
    spec.outputs
        .iter()
        .map(
            |o| match OUTPUT_ALIASES.iter().find(|(full, _)| full == o) {
                Some((_, alias)) => format!("{o} (.{alias})"),
                None => o.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate closest to `name` when it is a plausible typo: one edit
/// for names of up to four characters, two for longer ones, and fewer
/// edits than the name has characters.
pub(super) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let allowed = if lower.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, _)| *d <= allowed && *d < lower.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Every function name, lower case: the registry's indicators, then the built-ins.
pub(super) fn function_names() -> impl Iterator<Item = String> {
    registry()
        .iter()
        .map(|s| s.name.to_ascii_lowercase())
        .chain(BUILTINS.iter().map(|(n, _, _)| n.to_string()))
}

/// Every name that may stand alone: columns, then indicators.
pub(super) fn bare_names() -> impl Iterator<Item = String> {
    COLUMNS
        .iter()
        .map(|(n, _)| n.to_string())
        .chain(registry().iter().map(|s| s.name.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_columns_and_keywords_do_not_shadow_indicators() {
        for name in BUILTINS
            .iter()
            .map(|(n, _, _)| *n)
            .chain(COLUMNS.iter().map(|(n, _)| *n))
            .chain(KEYWORDS)
        {
            assert!(indicator(name).is_none(), "{name} is also an indicator");
        }
    }

    #[test]
    fn every_alias_names_one_output_of_each_indicator_it_applies_to() {
        for spec in registry() {
            for (i, out) in spec.outputs.iter().enumerate() {
                assert_eq!(output_index(spec, out), Some(i), "{}.{out}", spec.name);
            }
            for (full, alias) in OUTPUT_ALIASES {
                if let Some(i) = spec.outputs.iter().position(|o| *o == full) {
                    // The alias must not also be another output's own name.
                    assert_eq!(output_index(spec, alias), Some(i), "{}.{alias}", spec.name);
                }
            }
        }
    }

    #[test]
    fn suggestions_are_close_typos_only() {
        let names: Vec<String> = function_names().collect();
        let pick = |n: &str| suggest(n, names.iter().map(String::as_str)).map(str::to_string);
        assert_eq!(pick("smaa").as_deref(), Some("sma"));
        assert_eq!(pick("RSII").as_deref(), Some("rsi"));
        assert_eq!(pick("cross_abov").as_deref(), Some("cross_above"));
        assert_eq!(pick("zzzzzzzz"), None);
        assert_eq!(pick("x"), None);
        assert_eq!(pick("foo"), None);
    }
}
