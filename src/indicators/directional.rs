//! Directional movement (Wilder): PLUS_DI, MINUS_DI, DX, ADX, ADXR.

use super::IndicatorError;
use super::common::{check_inputs, check_period, is_zero, nan_vec, true_range};

/// One bar's +DM, -DM (only the larger move counts, as TA-Lib decides it)
/// and true range. The two conditions are mutually exclusive, so each is a
/// select rather than TA-Lib's if / else-if branch (up and down bars are a
/// coin flip on real prices; a branch would mispredict often).
#[inline(always)]
fn dm_tr(high: &[f64], low: &[f64], close: &[f64], i: usize) -> (f64, f64, f64) {
    let diff_p = high[i] - high[i - 1];
    let diff_m = low[i - 1] - low[i];
    let minus = if diff_m > 0.0 && diff_p < diff_m {
        diff_m
    } else {
        0.0
    };
    let plus = if diff_p > 0.0 && diff_p > diff_m {
        diff_p
    } else {
        0.0
    };
    (plus, minus, true_range(high[i], low[i], close[i - 1]))
}

/// Wilder sums of +DM, -DM and TR. `seed` sums bars 1..period-1; each
/// `step` applies `x * ((p-1)/p) + new`. TA-Lib writes `x - x/p + new`:
/// the same value up to rounding (~1e-16 relative, and the recurrence
/// contracts errors), but a divide on each loop-carried chain and three
/// divides per bar, which made the whole family divide-bound.
struct Wilder {
    plus: f64,
    minus: f64,
    tr: f64,
    keep: f64,
}

impl Wilder {
    fn seed(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Wilder {
        let mut w = Wilder {
            plus: 0.0,
            minus: 0.0,
            tr: 0.0,
            keep: (period - 1) as f64 / period as f64,
        };
        for i in 1..period {
            let (p, m, t) = dm_tr(high, low, close, i);
            // TA-Lib only adds the move that qualifies; adding 0.0 is identical.
            w.plus += p;
            w.minus += m;
            w.tr += t;
        }
        w
    }

    #[inline(always)]
    fn step(&mut self, high: &[f64], low: &[f64], close: &[f64], i: usize) {
        let (p, m, t) = dm_tr(high, low, close, i);
        // At most one of p, m is non-zero; adding the 0.0 is exact.
        self.minus = self.minus * self.keep + m;
        self.plus = self.plus * self.keep + p;
        self.tr = self.tr * self.keep + t;
    }

    /// +DI (`plus`) or -DI in percent, or None when the smoothed TR is ~0.
    #[inline(always)]
    fn one_di(&self, plus: bool) -> Option<f64> {
        if is_zero(self.tr) {
            None
        } else {
            Some(100.0 * ((if plus { self.plus } else { self.minus }) / self.tr))
        }
    }

    /// DX in percent, or None when TR or +DI + -DI is ~0. One reciprocal
    /// of TR scales both DIs (two divides per bar instead of three).
    #[inline(always)]
    fn dx(&self) -> Option<f64> {
        if is_zero(self.tr) {
            return None;
        }
        let r = 100.0 / self.tr;
        let (p, m) = (self.plus * r, self.minus * r);
        let s = m + p;
        if is_zero(s) {
            None
        } else {
            Some(100.0 * ((m - p).abs() / s))
        }
    }
}

fn hlc<'a>(high: &'a [f64], low: &'a [f64], close: &'a [f64]) -> [(&'static str, &'a [f64]); 3] {
    [("high", high), ("low", low), ("close", close)]
}

/// Warm-up of PLUS_DI / MINUS_DI: `period` (1 when period is 1).
pub fn di_lookback(period: usize) -> usize {
    period.max(1)
}

fn di(
    name: &str,
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    plus: bool,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    let n = check_inputs(name, &hlc(high, low, close), di_lookback(period))?;
    let mut out = nan_vec(n);
    if period == 1 {
        // TA-Lib quirk: period 1 is the raw DM / TR ratio, not in percent.
        for (i, o) in out.iter_mut().enumerate().skip(1) {
            let (p, m, t) = dm_tr(high, low, close, i);
            let dm = if plus { p } else { m };
            *o = if dm > 0.0 && !is_zero(t) { dm / t } else { 0.0 };
        }
        return Ok(out);
    }
    let mut w = Wilder::seed(high, low, close, period);
    for (i, o) in out.iter_mut().enumerate().skip(period) {
        w.step(high, low, close, i);
        *o = w.one_di(plus).unwrap_or(0.0);
    }
    Ok(out)
}

/// Plus directional indicator (`PLUS_DI`).
pub fn plus_di(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    di("PLUS_DI", high, low, close, period, true)
}

/// Minus directional indicator (`MINUS_DI`).
pub fn minus_di(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    di("MINUS_DI", high, low, close, period, false)
}

/// Directional movement index (`DX`); lookback = period. Where TR or the DI
/// sum is ~0 TA-Lib repeats the previous DX (0 for the first bar).
pub fn dx(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("DX", &hlc(high, low, close), period)?;
    let mut out = nan_vec(n);
    let mut w = Wilder::seed(high, low, close, period);
    let mut last = 0.0;
    for (i, o) in out.iter_mut().enumerate().skip(period) {
        w.step(high, low, close, i);
        if let Some(v) = w.dx() {
            last = v;
        }
        *o = last;
    }
    Ok(out)
}

/// Warm-up of ADX: `2 * period - 1`.
pub fn adx_lookback(period: usize) -> usize {
    2 * period - 1
}

fn adx_into(high: &[f64], low: &[f64], close: &[f64], period: usize, out: &mut [f64]) {
    let lb = adx_lookback(period);
    let pf = period as f64;
    let mut w = Wilder::seed(high, low, close, period);
    let mut sum_dx = 0.0;
    for i in period..=lb {
        w.step(high, low, close, i);
        if let Some(v) = w.dx() {
            sum_dx += v;
        }
    }
    let mut adx = sum_dx / pf;
    out[lb] = adx;
    // `adx * ((p-1)/p) + dx * (1/p)`, TA-Lib's `(adx*(p-1) + dx) / p` up to
    // rounding, without a divide on the loop-carried chain.
    let keep = (period - 1) as f64 / pf;
    let weight = 1.0 - keep;
    for (i, o) in out.iter_mut().enumerate().skip(lb + 1) {
        w.step(high, low, close, i);
        if let Some(v) = w.dx() {
            adx = adx * keep + v * weight;
        }
        *o = adx;
    }
}

/// Average directional index (`ADX`): Wilder average of DX.
pub fn adx(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("ADX", &hlc(high, low, close), adx_lookback(period))?;
    let mut out = nan_vec(n);
    adx_into(high, low, close, period, &mut out);
    Ok(out)
}

/// Warm-up of ADXR: `3 * period - 2`.
pub fn adxr_lookback(period: usize) -> usize {
    adx_lookback(period) + period - 1
}

/// ADX rating (`ADXR`): average of today's ADX and the ADX `period - 1` bars ago.
pub fn adxr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let lb = adxr_lookback(period);
    let n = check_inputs("ADXR", &hlc(high, low, close), lb)?;
    // ADX into the output, then ADXR in place from the end backwards: bar i
    // reads ADX at i and i + 1 - period, neither overwritten yet. Saves a
    // second full-length buffer.
    let mut out = nan_vec(n);
    adx_into(high, low, close, period, &mut out);
    for i in (lb..n).rev() {
        out[i] = (out[i] + out[i + 1 - period]) / 2.0;
    }
    out[..lb].fill(f64::NAN);
    Ok(out)
}
