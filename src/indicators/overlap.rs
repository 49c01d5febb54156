//! Overlap studies beyond the moving averages: MIDPOINT, MIDPRICE, BBANDS, SAR.

use super::IndicatorError;
use super::common::{
    MAX_REAL, Series3, check_inputs, check_period, check_real, fmax, fmin, is_zero_or_neg, nan_vec,
    sum_in_order, window_max_min,
};
use super::ma::{MaType, ma_into, ma_lookback};
use super::statistics::var_into;

/// Midpoint of the highest and lowest close over `period` bars (`MIDPOINT`).
pub fn midpoint(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("MIDPOINT", &[("close", close)], period - 1)?;
    Ok(midrange(close, close, period, n))
}

/// Midpoint of the highest high and lowest low over `period` bars (`MIDPRICE`).
pub fn midprice(high: &[f64], low: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("MIDPRICE", &[("high", high), ("low", low)], period - 1)?;
    Ok(midrange(high, low, period, n))
}

/// `(highest hi + lowest lo) / 2` over `period` bars, NaN before.
fn midrange(hi: &[f64], lo: &[f64], period: usize, n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    out.extend(std::iter::repeat_n(f64::NAN, period - 1));
    window_max_min(hi, lo, period, |_, h, l| {
        out.extend(h.iter().zip(l).map(|(&h, &l)| (h + l) / 2.0));
    });
    out
}

/// Warm-up of BBANDS: the moving average's.
pub fn bbands_lookback(period: usize, matype: MaType) -> usize {
    ma_lookback(period, matype)
}

/// Bollinger Bands (`BBANDS`): middle = MA(`matype`), bands = middle ±
/// nbdev × population standard deviation over `period`.
///
/// TA-Lib computes the deviation from the SMA it already has when
/// `matype` is SMA, and with a separate variance pass otherwise; both are
/// reproduced so the rounding matches.
pub fn bbands(
    close: &[f64],
    period: usize,
    nbdevup: f64,
    nbdevdn: f64,
    matype: MaType,
) -> Result<Series3, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    check_real("nbdevup", nbdevup, -MAX_REAL, MAX_REAL)?;
    check_real("nbdevdn", nbdevdn, -MAX_REAL, MAX_REAL)?;
    let lb = bbands_lookback(period, matype);
    let n = check_inputs("BBANDS", &[("close", close)], lb)?;
    if matype == MaType::Sma {
        return Ok(bbands_sma(close, period, nbdevup, nbdevdn, n));
    }
    let mut middle = nan_vec(n);
    ma_into(close, period, matype, &mut middle);
    // Standard deviation into `upper`, then turn it into the bands.
    let mut upper = nan_vec(n);
    let start = lb + 1 - period;
    var_into(&close[start..], period, &mut upper[start..]);
    upper[..lb].fill(f64::NAN);
    let mut lower = nan_vec(n);
    for ((u, l), &m) in upper[lb..]
        .iter_mut()
        .zip(&mut lower[lb..])
        .zip(&middle[lb..])
    {
        let sd = if is_zero_or_neg(*u) { 0.0 } else { u.sqrt() };
        *u = m + sd * nbdevup;
        *l = m - sd * nbdevdn;
    }
    Ok((upper, middle, lower))
}

/// BBANDS with an SMA middle, in one pass: TA-Lib derives the deviation
/// from the running sum of squares and the SMA it already has (both sums
/// started at bar 0, the SMA's add-emit-subtract order).
fn bbands_sma(close: &[f64], period: usize, nbdevup: f64, nbdevdn: f64, n: usize) -> Series3 {
    let lb = period - 1;
    let pf = period as f64;
    let mut total = sum_in_order(&close[..lb]);
    let mut s2 = close[..lb].iter().fold(0.0, |a, &v| a + v * v);
    let (mut upper, mut middle, mut lower) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for v in [&mut upper, &mut middle, &mut lower] {
        v.extend(std::iter::repeat_n(f64::NAN, lb));
    }
    for (&v, &t) in close[lb..].iter().zip(close) {
        total += v;
        s2 += v * v;
        let ma = total / pf;
        let mut m2 = s2 / pf;
        total -= t;
        s2 -= t * t;
        m2 -= ma * ma;
        let sd = if is_zero_or_neg(m2) { 0.0 } else { m2.sqrt() };
        upper.push(ma + sd * nbdevup);
        middle.push(ma);
        lower.push(ma - sd * nbdevdn);
    }
    (upper, middle, lower)
}

/// Parabolic SAR (`SAR`), TA-Lib's variant: the first direction comes from
/// bar 1's -DM (long unless the low fell more than the high rose), the first
/// SAR is bar 0's extreme, and every SAR is kept inside the last two bars'
/// range. `acceleration` above `maximum` is clamped to `maximum` as TA-Lib does.
pub fn sar(
    high: &[f64],
    low: &[f64],
    acceleration: f64,
    maximum: f64,
) -> Result<Vec<f64>, IndicatorError> {
    check_real("acceleration", acceleration, 0.0, MAX_REAL)?;
    check_real("maximum", maximum, 0.0, MAX_REAL)?;
    let n = check_inputs("SAR", &[("high", high), ("low", low)], 1)?;
    let mut out = nan_vec(n);
    let accel = acceleration.min(maximum);
    let mut af = accel;
    let diff_m = low[0] - low[1];
    let diff_p = high[1] - high[0];
    let minus_dm = if diff_m > 0.0 && diff_p < diff_m {
        diff_m
    } else {
        0.0
    };
    let mut is_long = minus_dm <= 0.0;
    let (mut ep, mut sar) = if is_long {
        (high[1], low[0])
    } else {
        (low[1], high[0])
    };
    let mut new_low = low[1];
    let mut new_high = high[1];
    // `fmax` / `fmin` are TA-Lib's `if (sar < x) sar = x` (one `maxsd`
    // each; `f64::max` adds NaN handling to the loop-carried chain), and
    // zipped slices drop the bounds checks.
    let bars = out[1..].iter_mut().zip(&high[1..]).zip(&low[1..]);
    for ((o, &h), &l) in bars {
        let prev_low = new_low;
        let prev_high = new_high;
        new_low = l;
        new_high = h;
        if is_long {
            if new_low <= sar {
                // Reverse to short: the SAR becomes the extreme point.
                is_long = false;
                sar = fmax(fmax(ep, prev_high), new_high);
                *o = sar;
                af = accel;
                ep = new_low;
                sar += af * (ep - sar);
                sar = fmax(fmax(sar, prev_high), new_high);
            } else {
                *o = sar;
                if new_high > ep {
                    ep = new_high;
                    af = fmin(af + accel, maximum);
                }
                sar += af * (ep - sar);
                sar = fmin(fmin(sar, prev_low), new_low);
            }
        } else if new_high >= sar {
            is_long = true;
            sar = fmin(fmin(ep, prev_low), new_low);
            *o = sar;
            af = accel;
            ep = new_high;
            sar += af * (ep - sar);
            sar = fmin(fmin(sar, prev_low), new_low);
        } else {
            *o = sar;
            if new_low < ep {
                ep = new_low;
                af = fmin(af + accel, maximum);
            }
            sar += af * (ep - sar);
            sar = fmax(fmax(sar, prev_high), new_high);
        }
    }
    Ok(out)
}
