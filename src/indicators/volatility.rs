//! Volatility: TRANGE, ATR, NATR.

use super::IndicatorError;
use super::common::{check_inputs, check_period, is_zero, nan_vec, true_range};

fn hlc<'a>(high: &'a [f64], low: &'a [f64], close: &'a [f64]) -> [(&'static str, &'a [f64]); 3] {
    [("high", high), ("low", low), ("close", close)]
}

/// True range kernel from bar 1 on (bar 0 has no previous close).
fn trange_into(high: &[f64], low: &[f64], close: &[f64], out: &mut [f64]) {
    out[0] = f64::NAN;
    for i in 1..out.len() {
        out[i] = true_range(high[i], low[i], close[i - 1]);
    }
}

/// True range (`TRANGE`); lookback 1.
pub fn trange(high: &[f64], low: &[f64], close: &[f64]) -> Result<Vec<f64>, IndicatorError> {
    let n = check_inputs("TRANGE", &hlc(high, low, close), 1)?;
    let mut out = nan_vec(n);
    trange_into(high, low, close, &mut out);
    Ok(out)
}

/// Wilder ATR over the true ranges in `tr` (valid from index 1): seeded with
/// the mean of the first `period` ranges, then `(atr*(p-1) + tr) / p`.
/// `emit(i, atr)` maps each value to the output (NATR divides by close).
fn atr_core(tr: &mut [f64], period: usize, emit: impl Fn(usize, f64) -> f64) {
    let pf = period as f64;
    let pm1 = (period - 1) as f64;
    let mut atr = 0.0;
    for &v in &tr[1..=period] {
        atr += v;
    }
    atr /= pf;
    tr[..period].fill(f64::NAN);
    let first = emit(period, atr);
    for (i, t) in tr.iter_mut().enumerate().skip(period + 1) {
        atr *= pm1;
        atr += *t;
        atr /= pf;
        *t = emit(i, atr);
    }
    tr[period] = first;
}

/// Average true range (`ATR`), lookback = period. Period 1 is TRANGE.
pub fn atr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    let n = check_inputs("ATR", &hlc(high, low, close), period)?;
    let mut out = nan_vec(n);
    trange_into(high, low, close, &mut out);
    if period > 1 {
        atr_core(&mut out, period, |_, a| a);
    }
    Ok(out)
}

/// Normalised ATR (`NATR`): 100 ATR / close (0 where close is ~0).
/// TA-Lib quirk kept: with period 1 it returns the raw TRANGE, unnormalised.
pub fn natr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    let n = check_inputs("NATR", &hlc(high, low, close), period)?;
    let mut out = nan_vec(n);
    trange_into(high, low, close, &mut out);
    if period > 1 {
        atr_core(&mut out, period, |i, a| {
            let c = close[i];
            if is_zero(c) { 0.0 } else { (a / c) * 100.0 }
        });
    }
    Ok(out)
}
