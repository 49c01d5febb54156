//! Moving averages (SMA, EMA, WMA, DEMA, TEMA, TRIMA, KAMA, T3, MAMA) and the
//! `matype` dispatch TA-Lib's `TA_MA` does for BBANDS, STOCH, APO, PPO...
//!
//! Kernels (`*_into`) write a whole output slice of the input's length: NaN
//! in the warm-up prefix, values after. They never fail; when the input is
//! too short the output is all NaN. Composite indicators call them on
//! sub-slices, which reproduces TA-Lib's index arithmetic exactly.

use super::IndicatorError;
use super::common::{MAX_PERIOD, check_inputs, check_period, check_real, nan_vec, per_to_k};
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

/// Fills `out[..lookback]` with NaN; returns false (all NaN) when `x` is too short.
#[inline]
fn prefix(x: &[f64], lookback: usize, out: &mut [f64]) -> bool {
    if x.len() <= lookback {
        out.fill(f64::NAN);
        return false;
    }
    out[..lookback].fill(f64::NAN);
    true
}

/// Simple moving average, TA-Lib's running total (add new, emit, drop trailing).
pub(crate) fn sma_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    let lb = period - 1;
    if !prefix(x, lb, out) {
        return;
    }
    let pf = period as f64;
    let mut total = 0.0;
    for &v in &x[..lb] {
        total += v;
    }
    for ((o, &new), &old) in out[lb..].iter_mut().zip(&x[lb..]).zip(x) {
        total += new;
        *o = total / pf;
        total -= old;
    }
}

/// EMA with an explicit smoothing factor `k`, seeded (TA-Lib's default
/// compatibility) with the SMA of the first `period` values.
pub(crate) fn ema_k_into(x: &[f64], period: usize, k: f64, out: &mut [f64]) {
    let lb = period - 1;
    if !prefix(x, lb, out) {
        return;
    }
    let mut prev = 0.0;
    for &v in &x[..period] {
        prev += v;
    }
    prev /= period as f64;
    out[lb] = prev;
    for (o, &v) in out[period..].iter_mut().zip(&x[period..]) {
        prev = (v - prev) * k + prev;
        *o = prev;
    }
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
pub(crate) fn wma_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    let lb = period - 1;
    if !prefix(x, lb, out) {
        return;
    }
    let divider = ((period * (period + 1)) >> 1) as f64;
    let pf = period as f64;
    let (mut sub, mut sum) = (0.0, 0.0);
    for (i, &v) in x[..lb].iter().enumerate() {
        sub += v;
        sum += v * (i + 1) as f64;
    }
    let mut trailing_value = 0.0;
    for ((o, &v), &trail) in out[lb..].iter_mut().zip(&x[lb..]).zip(x) {
        sub += v;
        sub -= trailing_value;
        sum += v * pf;
        trailing_value = trail;
        *o = sum / divider;
        sum -= sub;
    }
}

/// Double EMA: `2*EMA - EMA(EMA)`, each EMA seeded as TA-Lib does.
pub(crate) fn dema_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    let lb1 = period - 1;
    if !prefix(x, 2 * lb1, out) {
        return;
    }
    let mut e1 = nan_vec(x.len());
    ema_into(x, period, &mut e1);
    ema_into(&e1[lb1..], period, &mut out[lb1..]);
    for (o, &a) in out[2 * lb1..].iter_mut().zip(&e1[2 * lb1..]) {
        *o = (2.0 * a) - *o;
    }
}

/// Triple EMA: `3*EMA - 3*EMA(EMA) + EMA(EMA(EMA))`.
pub(crate) fn tema_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    let lb1 = period - 1;
    if !prefix(x, 3 * lb1, out) {
        return;
    }
    let mut e1 = nan_vec(x.len());
    let mut e2 = nan_vec(x.len());
    ema_into(x, period, &mut e1);
    ema_into(&e1[lb1..], period, &mut e2[lb1..]);
    ema_into(&e2[2 * lb1..], period, &mut out[2 * lb1..]);
    let s = 3 * lb1;
    for ((o, &a), &b) in out[s..].iter_mut().zip(&e1[s..]).zip(&e2[s..]) {
        // TA-Lib adds onto the third EMA: out += (3*e1) - (3*e2).
        *o += (3.0 * a) - (3.0 * b);
    }
}

