//! Statistics: VAR (internal), STDDEV, LINEARREG, LINEARREG_SLOPE.

use super::IndicatorError;
use super::common::{MAX_REAL, check_inputs, check_period, check_real, is_zero_or_neg, nan_vec};

/// Population variance over `period` bars, TA-Lib's `TA_INT_VAR`: running
/// sums of x and x² started at the beginning of `x`, `E[x²] - E[x]²`.
/// The running sums drift differently depending on where they start, so
/// callers pass exactly the slice TA-Lib would start from.
pub(crate) fn var_into(x: &[f64], period: usize, out: &mut [f64]) {
    let lb = period - 1;
    if x.len() <= lb {
        out.fill(f64::NAN);
        return;
    }
    out[..lb].fill(f64::NAN);
    let pf = period as f64;
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in &x[..lb] {
        s1 += v;
        s2 += v * v;
    }
    // Consecutive exactly-equal values ending at the current bar: a window
    // of `period` identical values has variance exactly 0 (TA-Lib 0.8 does
    // not let the running sums' rounding residue through there).
    let mut run = 0usize;
    for w in x[..lb].windows(2) {
        run = if w[1] == w[0] { run + 1 } else { 0 };
    }
    for (i, (o, &t)) in out[lb..].iter_mut().zip(x).enumerate() {
        let v = x[lb + i];
        if lb + i > 0 {
            run = if v == x[lb + i - 1] { run + 1 } else { 0 };
        }
        s1 += v;
        s2 += v * v;
        let m1 = s1 / pf;
        let m2 = s2 / pf;
        s1 -= t;
        s2 -= t * t;
        *o = if run >= lb { 0.0 } else { m2 - m1 * m1 };
    }
}

/// Standard deviation kernel: `sqrt(var) * nbdev`, 0 when var <= ~0.
pub(crate) fn stddev_into(x: &[f64], period: usize, nbdev: f64, out: &mut [f64]) {
    var_into(x, period, out);
    for o in out[period - 1..].iter_mut() {
        *o = if is_zero_or_neg(*o) {
            0.0
        } else {
            o.sqrt() * nbdev
        };
    }
}

/// Standard deviation (`STDDEV`, population) times `nbdev`.
pub fn stddev(close: &[f64], period: usize, nbdev: f64) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    check_real("nbdev", nbdev, -MAX_REAL, MAX_REAL)?;
    let n = check_inputs("STDDEV", &[("close", close)], period - 1)?;
    let mut out = nan_vec(n);
    stddev_into(close, period, nbdev, &mut out);
    Ok(out)
}

/// Least-squares line over the last `period` bars (x = 0..period-1, oldest
/// first), recomputed per bar as TA-Lib does. Calls `emit(out, m, b)`.
#[inline(always)]
fn linreg_core(x: &[f64], period: usize, out: &mut [f64], emit: impl Fn(f64, f64) -> f64) {
    let lb = period - 1;
    out[..lb].fill(f64::NAN);
    let pf = period as f64;
    let sum_x = pf * (pf - 1.0) * 0.5;
    let sum_x_sqr = pf * (pf - 1.0) * (2.0 * pf - 1.0) / 6.0;
    let divisor = sum_x * sum_x - pf * sum_x_sqr;
    for (o, w) in out[lb..].iter_mut().zip(x.windows(period)) {
        let (mut sum_xy, mut sum_y) = (0.0, 0.0);
        // TA-Lib walks from the oldest bar with weight period-1 down to 0.
        for (i, &v) in w.iter().enumerate() {
            sum_y += v;
            sum_xy += (period - 1 - i) as f64 * v;
        }
        let m = (pf * sum_xy - sum_x * sum_y) / divisor;
        let b = (sum_y - m * sum_x) / pf;
        *o = emit(m, b);
    }
}

pub(crate) fn linearreg_into(x: &[f64], period: usize, out: &mut [f64]) {
    let last = (period - 1) as f64;
    linreg_core(x, period, out, |m, b| b + m * last);
}

pub(crate) fn linearreg_slope_into(x: &[f64], period: usize, out: &mut [f64]) {
    linreg_core(x, period, out, |m, _| m);
}

/// Linear regression end-point (`LINEARREG`).
pub fn linearreg(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("LINEARREG", &[("close", close)], period - 1)?;
    let mut out = nan_vec(n);
    linearreg_into(close, period, &mut out);
    Ok(out)
}

/// Linear regression slope (`LINEARREG_SLOPE`).
pub fn linearreg_slope(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("LINEARREG_SLOPE", &[("close", close)], period - 1)?;
    let mut out = nan_vec(n);
    linearreg_slope_into(close, period, &mut out);
    Ok(out)
}
