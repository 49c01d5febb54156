//! Moving averages (SMA, EMA, WMA, DEMA, TEMA, TRIMA, KAMA, T3, MAMA) and the
//! `matype` dispatch TA-Lib's `TA_MA` does for BBANDS, STOCH, APO, PPO...
//!
//! Kernels (`*_into`) write a whole output slice of the input's length: NaN
//! in the warm-up prefix, values after. They never fail; when the input is
//! too short the output is all NaN. Composite indicators call them on
//! sub-slices, which reproduces TA-Lib's index arithmetic exactly.

use super::IndicatorError;
use super::common::{
    MAX_PERIOD, check_inputs, check_period, check_real, collect_out, fill_out, nan_vec, per_to_k,
    sum_in_order,
};
use super::mama::mama_into;

/// TA-Lib's `TA_MAType`, the `matype` parameter of BBANDS, STOCH, APO, PPO...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaType {
    Sma = 0,
    Ema = 1,
    Wma = 2,
    Dema = 3,
    Tema = 4,
    Trima = 5,
    Kama = 6,
    Mama = 7,
    T3 = 8,
}

impl MaType {
    /// From TA-Lib's integer code (0..=8).
    pub fn from_code(code: usize) -> Result<MaType, IndicatorError> {
        Ok(match code {
            0 => MaType::Sma,
            1 => MaType::Ema,
            2 => MaType::Wma,
            3 => MaType::Dema,
            4 => MaType::Tema,
            5 => MaType::Trima,
            6 => MaType::Kama,
            7 => MaType::Mama,
            8 => MaType::T3,
            _ => {
                return Err(IndicatorError::InvalidParam {
                    param: "matype".to_string(),
                    value: code as f64,
                    reason:
                        "must be 0..=8 (0=SMA 1=EMA 2=WMA 3=DEMA 4=TEMA 5=TRIMA 6=KAMA 7=MAMA 8=T3)"
                            .to_string(),
                });
            }
        })
    }
}

/// `TA_MA`'s vfactor for T3 and fast/slow limits for MAMA.
const MA_T3_VFACTOR: f64 = 0.7;
const MA_MAMA_FAST: f64 = 0.5;
const MA_MAMA_SLOW: f64 = 0.05;

/// Warm-up of `TA_MA(period, matype)`. A period of 1 is a plain copy (0).
pub fn ma_lookback(period: usize, matype: MaType) -> usize {
    if period <= 1 {
        return 0;
    }
    match matype {
        MaType::Sma | MaType::Ema | MaType::Wma | MaType::Trima => period - 1,
        MaType::Dema => 2 * (period - 1),
        MaType::Tema => 3 * (period - 1),
        MaType::Kama => period,
        MaType::Mama => 32,
        MaType::T3 => 6 * (period - 1),
    }
}

/// `TA_MA` kernel: dispatches on `matype`; period 1 copies the input.
pub(crate) fn ma_into(x: &[f64], period: usize, matype: MaType, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    match matype {
        MaType::Sma => sma_into(x, period, out),
        MaType::Ema => ema_into(x, period, out),
        MaType::Wma => wma_into(x, period, out),
        MaType::Dema => dema_into(x, period, out),
        MaType::Tema => tema_into(x, period, out),
        MaType::Trima => trima_into(x, period, out),
        MaType::Kama => kama_into(x, period, out),
        MaType::Mama => mama_into(x, MA_MAMA_FAST, MA_MAMA_SLOW, out, None),
        MaType::T3 => t3_into(x, period, MA_T3_VFACTOR, out),
    }
}

// Kernels come in two forms: `*_values` yields the valid outputs (from the
// lookback on) as an iterator over the input — a single pass that the
// public functions collect straight into the output vector (each element
// written once) — and `*_into` writes them into a slice for composites.
// `*_values` requires `x.len() > lookback` and `period >= 2`.

/// The MA kernel's output, written into `out` (all NaN when `x` is too
/// short; the kernel is only built when it has enough input).
fn into_slice<I: Iterator<Item = f64>>(
    x: &[f64],
    lb: usize,
    out: &mut [f64],
    values: impl FnOnce() -> I,
) {
    if x.len() <= lb {
        out.fill(f64::NAN);
    } else {
        fill_out(out, lb, values());
    }
}