/// Triangular MA: TA-Lib's weights (1,2,..,top,..,2,1) equal an SMA of an
/// SMA — `(p+1)/2` twice for odd periods, `p/2` then `p/2+1` for even ones.
pub(crate) fn trima_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    let (n1, n2) = if period % 2 == 1 {
        (period.div_ceil(2), period.div_ceil(2))
    } else {
        (period / 2, period / 2 + 1)
    };
    if !prefix(x, period - 1, out) {
        return;
    }
    let mut first = nan_vec(x.len());
    sma_into(x, n1, &mut first);
    sma_into(&first[n1 - 1..], n2, &mut out[n1 - 1..]);
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
pub(crate) fn kama_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    if !prefix(x, period, out) {
        return;
    }
    let const_max = 2.0 / (30.0 + 1.0);
    let const_diff = 2.0 / (2.0 + 1.0) - const_max;
    let mut sum_roc1 = 0.0;
    let mut null_run = 0usize;
    for w in x[..=period].windows(2) {
        let d = w[0] - w[1];
        sum_roc1 += d.abs();
        null_run = if d == 0.0 { null_run + 1 } else { 0 };
    }
    let sc = |period_roc: f64, sum_roc1: f64| {
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
    out[period] = prev;
    for today in period + 1..x.len() {
        let v = x[today];
        let tv = x[today - period];
        sum_roc1 -= (trailing_value - tv).abs();
        let d = v - x[today - 1];
        sum_roc1 += d.abs();
        null_run = if d == 0.0 { null_run + 1 } else { 0 };
        if null_run >= period {
            null_run = period;
            sum_roc1 = 0.0;
        }
        trailing_value = tv;
        let t = sc(v - tv, sum_roc1);
        prev = (v - prev) * t + prev;
        out[today] = prev;
    }
}

/// Tillson T3: six chained EMAs combined with the volume factor `vfactor`;
/// each EMA is seeded with the average of its first `period` inputs.
pub(crate) fn t3_into(x: &[f64], period: usize, vfactor: f64, out: &mut [f64]) {
    if period <= 1 {
        out.copy_from_slice(x);
        return;
    }
    let lb = 6 * (period - 1);
    if !prefix(x, lb, out) {
        return;
    }
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
    out[lb] = c1 * e[5] + c2 * e[4] + c3 * e[3] + c4 * e[2];
    let [mut e1, mut e2, mut e3, mut e4, mut e5, mut e6] = e;
    for (o, &v) in out[lb + 1..].iter_mut().zip(&x[lb + 1..]) {
        e1 = k * v + omk * e1;
        e2 = k * e1 + omk * e2;
        e3 = k * e2 + omk * e3;
        e4 = k * e3 + omk * e4;
        e5 = k * e4 + omk * e5;
        e6 = k * e5 + omk * e6;
        *o = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3;
    }
}

// ---------------------------------------------------------------------------
// Public library functions: validate, then run the kernel.

fn single(
    name: &str,
    x: &[f64],
    period: usize,
    min: usize,
    lookback: usize,
    kernel: impl Fn(&[f64], &mut [f64]),
) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, min)?;
    let n = check_inputs(name, &[("close", x)], lookback)?;
    let mut out = nan_vec(n);
    kernel(x, &mut out);
    Ok(out)
}

/// Simple moving average (`SMA`), periods 1..=100000.
pub fn sma(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "SMA",
        close,
        period,
        1,
        ma_lookback(period, MaType::Sma),
        |x, o| sma_into(x, period, o),
    )
}

/// Exponential moving average (`EMA`), SMA-seeded.
pub fn ema(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "EMA",
        close,
        period,
        1,
        ma_lookback(period, MaType::Ema),
        |x, o| ema_into(x, period, o),
    )
}

/// Weighted moving average (`WMA`).
pub fn wma(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "WMA",
        close,
        period,
        1,
        ma_lookback(period, MaType::Wma),
        |x, o| wma_into(x, period, o),
    )
}

/// Double exponential moving average (`DEMA`).
pub fn dema(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "DEMA",
        close,
        period,
        1,
        ma_lookback(period, MaType::Dema),
        |x, o| dema_into(x, period, o),
    )
}

/// Triple exponential moving average (`TEMA`).
pub fn tema(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "TEMA",
        close,
        period,
        1,
        ma_lookback(period, MaType::Tema),
        |x, o| tema_into(x, period, o),
    )
}

/// Triangular moving average (`TRIMA`).
pub fn trima(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "TRIMA",
        close,
        period,
        1,
        ma_lookback(period, MaType::Trima),
        |x, o| trima_into(x, period, o),
    )
}

/// Kaufman adaptive moving average (`KAMA`).
pub fn kama(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    single(
        "KAMA",
        close,
        period,
        1,
        ma_lookback(period, MaType::Kama),
        |x, o| kama_into(x, period, o),
    )
}

/// Tillson T3 (`T3`), `vfactor` in 0..=1.
pub fn t3(close: &[f64], period: usize, vfactor: f64) -> Result<Vec<f64>, IndicatorError> {
    check_real("vfactor", vfactor, 0.0, 1.0)?;
    single(
        "T3",
        close,
        period,
        1,
        ma_lookback(period, MaType::T3),
        |x, o| t3_into(x, period, vfactor, o),
    )
}

/// Moving average of any TA-Lib `matype` (`TA_MA`).
pub fn ma(close: &[f64], period: usize, matype: MaType) -> Result<Vec<f64>, IndicatorError> {
    single(
        "MA",
        close,
        period,
        1,
        ma_lookback(period, matype),
        |x, o| ma_into(x, period, matype, o),
    )
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
