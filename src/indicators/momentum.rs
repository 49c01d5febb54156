//! Momentum from one price series: RSI, CMO, MOM, ROC, MACD, APO, PPO, TRIX,
//! plus BOP (open/high/low/close).

use super::IndicatorError;
use super::common::{
    Series3, check_fast_slow, check_inputs, check_period, is_zero, is_zero_or_neg, nan_vec,
    per_to_k,
};
use super::ma::{MaType, ema_k_into, ma_into, ma_lookback};

/// Wilder-smoothed average gain / loss, shared by RSI and CMO. TA-Lib seeds
/// with the plain average of the first `period` changes, then smooths
/// `avg = (avg * (period-1) + change) / period`. `f(gain, loss, sum)` maps
/// to the output; a near-zero `sum` (TA_IS_ZERO) gives 0.
#[inline(always)]
fn wilder_gain_loss(x: &[f64], period: usize, out: &mut [f64], f: impl Fn(f64, f64, f64) -> f64) {
    out[..period].fill(f64::NAN);
    let pf = period as f64;
    let pm1 = (period - 1) as f64;
    let (mut gain, mut loss) = (0.0, 0.0);
    let mut prev = x[0];
    for &v in &x[1..=period] {
        let d = v - prev;
        prev = v;
        if d < 0.0 {
            loss -= d;
        } else {
            gain += d;
        }
    }
    loss /= pf;
    gain /= pf;
    let emit = |g: f64, l: f64| {
        let s = g + l;
        if is_zero(s) { 0.0 } else { f(g, l, s) }
    };
    out[period] = emit(gain, loss);
    for (o, &v) in out[period + 1..].iter_mut().zip(&x[period + 1..]) {
        let d = v - prev;
        prev = v;
        loss *= pm1;
        gain *= pm1;
        if d < 0.0 {
            loss -= d;
        } else {
            gain += d;
        }
        loss /= pf;
        gain /= pf;
        *o = emit(gain, loss);
    }
}

pub(crate) fn rsi_into(x: &[f64], period: usize, out: &mut [f64]) {
    if x.len() <= period {
        out.fill(f64::NAN);
        return;
    }
    wilder_gain_loss(x, period, out, |g, _, s| 100.0 * (g / s));
}

/// Relative strength index (`RSI`), Wilder smoothing; lookback = period.
pub fn rsi(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("RSI", &[("close", close)], period)?;
    let mut out = nan_vec(n);
    rsi_into(close, period, &mut out);
    Ok(out)
}

/// Chande momentum oscillator (`CMO`): 100 (gain - loss) / (gain + loss),
/// with TA-Lib's Wilder-smoothed gains and losses (as in RSI).
pub fn cmo(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("CMO", &[("close", close)], period)?;
    let mut out = nan_vec(n);
    wilder_gain_loss(close, period, &mut out, |g, l, s| 100.0 * ((g - l) / s));
    Ok(out)
}

/// Momentum (`MOM`): `close[i] - close[i - period]`.
pub fn mom(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    let n = check_inputs("MOM", &[("close", close)], period)?;
    debug_assert!(n > period);
    Ok(std::iter::repeat_n(f64::NAN, period)
        .chain(close[period..].iter().zip(close).map(|(&v, &p)| v - p))
        .collect())
}

/// TA-Lib's ROC kernel: `((x / prev) - 1) * 100`, 0 when `prev` is exactly 0.
pub(crate) fn roc_into(x: &[f64], period: usize, out: &mut [f64]) {
    if x.len() <= period {
        out.fill(f64::NAN);
        return;
    }
    out[..period].fill(f64::NAN);
    for ((o, &v), &p) in out[period..].iter_mut().zip(&x[period..]).zip(x) {
        *o = if p != 0.0 {
            ((v / p) - 1.0) * 100.0
        } else {
            0.0
        };
    }
}

/// Rate of change in percent (`ROC`).
pub fn roc(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    let n = check_inputs("ROC", &[("close", close)], period)?;
    let mut out = nan_vec(n);
    roc_into(close, period, &mut out);
    Ok(out)
}

/// Warm-up of MACD: `slow - 1 + signal - 1`.
pub fn macd_lookback(slow: usize, signal: usize) -> usize {
    slow - 1 + signal - 1
}

