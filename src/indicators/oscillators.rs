//! Range oscillators: STOCH, STOCHF, STOCHRSI, WILLR, CCI, ULTOSC, AROON, AROONOSC.

use super::IndicatorError;
use super::common::{
    Extreme, check_inputs, check_period, is_zero, nan_vec, true_range, window_max_min,
};
use super::ma::{MaType, ma_into, ma_lookback};
use super::momentum::rsi_into;

/// Raw %K from bar `fastk - 1` on, pushed onto `out`: 100 (close - lowest
/// low) / (highest high - lowest low), 0 on a (near-)zero range. Same
/// arithmetic as TA-Lib (divide by `range / 100`).
fn stoch_k(high: &[f64], low: &[f64], close: &[f64], fastk: usize, out: &mut Vec<f64>) {
    window_max_min(high, low, fastk, |first, h, l| {
        let c = &close[first..first + h.len()];
        out.extend(h.iter().zip(l).zip(c).map(|((&h, &l), &c)| {
            let diff = (h - l) / 100.0;
            // TA-Lib 0.8 guards with TA_IS_ZERO (not `!= 0`): a window flat to
            // machine precision (STOCHRSI on a flat RSI) gives 0, not noise.
            if is_zero(diff) { 0.0 } else { (c - l) / diff }
        }));
    });
}

/// `lb` NaNs then %K: the raw %K series aligned with the input.
fn stoch_k_vec(high: &[f64], low: &[f64], close: &[f64], fastk: usize) -> Vec<f64> {
    let mut k = Vec::with_capacity(close.len());
    k.extend(std::iter::repeat_n(f64::NAN, fastk - 1));
    stoch_k(high, low, close, fastk, &mut k);
    k
}

/// Warm-up of STOCH.
pub fn stoch_lookback(
    fastk: usize,
    slowk: usize,
    slowk_ma: MaType,
    slowd: usize,
    slowd_ma: MaType,
) -> usize {
    fastk - 1 + ma_lookback(slowk, slowk_ma) + ma_lookback(slowd, slowd_ma)
}

/// Slow stochastic (`STOCH`): %K smoothed by MA(slowk), %D = MA(slowd) of it.
/// The MAs run on the %K series from its first value (as TA-Lib's temp buffer).
#[allow(clippy::too_many_arguments)]
pub fn stoch(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk: usize,
    slowk: usize,
    slowk_ma: MaType,
    slowd: usize,
    slowd_ma: MaType,
) -> Result<(Vec<f64>, Vec<f64>), IndicatorError> {
    check_period("fastk_period", fastk, 1)?;
    check_period("slowk_period", slowk, 1)?;
    check_period("slowd_period", slowd, 1)?;
    let lb = stoch_lookback(fastk, slowk, slowk_ma, slowd, slowd_ma);
    let n = check_inputs(
        "STOCH",
        &[("high", high), ("low", low), ("close", close)],
        lb,
    )?;
    // No temporary series: raw %K goes into the %D output as scratch, %K
    // smooths it into `sk`, then %D smooths `sk` over the scratch.
    let mut sd = stoch_k_vec(high, low, close, fastk);
    let lbk = fastk - 1;
    let mut sk = nan_vec(n);
    ma_into(&sd[lbk..], slowk, slowk_ma, &mut sk[lbk..]);
    let lbs = lbk + ma_lookback(slowk, slowk_ma);
    ma_into(&sk[lbs..], slowd, slowd_ma, &mut sd[lbs..]);
    sd[..lbs].fill(f64::NAN);
    sk[..lb].fill(f64::NAN);
    Ok((sk, sd))
}

/// Warm-up of STOCHF.
pub fn stochf_lookback(fastk: usize, fastd: usize, fastd_ma: MaType) -> usize {
    fastk - 1 + ma_lookback(fastd, fastd_ma)
}

