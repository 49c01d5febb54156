//! Session-anchored VWAP.

use super::common::{Sessions, check_columns, check_params, check_times};
use crate::indicators::{IndicatorError, Ohlcv};

/// Volume-weighted average price, anchored at each exchange session.
///
/// `VWAP[i] = Σ tp[j]·volume[j] / Σ volume[j]` over the bars `j <= i` of the
/// anchor period holding bar `i`, with typical price `tp = (high+low+close)/3`.
///
/// Anchor:
/// - intraday bars (`bars.intraday`): the exchange session, i.e. the
///   exchange-local calendar date of `ts + utc_offset_secs` (NSE/BSE: one
///   session per IST date, opening 09:15). The sums restart at the first bar
///   of each date, so that bar's VWAP is its own typical price (when it has
///   volume). Timestamps must be strictly increasing.
/// - daily or coarser bars: the first bar of the series (cumulative VWAP
///   since the start of the data; `ts` is not read). The value therefore
///   depends on where the series starts.
///
/// No warm-up: every bar has a value, except that while the anchor period's
/// cumulative volume is still zero (e.g. NSE's 09:15 bar is often reported
/// with volume 0) the VWAP is NaN. Volumes must be finite and >= 0.
pub fn vwap(bars: &Ohlcv) -> Result<Vec<f64>, IndicatorError> {
    let n = check_columns(
        "VWAP",
        &[
            ("high", bars.high),
            ("low", bars.low),
            ("close", bars.close),
            ("volume", bars.volume),
        ],
    )?;
    if n == 0 {
        return Err(IndicatorError::NotEnoughData {
            indicator: "VWAP".into(),
            need: 1,
            have: 0,
        });
    }
    if let Some(i) = bars.volume.iter().position(|&v| v < 0.0) {
        return Err(IndicatorError::InvalidInput(format!(
            "VWAP: volume[{i}] = {} is negative",
            bars.volume[i]
        )));
    }
    check_times("VWAP", bars, n)?;
    let (h, l, c, v) = (bars.high, bars.low, bars.close, bars.volume);
    let mut out = vec![0.0; n];
    let (mut pv, mut vol) = (0.0f64, 0.0f64);
    let mut emit = |i: usize, pv: &mut f64, vol: &mut f64| {
        let tp = (h[i] + l[i] + c[i]) / 3.0;
        *pv += tp * v[i];
        *vol += v[i];
        out[i] = if *vol > 0.0 { *pv / *vol } else { f64::NAN };
    };
    if bars.intraday {
        let mut sessions = Sessions::new(bars.utc_offset_secs);
        for (i, &t) in bars.ts.iter().enumerate() {
            if sessions.is_new(t) {
                pv = 0.0;
                vol = 0.0;
            }
            emit(i, &mut pv, &mut vol);
        }
    } else {
        for i in 0..n {
            emit(i, &mut pv, &mut vol);
        }
    }
    Ok(out)
}

pub(crate) fn compute(bars: &Ohlcv, params: &[f64]) -> Result<Vec<Vec<f64>>, IndicatorError> {
    check_params("VWAP", &[], params)?;
    Ok(vec![vwap(bars)?])
}

pub(crate) fn lookback(_: &[f64]) -> usize {
    0
}
