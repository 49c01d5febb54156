//! Volatility: TRANGE, ATR, NATR.

use super::IndicatorError;
use super::common::{check_inputs, check_period, collect_out, is_zero, true_range};

fn hlc<'a>(high: &'a [f64], low: &'a [f64], close: &'a [f64]) -> [(&'static str, &'a [f64]); 3] {
    [("high", high), ("low", low), ("close", close)]
}

/// True ranges of bars 1.. (bar 0 has no previous close), as an iterator.
fn true_ranges<'a>(
    high: &'a [f64],
    low: &'a [f64],
    close: &'a [f64],
) -> impl Iterator<Item = f64> + 'a {
    high[1..]
        .iter()
        .zip(&low[1..])
        .zip(close)
        .map(|((&h, &l), &c)| true_range(h, l, c))
}

/// True range (`TRANGE`); lookback 1.
pub fn trange(high: &[f64], low: &[f64], close: &[f64]) -> Result<Vec<f64>, IndicatorError> {
    check_inputs("TRANGE", &hlc(high, low, close), 1)?;
    Ok(collect_out(1, true_ranges(high, low, close)))
}

/// Wilder ATR in one pass over the inputs: seeded with the mean of the
/// first `period` true ranges (bars 1..=period), then smoothed as
/// `atr * ((p-1)/p) + tr * (1 - (p-1)/p)`. That is the arithmetic of the
/// TA-Lib build the references come from (its FMA variant fuses the first
/// product): a multiply and an add on the loop-carried chain, where the
/// textbook `(atr*(p-1) + tr) / p` puts a ~13-cycle divide on it (3x slower).
/// Yields `emit(i, atr)` from bar `period` on (NATR divides by close).
fn atr_values<'a>(
    high: &'a [f64],
    low: &'a [f64],
    close: &'a [f64],
    period: usize,
    emit: impl Fn(usize, f64) -> f64 + 'a,
) -> impl Iterator<Item = f64> + 'a {
    let pf = period as f64;
    let keep = (period - 1) as f64 / pf;
    let weight = 1.0 - keep;
    let mut tr = true_ranges(high, low, close);
    let mut atr = tr.by_ref().take(period).fold(0.0, |a, v| a + v);
    atr /= pf;
    let first = emit(period, atr);
    std::iter::once(first).chain(tr.enumerate().map(move |(j, t)| {
        atr = atr * keep + t * weight;
        emit(period + 1 + j, atr)
    }))
}

/// Average true range (`ATR`), lookback = period. Period 1 is TRANGE.
pub fn atr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    check_inputs("ATR", &hlc(high, low, close), period)?;
    if period == 1 {
        return Ok(collect_out(1, true_ranges(high, low, close)));
    }
    Ok(collect_out(
        period,
        atr_values(high, low, close, period, |_, a| a),
    ))
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
    check_inputs("NATR", &hlc(high, low, close), period)?;
    if period == 1 {
        return Ok(collect_out(1, true_ranges(high, low, close)));
    }
    Ok(collect_out(
        period,
        atr_values(high, low, close, period, move |i, a| {
            let c = close[i];
            if is_zero(c) { 0.0 } else { (a / c) * 100.0 }
        }),
    ))
}
