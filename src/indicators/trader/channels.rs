//! Keltner and Donchian channels.

use super::common::{
    atr_into, check_columns, check_enough, check_multiplier, check_params, check_period, ema_into,
    int, lb_int, sliding_max, sliding_min,
};
use crate::indicators::{IndicatorError, Ohlcv, ParamSpec};

/// Upper, middle and lower lines of a channel, aligned with the input bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    pub upper: Vec<f64>,
    pub middle: Vec<f64>,
    pub lower: Vec<f64>,
}

pub(crate) const KELTNER_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "period",
        default: 20.0,
        min: 1.0,
        max: 100_000.0,
        integer: true,
        description: "EMA period of the middle line",
    },
    ParamSpec {
        name: "atr_period",
        default: 10.0,
        min: 1.0,
        max: 100_000.0,
        integer: true,
        description: "ATR period (Wilder smoothing) of the band width",
    },
    ParamSpec {
        name: "multiplier",
        default: 2.0,
        min: 0.01,
        max: 100.0,
        integer: false,
        description: "ATR multiplier for the bands",
    },
];

pub(crate) const DONCHIAN_PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "period",
    default: 20.0,
    min: 1.0,
    max: 100_000.0,
    integer: true,
    description: "window length in bars (current bar included)",
}];

/// Keltner Channels (defaults: EMA 20, ATR 10, multiplier 2 — TradingView's
/// and Zerodha Kite's defaults).
///
/// - `middle` = EMA(close, `period`) with TA-Lib semantics: k = 2/(period+1),
///   seeded with the SMA of the first `period` closes (first value at bar
///   `period-1`).
/// - `upper/lower = middle ± multiplier · ATR(atr_period)`, ATR being Wilder's
///   with TA-Lib semantics (TR from bar 1, first ATR at bar `atr_period` = mean
///   of TR[1..=atr_period], then Wilder smoothing).
///
/// Warm-up: all three lines are NaN for the first
/// `max(period-1, atr_period)` bars (the middle line too, so every output has
/// the same warm-up); needs one bar more than that. Depends on all earlier
/// history (EMA and Wilder smoothing).
pub fn keltner(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    atr_period: usize,
    multiplier: f64,
) -> Result<Channel, IndicatorError> {
    check_period("period", period)?;
    check_period("atr_period", atr_period)?;
    check_multiplier("multiplier", multiplier)?;
    let n = check_columns("KELTNER", &[("high", high), ("low", low), ("close", close)])?;
    let lb = keltner_lookback_of(period, atr_period);
    check_enough("KELTNER", n, lb)?;
    let mut middle = vec![0.0; n];
    let mut upper = vec![0.0; n];
    let mut lower = vec![0.0; n];
    ema_into(close, period, &mut middle);
    // The ATR goes to `upper` first, then each band is built in place.
    atr_into(high, low, close, atr_period, &mut upper);
    middle[..lb].fill(f64::NAN);
    upper[..lb].fill(f64::NAN);
    lower[..lb].fill(f64::NAN);
    for i in lb..n {
        let width = multiplier * upper[i];
        upper[i] = middle[i] + width;
        lower[i] = middle[i] - width;
    }
    Ok(Channel {
        upper,
        middle,
        lower,
    })
}

fn keltner_lookback_of(period: usize, atr_period: usize) -> usize {
    (period - 1).max(atr_period)
}

/// Donchian Channels (default 20): `upper` = highest high and `lower` =
/// lowest low of the last `period` bars, the current bar included (as on
/// TradingView; a breakout test against the *previous* channel compares
/// `close[i]` with `upper[i-1]`), `middle = (upper + lower) / 2`.
///
/// Warm-up: the first `period-1` bars are NaN; needs at least `period` bars.
/// Sliding max/min in O(1) per bar (van Herk / Gil-Werman), no allocation
/// beyond the outputs.
pub fn donchian(high: &[f64], low: &[f64], period: usize) -> Result<Channel, IndicatorError> {
    check_period("period", period)?;
    let n = check_columns("DONCHIAN", &[("high", high), ("low", low)])?;
    check_enough("DONCHIAN", n, period - 1)?;
    let mut upper = vec![0.0; n];
    let mut lower = vec![0.0; n];
    let mut middle = vec![0.0; n];
    // `middle` doubles as the scratch buffer before it gets its values.
    sliding_max(high, period, &mut upper, &mut middle);
    sliding_min(low, period, &mut lower, &mut middle);
    for ((m, &u), &l) in middle.iter_mut().zip(&upper).zip(&lower) {
        *m = (u + l) / 2.0;
    }
    Ok(Channel {
        upper,
        middle,
        lower,
    })
}

pub(crate) fn keltner_compute(
    bars: &Ohlcv,
    params: &[f64],
) -> Result<Vec<Vec<f64>>, IndicatorError> {
    check_params("KELTNER", KELTNER_PARAMS, params)?;
    let c = keltner(
        bars.high,
        bars.low,
        bars.close,
        int(params, 0),
        int(params, 1),
        params[2],
    )?;
    Ok(vec![c.upper, c.middle, c.lower])
}

pub(crate) fn keltner_lookback(params: &[f64]) -> usize {
    keltner_lookback_of(lb_int(params, 0, 20), lb_int(params, 1, 10))
}

pub(crate) fn donchian_compute(
    bars: &Ohlcv,
    params: &[f64],
) -> Result<Vec<Vec<f64>>, IndicatorError> {
    check_params("DONCHIAN", DONCHIAN_PARAMS, params)?;
    let c = donchian(bars.high, bars.low, int(params, 0))?;
    Ok(vec![c.upper, c.middle, c.lower])
}

pub(crate) fn donchian_lookback(params: &[f64]) -> usize {
    lb_int(params, 0, 20) - 1
}
