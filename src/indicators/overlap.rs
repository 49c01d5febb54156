//! Overlap studies beyond the moving averages: MIDPOINT, MIDPRICE, BBANDS, SAR.

use super::IndicatorError;
use super::common::{
    Extreme, MAX_REAL, Series3, check_inputs, check_period, check_real, is_zero_or_neg, nan_vec,
};
use super::ma::{MaType, ma_into, ma_lookback};
use super::statistics::var_into;

/// Midpoint of the highest and lowest close over `period` bars (`MIDPOINT`).
pub fn midpoint(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("MIDPOINT", &[("close", close)], period - 1)?;
    let mut out = nan_vec(n);
    let (mut hi, mut lo) = (Extreme::new(), Extreme::new());
    for (today, o) in out.iter_mut().enumerate().skip(period - 1) {
        let t = today + 1 - period;
        let (h, _) = hi.highest(close, t, today, false);
        let (l, _) = lo.lowest(close, t, today, false);
        *o = (h + l) / 2.0;
    }
    Ok(out)
}

/// Midpoint of the highest high and lowest low over `period` bars (`MIDPRICE`).
pub fn midprice(high: &[f64], low: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("MIDPRICE", &[("high", high), ("low", low)], period - 1)?;
    let mut out = nan_vec(n);
    let (mut hi, mut lo) = (Extreme::new(), Extreme::new());
    for (today, o) in out.iter_mut().enumerate().skip(period - 1) {
        let t = today + 1 - period;
        let (h, _) = hi.highest(high, t, today, false);
        let (l, _) = lo.lowest(low, t, today, false);
        *o = (h + l) / 2.0;
    }
    Ok(out)
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
    let mut middle = nan_vec(n);
    ma_into(close, period, matype, &mut middle);
    // Standard deviation into `upper`, then turn it into the bands.
    let mut upper = nan_vec(n);
    if matype == MaType::Sma {
        let pf = period as f64;
        let mut s2 = 0.0;
        for &v in &close[lb + 1 - period..lb] {
            s2 += v * v;
        }
        for today in lb..n {
            let v = close[today];
            s2 += v * v;
            let mut m2 = s2 / pf;
            let t = close[today + 1 - period];
            s2 -= t * t;
            let ma = middle[today];
            m2 -= ma * ma;
            upper[today] = if is_zero_or_neg(m2) { 0.0 } else { m2.sqrt() };
        }
    } else {
        let start = lb + 1 - period;
        var_into(&close[start..], period, &mut upper[start..]);
        for o in upper[lb..].iter_mut() {
            *o = if is_zero_or_neg(*o) { 0.0 } else { o.sqrt() };
        }
        upper[..lb].fill(f64::NAN);
    }
    let mut lower = nan_vec(n);
    for ((u, l), &m) in upper[lb..]
        .iter_mut()
        .zip(&mut lower[lb..])
        .zip(&middle[lb..])
    {
        let sd = *u;
        *u = m + sd * nbdevup;
        *l = m - sd * nbdevdn;
    }
    Ok((upper, middle, lower))
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
    for today in 1..n {
        let prev_low = new_low;
        let prev_high = new_high;
        new_low = low[today];
        new_high = high[today];
        if is_long {
            if new_low <= sar {
                // Reverse to short: the SAR becomes the extreme point.
                is_long = false;
                sar = ep.max(prev_high).max(new_high);
                out[today] = sar;
                af = accel;
                ep = new_low;
                sar += af * (ep - sar);
                sar = sar.max(prev_high).max(new_high);
            } else {
                out[today] = sar;
                if new_high > ep {
                    ep = new_high;
                    af = (af + accel).min(maximum);
                }
                sar += af * (ep - sar);
                sar = sar.min(prev_low).min(new_low);
            }
        } else if new_high >= sar {
            is_long = true;
            sar = ep.min(prev_low).min(new_low);
            out[today] = sar;
            af = accel;
            ep = new_high;
            sar += af * (ep - sar);
            sar = sar.min(prev_low).min(new_low);
        } else {
            out[today] = sar;
            if new_low < ep {
                ep = new_low;
                af = (af + accel).min(maximum);
            }
            sar += af * (ep - sar);
            sar = sar.max(prev_high).max(new_high);
        }
    }
    Ok(out)
}