/// MACD (`MACD`): EMA(fast) - EMA(slow), its EMA(signal), and the difference.
///
/// TA-Lib quirk kept: the fast EMA is not seeded at bar `fast - 1` but at
/// bar `slow - 1`, with the SMA of the `fast` closes ending there, so both
/// EMAs start on the same bar. All three outputs start after the signal's
/// warm-up.
pub fn macd(
    close: &[f64],
    fast: usize,
    slow: usize,
    signal: usize,
) -> Result<Series3, IndicatorError> {
    check_period("fastperiod", fast, 2)?;
    check_period("slowperiod", slow, 2)?;
    check_period("signalperiod", signal, 1)?;
    check_fast_slow(fast, slow)?;
    let lb = macd_lookback(slow, signal);
    let n = check_inputs("MACD", &[("close", close)], lb)?;
    let mut line = nan_vec(n);
    let mut slow_ema = nan_vec(n);
    ema_k_into(close, slow, per_to_k(slow), &mut slow_ema);
    let off = slow - fast;
    ema_k_into(&close[off..], fast, per_to_k(fast), &mut line[off..]);
    for (f, &s) in line[slow - 1..].iter_mut().zip(&slow_ema[slow - 1..]) {
        *f -= s;
    }
    let mut sig = nan_vec(n);
    ema_k_into(
        &line[slow - 1..],
        signal,
        per_to_k(signal),
        &mut sig[slow - 1..],
    );
    line[..lb].fill(f64::NAN);
    let mut hist = nan_vec(n);
    for ((h, &m), &s) in hist[lb..].iter_mut().zip(&line[lb..]).zip(&sig[lb..]) {
        *h = m - s;
    }
    Ok((line, sig, hist))
}

/// Shared APO/PPO body (TA-Lib's `TA_INT_PO`): both MAs over the whole input.
fn price_oscillator(
    name: &str,
    close: &[f64],
    fast: usize,
    slow: usize,
    matype: MaType,
    f: impl Fn(f64, f64) -> f64,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("fastperiod", fast, 2)?;
    check_period("slowperiod", slow, 2)?;
    check_fast_slow(fast, slow)?;
    let lb = ma_lookback(slow, matype);
    let n = check_inputs(name, &[("close", close)], lb)?;
    let mut fast_ma = nan_vec(n);
    let mut out = nan_vec(n);
    ma_into(close, fast, matype, &mut fast_ma);
    ma_into(close, slow, matype, &mut out);
    for (o, &fv) in out[lb..].iter_mut().zip(&fast_ma[lb..]) {
        *o = f(fv, *o);
    }
    Ok(out)
}

/// Absolute price oscillator (`APO`): MA(fast) - MA(slow).
pub fn apo(
    close: &[f64],
    fast: usize,
    slow: usize,
    matype: MaType,
) -> Result<Vec<f64>, IndicatorError> {
    price_oscillator("APO", close, fast, slow, matype, |f, s| f - s)
}

/// Percentage price oscillator (`PPO`): 100 (MA(fast) - MA(slow)) / MA(slow),
/// 0 where the slow MA is ~0.
pub fn ppo(
    close: &[f64],
    fast: usize,
    slow: usize,
    matype: MaType,
) -> Result<Vec<f64>, IndicatorError> {
    price_oscillator("PPO", close, fast, slow, matype, |f, s| {
        if is_zero(s) {
            0.0
        } else {
            ((f - s) / s) * 100.0
        }
    })
}

/// Warm-up of TRIX: three EMAs and a 1-bar rate of change.
pub fn trix_lookback(period: usize) -> usize {
    3 * (period - 1) + 1
}

/// TRIX (`TRIX`): 1-bar percent change of a triple-smoothed EMA.
pub fn trix(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    let lb = trix_lookback(period);
    let n = check_inputs("TRIX", &[("close", close)], lb)?;
    let k = per_to_k(period);
    let l1 = period - 1;
    let mut a = nan_vec(n);
    let mut b = nan_vec(n);
    ema_k_into(close, period, k, &mut a);
    ema_k_into(&a[l1..], period, k, &mut b[l1..]);
    ema_k_into(&b[2 * l1..], period, k, &mut a[2 * l1..]);
    let mut out = nan_vec(n);
    roc_into(&a[3 * l1..], 1, &mut out[3 * l1..]);
    Ok(out)
}

/// Balance of power (`BOP`): (close - open) / (high - low), 0 on a zero range.
pub fn bop(
    open: &[f64],
    high: &[f64],
    low: &[f64],
    close: &[f64],
) -> Result<Vec<f64>, IndicatorError> {
    let n = check_inputs(
        "BOP",
        &[
            ("open", open),
            ("high", high),
            ("low", low),
            ("close", close),
        ],
        0,
    )?;
    let mut out = nan_vec(n);
    for (i, o) in out.iter_mut().enumerate() {
        let r = high[i] - low[i];
        *o = if is_zero_or_neg(r) {
            0.0
        } else {
            (close[i] - open[i]) / r
        };
    }
    Ok(out)
}
