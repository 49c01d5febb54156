//! Helpers shared by the indicator modules: TA-Lib's float guards and the
//! parameter / input checks every public function runs before computing.

use super::IndicatorError;

/// TA-Lib's `TA_IS_ZERO`: `-1e-14 < v < 1e-14`. TA-Lib guards most of its
/// divisions with it (output 0 instead of dividing), so we do the same.
#[inline(always)]
pub(crate) fn is_zero(v: f64) -> bool {
    -1e-14 < v && v < 1e-14
}

/// TA-Lib's `TA_IS_ZERO_OR_NEG`: `v < 1e-14` (used before `sqrt` and in BOP).
#[inline(always)]
pub(crate) fn is_zero_or_neg(v: f64) -> bool {
    v < 1e-14
}

/// TA-Lib's `PER_TO_K`: the EMA smoothing factor for a period.
#[inline(always)]
pub(crate) fn per_to_k(period: usize) -> f64 {
    2.0 / (period as f64 + 1.0)
}

/// Three aligned output series (MACD, BBANDS).
pub type Series3 = (Vec<f64>, Vec<f64>, Vec<f64>);

/// The largest period TA-Lib accepts for any function.
pub const MAX_PERIOD: usize = 100_000;

/// The largest magnitude TA-Lib accepts for real parameters (`TA_REAL_MAX`-ish).
pub(crate) const MAX_REAL: f64 = 3.0e37;

/// Rejects a period outside `min..=MAX_PERIOD`.
pub(crate) fn check_period(param: &str, value: usize, min: usize) -> Result<(), IndicatorError> {
    if value < min || value > MAX_PERIOD {
        return Err(IndicatorError::InvalidParam {
            param: param.to_string(),
            value: value as f64,
            reason: format!("must be a whole number in {min}..={MAX_PERIOD}"),
        });
    }
    Ok(())
}

/// Rejects a real parameter that is not finite or outside `min..=max`.
pub(crate) fn check_real(
    param: &str,
    value: f64,
    min: f64,
    max: f64,
) -> Result<(), IndicatorError> {
    if !value.is_finite() || value < min || value > max {
        return Err(IndicatorError::InvalidParam {
            param: param.to_string(),
            value,
            reason: format!("must be a finite number in {min}..={max}"),
        });
    }
    Ok(())
}

/// Rejects `fast >= slow` (TA-Lib silently swaps them; we refuse).
pub(crate) fn check_fast_slow(fast: usize, slow: usize) -> Result<(), IndicatorError> {
    if fast >= slow {
        return Err(IndicatorError::InvalidParam {
            param: "fastperiod".to_string(),
            value: fast as f64,
            reason: format!("fastperiod must be below slowperiod ({slow})"),
        });
    }
    Ok(())
}

/// True when every value is finite. Branch-free over chunks so it vectorises:
/// `x * 0.0` is `0` for finite `x` and `NaN` for `NaN`/`inf`.
#[inline]
fn all_finite(values: &[f64]) -> bool {
    let mut acc = [0.0f64; 8];
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (a, &v) in acc.iter_mut().zip(chunk) {
            *a += v * 0.0;
        }
    }
    for &v in rest {
        acc[0] += v * 0.0;
    }
    acc.iter().all(|a| *a == 0.0)
}

/// Checks the input series of one call: all the same length, all finite, and
/// more than `lookback` values (TA-Lib needs `lookback + 1` bars for one
/// output). Returns the common length.
pub(crate) fn check_inputs(
    indicator: &str,
    series: &[(&str, &[f64])],
    lookback: usize,
) -> Result<usize, IndicatorError> {
    let n = series.first().map_or(0, |s| s.1.len());
    for (name, s) in series {
        if s.len() != n {
            return Err(IndicatorError::InvalidInput(format!(
                "{indicator}: '{name}' has {} values but '{}' has {n}",
                s.len(),
                series[0].0
            )));
        }
    }
    for (name, s) in series {
        if !all_finite(s) {
            let (i, v) = s
                .iter()
                .enumerate()
                .find(|(_, v)| !v.is_finite())
                .map_or((0, f64::NAN), |(i, v)| (i, *v));
            return Err(IndicatorError::InvalidInput(format!(
                "{indicator}: '{name}' value at index {i} is {v}; inputs must be finite numbers"
            )));
        }
    }
    if n <= lookback {
        return Err(IndicatorError::NotEnoughData {
            indicator: indicator.to_string(),
            need: lookback + 1,
            have: n,
        });
    }
    Ok(n)
}

/// The shape half of [`check_inputs`]: equal lengths and more than
/// `lookback` values, without the finiteness scan (for kernels that fuse it
/// into their own pass with [`fused_out`]). When there is too little data it
/// defers to `check_inputs`, so a non-finite input still wins over
/// `NotEnoughData` exactly as before.
pub(crate) fn check_shape(
    indicator: &str,
    series: &[(&str, &[f64])],
    lookback: usize,
) -> Result<usize, IndicatorError> {
    let n = series.first().map_or(0, |s| s.1.len());
    if n <= lookback || series.iter().any(|s| s.1.len() != n) {
        return check_inputs(indicator, series, lookback);
    }
    Ok(n)
}

