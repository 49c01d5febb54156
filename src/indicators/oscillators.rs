//! Range oscillators: STOCH, STOCHF, STOCHRSI, WILLR, CCI, ULTOSC, AROON, AROONOSC.

use super::IndicatorError;
use super::common::{
    Extreme, check_inputs, check_period, check_shape, fused_out, is_zero, nan_vec, true_range,
    window_max_min,
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
            // TA-Lib: `diff = (h - l) / -100; if diff != 0 { (h - c) / diff }`.
            // One divide instead of two (equal within a few ulps); `diff`
            // is zero exactly when `|h - l|` is at most 50 smallest
            // subnormals (it rounds to 0 when divided by 100).
            let r = h - l;
            if r.abs() > f64::from_bits(50) {
                (-100.0 * (h - c)) / r
            } else {
                0.0
            }
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
    let series = [("high", high), ("low", low), ("close", close)];
    let n = check_shape("ULTOSC", &series, lb)?;
    // Buying pressure (close - true low) and true range of bar i >= 1.
    let term = |i: usize| {
        let cy = close[i - 1];
        let true_low = if low[i] < cy { low[i] } else { cy };
        (close[i] - true_low, true_range(high[i], low[i], cy))
    };
    // Each bar's terms are computed once and kept in a ring (L1-resident)
    // for when they leave the three windows, instead of being recomputed
    // for each period; the sums see the same values in the same order.
    let mask = (p3 + 1).next_power_of_two() - 1;
    let mut ring = vec![(0.0f64, 0.0f64); mask + 1];
    // Running sums of buying pressure (`sa`) and true range (`sb`) per
    // period, in lanes 0..3 (lane 3 is padding, kept at 0 / 1), so the
    // compiler may pack the three adds and divides (the divides, with the
    // final one below, were this loop's bottleneck).
    let (mut sa, mut sb) = ([0.0f64; 4], [0.0f64, 0.0, 0.0, 1.0]);
    for i in lb + 1 - p3..lb {
        let (a, b) = term(i);
        ring[i & mask] = (a, b);
        for (k, per) in [p1, p2, p3].into_iter().enumerate() {
            if i + per > lb {
                sa[k] += a;
                sb[k] += b;
            }
        }
    }
    fused_out("ULTOSC", &series, n, lb, |start, chunk| {
        let (mut ta, mut tb) = (sa, sb);
        for (today, o) in (start..).zip(chunk.iter_mut()) {
            let (a, b) = term(today);
            ring[today & mask] = (a, b);
            for k in 0..3 {
                ta[k] += a;
                tb[k] += b;
            }
            // Divide unconditionally (a ~0 sum just gives an unused inf or
            // NaN), then add the terms in TA-Lib's order, skipping ~0 sums.
            let q: [f64; 4] = std::array::from_fn(|k| ta[k] / tb[k]);
            let mut v = 0.0;
            if !is_zero(tb[0]) {
                v += 4.0 * q[0];
            }
            if !is_zero(tb[1]) {
                v += 2.0 * q[1];
            }
            if !is_zero(tb[2]) {
                v += q[2];
            }
            for (k, per) in [p1, p2, p3].into_iter().enumerate() {
                let (a, b) = ring[(today + 1 - per) & mask];
                ta[k] -= a;
                tb[k] -= b;
            }
            // TA-Lib's `100 * (v / 7)` as one multiply: a divide fewer per
            // bar, within an ulp or two of it.
            *o = v * (100.0 / 7.0);
        }
        (sa, sb) = (ta, tb);
    })
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