/// Fast stochastic (`STOCHF`): raw %K and %D = MA(fastd) of it.
pub fn stochf(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk: usize,
    fastd: usize,
    fastd_ma: MaType,
) -> Result<(Vec<f64>, Vec<f64>), IndicatorError> {
    check_period("fastk_period", fastk, 1)?;
    check_period("fastd_period", fastd, 1)?;
    let lb = stochf_lookback(fastk, fastd, fastd_ma);
    let n = check_inputs(
        "STOCHF",
        &[("high", high), ("low", low), ("close", close)],
        lb,
    )?;
    let mut k = stoch_k_vec(high, low, close, fastk);
    let lbk = fastk - 1;
    let mut d = nan_vec(n);
    ma_into(&k[lbk..], fastd, fastd_ma, &mut d[lbk..]);
    k[..lb].fill(f64::NAN);
    Ok((k, d))
}

/// Warm-up of STOCHRSI.
pub fn stochrsi_lookback(period: usize, fastk: usize, fastd: usize, fastd_ma: MaType) -> usize {
    period + stochf_lookback(fastk, fastd, fastd_ma)
}

/// Stochastic RSI (`STOCHRSI`): STOCHF applied to RSI(period).
pub fn stochrsi(
    close: &[f64],
    period: usize,
    fastk: usize,
    fastd: usize,
    fastd_ma: MaType,
) -> Result<(Vec<f64>, Vec<f64>), IndicatorError> {
    check_period("timeperiod", period, 2)?;
    check_period("fastk_period", fastk, 1)?;
    check_period("fastd_period", fastd, 1)?;
    let lb = stochrsi_lookback(period, fastk, fastd, fastd_ma);
    let n = check_inputs("STOCHRSI", &[("close", close)], lb)?;
    // RSI goes into the %D output as scratch; %K reads it, then %D (the MA
    // of %K) overwrites it.
    let mut d = nan_vec(n);
    rsi_into(close, period, &mut d);
    let mut k = Vec::with_capacity(n);
    k.extend(std::iter::repeat_n(f64::NAN, period + fastk - 1));
    let rs = &d[period..];
    stoch_k(rs, rs, rs, fastk, &mut k);
    let lbk = period + fastk - 1;
    ma_into(&k[lbk..], fastd, fastd_ma, &mut d[lbk..]);
    d[..lbk].fill(f64::NAN);
    k[..lb].fill(f64::NAN);
    Ok((k, d))
}

/// Williams %R (`WILLR`): -100 (highest high - close) / (highest - lowest).
pub fn willr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let lb = period - 1;
    let n = check_inputs(
        "WILLR",
        &[("high", high), ("low", low), ("close", close)],
        lb,
    )?;
    let mut out = Vec::with_capacity(n);
    out.extend(std::iter::repeat_n(f64::NAN, lb));
    window_max_min(high, low, period, |first, h, l| {
        let c = &close[first..first + h.len()];
        out.extend(h.iter().zip(l).zip(c).map(|((&h, &l), &c)| {
            let diff = (h - l) / -100.0;
            if diff != 0.0 { (h - c) / diff } else { 0.0 }
        }));
    });
    Ok(out)
}

/// Commodity channel index (`CCI`): (TP - SMA(TP)) / (0.015 × mean absolute
/// deviation), TP = (h+l+c)/3. Like TA-Lib, the mean and deviation are
/// re-summed over a circular buffer each bar, in buffer order.
pub fn cci(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let lb = period - 1;
    let n = check_inputs("CCI", &[("high", high), ("low", low), ("close", close)], lb)?;
    let mut out = nan_vec(n);
    let mut ring = vec![0.0f64; period];
    let pf = period as f64;
    let mut idx = 0;
    for (i, o) in out.iter_mut().enumerate() {
        let tp = (high[i] + low[i] + close[i]) / 3.0;
        ring[idx] = tp;
        idx += 1;
        if idx == period {
            idx = 0;
        }
        if i < lb {
            continue;
        }
        let mut avg = 0.0;
        for &v in &ring {
            avg += v;
        }
        avg /= pf;
        let mut dev = 0.0;
        for &v in &ring {
            dev += (v - avg).abs();
        }
        let num = tp - avg;
        *o = if num != 0.0 && dev != 0.0 {
            num / (0.015 * (dev / pf))
        } else {
            0.0
        };
    }
    Ok(out)
}

