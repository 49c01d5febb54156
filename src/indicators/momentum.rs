//! Momentum from one price series: RSI, CMO, MOM, ROC, MACD, APO, PPO, TRIX,
//! plus BOP (open/high/low/close).

use super::IndicatorError;
use super::common::{
    Series3, check_fast_slow, check_inputs, check_period, collect_out, fill_out, is_zero,
    is_zero_or_neg, nan_vec, per_to_k, sum_in_order,
};
use super::ma::{MaType, ema_k_values, ema_step, ma_into, ma_lookback, sma_values, triple_ema};

/// Wilder-smoothed average gain / loss, shared by RSI and CMO. TA-Lib seeds
/// with the plain average of the first `period` changes, then smooths
/// `avg = (avg * (period-1) + change) / period`, computed here as
/// `avg * ((period-1)/period) + change * (1/period)`: equal up to rounding
/// (the reference TA-Lib build itself multiplies by the reciprocal), with
/// only a multiply and an add on the loop-carried chain instead of a
/// multiply, an add and a ~13-cycle divide. `f(gain, loss, sum)` maps
/// to the output; a near-zero `sum` (TA_IS_ZERO) gives 0. Yields the values
/// from bar `period` on; needs `x.len() > period`.
///
/// The gain/loss split is branch-free: adding (or subtracting) an exact
/// `0.0` leaves a non-negative sum bit-identical, and up/down bars are a
/// coin flip on real prices, so a branch would mispredict half the time.
#[inline(always)]
fn wilder_gain_loss<'a>(
    x: &'a [f64],
    period: usize,
    f: impl Fn(f64, f64, f64) -> f64 + 'a,
) -> impl Iterator<Item = f64> + 'a {
    let inv = 1.0 / period as f64;
    let keep = (period - 1) as f64 * inv;
    let (mut gain, mut loss) = (0.0, 0.0);
    for w in x[..=period].windows(2) {
        let d = w[1] - w[0];
        if d < 0.0 {
            loss -= d;
        } else {
            gain += d;
        }
    }
    loss *= inv;
    gain *= inv;
    let emit = move |g: f64, l: f64| {
        let s = g + l;
        if is_zero(s) { 0.0 } else { f(g, l, s) }
    };
    let first = emit(gain, loss);
    let rest = x[period + 1..]
        .iter()
        .zip(&x[period..])
        .map(move |(&v, &prev)| {
            let d = v - prev;
            let (down, up) = if d < 0.0 { (d, 0.0) } else { (0.0, d) };
            loss = loss * keep - down * inv;
            gain = gain * keep + up * inv;
            emit(gain, loss)
        });
    std::iter::once(first).chain(rest)
}

pub(crate) fn rsi_into(x: &[f64], period: usize, out: &mut [f64]) {
    if x.len() <= period {
        out.fill(f64::NAN);
        return;
    }
    fill_out(out, period, rsi_values(x, period));
}

fn rsi_values(x: &[f64], period: usize) -> impl Iterator<Item = f64> + '_ {
    wilder_gain_loss(x, period, |g, _, s| 100.0 * (g / s))
}

/// Relative strength index (`RSI`), Wilder smoothing; lookback = period.
pub fn rsi(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    check_inputs("RSI", &[("close", close)], period)?;
    Ok(collect_out(period, rsi_values(close, period)))
}

/// Chande momentum oscillator (`CMO`): 100 (gain - loss) / (gain + loss),
/// with TA-Lib's Wilder-smoothed gains and losses (as in RSI).
pub fn cmo(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 2)?;
    check_inputs("CMO", &[("close", close)], period)?;
    Ok(collect_out(
        period,
        wilder_gain_loss(close, period, |g, l, s| 100.0 * ((g - l) / s)),
    ))
}

/// Momentum (`MOM`): `close[i] - close[i - period]`.
pub fn mom(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    check_inputs("MOM", &[("close", close)], period)?;
    Ok(collect_out(
        period,
        close[period..].iter().zip(close).map(|(&v, &p)| v - p),
    ))
}

/// TA-Lib's ROC formula: `((x / prev) - 1) * 100`, 0 when `prev` is exactly 0.
#[inline(always)]
fn roc_of(v: f64, prev: f64) -> f64 {
    if prev != 0.0 {
        ((v / prev) - 1.0) * 100.0
    } else {
        0.0
    }
}

/// Rate of change in percent (`ROC`).
pub fn roc(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    check_inputs("ROC", &[("close", close)], period)?;
    Ok(collect_out(
        period,
        close[period..]
            .iter()
            .zip(close)
            .map(|(&v, &p)| roc_of(v, p)),
    ))
}

/// Warm-up of MACD: `slow - 1 + signal - 1`.
pub fn macd_lookback(slow: usize, signal: usize) -> usize {
    slow - 1 + signal - 1
}

