//! Floor pivot points: classic, Fibonacci and Camarilla.

use super::common::{Sessions, check_columns, check_enough, check_params, check_times};
use crate::indicators::{IndicatorError, Ohlcv};

/// Which pivot formulas to use. `H`, `L`, `C` are the previous period's high,
/// low and close, `R = H - L`, `PP = (H + L + C) / 3` for every method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PivotMethod {
    /// `R1 = 2PP - L`, `S1 = 2PP - H`, `R2 = PP + R`, `S2 = PP - R`,
    /// `R3 = H + 2(PP - L)`, `S3 = L - 2(H - PP)`.
    Classic,
    /// `R1/S1 = PP ± 0.382R`, `R2/S2 = PP ± 0.618R`, `R3/S3 = PP ± R`.
    Fibonacci,
    /// `R1/S1 = C ± 1.1R/12`, `R2/S2 = C ± 1.1R/6`, `R3/S3 = C ± 1.1R/4`,
    /// `R4/S4 = C ± 1.1R/2`.
    Camarilla,
}

impl PivotMethod {
    /// Number of resistance (and of support) levels: 3, or 4 for Camarilla.
    pub fn levels(self) -> usize {
        match self {
            PivotMethod::Camarilla => 4,
            _ => 3,
        }
    }

    fn name(self) -> &'static str {
        match self {
            PivotMethod::Classic => "PIVOT_CLASSIC",
            PivotMethod::Fibonacci => "PIVOT_FIBONACCI",
            PivotMethod::Camarilla => "PIVOT_CAMARILLA",
        }
    }

    /// `[pp, r1, r2, r3, r4, s1, s2, s3, s4]` (r4/s4 unused unless Camarilla).
    #[inline]
    fn compute(self, h: f64, l: f64, c: f64) -> [f64; 9] {
        let pp = (h + l + c) / 3.0;
        let r = h - l;
        match self {
            PivotMethod::Classic => [
                pp,
                2.0 * pp - l,
                pp + r,
                h + 2.0 * (pp - l),
                f64::NAN,
                2.0 * pp - h,
                pp - r,
                l - 2.0 * (h - pp),
                f64::NAN,
            ],
            PivotMethod::Fibonacci => [
                pp,
                pp + 0.382 * r,
                pp + 0.618 * r,
                pp + r,
                f64::NAN,
                pp - 0.382 * r,
                pp - 0.618 * r,
                pp - r,
                f64::NAN,
            ],
            PivotMethod::Camarilla => {
                let k = 1.1 * r;
                [
                    pp,
                    c + k / 12.0,
                    c + k / 6.0,
                    c + k / 4.0,
                    c + k / 2.0,
                    c - k / 12.0,
                    c - k / 6.0,
                    c - k / 4.0,
                    c - k / 2.0,
                ]
            }
        }
    }
}

/// Pivot levels for each bar, aligned with the input bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Pivots {
    pub pp: Vec<f64>,
    /// `resistance[0]` is R1; 3 levels, 4 for Camarilla.
    pub resistance: Vec<Vec<f64>>,
    /// `support[0]` is S1; 3 levels, 4 for Camarilla.
    pub support: Vec<Vec<f64>>,
}

/// Pivot points of each bar from the PREVIOUS period's high, low and close.
///
/// - Daily or coarser bars (`bars.intraday == false`): the previous period is
///   the previous bar (a daily series gives today's levels from yesterday's
///   bar; a weekly series, this week's from last week's). Bar 0 is NaN.
/// - Intraday bars: the previous exchange session (exchange-local calendar
///   date of `ts + utc_offset_secs`, as for VWAP): its highest high, lowest
///   low and last close. Every bar of a session carries the same levels;
///   the whole first session in the data is NaN, so fetch one extra session
///   (the spec's lookback of 1 counts bars and cannot express this).
///   An NSE special session (e.g. Muhurat trading) counts as a session.
///
/// Errors: fewer than 2 bars, or intraday bars from a single session.
pub fn pivots(bars: &Ohlcv, method: PivotMethod) -> Result<Pivots, IndicatorError> {
    let name = method.name();
    let n = check_columns(
        name,
        &[
            ("high", bars.high),
            ("low", bars.low),
            ("close", bars.close),
        ],
    )?;
    check_enough(name, n, 1)?;
    check_times(name, bars, n)?;
    let (h, l, c) = (bars.high, bars.low, bars.close);
    let k = method.levels();
    let mut pp = vec![f64::NAN; n];
    let mut res: Vec<Vec<f64>> = (0..k).map(|_| vec![f64::NAN; n]).collect();
    let mut sup: Vec<Vec<f64>> = (0..k).map(|_| vec![f64::NAN; n]).collect();
    let mut write = |i: usize, lv: &[f64; 9]| {
        pp[i] = lv[0];
        for j in 0..k {
            res[j][i] = lv[1 + j];
            sup[j][i] = lv[5 + j];
        }
    };
    if bars.intraday {
        let mut sessions = Sessions::new(bars.utc_offset_secs);
        // Running H/L/C of the current session; levels from the previous one.
        let (mut sh, mut sl, mut sc) = (f64::NAN, f64::NAN, f64::NAN);
        let mut levels: Option<[f64; 9]> = None;
        for i in 0..n {
            if sessions.is_new(bars.ts[i]) {
                if i > 0 {
                    levels = Some(method.compute(sh, sl, sc));
                }
                (sh, sl) = (h[i], l[i]);
            } else {
                sh = sh.max(h[i]);
                sl = sl.min(l[i]);
            }
            sc = c[i];
            if let Some(lv) = &levels {
                write(i, lv);
            }
        }
        if levels.is_none() {
            return Err(IndicatorError::InvalidInput(format!(
                "{name}: intraday pivots come from the previous session, but all {n} bars are in one session; include the previous session's bars"
            )));
        }
    } else {
        for i in 1..n {
            write(i, &method.compute(h[i - 1], l[i - 1], c[i - 1]));
        }
    }
    Ok(Pivots {
        pp,
        resistance: res,
        support: sup,
    })
}

fn compute_with(
    bars: &Ohlcv,
    params: &[f64],
    method: PivotMethod,
) -> Result<Vec<Vec<f64>>, IndicatorError> {
    check_params(method.name(), &[], params)?;
    let p = pivots(bars, method)?;
    let mut out = Vec::with_capacity(1 + 2 * method.levels());
    out.push(p.pp);
    out.extend(p.resistance);
    out.extend(p.support);
    Ok(out)
}

pub(crate) fn classic_compute(
    bars: &Ohlcv,
    params: &[f64],
) -> Result<Vec<Vec<f64>>, IndicatorError> {
    compute_with(bars, params, PivotMethod::Classic)
}

pub(crate) fn fibonacci_compute(
    bars: &Ohlcv,
    params: &[f64],
) -> Result<Vec<Vec<f64>>, IndicatorError> {
    compute_with(bars, params, PivotMethod::Fibonacci)
}

pub(crate) fn camarilla_compute(
    bars: &Ohlcv,
    params: &[f64],
) -> Result<Vec<Vec<f64>>, IndicatorError> {
    compute_with(bars, params, PivotMethod::Camarilla)
}

pub(crate) fn lookback(_: &[f64]) -> usize {
    1
}
