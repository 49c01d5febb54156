//! Volume indicators: OBV, AD, ADOSC, MFI.

use super::IndicatorError;
use super::common::{check_inputs, check_period, chunked_out, nan_vec, per_to_k};

/// On-balance volume (`OBV`): starts at the first bar's volume, then adds
/// (up close) or subtracts (down close) each bar's volume. The signed volume
/// is a select, not a branch (up / down closes are a coin flip on real
/// prices); adding the 0.0 of an unchanged close is exact. Each output is
/// written once (no NaN pre-fill).
pub fn obv(close: &[f64], volume: &[f64]) -> Result<Vec<f64>, IndicatorError> {
    let n = check_inputs("OBV", &[("close", close), ("volume", volume)], 0)?;
    let mut total = volume[0];
    let mut prev = close[0];
    Ok(chunked_out(n, 0, |start, chunk| {
        let end = start + chunk.len();
        for (o, (&c, &v)) in chunk
            .iter_mut()
            .zip(close[start..end].iter().zip(&volume[start..end]))
        {
            // +1, -1 or 0 as a number: v * sign is exactly v, -v or 0.
            let sign = f64::from(u8::from(c > prev)) - f64::from(u8::from(c < prev));
            total += v * sign;
            prev = c;
            *o = total;
        }
    }))
}

/// One bar's money-flow volume added to the running A/D line (bars with no
/// range add nothing). The flow is computed unconditionally and selected
/// (a NaN from a zero range is discarded): with a branch the compiler kept
/// the running sum in memory, a store/load on the dependent chain. Adding
/// the selected 0.0 is exact.
#[inline(always)]
fn ad_step(ad: f64, h: f64, l: f64, c: f64, v: f64) -> f64 {
    let r = h - l;
    let flow = (((c - l) - (h - c)) / r) * v;
    ad + if r > 0.0 { flow } else { 0.0 }
}

/// Chaikin accumulation/distribution line (`AD`).
pub fn ad(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
) -> Result<Vec<f64>, IndicatorError> {
    let n = check_inputs(
        "AD",
        &[
            ("high", high),
            ("low", low),
            ("close", close),
            ("volume", volume),
        ],
        0,
    )?;
    let mut acc = 0.0;
    Ok(chunked_out(n, 0, |start, chunk| {
        let end = start + chunk.len();
        let (h, l) = (&high[start..end], &low[start..end]);
        let (c, v) = (&close[start..end], &volume[start..end]);
        // A local copy keeps the running sum in a register (the captured
        // one was stored back to memory every bar, on the dependent chain).
        let mut a = acc;
        for (o, ((&h, &l), (&c, &v))) in chunk.iter_mut().zip(h.iter().zip(l).zip(c.iter().zip(v)))
        {
            a = ad_step(a, h, l, c, v);
            *o = a;
        }
        acc = a;
    }))
}

/// Chaikin oscillator (`ADOSC`): EMA(fast) - EMA(slow) of the A/D line.
/// TA-Lib seeds both EMAs with the first A/D value (not an SMA) and starts
/// output after the slower period's warm-up (`max(fast, slow) - 1`).
pub fn adosc(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
    fast: usize,
    slow: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("fastperiod", fast, 2)?;
    check_period("slowperiod", slow, 2)?;
    let lb = fast.max(slow) - 1;
    let n = check_inputs(
        "ADOSC",
        &[
            ("high", high),
            ("low", low),
            ("close", close),
            ("volume", volume),
        ],
        lb,
    )?;
    let mut out = nan_vec(n);
    let (fk, sk) = (per_to_k(fast), per_to_k(slow));
    let (ofk, osk) = (1.0 - fk, 1.0 - sk);
    let mut acc = ad_step(0.0, high[0], low[0], close[0], volume[0]);
    let (mut fe, mut se) = (acc, acc);
    for i in 1..n {
        acc = ad_step(acc, high[i], low[i], close[i], volume[i]);
        fe = (fk * acc) + (ofk * fe);
        se = (sk * acc) + (osk * se);
        if i >= lb {
            out[i] = fe - se;
        }
    }
    Ok(out)
}

/// Money flow index (`MFI`): RSI-like ratio of positive to total money flow
/// (typical price × volume) over `period` bars. TA-Lib quirk kept: when the
/// total flow is below 1.0 the output is 0.
pub fn mfi(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
    period: usize,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    let n = check_inputs(
        "MFI",
        &[
            ("high", high),
            ("low", low),
            ("close", close),
            ("volume", volume),
        ],
        period,
    )?;
    let mut out = nan_vec(n);
    // Ring of (positive, negative) flows of the last `period` bars.
    let mut ring = vec![(0.0f64, 0.0f64); period];
    let tp = |i: usize| (high[i] + low[i] + close[i]) / 3.0;
    let mut prev = tp(0);
    let (mut pos, mut neg) = (0.0, 0.0);
    let flow = |i: usize, prev: &mut f64| {
        let t = tp(i);
        let d = t - *prev;
        *prev = t;
        let mf = t * volume[i];
        if d < 0.0 {
            (0.0, mf)
        } else if d > 0.0 {
            (mf, 0.0)
        } else {
            (0.0, 0.0)
        }
    };
    for (i, slot) in ring.iter_mut().enumerate() {
        let f = flow(i + 1, &mut prev);
        pos += f.0;
        neg += f.1;
        *slot = f;
    }
    let emit = |pos: f64, neg: f64| {
        let t = pos + neg;
        if t < 1.0 { 0.0 } else { 100.0 * (pos / t) }
    };
    out[period] = emit(pos, neg);
    let mut idx = 0;
    for (i, o) in out.iter_mut().enumerate().skip(period + 1) {
        pos -= ring[idx].0;
        neg -= ring[idx].1;
        let f = flow(i, &mut prev);
        pos += f.0;
        neg += f.1;
        ring[idx] = f;
        idx += 1;
        if idx == period {
            idx = 0;
        }
        *o = emit(pos, neg);
    }
    Ok(out)
}
