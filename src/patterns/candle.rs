//! Candle geometry, TA-Lib's candle settings and the running averages built on them.
//!
//! Every pattern reads candles through [`Bars`] and compares them with
//! thresholds from [`Avg`], so the arithmetic below is written once and is
//! bit-for-bit TA-Lib's (`TA_REALBODY`, `TA_CANDLERANGE`, `TA_CANDLEAVERAGE`
//! and the trailing-sum loops of `ta_CDL*.c`).

use crate::indicators::Ohlcv;

/// Which length of a candle a setting averages (TA-Lib's `TA_RangeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeType {
    /// `|close - open|`.
    RealBody,
    /// `high - low`.
    HighLow,
    /// Upper plus lower shadow; [`Avg::at`] halves it, as TA-Lib does.
    Shadows,
}

/// One of TA-Lib's candle settings: what is averaged, over how many prior
/// candles, and the factor applied. A period of 0 means "the candle's own range".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    pub range: RangeType,
    pub period: usize,
    pub factor: f64,
}

const fn setting(range: RangeType, period: usize, factor: f64) -> Setting {
    Setting {
        range,
        period,
        factor,
    }
}

// TA-Lib's `TA_CandleDefaultSettings` (src/ta_common/ta_global.c).
pub const BODY_LONG: Setting = setting(RangeType::RealBody, 10, 1.0);
pub const BODY_VERY_LONG: Setting = setting(RangeType::RealBody, 10, 3.0);
pub const BODY_SHORT: Setting = setting(RangeType::RealBody, 10, 1.0);
pub const BODY_DOJI: Setting = setting(RangeType::HighLow, 10, 0.1);
pub const SHADOW_LONG: Setting = setting(RangeType::RealBody, 0, 1.0);
pub const SHADOW_VERY_LONG: Setting = setting(RangeType::RealBody, 0, 2.0);
pub const SHADOW_SHORT: Setting = setting(RangeType::Shadows, 10, 1.0);
pub const SHADOW_VERY_SHORT: Setting = setting(RangeType::HighLow, 10, 0.1);
pub const NEAR: Setting = setting(RangeType::HighLow, 5, 0.2);
pub const FAR: Setting = setting(RangeType::HighLow, 5, 0.6);
pub const EQUAL: Setting = setting(RangeType::HighLow, 5, 0.05);

/// The larger of the settings' averaging periods (lookbacks are built from it).
pub const fn max_period(settings: &[Setting]) -> usize {
    let mut m = 0;
    let mut k = 0;
    while k < settings.len() {
        if settings[k].period > m {
            m = settings[k].period;
        }
        k += 1;
    }
    m
}

/// Open/high/low/close of one series, cut to a common length.
#[derive(Debug, Clone, Copy)]
pub struct Bars<'a> {
    o: &'a [f64],
    h: &'a [f64],
    l: &'a [f64],
    c: &'a [f64],
}