/// Ultimate oscillator (`ULTOSC`). TA-Lib sorts the three periods, so the
/// shortest always gets weight 4 and the longest weight 1, whatever order
/// they are given in; lookback = the longest period.
pub fn ultosc(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period1: usize,
    period2: usize,
    period3: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod1", period1, 1)?;
    check_period("timeperiod2", period2, 1)?;
    check_period("timeperiod3", period3, 1)?;
    let mut p = [period1, period2, period3];
    p.sort_unstable();
    let [p1, p2, p3] = p;
    let lb = p3;
    let n = check_inputs(
        "ULTOSC",
        &[("high", high), ("low", low), ("close", close)],
        lb,
    )?;
    let mut out = nan_vec(n);
    // Buying pressure (close - true low) and true range of bar i >= 1.
    let term = |i: usize| {
        let cy = close[i - 1];
        let true_low = if low[i] < cy { low[i] } else { cy };
        (close[i] - true_low, true_range(high[i], low[i], cy))
    };
    let mut tot = [(0.0f64, 0.0f64); 3];
    for i in lb + 1 - p3..lb {
        let (a, b) = term(i);
        if i + p1 > lb {
            tot[0].0 += a;
            tot[0].1 += b;
        }
        if i + p2 > lb {
            tot[1].0 += a;
            tot[1].1 += b;
        }
        tot[2].0 += a;
        tot[2].1 += b;
    }
    for (today, o) in out.iter_mut().enumerate().skip(lb) {
        let (a, b) = term(today);
        for t in tot.iter_mut() {
            t.0 += a;
        }
        for t in tot.iter_mut() {
            t.1 += b;
        }
        let mut v = 0.0;
        if !is_zero(tot[0].1) {
            v += 4.0 * (tot[0].0 / tot[0].1);
        }
        if !is_zero(tot[1].1) {
            v += 2.0 * (tot[1].0 / tot[1].1);
        }
        if !is_zero(tot[2].1) {
            v += tot[2].0 / tot[2].1;
        }
        for (t, per) in tot.iter_mut().zip([p1, p2, p3]) {
            let (a, b) = term(today + 1 - per);
            t.0 -= a;
            t.1 -= b;
        }
        *o = 100.0 * (v / 7.0);
    }
    Ok(out)
}

/// Aroon core: calls `emit(i, highest_idx, lowest_idx)` for each bar from
/// `period` on, over windows of `period + 1` bars. Ties go to the most
/// recent bar (TA-Lib's `<=` / `>=` in both scan and update).
fn aroon_core(high: &[f64], low: &[f64], period: usize, mut emit: impl FnMut(usize, usize, usize)) {
    let (mut hi, mut lo) = (Extreme::new(), Extreme::new());
    for today in period..high.len() {
        let t = today - period;
        let (_, li) = lo.lowest(low, t, today, true);
        let (_, hix) = hi.highest(high, t, today, true);
        emit(today, hix, li);
    }
}

/// Aroon (`AROON`): (aroondown, aroonup) = 100 (period - bars since the
/// lowest low / highest high) / period over the last `period + 1` bars.
pub fn aroon(
    high: &[f64],
    low: &[f64],
    period: usize,
) -> Result<(Vec<f64>, Vec<f64>), IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("AROON", &[("high", high), ("low", low)], period)?;
    let (mut down, mut up) = (nan_vec(n), nan_vec(n));
    let factor = 100.0 / period as f64;
    aroon_core(high, low, period, |i, h, l| {
        up[i] = factor * (period - (i - h)) as f64;
        down[i] = factor * (period - (i - l)) as f64;
    });
    Ok((down, up))
}

/// Aroon oscillator (`AROONOSC`): aroonup - aroondown, computed as TA-Lib
/// does from the index difference.
pub fn aroonosc(high: &[f64], low: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs("AROONOSC", &[("high", high), ("low", low)], period)?;
    let mut out = nan_vec(n);
    let factor = 100.0 / period as f64;
    aroon_core(high, low, period, |i, h, l| {
        out[i] = factor * (h as f64 - l as f64);
    });
    Ok(out)
}
