//! Shared building blocks of the trader indicators: input and parameter
//! validation, Wilder's ATR and the EMA (TA-Lib semantics), exchange sessions
//! and O(1) sliding-window extremes.

use crate::indicators::{IndicatorError, Ohlcv, ParamSpec};

/// Seconds in a calendar day.
const DAY_SECS: i64 = 86_400;

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// Checks that every column has `n` values, all finite. `names` label the
/// columns in messages.
pub(crate) fn check_columns(
    indicator: &str,
    cols: &[(&str, &[f64])],
) -> Result<usize, IndicatorError> {
    let n = cols.first().map_or(0, |c| c.1.len());
    for &(name, col) in cols {
        if col.len() != n {
            return Err(IndicatorError::InvalidInput(format!(
                "{indicator}: column '{name}' has {} values but '{}' has {n}; all inputs must have one length",
                col.len(),
                cols[0].0
            )));
        }
        if let Some(i) = first_non_finite(col) {
            return Err(IndicatorError::InvalidInput(format!(
                "{indicator}: {name}[{i}] is {} (inputs must be finite numbers)",
                col[i]
            )));
        }
    }
    Ok(n)
}

/// Index of the first NaN or infinite value. Scans 64-value chunks without
/// early exit inside a chunk (so the check vectorizes), then locates the
/// culprit within the failing chunk.
fn first_non_finite(col: &[f64]) -> Option<usize> {
    let chunk = col
        .chunks(64)
        .position(|c| !c.iter().fold(true, |ok, x| ok & x.is_finite()))?;
    let start = chunk * 64;
    col[start..]
        .iter()
        .position(|x| !x.is_finite())
        .map(|i| start + i)
}

/// Error unless `n` bars give at least one value after a warm-up of `lookback` bars.
pub(crate) fn check_enough(
    indicator: &str,
    n: usize,
    lookback: usize,
) -> Result<(), IndicatorError> {
    let need = lookback.saturating_add(1);
    if n < need {
        return Err(IndicatorError::NotEnoughData {
            indicator: indicator.to_string(),
            need,
            have: n,
        });
    }
    Ok(())
}

/// A window length: a whole number >= 1.
pub(crate) fn check_period(param: &str, value: usize) -> Result<(), IndicatorError> {
    if value == 0 {
        return Err(IndicatorError::InvalidParam {
            param: param.to_string(),
            value: 0.0,
            reason: "must be a whole number >= 1".to_string(),
        });
    }
    Ok(())
}

/// A band multiplier: finite and > 0.
pub(crate) fn check_multiplier(param: &str, value: f64) -> Result<(), IndicatorError> {
    if !value.is_finite() || value <= 0.0 {
        return Err(IndicatorError::InvalidParam {
            param: param.to_string(),
            value,
            reason: "must be a finite number > 0".to_string(),
        });
    }
    Ok(())
}

/// Validates `params` against `specs` (count, finite, range, whole numbers),
/// so that `compute` is safe even when called without the registry's checks.
pub(crate) fn check_params(
    indicator: &str,
    specs: &[ParamSpec],
    params: &[f64],
) -> Result<(), IndicatorError> {
    if params.len() != specs.len() {
        return Err(IndicatorError::InvalidInput(format!(
            "{indicator} takes {} parameter(s) ({}), got {}",
            specs.len(),
            specs.iter().map(|p| p.name).collect::<Vec<_>>().join(", "),
            params.len()
        )));
    }
    for (spec, &value) in specs.iter().zip(params) {
        let reason = if !value.is_finite() {
            Some("must be a finite number".to_string())
        } else if spec.integer && value.fract() != 0.0 {
            Some("must be a whole number".to_string())
        } else if value < spec.min || value > spec.max {
            Some(format!("must be between {} and {}", spec.min, spec.max))
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(IndicatorError::InvalidParam {
                param: spec.name.to_string(),
                value,
                reason,
            });
        }
    }
    Ok(())
}

/// A validated whole-number parameter as usize (call after [`check_params`]).
pub(crate) fn int(params: &[f64], i: usize) -> usize {
    params[i] as usize
}