/// Simple moving average, TA-Lib's running total (add new, emit, drop trailing).
pub(crate) fn sma_values(x: &[f64], period: usize) -> impl Iterator<Item = f64> + '_ {
    let lb = period - 1;
    let pf = period as f64;
    let mut total = sum_in_order(&x[..lb]);
    x[lb..].iter().zip(x).map(move |(&new, &old)| {
        total += new;
        let v = total / pf;
        total -= old;
        v
    })
}

pub(crate) fn sma_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    into_slice(x, period - 1, out, || sma_values(x, period));
}

/// One EMA step as `prev * (1-k) + v * k`. TA-Lib writes `(v - prev) * k +
/// prev` (a subtract, multiply and add on the loop-carried chain, ~9
/// cycles; its FMA build fuses the last two, ~7); here `v * k` is off the
/// chain, leaving a multiply and an add (~6 cycles). The two forms differ
/// by rounding only (~1e-16 relative; the EMA contracts errors).
#[inline(always)]
pub(crate) fn ema_step(prev: f64, v: f64, k: f64, omk: f64) -> f64 {
    prev * omk + v * k
}

/// EMA with an explicit smoothing factor `k`, seeded (TA-Lib's default
/// compatibility) with the SMA of the first `period` values. Valid for
/// `period == 1` too (TRIX and MACD's signal use the formula, not a copy).
pub(crate) fn ema_k_values(x: &[f64], period: usize, k: f64) -> impl Iterator<Item = f64> + '_ {
    let omk = 1.0 - k;
    let mut prev = sum_in_order(&x[..period]) / period as f64;
    let first = prev;
    std::iter::once(first).chain(x[period..].iter().map(move |&v| {
        prev = ema_step(prev, v, k, omk);
        prev
    }))
}

pub(crate) fn ema_k_into(x: &[f64], period: usize, k: f64, out: &mut [f64]) {
    into_slice(x, period - 1, out, || ema_k_values(x, period, k));
}

/// Exponential moving average, `k = 2 / (period + 1)`.
pub(crate) fn ema_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    ema_k_into(x, period, per_to_k(period), out);
}

/// Weighted moving average (weights 1..=period, newest heaviest), with
/// TA-Lib's running `periodSum` / `periodSub` update.
fn wma_values(x: &[f64], period: usize) -> impl Iterator<Item = f64> + '_ {
    let lb = period - 1;
    let divider = ((period * (period + 1)) >> 1) as f64;
    let pf = period as f64;
    let (mut sub, mut sum) = (0.0, 0.0);
    for (i, &v) in x[..lb].iter().enumerate() {
        sub += v;
        sum += v * (i + 1) as f64;
    }
    let mut trailing_value = 0.0;
    x[lb..].iter().zip(x).map(move |(&v, &trail)| {
        sub += v;
        sub -= trailing_value;
        sum += v * pf;
        trailing_value = trail;
        let o = sum / divider;
        sum -= sub;
        o
    })
}

pub(crate) fn wma_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    into_slice(x, period - 1, out, || wma_values(x, period));
}

/// Up to three chained SMA-seeded EMAs in one pass (DEMA, TEMA, TRIX). Level
/// `j` is seeded with the average of level `j-1`'s first `period` values, so
/// level 3 starts at bar `3 (period - 1)`; this yields `(e1, e2, e3)` from
/// there on, with exactly the arithmetic of three separate EMA passes but no
/// intermediate full-length buffers. `levels` is 2 (e3 stays 0) or 3.
fn ema_chain(
    x: &[f64],
    period: usize,
    k: f64,
    levels: usize,
) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
    let lb1 = period - 1;
    let pf = period as f64;
    let omk = 1.0 - k;
    let step = move |e: f64, v: f64| ema_step(e, v, k, omk);
    let mut e1 = sum_in_order(&x[..period]) / pf;
    // e1 at bars lb1..=2 lb1 seeds e2 (0.0 + e1 == e1 exactly).
    let mut s2 = e1;
    for &v in &x[period..=2 * lb1] {
        e1 = step(e1, v);
        s2 += e1;
    }
    let mut e2 = s2 / pf;
    let mut e3 = 0.0;
    let mut start = 2 * lb1 + 1;
    if levels == 3 {
        let mut s3 = e2;
        for &v in &x[start..=3 * lb1] {
            e1 = step(e1, v);
            e2 = step(e2, e1);
            s3 += e2;
        }
        e3 = s3 / pf;
        start = 3 * lb1 + 1;
    }
    let first = (e1, e2, e3);
    std::iter::once(first).chain(x[start..].iter().map(move |&v| {
        e1 = step(e1, v);
        e2 = step(e2, e1);
        if levels == 3 {
            e3 = step(e3, e2);
        }
        (e1, e2, e3)
    }))
}