/// MACD (`MACD`): EMA(fast) - EMA(slow), its EMA(signal), and the difference.
///
/// TA-Lib quirk kept: the fast EMA is not seeded at bar `fast - 1` but at
/// bar `slow - 1`, with the SMA of the `fast` closes ending there, so both
/// EMAs start on the same bar. All three outputs start after the signal's
/// warm-up.
pub fn macd(
    close: &[f64],
    fast: usize,
    slow: usize,
    signal: usize,
) -> Result<Series3, IndicatorError> {
    check_period("fastperiod", fast, 2)?;
    check_period("slowperiod", slow, 2)?;
    check_period("signalperiod", signal, 1)?;
    check_fast_slow(fast, slow)?;
    let lb = macd_lookback(slow, signal);
    let n = check_inputs("MACD", &[("close", close)], lb)?;
    // One pass, three EMA states. Same arithmetic as separate EMA passes:
    // both price EMAs seeded at bar slow-1 (the fast one with the SMA of the
    // `fast` closes ending there), the signal EMA seeded with the SMA of the
    // first `signal` MACD values (even for signal 1: the EMA formula, not a copy).
    let (kf, ks, kg) = (per_to_k(fast), per_to_k(slow), per_to_k(signal));
    let mut se = sum_in_order(&close[..slow]) / slow as f64;
    let mut fe = sum_in_order(&close[slow - fast..slow]) / fast as f64;
    let mut m = fe - se;
    let mut seed = m;
    for &c in &close[slow..=lb] {
        fe = ema_step(fe, c, kf, 1.0 - kf);
        se = ema_step(se, c, ks, 1.0 - ks);
        m = fe - se;
        seed += m;
    }
    let mut sg = seed / signal as f64;
    let mut line = Vec::with_capacity(n);
    let mut sig = Vec::with_capacity(n);
    let mut hist = Vec::with_capacity(n);
    for v in [&mut line, &mut sig, &mut hist] {
        v.extend(std::iter::repeat_n(f64::NAN, lb));
    }
    line.push(m);
    sig.push(sg);
    hist.push(m - sg);
    for &c in &close[lb + 1..] {
        fe = ema_step(fe, c, kf, 1.0 - kf);
        se = ema_step(se, c, ks, 1.0 - ks);
        m = fe - se;
        sg = ema_step(sg, m, kg, 1.0 - kg);
        line.push(m);
        sig.push(sg);
        hist.push(m - sg);
    }
    Ok((line, sig, hist))
}

/// Shared APO/PPO body (TA-Lib's `TA_INT_PO`): both MAs over the whole input.
fn price_oscillator(
    name: &str,
    close: &[f64],
    fast: usize,
    slow: usize,
    matype: MaType,
    f: impl Fn(f64, f64) -> f64,
) -> Result<Vec<f64>, IndicatorError> {
    check_period("fastperiod", fast, 2)?;
    check_period("slowperiod", slow, 2)?;
    check_fast_slow(fast, slow)?;
    let lb = ma_lookback(slow, matype);
    let n = check_inputs(name, &[("close", close)], lb)?;
    // SMA (the default) and EMA run fused in one pass with no temporary
    // series; the other MA types compute the fast MA into a scratch buffer.
    match matype {
        MaType::Sma => {
            let fast_ma = sma_values(close, fast).skip(slow - fast);
            let both = fast_ma.zip(sma_values(close, slow));
            return Ok(collect_out(lb, both.map(|(a, b)| f(a, b))));
        }
        MaType::Ema => {
            let fast_ma = ema_k_values(close, fast, per_to_k(fast)).skip(slow - fast);
            let both = fast_ma.zip(ema_k_values(close, slow, per_to_k(slow)));
            return Ok(collect_out(lb, both.map(|(a, b)| f(a, b))));
        }
        _ => {}
    }
    let mut fast_ma = nan_vec(n);
    let mut out = nan_vec(n);
    ma_into(close, fast, matype, &mut fast_ma);
    ma_into(close, slow, matype, &mut out);
    for (o, &fv) in out[lb..].iter_mut().zip(&fast_ma[lb..]) {
        *o = f(fv, *o);
    }
    Ok(out)
}

/// Absolute price oscillator (`APO`): MA(fast) - MA(slow).
pub fn apo(
    close: &[f64],
    fast: usize,
    slow: usize,
    matype: MaType,
) -> Result<Vec<f64>, IndicatorError> {
    price_oscillator("APO", close, fast, slow, matype, |f, s| f - s)
}

/// Percentage price oscillator (`PPO`): 100 (MA(fast) - MA(slow)) / MA(slow),
/// 0 where the slow MA is ~0.
pub fn ppo(
    close: &[f64],
    fast: usize,
    slow: usize,
    matype: MaType,
) -> Result<Vec<f64>, IndicatorError> {
    price_oscillator("PPO", close, fast, slow, matype, |f, s| {
        if is_zero(s) {
            0.0
        } else {
            ((f - s) / s) * 100.0
        }
    })
}

/// Warm-up of TRIX: three EMAs and a 1-bar rate of change.
pub fn trix_lookback(period: usize) -> usize {
    3 * (period - 1) + 1
}

/// TRIX (`TRIX`): 1-bar percent change of a triple-smoothed EMA.
pub fn trix(close: &[f64], period: usize) -> Result<Vec<f64>, IndicatorError> {
    check_period("timeperiod", period, 1)?;
    let lb = trix_lookback(period);
    check_inputs("TRIX", &[("close", close)], lb)?;
    // The triple EMA in one pass, then the 1-bar ROC of it.
    let mut e3 = triple_ema(close, period);
    let mut prev = e3.next().unwrap_or(f64::NAN);
    Ok(collect_out(
        lb,
        e3.map(move |v| {
            let o = roc_of(v, prev);
            prev = v;
            o
        }),
    ))
}

/// Balance of power (`BOP`): (close - open) / (high - low), 0 on a zero range.
pub fn bop(
    open: &[f64],
    high: &[f64],
    low: &[f64],
    close: &[f64],
) -> Result<Vec<f64>, IndicatorError> {
    let n = check_inputs(
        "BOP",
        &[
            ("open", open),
            ("high", high),
            ("low", low),
            ("close", close),
        ],
        0,
    )?;
    let (open, high, low, close) = (&open[..n], &high[..n], &low[..n], &close[..n]);
    Ok(collect_out(
        0,
        open.iter()
            .zip(high)
            .zip(low)
            .zip(close)
            .map(|(((&o, &h), &l), &c)| {
                let r = h - l;
                if is_zero_or_neg(r) { 0.0 } else { (c - o) / r }
            }),
    ))
}
