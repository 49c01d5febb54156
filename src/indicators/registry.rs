//! The indicator registry: lookup by name, parameter resolution and checked
//! computation over an [`Ohlcv`]. Built from the TA-Lib tables and the trader
//! indicators' [`trader::SPECS`](super::trader::SPECS).

use std::sync::OnceLock;

use super::specs::TALIB_SPECS;
use super::specs_momentum::MOMENTUM_SPECS;
use super::{IndicatorError, IndicatorSpec, Input, Ohlcv, Warmup, WarmupRule};

/// Every indicator: TA-Lib's first, then the trader group.
pub fn registry() -> &'static [IndicatorSpec] {
    static ALL: OnceLock<Vec<IndicatorSpec>> = OnceLock::new();
    ALL.get_or_init(|| {
        TALIB_SPECS
            .iter()
            .chain(MOMENTUM_SPECS.iter())
            .chain(super::trader::SPECS.iter())
            .copied()
            .collect()
    })
}

/// Finds an indicator by name, case-insensitively.
pub fn find(name: &str) -> Result<&'static IndicatorSpec, IndicatorError> {
    let all = registry();
    all.iter()
        .find(|s| s.name.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| IndicatorError::Unknown {
            name: crate::echo::clip(name).into_owned(),
            valid: all.iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
        })
}

/// Resolves named parameter values into `spec.params` order: defaults for
/// the missing ones; rejects unknown names, duplicates, NaN/inf, fractions
/// for integer parameters and values outside the valid range.
pub fn resolve_params(
    spec: &IndicatorSpec,
    given: &[(String, f64)],
) -> Result<Vec<f64>, IndicatorError> {
    let mut values: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
    let mut seen = vec![false; spec.params.len()];
    for (name, value) in given {
        let Some(i) = spec
            .params
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(name.trim()))
        else {
            let valid = if spec.params.is_empty() {
                "none (it takes no parameters)".to_string()
            } else {
                spec.params
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(IndicatorError::InvalidParam {
                param: crate::echo::clip(name).into_owned(),
                value: *value,
                reason: format!(
                    "unknown parameter for {}; valid parameters: {valid}",
                    spec.name
                ),
            });
        };
        let p = &spec.params[i];
        let bad = |reason: String| IndicatorError::InvalidParam {
            param: p.name.to_string(),
            value: *value,
            reason,
        };
        if seen[i] {
            return Err(bad("given more than once".to_string()));
        }
        seen[i] = true;
        if !value.is_finite() {
            return Err(bad("must be a finite number".to_string()));
        }
        if p.integer && value.fract() != 0.0 {
            return Err(bad(format!(
                "must be a whole number in {}..={}",
                p.min, p.max
            )));
        }
        if *value < p.min || *value > p.max {
            return Err(bad(format!("must be in {}..={}", p.min, p.max)));
        }
        values[i] = *value;
    }
    Ok(values)
}

fn column<'a>(ohlcv: &Ohlcv<'a>, input: Input) -> (&'static str, usize) {
    match input {
        Input::Open => ("open", ohlcv.open.len()),
        Input::High => ("high", ohlcv.high.len()),
        Input::Low => ("low", ohlcv.low.len()),
        Input::Close => ("close", ohlcv.close.len()),
        Input::Volume => ("volume", ohlcv.volume.len()),
        Input::Time => ("ts", ohlcv.ts.len()),
    }
}

/// Computes every output of `spec` for already-resolved `params` (see
/// [`resolve_params`]). Checks that the used columns match the close
/// column's length and that there are enough bars (`lookback + 1`); the
/// indicator functions reject NaN/inf values in the columns they read.
pub fn compute(
    spec: &IndicatorSpec,
    ohlcv: &Ohlcv,
    params: &[f64],
) -> Result<Vec<Vec<f64>>, IndicatorError> {
    if params.len() != spec.params.len() {
        return Err(IndicatorError::InvalidInput(format!(
            "{} takes {} parameters ({}), got {}",
            spec.name,
            spec.params.len(),
            spec.params
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", "),
            params.len()
        )));
    }
    let n = ohlcv.close.len();
    for &input in spec.inputs {
        let (name, len) = column(ohlcv, input);
        if len != n {
            return Err(IndicatorError::InvalidInput(format!(
                "{}: column '{name}' has {len} values but 'close' has {n}",
                spec.name
            )));
        }
    }
    let need = (spec.lookback)(params) + 1;
    if n < need {
        return Err(IndicatorError::NotEnoughData {
            indicator: spec.name.to_string(),
            need,
            have: n,
        });
    }
    (spec.compute)(ohlcv, params)
}

/// Bars of intraday history that certainly hold the previous session (the
/// longest NSE session is 375 one-minute bars).
const PREVIOUS_SESSION_INTRADAY_BARS: usize = 400;

/// The history `spec` needs before the first returned bar for every value
/// to equal TA-Lib's value over the full history, for resolved `params`.
///
/// Recursive smoothing decays a seed's weight like (1 - 1/p)^n for Wilder's
/// p-bar smoothing, the slowest kind: 30 lookbacks (at least 300 bars) take
/// it below 1e-13, far under the 1e-9 the values are held to.
pub fn warmup(spec: &IndicatorSpec, params: &[f64], intraday: bool) -> Warmup {
    let lookback = (spec.lookback)(params);
    match spec.warmup {
        WarmupRule::Window => Warmup::Bars(lookback),
        WarmupRule::Recursive => Warmup::Bars(lookback + (30 * lookback).max(300)),
        WarmupRule::Cumulative => Warmup::FullHistory,
        WarmupRule::Anchored => Warmup::Bars(0),
        WarmupRule::PreviousSession if intraday => Warmup::Bars(PREVIOUS_SESSION_INTRADAY_BARS),
        WarmupRule::PreviousSession => Warmup::Bars(lookback),
    }
}

/// Checks resolved `params` the way [`compute`] will, without any bars of
/// the caller's: runs the indicator over a flat synthetic series of just
/// enough bars. Every rule an indicator enforces (MACD's fast < slow, a
/// matype's own limits) lives once, in its kernel; this lets a caller apply
/// them all before fetching anything.
pub fn check_params(spec: &IndicatorSpec, params: &[f64]) -> Result<(), IndicatorError> {
    let n = (spec.lookback)(params).saturating_add(1);
    // Absurd lookbacks are caught by the parameter ranges; the cap keeps
    // the probe cheap whatever the table says.
    let n = n.min(1_000_000);
    let price = vec![100.0; n];
    let volume = vec![1_000.0; n];
    let ts: Vec<i64> = (0..n as i64).map(|i| i * 86_400).collect();
    let probe = Ohlcv {
        open: &price,
        high: &price,
        low: &price,
        close: &price,
        volume: &volume,
        ts: &ts,
        utc_offset_secs: 0,
        intraday: false,
    };
    // Only the parameters are on trial: flat data may legitimately give
    // other complaints (a zero range), which real bars would not.
    match compute(spec, &probe, params) {
        Err(e @ IndicatorError::InvalidParam { .. }) => Err(e),
        _ => Ok(()),
    }
}