/// Double EMA: `2*EMA - EMA(EMA)`, each EMA seeded as TA-Lib does.
fn dema_values(x: &[f64], period: usize) -> impl Iterator<Item = f64> + '_ {
    ema_chain(x, period, per_to_k(period), 2).map(|(e1, e2, _)| (2.0 * e1) - e2)
}

pub(crate) fn dema_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    into_slice(x, 2 * (period - 1), out, || dema_values(x, period));
}

/// Triple EMA: `3*EMA - 3*EMA(EMA) + EMA(EMA(EMA))`; TA-Lib adds onto the
/// third EMA: `e3 + ((3*e1) - (3*e2))`.
fn tema_values(x: &[f64], period: usize) -> impl Iterator<Item = f64> + '_ {
    ema_chain(x, period, per_to_k(period), 3).map(|(e1, e2, e3)| e3 + ((3.0 * e1) - (3.0 * e2)))
}

pub(crate) fn tema_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    into_slice(x, 3 * (period - 1), out, || tema_values(x, period));
}

/// The `(e1, e2, e3)` triple-EMA chain with factor `2 / (period + 1)`, also
/// for `period == 1` (TRIX); `x.len() > 3 (period - 1)`.
pub(crate) fn triple_ema(x: &[f64], period: usize) -> impl Iterator<Item = f64> + '_ {
    ema_chain(x, period, per_to_k(period), 3).map(|(_, _, e3)| e3)
}

/// The two SMA periods of TRIMA: TA-Lib's weights (1,2,..,top,..,2,1) equal
/// an SMA of an SMA — `(p+1)/2` twice for odd periods, `p/2` then `p/2+1`
/// for even ones.
fn trima_periods(period: usize) -> (usize, usize) {
    if period % 2 == 1 {
        (period.div_ceil(2), period.div_ceil(2))
    } else {
        (period / 2, period / 2 + 1)
    }
}

/// Triangular MA as the SMA (`n2`) of the SMA (`n1`), both levels in one
/// pass: a ring of the last `n2 - 1` first-level values replaces the
/// intermediate full-length series (same running-total arithmetic; a
/// first-level "SMA" of 1 is the value itself, as `(0 + v) / 1 == v`).
fn trima_values(x: &[f64], period: usize) -> impl Iterator<Item = f64> + '_ {
    let (n1, n2) = trima_periods(period);
    let (lb1, lb2) = (n1 - 1, n2 - 1);
    let (pf1, pf2) = (n1 as f64, n2 as f64);
    let mut t1 = sum_in_order(&x[..lb1]);
    let mut level1 = x[lb1..].iter().zip(x).map(move |(&new, &old)| {
        t1 += new;
        let v = t1 / pf1;
        t1 -= old;
        v
    });
    // Level 2's running total starts as the sum of its first lb2 inputs.
    let mut ring: Vec<f64> = level1.by_ref().take(lb2).collect();
    let mut t2 = sum_in_order(&ring);
    let mut slot = 0;
    level1.map(move |f| {
        t2 += f;
        let v = t2 / pf2;
        t2 -= ring[slot];
        ring[slot] = f;
        slot += 1;
        if slot == ring.len() {
            slot = 0;
        }
        v
    })
}

pub(crate) fn trima_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    into_slice(x, period - 1, out, || trima_values(x, period));
}

