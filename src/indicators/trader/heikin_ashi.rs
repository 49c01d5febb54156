//! Heikin-Ashi candles.

use super::common::{check_columns, check_enough, check_params};
use crate::indicators::{IndicatorError, Ohlcv};

/// Heikin-Ashi candles, aligned with the input bars.
#[derive(Debug, Clone, PartialEq)]
pub struct HeikinAshi {
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
}

/// Heikin-Ashi candles:
///
/// - `ha_close[i] = (open[i] + high[i] + low[i] + close[i]) / 4`
/// - `ha_open[0] = (open[0] + close[0]) / 2`,
///   `ha_open[i] = (ha_open[i-1] + ha_close[i-1]) / 2`
/// - `ha_high[i] = max(high[i], ha_open[i], ha_close[i])`
/// - `ha_low[i]  = min(low[i], ha_open[i], ha_close[i])`
///
/// No warm-up (bar 0 has values), but `ha_open` is recursive: every value
/// depends on all earlier bars (the seed's effect halves each bar), so fetch
/// some extra history before the range of interest.
pub fn heikin_ashi(
    open: &[f64],
    high: &[f64],
    low: &[f64],
    close: &[f64],
) -> Result<HeikinAshi, IndicatorError> {
    let n = check_columns(
        "HEIKIN_ASHI",
        &[
            ("open", open),
            ("high", high),
            ("low", low),
            ("close", close),
        ],
    )?;
    check_enough("HEIKIN_ASHI", n, 0)?;
    let (mut ho, mut hh, mut hl, mut hc) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut prev_open = (open[0] + close[0]) / 2.0;
    let mut prev_close = f64::NAN;
    for i in 0..n {
        let o = if i == 0 {
            prev_open
        } else {
            (prev_open + prev_close) / 2.0
        };
        let c = (open[i] + high[i] + low[i] + close[i]) / 4.0;
        ho[i] = o;
        hc[i] = c;
        hh[i] = high[i].max(o).max(c);
        hl[i] = low[i].min(o).min(c);
        prev_open = o;
        prev_close = c;
    }
    Ok(HeikinAshi {
        open: ho,
        high: hh,
        low: hl,
        close: hc,
    })
}

pub(crate) fn compute(bars: &Ohlcv, params: &[f64]) -> Result<Vec<Vec<f64>>, IndicatorError> {
    check_params("HEIKIN_ASHI", &[], params)?;
    let r = heikin_ashi(bars.open, bars.high, bars.low, bars.close)?;
    Ok(vec![r.open, r.high, r.low, r.close])
}

pub(crate) fn lookback(_: &[f64]) -> usize {
    0
}
