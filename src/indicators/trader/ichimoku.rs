//! Ichimoku Kinko Hyo.

use super::common::{
    check_columns, check_enough, check_params, check_period, int, lb_int, window_mid,
};
use crate::indicators::{IndicatorError, Ohlcv, ParamSpec};

/// Outputs of [`ichimoku`], each aligned with the input bars (see
/// [`ichimoku`] for the displacement convention).
#[derive(Debug, Clone, PartialEq)]
pub struct Ichimoku {
    pub tenkan: Vec<f64>,
    pub kijun: Vec<f64>,
    pub senkou_a: Vec<f64>,
    pub senkou_b: Vec<f64>,
    pub chikou: Vec<f64>,
}

pub(crate) const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "tenkan",
        default: 9.0,
        min: 1.0,
        max: 100_000.0,
        integer: true,
        description: "conversion line (tenkan-sen) window",
    },
    ParamSpec {
        name: "kijun",
        default: 26.0,
        min: 1.0,
        max: 100_000.0,
        integer: true,
        description: "base line (kijun-sen) window",
    },
    ParamSpec {
        name: "senkou_b",
        default: 52.0,
        min: 1.0,
        max: 100_000.0,
        integer: true,
        description: "leading span B window",
    },
    ParamSpec {
        name: "displacement",
        default: 26.0,
        min: 0.0,
        max: 100_000.0,
        integer: true,
        description: "bars the leading spans are shifted forward and the lagging span back (TradingView's built-in plots 26 as an offset of 25: use 25 to match it)",
    },
];

/// Ichimoku (defaults 9/26/52, displacement 26). With `mid(n)[i]` =
/// (highest high + lowest low)/2 of the `n` bars ending at bar `i`, and
/// `d` = displacement:
///
/// - `tenkan[i] = mid(tenkan)[i]`, `kijun[i] = mid(kijun)[i]`;
/// - `senkou_a[i] = (tenkan[i-d] + kijun[i-d]) / 2` and
///   `senkou_b[i] = mid(senkou_b)[i-d]`: the cloud *as plotted over bar i*,
///   i.e. computed `d` bars earlier. The last `d` bars' spans, which charts
///   draw beyond the last candle, are not in the output (they are
///   `(tenkan+kijun)/2` and `mid(senkou_b)` of the last `d` bars);
/// - `chikou[i] = close[i+d]`: the lagging span as plotted over bar `i`, so
///   the last `d` bars are NaN.
///
/// Alignment note: the traditional displacement is 26 bars, which we count
/// literally (`i-26`). TradingView's built-in Ichimoku plots with an offset of
/// `displacement - 1` (25 bars); pass `displacement = 25` to reproduce its
/// chart values.
///
/// Warm-up (leading NaNs): tenkan `tenkan-1`, kijun `kijun-1`, senkou_a
/// `max(tenkan,kijun)-1+d`, senkou_b `senkou_b-1+d`; the indicator's lookback
/// is the longest, `max(tenkan,kijun,senkou_b)-1+d`, and it needs one bar
/// more. Windows only (no smoothing): values do not depend on older history.
/// Sliding max/min in O(1) per bar (van Herk / Gil-Werman), no allocation
/// beyond the outputs.
pub fn ichimoku(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    tenkan: usize,
    kijun: usize,
    senkou_b: usize,
    displacement: usize,
) -> Result<Ichimoku, IndicatorError> {
    check_period("tenkan", tenkan)?;
    check_period("kijun", kijun)?;
    check_period("senkou_b", senkou_b)?;
    let n = check_columns(
        "ICHIMOKU",
        &[("high", high), ("low", low), ("close", close)],
    )?;
    check_enough(
        "ICHIMOKU",
        n,
        lookback_of(tenkan, kijun, senkou_b, displacement),
    )?;
    let d = displacement;
    let mut tk = vec![0.0; n];
    let mut kj = vec![0.0; n];
    let mut sb = vec![0.0; n];
    let mut sa = vec![0.0; n];
    let mut chikou = vec![0.0; n];
    // `sa` and `chikou` serve as scratch buffers before they get their values.
    window_mid(high, low, tenkan, &mut tk, &mut sa, &mut chikou);
    window_mid(high, low, kijun, &mut kj, &mut sa, &mut chikou);
    // Window mids first, then shifted forward by d in place.
    window_mid(high, low, senkou_b, &mut sb, &mut sa, &mut chikou);
    sb.copy_within(..n - d, d);
    sb[..d].fill(f64::NAN);
    sa[..d].fill(f64::NAN);
    for ((a, &t), &k) in sa[d..].iter_mut().zip(&tk).zip(&kj) {
        // NaN during tenkan/kijun's own warm-up propagates.
        *a = (t + k) / 2.0;
    }
    chikou[n - d..].fill(f64::NAN);
    chikou[..n - d].copy_from_slice(&close[d..]);
    Ok(Ichimoku {
        tenkan: tk,
        kijun: kj,
        senkou_a: sa,
        senkou_b: sb,
        chikou,
    })
}

fn lookback_of(tenkan: usize, kijun: usize, senkou_b: usize, displacement: usize) -> usize {
    tenkan.max(kijun).max(senkou_b) - 1 + displacement
}

pub(crate) fn compute(bars: &Ohlcv, params: &[f64]) -> Result<Vec<Vec<f64>>, IndicatorError> {
    check_params("ICHIMOKU", PARAMS, params)?;
    let r = ichimoku(
        bars.high,
        bars.low,
        bars.close,
        int(params, 0),
        int(params, 1),
        int(params, 2),
        int(params, 3),
    )?;
    Ok(vec![r.tenkan, r.kijun, r.senkou_a, r.senkou_b, r.chikou])
}

pub(crate) fn lookback(params: &[f64]) -> usize {
    let d = match params.get(3) {
        Some(&v) if v.is_finite() && v >= 0.0 => v.min(u32::MAX as f64) as usize,
        Some(_) => 0,
        None => 26,
    };
    lookback_of(
        lb_int(params, 0, 9),
        lb_int(params, 1, 26),
        lb_int(params, 2, 52),
        d,
    )
}