/// Kaufman adaptive MA: efficiency ratio over `period` bars scales the EMA
/// factor between 2/(30+1) and 2/(2+1). Lookback is `period` (not period-1);
/// the first KAMA uses the previous close as the prior value.
///
/// TA-Lib 0.8 semantics: the rolling noise sum (`sumROC1`, add-then-subtract)
/// is reset to exactly 0 once `period` consecutive one-bar changes are exactly
/// zero (a flat window would otherwise leave rounding residue that the ratio
/// divides into itself), and the ratio is 1 when the sum is <= 0 or <= the
/// *signed* period change.
fn kama_values(x: &[f64], period: usize) -> impl Iterator<Item = f64> + '_ {
    let const_max = 2.0 / (30.0 + 1.0);
    let const_diff = 2.0 / (2.0 + 1.0) - const_max;
    let mut sum_roc1 = 0.0;
    let mut null_run = 0usize;
    for w in x[..=period].windows(2) {
        let d = w[0] - w[1];
        sum_roc1 += d.abs();
        null_run = if d == 0.0 { null_run + 1 } else { 0 };
    }
    let sc = move |period_roc: f64, sum_roc1: f64| {
        let er = if sum_roc1 <= 0.0 || sum_roc1 <= period_roc {
            1.0
        } else {
            (period_roc / sum_roc1).abs()
        };
        let t = er * const_diff + const_max;
        t * t
    };
    let mut trailing_value = x[0];
    let mut prev = x[period - 1];
    let t = sc(x[period] - trailing_value, sum_roc1);
    prev = (x[period] - prev) * t + prev;
    let first = prev;
    // Windows of period + 2: [today - period - 1 ..= today].
    let rest = x.windows(period + 2).map(move |w| {
        let (tv, yesterday, v) = (w[1], w[period], w[period + 1]);
        sum_roc1 -= (trailing_value - tv).abs();
        let d = v - yesterday;
        sum_roc1 += d.abs();
        null_run = if d == 0.0 { null_run + 1 } else { 0 };
        if null_run >= period {
            null_run = period;
            sum_roc1 = 0.0;
        }
        trailing_value = tv;
        let t = sc(v - tv, sum_roc1);
        // `prev * (1-t) + v * t` rather than TA-Lib's `(v - prev) * t + prev`:
        // only a multiply and an add on the loop-carried chain (see ema_step).
        prev = ema_step(prev, v, t, 1.0 - t);
        prev
    });
    std::iter::once(first).chain(rest)
}

pub(crate) fn kama_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    into_slice(x, period, out, || kama_values(x, period));
}

/// Tillson T3: six chained EMAs combined with the volume factor `vfactor`;
/// each EMA is seeded with the average of its first `period` inputs.
fn t3_values(x: &[f64], period: usize, vfactor: f64) -> impl Iterator<Item = f64> + '_ {
    let lb = 6 * (period - 1);
    let k = 2.0 / (period as f64 + 1.0);
    let omk = 1.0 - k;
    let pf = period as f64;
    let mut today = 0;
    let mut e = [0.0f64; 6];
    // Seed e[0] with an SMA, then each next level with the SMA of the
    // previous level's first `period` values while running the lower ones.
    let mut acc = x[today];
    today += 1;
    for _ in 1..period {
        acc += x[today];
        today += 1;
    }
    e[0] = acc / pf;
    for level in 1..6 {
        let mut acc = e[level - 1];
        for _ in 1..period {
            e[0] = k * x[today] + omk * e[0];
            today += 1;
            for j in 1..level {
                e[j] = k * e[j - 1] + omk * e[j];
            }
            acc += e[level - 1];
        }
        e[level] = acc / pf;
    }
    let v2 = vfactor * vfactor;
    let c1 = -(v2 * vfactor);
    let c2 = 3.0 * (v2 - c1);
    let c3 = -6.0 * v2 - 3.0 * (vfactor - c1);
    let c4 = 1.0 + 3.0 * vfactor - c1 + 3.0 * v2;
    let first = c1 * e[5] + c2 * e[4] + c3 * e[3] + c4 * e[2];
    let [mut e1, mut e2, mut e3, mut e4, mut e5, mut e6] = e;
    std::iter::once(first).chain(x[lb + 1..].iter().map(move |&v| {
        e1 = k * v + omk * e1;
        e2 = k * e1 + omk * e2;
        e3 = k * e2 + omk * e3;
        e4 = k * e3 + omk * e4;
        e5 = k * e4 + omk * e5;
        e6 = k * e5 + omk * e6;
        c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3
    }))
}