impl<'a> Bars<'a> {
    /// The OHLC columns cut to the shortest of them and `limit`.
    pub fn new(d: &Ohlcv<'a>, limit: usize) -> Bars<'a> {
        let n = limit
            .min(d.open.len())
            .min(d.high.len())
            .min(d.low.len())
            .min(d.close.len());
        Bars {
            o: &d.open[..n],
            h: &d.high[..n],
            l: &d.low[..n],
            c: &d.close[..n],
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.c.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.c.is_empty()
    }

    #[inline]
    pub fn open(&self, i: usize) -> f64 {
        self.o[i]
    }

    #[inline]
    pub fn high(&self, i: usize) -> f64 {
        self.h[i]
    }

    #[inline]
    pub fn low(&self, i: usize) -> f64 {
        self.l[i]
    }

    #[inline]
    pub fn close(&self, i: usize) -> f64 {
        self.c[i]
    }

    /// TA-Lib's colour test: a candle closing at its open counts as white.
    #[inline]
    pub fn white(&self, i: usize) -> bool {
        self.c[i] >= self.o[i]
    }

    #[inline]
    pub fn black(&self, i: usize) -> bool {
        !self.white(i)
    }

    /// `TA_CANDLECOLOR`: 1 for white, -1 for black.
    #[inline]
    pub fn color(&self, i: usize) -> i32 {
        if self.white(i) { 1 } else { -1 }
    }

    #[inline]
    pub fn body(&self, i: usize) -> f64 {
        (self.c[i] - self.o[i]).abs()
    }

    /// Top of the real body (`max(open, close)`). Inputs are finite, so
    /// `f64::max` equals TA-Lib's `close >= open ? close : open` and compiles
    /// without a branch.
    #[inline]
    pub fn top(&self, i: usize) -> f64 {
        self.c[i].max(self.o[i])
    }

    /// Bottom of the real body (`min(open, close)`).
    #[inline]
    pub fn bottom(&self, i: usize) -> f64 {
        self.c[i].min(self.o[i])
    }

    #[inline]
    pub fn upper(&self, i: usize) -> f64 {
        self.h[i] - self.top(i)
    }

    #[inline]
    pub fn lower(&self, i: usize) -> f64 {
        self.bottom(i) - self.l[i]
    }

    #[inline]
    pub fn range(&self, i: usize) -> f64 {
        self.h[i] - self.l[i]
    }

    /// Real body of `i` entirely above the real body of `prev`.
    #[inline]
    pub fn body_gap_up(&self, i: usize, prev: usize) -> bool {
        self.bottom(i) > self.top(prev)
    }

    /// Real body of `i` entirely below the real body of `prev`.
    #[inline]
    pub fn body_gap_down(&self, i: usize, prev: usize) -> bool {
        self.top(i) < self.bottom(prev)
    }

    /// Candle `i`'s low above `prev`'s high.
    #[inline]
    pub fn gap_up(&self, i: usize, prev: usize) -> bool {
        self.l[i] > self.h[prev]
    }

    /// Candle `i`'s high below `prev`'s low.
    #[inline]
    pub fn gap_down(&self, i: usize, prev: usize) -> bool {
        self.h[i] < self.l[prev]
    }

    /// `TA_CANDLERANGE`: the length a setting measures on candle `i`.
    #[inline]
    pub fn measure(&self, range: RangeType, i: usize) -> f64 {
        match range {
            RangeType::RealBody => self.body(i),
            RangeType::HighLow => self.range(i),
            RangeType::Shadows => self.upper(i) + self.lower(i),
        }
    }
}

/// TA-Lib's running total for one setting, tracking one candle offset.
///
/// It holds the sum of the setting's measure over the `period` candles before
/// the candle being judged (never including it). As in TA-Lib, the sum is
/// built once, then moved one bar at a time by adding the candle just judged
/// and dropping the oldest: `total += range(j) - range(trailing)`.
#[derive(Debug, Clone, Copy)]
pub struct Avg {
    set: Setting,
    total: f64,
    trailing: usize,
}

impl Avg {
    /// The total for judging candle `first`: the sum over `first - period .. first`.
    #[inline(always)]
    pub fn new(b: &Bars, set: Setting, first: usize) -> Avg {
        let trailing = first.saturating_sub(set.period);
        let mut total = 0.0;
        for j in trailing..first {
            total += b.measure(set.range, j);
        }
        Avg {
            set,
            total,
            trailing,
        }
    }

    /// `TA_CANDLEAVERAGE` for candle `j` (the candle this total is positioned on).
    #[inline(always)]
    pub fn at(&self, b: &Bars, j: usize) -> f64 {
        let base = if self.set.period != 0 {
            self.total / self.set.period as f64
        } else {
            b.measure(self.set.range, j)
        };
        let divisor = if self.set.range == RangeType::Shadows {
            2.0
        } else {
            1.0
        };
        self.set.factor * base / divisor
    }

    /// Moves past candle `j` (just judged): adds it and drops the oldest.
    #[inline(always)]
    pub fn push(&mut self, b: &Bars, j: usize) {
        // With period 0 TA-Lib adds `range(j) - range(j)`, i.e. nothing.
        if self.set.period != 0 {
            self.total += b.measure(self.set.range, j) - b.measure(self.set.range, self.trailing);
        }
        self.trailing += 1;
    }
}

/// Cuts `out` to the bars, zeroes the warm-up prefix and returns both, or
/// `None` when no bar lies past the lookback (everything is then 0).
#[inline]
pub fn frame<'a, 'o>(
    d: &Ohlcv<'a>,
    out: &'o mut [i32],
    lookback: usize,
) -> Option<(Bars<'a>, &'o mut [i32])> {
    let b = Bars::new(d, out.len());
    let n = b.len();
    let (out, beyond) = out.split_at_mut(n);
    beyond.fill(0);
    let warm = lookback.min(n);
    out[..warm].fill(0);
    if n <= lookback { None } else { Some((b, out)) }
}

/// TA-Lib's integer code for a bullish (+) or bearish (-) signal.
#[inline]
pub fn signal(hit: bool, code: i32) -> i32 {
    if hit { code } else { 0 }
}

/// Non-short-circuit AND of pure conditions. Every test is evaluated, so the
/// compiler can emit branch-free code: on market data the individual tests
/// are unpredictable, and a mispredicted `&&` chain costs far more than the
/// few extra comparisons.
macro_rules! all {
    ($($cond:expr),+ $(,)?) => { true $(& ($cond))+ };
}

/// Non-short-circuit OR of pure conditions (see [`all!`]).
macro_rules! any {
    ($($cond:expr),+ $(,)?) => { false $(| ($cond))+ };
}

pub(crate) use {all, any};