/// [`chunked_out`] with [`check_inputs`]' finiteness scan fused in: each
/// chunk of every input series is checked just before `fill` reads it, so
/// the inputs stream from memory once instead of twice. Worth it for
/// compute-bound kernels (ULTOSC: ~0.4 ns/bar); for element-wise kernels
/// (MOM, TRANGE, BOP, AD) it measured no faster or slower than a separate
/// scan plus `collect_out`, so they keep that. `fill` may run on non-finite
/// data (float arithmetic cannot panic); its output is then discarded and
/// `check_inputs` builds the usual `InvalidInput` error. `n` must come from
/// [`check_shape`].
pub(crate) fn fused_out(
    indicator: &str,
    series: &[(&str, &[f64])],
    n: usize,
    lb: usize,
    mut fill: impl FnMut(usize, &mut [f64]),
) -> Result<Vec<f64>, IndicatorError> {
    let mut ok = series.iter().all(|s| all_finite(&s.1[..lb]));
    let out = chunked_out(n, lb, |start, chunk| {
        let end = start + chunk.len();
        ok &= series.iter().all(|s| all_finite(&s.1[start..end]));
        fill(start, chunk);
    });
    if ok {
        return Ok(out);
    }
    check_inputs(indicator, series, lb)?;
    // Unreachable in practice (a chunk failed the scan, so check_inputs did).
    Err(IndicatorError::InvalidInput(format!(
        "{indicator}: inputs must be finite numbers"
    )))
}

/// A vector of `n` NaNs (the output buffer; kernels overwrite the valid part).
#[inline]
pub(crate) fn nan_vec(n: usize) -> Vec<f64> {
    vec![f64::NAN; n]
}

/// The output vector: `lb` NaNs then `values`, each element written exactly
/// once. With a slice-based (`TrustedLen`) iterator `collect` allocates the
/// exact length up front and writes without capacity checks, which saves a
/// full NaN pre-fill pass over the output (measurable on 1M-bar series).
#[inline]
pub(crate) fn collect_out(lb: usize, values: impl Iterator<Item = f64>) -> Vec<f64> {
    std::iter::repeat_n(f64::NAN, lb).chain(values).collect()
}

/// The output vector built in small chunks: NaN for bars `..lb`, then
/// `fill(start, chunk)` must write every element of `chunk` (bars
/// `start..start + chunk.len()`, in order). For recurrences whose state
/// `collect_out`'s iterator would keep in memory (a store/load on the
/// loop-carried chain): inside `fill`'s own loop the state stays in
/// registers. Each output element is written once (no NaN pre-fill); the
/// copy out of the L1-resident chunk is cheap.
#[inline]
pub(crate) fn chunked_out(
    n: usize,
    lb: usize,
    mut fill: impl FnMut(usize, &mut [f64]),
) -> Vec<f64> {
    const CHUNK: usize = 512;
    let mut out = Vec::with_capacity(n);
    out.resize(lb.min(n), f64::NAN);
    let mut buf = [0.0f64; CHUNK];
    let mut start = lb;
    while start < n {
        let m = (n - start).min(CHUNK);
        fill(start, &mut buf[..m]);
        out.extend_from_slice(&buf[..m]);
        start += m;
    }
    out
}

/// Slice form of [`collect_out`] for kernels composed on sub-slices: NaN in
/// `out[..lb]`, then `values` (as many as fit).
#[inline]
pub(crate) fn fill_out(out: &mut [f64], lb: usize, values: impl Iterator<Item = f64>) {
    let lb = lb.min(out.len());
    out[..lb].fill(f64::NAN);
    for (o, v) in out[lb..].iter_mut().zip(values) {
        *o = v;
    }
}

/// Sum of `values` accumulated from 0.0 in order (TA-Lib's seed loops).
#[inline(always)]
pub(crate) fn sum_in_order(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |a, &v| a + v)
}

/// TA-Lib's `TRUE_RANGE` macro: the largest of `high - low`, `|high - prev
/// close|`, `|low - prev close|`, compared in that order.
#[inline(always)]
pub(crate) fn true_range(high: f64, low: f64, prev_close: f64) -> f64 {
    let mut tr = high - low;
    let t2 = (high - prev_close).abs();
    if t2 > tr {
        tr = t2;
    }
    let t3 = (low - prev_close).abs();
    if t3 > tr {
        tr = t3;
    }
    tr
}

/// Highest / lowest over a sliding window, tracked the way TA-Lib does it
/// (remember the extreme's index; rescan only when it leaves the window),
/// which is amortised O(1) per bar on market data.
pub(crate) struct Extreme {
    idx: usize,
    value: f64,
    valid: bool,
}

impl Extreme {
    pub(crate) fn new() -> Self {
        Extreme {
            idx: 0,
            value: 0.0,
            valid: false,
        }
    }

