//! Supertrend.

use super::common::{
    atr_seed, check_columns, check_enough, check_multiplier, check_params, check_period, int,
    lb_int, true_range,
};
use crate::indicators::{IndicatorError, Ohlcv, ParamSpec};

/// Outputs of [`supertrend`], each aligned with the input bars (NaN for the
/// first `period` bars).
#[derive(Debug, Clone, PartialEq)]
pub struct Supertrend {
    /// The trailing stop line: `lower` in an uptrend, `upper` in a downtrend.
    pub supertrend: Vec<f64>,
    /// +1 uptrend, -1 downtrend.
    pub direction: Vec<f64>,
    /// Final upper band.
    pub upper: Vec<f64>,
    /// Final lower band.
    pub lower: Vec<f64>,
}

pub(crate) const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "period",
        default: 10.0,
        min: 1.0,
        max: 100_000.0,
        integer: true,
        description: "ATR period (Wilder smoothing)",
    },
    ParamSpec {
        name: "multiplier",
        default: 3.0,
        min: 0.01,
        max: 100.0,
        integer: false,
        description: "ATR multiplier for the bands",
    },
];

/// Supertrend (default period 10, multiplier 3).
///
/// - `ATR` = Wilder's ATR with TA-Lib semantics: TR from bar 1 on
///   (`max(H-L, |H-C[i-1]|, |L-C[i-1]|)`), first ATR at bar `period` = mean of
///   TR[1..=period], then `ATR[i] = (ATR[i-1]·(period-1) + TR[i]) / period`.
/// - Basic bands: `hl2 ± multiplier·ATR`, `hl2 = (high+low)/2`.
/// - Final bands (first value = basic band), for `i > period`:
///   `upper[i] = basic_upper[i]` if `basic_upper[i] < upper[i-1]` or
///   `close[i-1] > upper[i-1]`, else `upper[i-1]`;
///   `lower[i] = basic_lower[i]` if `basic_lower[i] > lower[i-1]` or
///   `close[i-1] < lower[i-1]`, else `lower[i-1]`.
/// - Direction: the first bar (`period`) starts as a downtrend (-1), as in
///   TradingView's `ta.supertrend`; afterwards a downtrend flips to up (+1)
///   when `close[i] > upper[i]`, an uptrend flips to down when
///   `close[i] < lower[i]`.
/// - `supertrend[i] = lower[i]` when up, `upper[i]` when down.
///
/// Warm-up: the first `period` bars are NaN in every output; needs at least
/// `period + 1` bars. Depends on all earlier history (Wilder smoothing and the
/// band carry), so fetch extra history before the range of interest.
pub fn supertrend(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    multiplier: f64,
) -> Result<Supertrend, IndicatorError> {
    check_period("period", period)?;
    check_multiplier("multiplier", multiplier)?;
    let n = check_columns(
        "SUPERTREND",
        &[("high", high), ("low", low), ("close", close)],
    )?;
    check_enough("SUPERTREND", n, period)?;
    let nan = || vec![f64::NAN; n];
    let (mut st, mut dir, mut upper, mut lower) = (nan(), nan(), nan(), nan());
    let mut up_trend = false;
    let (mut fu, mut fl) = (f64::NAN, f64::NAN);
    let pf = period as f64;
    let mut atr = atr_seed(high, low, close, period);
    for i in period..n {
        if i > period {
            atr = (atr * (pf - 1.0) + true_range(high, low, close, i)) / pf;
        }
        let hl2 = (high[i] + low[i]) / 2.0;
        let bu = hl2 + multiplier * atr;
        let bl = hl2 - multiplier * atr;
        if i == period {
            fu = bu;
            fl = bl;
        } else {
            let pc = close[i - 1];
            if bu < fu || pc > fu {
                fu = bu;
            }
            if bl > fl || pc < fl {
                fl = bl;
            }
            up_trend = if up_trend {
                close[i] >= fl
            } else {
                close[i] > fu
            };
        }
        upper[i] = fu;
        lower[i] = fl;
        dir[i] = if up_trend { 1.0 } else { -1.0 };
        st[i] = if up_trend { fl } else { fu };
    }
    Ok(Supertrend {
        supertrend: st,
        direction: dir,
        upper,
        lower,
    })
}

pub(crate) fn compute(bars: &Ohlcv, params: &[f64]) -> Result<Vec<Vec<f64>>, IndicatorError> {
    check_params("SUPERTREND", PARAMS, params)?;
    let s = supertrend(bars.high, bars.low, bars.close, int(params, 0), params[1])?;
    Ok(vec![s.supertrend, s.direction, s.upper, s.lower])
}

pub(crate) fn lookback(params: &[f64]) -> usize {
    lb_int(params, 0, 10)
}