/// `p[i]` as a window length for `lookback` fns, which get unvalidated values:
/// NaN, negative or missing values count as 1 so that they never panic.
pub(crate) fn lb_int(params: &[f64], i: usize, default: usize) -> usize {
    match params.get(i) {
        Some(&v) if v.is_finite() && v >= 1.0 => v.min(u32::MAX as f64) as usize,
        Some(_) => 1,
        None => default,
    }
}

/// Bar start times for session-based indicators: intraday bars need one
/// strictly increasing timestamp per bar; daily and coarser bars ignore them.
pub(crate) fn check_times(indicator: &str, bars: &Ohlcv, n: usize) -> Result<(), IndicatorError> {
    if !bars.intraday {
        return Ok(());
    }
    if bars.ts.len() != n {
        return Err(IndicatorError::InvalidInput(format!(
            "{indicator}: intraday bars need one timestamp per bar: got {} timestamps for {n} bars",
            bars.ts.len()
        )));
    }
    if let Some(i) = bars.ts.windows(2).position(|w| w[1] <= w[0]) {
        return Err(IndicatorError::InvalidInput(format!(
            "{indicator}: timestamps must be strictly increasing, but ts[{}] = {} follows ts[{i}] = {}",
            i + 1,
            bars.ts[i + 1],
            bars.ts[i]
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------

/// Detects exchange sessions: a session is one exchange-local calendar date,
/// i.e. `floor((ts + utc_offset_secs) / 86400)`. Tracks the UTC end of the
/// current local day so the per-bar test is one comparison, not a division.
pub(crate) struct Sessions {
    offset: i64,
    /// UTC epoch seconds of the next local midnight (`i64::MIN` before the first bar).
    end: i64,
}

impl Sessions {
    pub(crate) fn new(utc_offset_secs: i32) -> Self {
        Sessions {
            offset: i64::from(utc_offset_secs),
            end: i64::MIN,
        }
    }

    /// True when the bar starting at `ts` opens a new session (always for the
    /// first bar). Timestamps must be increasing.
    #[inline]
    pub(crate) fn is_new(&mut self, ts: i64) -> bool {
        if ts < self.end {
            return false;
        }
        let local = ts.saturating_add(self.offset);
        let next_midnight = (local.div_euclid(DAY_SECS) + 1).saturating_mul(DAY_SECS);
        self.end = next_midnight.saturating_sub(self.offset);
        true
    }
}

// ---------------------------------------------------------------------------
// Moving averages
// ---------------------------------------------------------------------------

/// True range of bar `i >= 1`: `max(H-L, |H-C[i-1]|, |L-C[i-1]|)`.
#[inline]
pub(crate) fn true_range(high: &[f64], low: &[f64], close: &[f64], i: usize) -> f64 {
    let (h, l, pc) = (high[i], low[i], close[i - 1]);
    (h - l).max((h - pc).abs()).max((l - pc).abs())
}

/// The first Wilder ATR (TA-Lib semantics), at bar `p`: the mean of TR[1..=p].
/// Needs `n > p`.
pub(crate) fn atr_seed(high: &[f64], low: &[f64], close: &[f64], p: usize) -> f64 {
    (1..=p)
        .map(|i| true_range(high, low, close, i))
        .sum::<f64>()
        / p as f64
}

/// Wilder's ATR with TA-Lib semantics: TR[i] = max(H-L, |H-C[i-1]|, |L-C[i-1]|)
/// for i >= 1; ATR[p] = mean(TR[1..=p]); ATR[i] = (ATR[i-1]*(p-1) + TR[i]) / p.
/// `out[..p]` is NaN. Needs `n > p` (checked by callers).
pub(crate) fn atr_into(high: &[f64], low: &[f64], close: &[f64], p: usize, out: &mut [f64]) {
    let n = close.len();
    out[..p.min(n)].fill(f64::NAN);
    if n <= p {
        return;
    }
    let pf = p as f64;
    let mut atr = atr_seed(high, low, close, p);
    out[p] = atr;
    for (i, o) in out.iter_mut().enumerate().take(n).skip(p + 1) {
        atr = (atr * (pf - 1.0) + true_range(high, low, close, i)) / pf;
        *o = atr;
    }
}

/// EMA with TA-Lib semantics: k = 2/(p+1); the first value, at index p-1, is
/// the SMA of the first p inputs; then EMA[i] = EMA[i-1] + k*(x[i] - EMA[i-1]).
/// `out[..p-1]` is NaN. Needs `n >= p` (checked by callers).
pub(crate) fn ema_into(x: &[f64], p: usize, out: &mut [f64]) {
    let n = x.len();
    out[..(p - 1).min(n)].fill(f64::NAN);
    if n < p {
        return;
    }
    let k = 2.0 / (p as f64 + 1.0);
    let mut ema = x[..p].iter().sum::<f64>() / p as f64;
    out[p - 1] = ema;
    for i in p..n {
        ema += k * (x[i] - ema);
        out[i] = ema;
    }
}

// ---------------------------------------------------------------------------
// Sliding-window extremes
// ---------------------------------------------------------------------------

/// `out[i]` = extreme (`pick` = larger or smaller of two) of `x[i+1-w..=i]`
/// for `i >= w-1`; `out[..w-1]` is NaN. `scratch` is a caller-provided buffer
/// of `x.len()` values (overwritten), so nothing is allocated here.
///
/// Van Herk / Gil-Werman: cut the series into blocks of `w` bars; `out`
/// first gets the running extreme from each block's start (prefix) and
/// `scratch` the running extreme to each block's end (suffix). A window
/// `[s, i]` covers the tail of `s`'s block and the head of `i`'s, so its
/// extreme is `pick(suffix[s], prefix[i])`. Exactly 3 comparisons per bar,
/// branch-free (O(1) worst case, not just amortized like a monotonic deque,
/// and several times faster on real prices where the deque's pops are
/// unpredictable branches).
#[inline]
fn sliding_extreme(
    x: &[f64],
    w: usize,
    out: &mut [f64],
    scratch: &mut [f64],
    pick: impl Fn(f64, f64) -> f64 + Copy,
) {
    let n = x.len();
    debug_assert!(w >= 1 && out.len() == n && scratch.len() == n);
    for ((xb, ob), sb) in x
        .chunks(w)
        .zip(out.chunks_mut(w))
        .zip(scratch.chunks_mut(w))
    {
        let mut acc = xb[0];
        for (o, &v) in ob.iter_mut().zip(xb) {
            acc = pick(acc, v);
            *o = acc;
        }
        let mut acc = xb[xb.len() - 1];
        for (s, &v) in sb.iter_mut().zip(xb).rev() {
            acc = pick(acc, v);
            *s = acc;
        }
    }
    if w > 1 && w <= n {
        for (o, &s) in out[w - 1..].iter_mut().zip(scratch.iter()) {
            *o = pick(s, *o);
        }
    }
    out[..(w - 1).min(n)].fill(f64::NAN);
}

/// Highest value of the last `w` bars (current bar included); see [`sliding_extreme`].
pub(crate) fn sliding_max(x: &[f64], w: usize, out: &mut [f64], scratch: &mut [f64]) {
    sliding_extreme(x, w, out, scratch, |a, b| if b > a { b } else { a });
}

/// Lowest value of the last `w` bars (current bar included); see [`sliding_extreme`].
pub(crate) fn sliding_min(x: &[f64], w: usize, out: &mut [f64], scratch: &mut [f64]) {
    sliding_extreme(x, w, out, scratch, |a, b| if b < a { b } else { a });
}

/// `mid[i]` = (highest high + lowest low) / 2 of the last `w` bars, NaN for
/// `i < w-1`; `s1`, `s2` are scratch buffers of `high.len()` values.
pub(crate) fn window_mid(
    high: &[f64],
    low: &[f64],
    w: usize,
    mid: &mut [f64],
    s1: &mut [f64],
    s2: &mut [f64],
) {
    sliding_max(high, w, mid, s1);
    sliding_min(low, w, s2, s1);
    for (m, &l) in mid.iter_mut().zip(s2.iter()) {
        *m = (*m + l) / 2.0;
    }
}