pub(crate) fn t3_into(x: &[f64], period: usize, vfactor: f64, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    into_slice(x, 6 * (period - 1), out, || t3_values(x, period, vfactor));
}

// ---------------------------------------------------------------------------
// Public library functions: validate, then run the kernel.

/// Validates `period` and the input, then collects the kernel's values
/// after `lookback` NaNs; period 1 (where allowed) is a plain copy.
fn single<'a, I: Iterator<Item = f64>>(
    name: &str,
    x: &'a [f64],
    period: usize,
    lookback: usize,
    kernel: impl FnOnce(&'a [f64]) -> I,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    check_inputs(name, &[("close", x)], lookback)?;
    if period <= 1 {
        return Ok(x.to_vec());
    }
    Ok(collect_out(lookback, kernel(x)))
}

/// Simple moving average (`SMA`), periods 1..=100000.
pub fn sma(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "SMA",
        close,
        period,
        ma_lookback(period, MaType::Sma),
        |x| sma_values(x, period),
    )
}

/// Exponential moving average (`EMA`), SMA-seeded.
pub fn ema(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "EMA",
        close,
        period,
        ma_lookback(period, MaType::Ema),
        |x| ema_k_values(x, period, per_to_k(period)),
    )
}

/// Weighted moving average (`WMA`).
pub fn wma(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "WMA",
        close,
        period,
        ma_lookback(period, MaType::Wma),
        |x| wma_values(x, period),
    )
}

/// Double exponential moving average (`DEMA`).
pub fn dema(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "DEMA",
        close,
        period,
        ma_lookback(period, MaType::Dema),
        |x| dema_values(x, period),
    )
}

/// Triple exponential moving average (`TEMA`).
pub fn tema(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "TEMA",
        close,
        period,
        ma_lookback(period, MaType::Tema),
        |x| tema_values(x, period),
    )
}

/// Triangular moving average (`TRIMA`).
pub fn trima(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "TRIMA",
        close,
        period,
        ma_lookback(period, MaType::Trima),
        |x| trima_values(x, period),
    )
}

/// Kaufman adaptive moving average (`KAMA`).
pub fn kama(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "KAMA",
        close,
        period,
        ma_lookback(period, MaType::Kama),
        |x| kama_values(x, period),
    )
}

/// Tillson T3 (`T3`), `vfactor` in 0..=1.
pub fn t3(close: &[f64], period: usize, vfactor: f64) -> Result<Vec<f64>, IndicatorError> {
    check_real("vfactor", vfactor, 0.0, 1.0)?;
    single("T3", close, period, ma_lookback(period, MaType::T3), |x| {
        t3_values(x, period, vfactor)
    })
}

/// Moving average of any TA-Lib `matype` (`TA_MA`).
pub fn ma(close: &[f64], period: usize, matype: MaType) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    let n = check_inputs("MA", &[("close", close)], ma_lookback(period, matype))?;
    let mut out = nan_vec(n);
    ma_into(close, period, matype, &mut out);
    Ok(out)
}

/// Checks a `matype` parameter given as a number.
pub(crate) fn matype_param(name: &str, value: f64) -> Result<MaType, IndicatorError> {
    if value.fract() != 0.0 || !(0.0..=8.0).contains(&value) {
        return Err(IndicatorError::InvalidParam {
            param: name.to_string(),
            value,
            reason: "must be 0..=8 (0=SMA 1=EMA 2=WMA 3=DEMA 4=TEMA 5=TRIMA 6=KAMA 7=MAMA 8=T3)"
                .to_string(),
        });
    }
    MaType::from_code(value as usize)
}

#[allow(dead_code)]
const _ASSERT_MAX: usize = MAX_PERIOD;
