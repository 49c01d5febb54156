//! Statistics: VAR (internal), STDDEV, LINEARREG, LINEARREG_SLOPE.

use super::IndicatorError;
use super::common::{
    MAX_REAL, check_inputs, check_period, check_real, chunked_out, is_zero_or_neg, nan_vec,
};

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
/// first), recomputed per bar as TA-Lib does (its sums are not running
/// sums, and recomputing keeps exact parity). Yields `emit(m, b)` from bar
/// `period - 1` on; needs `x.len() >= period`.
///
/// Speed: each bar's two sums are serial dependency chains, so bars are
/// processed `LANES` at a time in lock-step — every bar still sums its own
/// window in TA-Lib's order (weight period-1 for the oldest bar down to 0),
/// bit for bit, but the independent chains overlap (and vectorise).
#[inline(always)]
fn linreg_values(x: &[f64], period: usize, emit: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    const LANES: usize = 8;
    let lb = period - 1;
    let pf = period as f64;
    let sum_x = pf * (pf - 1.0) * 0.5;
    let sum_x_sqr = pf * (pf - 1.0) * (2.0 * pf - 1.0) / 6.0;
    let divisor = sum_x * sum_x - pf * sum_x_sqr;
    let weights: Vec<f64> = (0..period).map(|i| (period - 1 - i) as f64).collect();
    let line = |sum_xy: f64, sum_y: f64| {
        let m = (pf * sum_xy - sum_x * sum_y) / divisor;
        let b = (sum_y - m * sum_x) / pf;
        emit(m, b)
    };
    let outputs = x.len() - lb;
    let mut out = Vec::with_capacity(x.len());
    out.extend(std::iter::repeat_n(f64::NAN, lb));
    // Block of LANES bars starting at bar `lb + s`: windows x[s + k ..][..period].
    let full = outputs / LANES * LANES;
    for s in (0..full).step_by(LANES) {
        let block = &x[s..s + lb + LANES];
        let (mut sy, mut sxy) = ([0.0f64; LANES], [0.0f64; LANES]);
        for (i, &w) in weights.iter().enumerate() {
            let vals: &[f64; LANES] = block[i..i + LANES].try_into().expect("LANES values");
            for k in 0..LANES {
                sy[k] += vals[k];
                sxy[k] += w * vals[k];
            }
        }
        // Finish the block in an array first so the divisions vectorise.
        let mut res = [0.0f64; LANES];
        for k in 0..LANES {
            res[k] = line(sxy[k], sy[k]);
        }
        out.extend_from_slice(&res);
    }
    for win in x[full..].windows(period) {
        let (mut sy, mut sxy) = (0.0, 0.0);
        for (&v, &w) in win.iter().zip(&weights) {
            sy += v;
            sxy += w * v;
        }
        out.push(line(sxy, sy));
    }
    out
}

/// LINEARREG's end point with running sums: sliding the window one bar is
/// `sum_y += new - old`, `sum_xy += sum_y(before) - period * old` (every
/// weight drops by one, the oldest bar leaves), one add per sum on the
/// loop-carried chains instead of `2 * period` operations per bar. The sums
/// are recomputed exactly, in TA-Lib's order, every `RESEED` bars, so
/// rounding drift stays a few ulps of the local window's sums. Unlike the
/// slope (a difference of nearly equal products on flat windows, where
/// that would not be within 1e-9), the end point is of the order of the
/// prices, so this stays far inside the 1e-9 parity.
fn linreg_end(x: &[f64], period: usize) -> Vec<f64> {
    const RESEED: usize = 32;
    let lb = period - 1;
    let last = lb as f64;
    let pf = period as f64;
    let sum_x = pf * (pf - 1.0) * 0.5;
    let sum_x_sqr = pf * (pf - 1.0) * (2.0 * pf - 1.0) / 6.0;
    let divisor = sum_x * sum_x - pf * sum_x_sqr;
    // Reciprocals: two divides per bar were the bottleneck once the sums
    // became O(1) (the end point moves by an ulp or so, not the parity).
    let (inv_div, inv_p) = (1.0 / divisor, 1.0 / pf);
    chunked_out(x.len(), lb, |start, chunk| {
        for (b, blk) in chunk.chunks_mut(RESEED).enumerate() {
            let t0 = start + b * RESEED;
            let (mut sy, mut sxy) = (0.0, 0.0);
            for (i, &v) in x[t0 - lb..=t0].iter().enumerate() {
                sy += v;
                sxy += (lb - i) as f64 * v;
            }
            // Bars t0.. (outputs) with the bar leaving (`old`) and the one
            // entering (`new`) the window after each; the last step's
            // `new` may be past the end, so the final output is separate.
            let len = blk.len();
            let old = &x[t0 - lb..t0 - lb + len];
            let new = &x[t0 + 1..(t0 + len).min(x.len() - 1) + 1];
            let (head, tail) = blk.split_at_mut(new.len());
            for ((o, &yo), &yn) in head.iter_mut().zip(old).zip(new) {
                let m = (pf * sxy - sum_x * sy) * inv_div;
                *o = (sy - m * sum_x) * inv_p + m * last;
                sxy += sy - pf * yo;
                sy += yn - yo;
            }
            for o in tail {
                let m = (pf * sxy - sum_x * sy) * inv_div;
                *o = (sy - m * sum_x) * inv_p + m * last;
            }
        }
    })
}

fn linreg_slope(x: &[f64], period: usize) -> Vec<f64> {
    linreg_values(x, period, |m, _| m)
}

/// Linear regression end-point (`LINEARREG`).
pub fn linearreg(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    check_inputs("LINEARREG", &[("close", close)], period - 1)?;
    Ok(linreg_end(close, period))
}

/// Linear regression slope (`LINEARREG_SLOPE`).
pub fn linearreg_slope(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    check_inputs("LINEARREG_SLOPE", &[("close", close)], period - 1)?;
    Ok(linreg_slope(close, period))
}