    /// Highest of `data[trailing..=today]`; ties keep the latest index when
    /// `latest_on_rescan` (AROON's rule), else the earliest on a rescan.
    #[inline(always)]
    pub(crate) fn highest(
        &mut self,
        data: &[f64],
        trailing: usize,
        today: usize,
        latest_on_rescan: bool,
    ) -> (f64, usize) {
        if !self.valid || self.idx < trailing {
            self.valid = true;
            self.idx = trailing;
            self.value = data[trailing];
            for (i, &v) in data.iter().enumerate().take(today + 1).skip(trailing + 1) {
                if v > self.value || (latest_on_rescan && v == self.value) {
                    self.idx = i;
                    self.value = v;
                }
            }
        } else if data[today] >= self.value {
            self.idx = today;
            self.value = data[today];
        }
        (self.value, self.idx)
    }

    /// Lowest of `data[trailing..=today]`, mirror of [`Extreme::highest`].
    #[inline(always)]
    pub(crate) fn lowest(
        &mut self,
        data: &[f64],
        trailing: usize,
        today: usize,
        latest_on_rescan: bool,
    ) -> (f64, usize) {
        if !self.valid || self.idx < trailing {
            self.valid = true;
            self.idx = trailing;
            self.value = data[trailing];
            for (i, &v) in data.iter().enumerate().take(today + 1).skip(trailing + 1) {
                if v < self.value || (latest_on_rescan && v == self.value) {
                    self.idx = i;
                    self.value = v;
                }
            }
        } else if data[today] <= self.value {
            self.idx = today;
            self.value = data[today];
        }
        (self.value, self.idx)
    }
}

/// `a.max(b)` without NaN handling (inputs are finite): a single `maxsd`.
#[inline(always)]
pub(crate) fn fmax(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// `a.min(b)` without NaN handling (inputs are finite): a single `minsd`.
#[inline(always)]
pub(crate) fn fmin(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// Sliding-window highest of `hi` and lowest of `lo` over `period` bars,
/// for every bar from `period - 1` on, delivered in order as blocks:
/// `emit(first_bar, highest, lowest)` with equal-length slices. Only the
/// values are exact (which index holds them is not tracked, so not for
/// AROON).
///
/// Van Herk / Gil-Werman: cut the series into blocks of `period`; a window
/// is the suffix of one block plus the prefix of the next, so each bar costs
/// three branch-free max (and min) operations whatever the period, in tight
/// loops over small arrays (no per-bar call, the combine step vectorises).
/// TA-Lib's "rescan when the extreme leaves the window" is O(1) amortised
/// too, but its data-dependent branches mispredict often on real prices.
/// State: four `period`-long buffers, allocated once per call.
pub(crate) fn window_max_min(
    hi: &[f64],
    lo: &[f64],
    period: usize,
    mut emit: impl FnMut(usize, &[f64], &[f64]),
) {
    let n = hi.len().min(lo.len());
    if period == 0 || n < period {
        return;
    }
    let first_hi = hi[..period]
        .iter()
        .fold(f64::NEG_INFINITY, |a, &v| fmax(a, v));
    let first_lo = lo[..period].iter().fold(f64::INFINITY, |a, &v| fmin(a, v));
    emit(period - 1, &[first_hi], &[first_lo]);
    // Suffix extremes of the current block; index `period` is the empty suffix.
    let mut suf_hi = vec![f64::NEG_INFINITY; period + 1];
    let mut suf_lo = vec![f64::INFINITY; period + 1];
    let mut win_hi = vec![0.0f64; period];
    let mut win_lo = vec![0.0f64; period];
    let mut start = 0;
    while start + period < n {
        let (bh, bl) = (&hi[start..start + period], &lo[start..start + period]);
        let (mut mh, mut ml) = (f64::NEG_INFINITY, f64::INFINITY);
        for ((sh, sl), (&h, &l)) in suf_hi[..period]
            .iter_mut()
            .zip(&mut suf_lo[..period])
            .zip(bh.iter().zip(bl))
            .rev()
        {
            mh = fmax(mh, h);
            ml = fmin(ml, l);
            *sh = mh;
            *sl = ml;
        }
        // Bar `next + t` spans [start + t + 1, next + t]: the block suffix
        // from t + 1 and the next block's prefix up to t.
        let next = start + period;
        let m = period.min(n - next);
        let (nh, nl) = (&hi[next..next + m], &lo[next..next + m]);
        let (wh, wl) = (&mut win_hi[..m], &mut win_lo[..m]);
        let (mut ph, mut pl) = (f64::NEG_INFINITY, f64::INFINITY);
        for ((oh, ol), (&h, &l)) in wh.iter_mut().zip(wl.iter_mut()).zip(nh.iter().zip(nl)) {
            ph = fmax(ph, h);
            pl = fmin(pl, l);
            *oh = ph;
            *ol = pl;
        }
        for (oh, &sh) in wh.iter_mut().zip(&suf_hi[1..]) {
            *oh = fmax(sh, *oh);
        }
        for (ol, &sl) in wl.iter_mut().zip(&suf_lo[1..]) {
            *ol = fmin(sl, *ol);
        }
        emit(next, wh, wl);
        start = next;
    }
}
