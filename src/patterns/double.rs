//! Two-candle patterns.

use super::candle::{
    Avg, BODY_DOJI, BODY_LONG, BODY_SHORT, EQUAL, SHADOW_VERY_SHORT, Setting, frame, max_period,
    signal,
};
use super::candle::{all, any};
use crate::indicators::Ohlcv;

pub const COUNTERATTACK: usize = max_period(&[EQUAL, BODY_LONG]) + 1;
/// Counterattack: two long opposite-coloured candles closing at (about) the same price.
pub fn counterattack(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, COUNTERATTACK) else {
        return;
    };
    let mut eq = Avg::new(&b, EQUAL, COUNTERATTACK - 1);
    let mut long1 = Avg::new(&b, BODY_LONG, COUNTERATTACK - 1);
    let mut long0 = Avg::new(&b, BODY_LONG, COUNTERATTACK);
    for i in COUNTERATTACK..b.len() {
        let e = eq.at(&b, i - 1);
        let hit = all!(
            b.color(i - 1) == -b.color(i),
            b.body(i - 1) > long1.at(&b, i - 1),
            b.body(i) > long0.at(&b, i),
            b.close(i) <= b.close(i - 1) + e,
            b.close(i) >= b.close(i - 1) - e
        );
        out[i] = signal(hit, b.color(i) * 100);
        eq.push(&b, i - 1);
        long1.push(&b, i - 1);
        long0.push(&b, i);
    }
}

pub const DARK_CLOUD_COVER: usize = max_period(&[BODY_LONG]) + 1;
/// Dark cloud cover: long white candle, then a black one opening above its high
/// and closing deep (penetration) into its body.
pub fn dark_cloud_cover(d: &Ohlcv, penetration: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, DARK_CLOUD_COVER) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, DARK_CLOUD_COVER - 1);
    for i in DARK_CLOUD_COVER..b.len() {
        let hit = all!(
            b.white(i - 1),
            b.body(i - 1) > long.at(&b, i - 1),
            b.black(i),
            b.open(i) > b.high(i - 1),
            b.close(i) > b.open(i - 1),
            b.close(i) < b.close(i - 1) - b.body(i - 1) * penetration
        );
        out[i] = signal(hit, -100);
        long.push(&b, i - 1);
    }
}

pub const DOJI_STAR: usize = max_period(&[BODY_DOJI, BODY_LONG]) + 1;
/// Doji star: long candle, then a doji whose body gaps away in the trend's direction.
pub fn doji_star(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, DOJI_STAR) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, DOJI_STAR - 1);
    let mut dj = Avg::new(&b, BODY_DOJI, DOJI_STAR);
    for i in DOJI_STAR..b.len() {
        let hit = all!(
            b.body(i - 1) > long.at(&b, i - 1),
            b.body(i) <= dj.at(&b, i),
            any!(
                all!(b.white(i - 1), b.body_gap_up(i, i - 1)),
                all!(b.black(i - 1), b.body_gap_down(i, i - 1))
            )
        );
        out[i] = signal(hit, -b.color(i - 1) * 100);
        long.push(&b, i - 1);
        dj.push(&b, i);
    }
}

pub const ENGULFING: usize = 2;
/// Engulfing: a body that engulfs the prior opposite-coloured body (±80 when
/// one end only touches, TA-Lib 0.6+).
pub fn engulfing(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, ENGULFING) else {
        return;
    };
    for i in ENGULFING..b.len() {
        let (o, c, po, pc) = (b.open(i), b.close(i), b.open(i - 1), b.close(i - 1));
        let hit = any!(
            all!(
                b.white(i),
                b.black(i - 1),
                any!(all!(c >= po, o < pc), all!(c > po, o <= pc))
            ),
            all!(
                b.black(i),
                b.white(i - 1),
                any!(all!(o >= pc, c < po), all!(o > pc, c <= po))
            )
        );
        out[i] = if !hit {
            0
        } else if o != pc && c != po {
            b.color(i) * 100
        } else {
            b.color(i) * 80
        };
    }
}

pub const HARAMI: usize = max_period(&[BODY_SHORT, BODY_LONG]) + 1;

/// Shared by harami and harami cross (`small` = BodyShort or BodyDoji): long
/// candle, then a small body inside its body (±80 when only touching an end).
#[inline(always)]
fn harami_like(d: &Ohlcv, out: &mut [i32], small: Setting, lookback: usize) {
    let Some((b, out)) = frame(d, out, lookback) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, lookback - 1);
    let mut sm = Avg::new(&b, small, lookback);
    for i in lookback..b.len() {
        out[i] = if b.body(i - 1) > long.at(&b, i - 1) && b.body(i) <= sm.at(&b, i) {
            let (top, bot, ptop, pbot) = (b.top(i), b.bottom(i), b.top(i - 1), b.bottom(i - 1));
            if top < ptop && bot > pbot {
                -b.color(i - 1) * 100
            } else if top <= ptop && bot >= pbot {
                -b.color(i - 1) * 80
            } else {
                0
            }
        } else {
            0
        };
        long.push(&b, i - 1);
        sm.push(&b, i);
    }
}

/// Harami: long candle, then a small body within its body.
pub fn harami(d: &Ohlcv, _: f64, out: &mut [i32]) {
    harami_like(d, out, BODY_SHORT, HARAMI);
}

pub const HARAMI_CROSS: usize = max_period(&[BODY_DOJI, BODY_LONG]) + 1;
/// Harami cross: long candle, then a doji within its body.
pub fn harami_cross(d: &Ohlcv, _: f64, out: &mut [i32]) {
    harami_like(d, out, BODY_DOJI, HARAMI_CROSS);
}

pub const HOMING_PIGEON: usize = max_period(&[BODY_SHORT, BODY_LONG]) + 1;
/// Homing pigeon: long black candle, then a short black body inside it.
pub fn homing_pigeon(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, HOMING_PIGEON) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, HOMING_PIGEON - 1);
    let mut short = Avg::new(&b, BODY_SHORT, HOMING_PIGEON);
    for i in HOMING_PIGEON..b.len() {
        let hit = all!(
            b.black(i - 1),
            b.black(i),
            b.body(i - 1) > long.at(&b, i - 1),
            b.body(i) <= short.at(&b, i),
            b.open(i) < b.open(i - 1),
            b.close(i) > b.close(i - 1)
        );
        out[i] = signal(hit, 100);
        long.push(&b, i - 1);
        short.push(&b, i);
    }
}

/// Where the white candle of in-neck / on-neck / thrusting must close,
/// relative to the long black candle before it.
#[derive(Clone, Copy)]
enum Neck {
    /// At the prior close or a little above it.
    In,
    /// At (about) the prior low.
    On,
    /// Above the prior close but below the middle of the prior body.
    Thrusting,
}

/// Shared by in-neck, on-neck and thrusting: long black candle, then a white
/// candle opening below its low and closing as `kind` says.
#[inline(always)]
fn neck_like(d: &Ohlcv, out: &mut [i32], kind: Neck) {
    let Some((b, out)) = frame(d, out, IN_NECK) else {
        return;
    };
    let mut eq = Avg::new(&b, EQUAL, IN_NECK - 1);
    let mut long = Avg::new(&b, BODY_LONG, IN_NECK - 1);
    for i in IN_NECK..b.len() {
        let e = eq.at(&b, i - 1);
        let (c, pc, pl) = (b.close(i), b.close(i - 1), b.low(i - 1));
        let closes = match kind {
            Neck::In => c <= pc + e && c >= pc,
            Neck::On => c <= pl + e && c >= pl - e,
            Neck::Thrusting => c > pc + e && c <= pc + b.body(i - 1) * 0.5,
        };
        let hit = all!(
            b.black(i - 1),
            b.body(i - 1) > long.at(&b, i - 1),
            b.white(i),
            b.open(i) < pl,
            closes
        );
        out[i] = signal(hit, -100);
        eq.push(&b, i - 1);
        long.push(&b, i - 1);
    }
}

pub const IN_NECK: usize = max_period(&[EQUAL, BODY_LONG]) + 1;
/// In-neck: long black candle, then a white one opening below its low and closing just at its close.
pub fn in_neck(d: &Ohlcv, _: f64, out: &mut [i32]) {
    neck_like(d, out, Neck::In);
}

pub const ON_NECK: usize = IN_NECK;
/// On-neck: long black candle, then a white one opening below its low and closing at its low.
pub fn on_neck(d: &Ohlcv, _: f64, out: &mut [i32]) {
    neck_like(d, out, Neck::On);
}

pub const THRUSTING: usize = IN_NECK;
/// Thrusting: long black candle, then a white one closing into, but not past the middle of, its body.
pub fn thrusting(d: &Ohlcv, _: f64, out: &mut [i32]) {
    neck_like(d, out, Neck::Thrusting);
}

pub const KICKING: usize = max_period(&[SHADOW_VERY_SHORT, BODY_LONG]) + 1;

/// Shared by kicking and kicking-by-length: two opposite marubozu with a gap
/// between them; `by_length` takes the colour of the longer one.
#[inline(always)]
fn kicking_like(d: &Ohlcv, out: &mut [i32], by_length: bool) {
    let Some((b, out)) = frame(d, out, KICKING) else {
        return;
    };
    let mut vshort1 = Avg::new(&b, SHADOW_VERY_SHORT, KICKING - 1);
    let mut vshort0 = Avg::new(&b, SHADOW_VERY_SHORT, KICKING);
    let mut long1 = Avg::new(&b, BODY_LONG, KICKING - 1);
    let mut long0 = Avg::new(&b, BODY_LONG, KICKING);
    for i in KICKING..b.len() {
        let t1 = vshort1.at(&b, i - 1);
        let t0 = vshort0.at(&b, i);
        let hit = all!(
            b.color(i - 1) == -b.color(i),
            b.body(i - 1) > long1.at(&b, i - 1),
            b.upper(i - 1) < t1,
            b.lower(i - 1) < t1,
            b.body(i) > long0.at(&b, i),
            b.upper(i) < t0,
            b.lower(i) < t0,
            any!(
                all!(b.black(i - 1), b.gap_up(i, i - 1)),
                all!(b.white(i - 1), b.gap_down(i, i - 1))
            )
        );
        let lead = if by_length && b.body(i) <= b.body(i - 1) {
            i - 1
        } else {
            i
        };
        out[i] = signal(hit, b.color(lead) * 100);
        vshort1.push(&b, i - 1);
        vshort0.push(&b, i);
        long1.push(&b, i - 1);
        long0.push(&b, i);
    }
}

/// Kicking: black marubozu then white marubozu gapping up (bullish), or the reverse.
pub fn kicking(d: &Ohlcv, _: f64, out: &mut [i32]) {
    kicking_like(d, out, false);
}

pub const KICKING_BY_LENGTH: usize = KICKING;
/// Kicking by length: kicking, bullish or bearish by the longer of the two marubozu.
pub fn kicking_by_length(d: &Ohlcv, _: f64, out: &mut [i32]) {
    kicking_like(d, out, true);
}

pub const MATCHING_LOW: usize = max_period(&[EQUAL]) + 1;
/// Matching low: two black candles closing at (about) the same price.
pub fn matching_low(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, MATCHING_LOW) else {
        return;
    };
    let mut eq = Avg::new(&b, EQUAL, MATCHING_LOW - 1);
    for i in MATCHING_LOW..b.len() {
        let e = eq.at(&b, i - 1);
        let hit = all!(
            b.black(i - 1),
            b.black(i),
            b.close(i) <= b.close(i - 1) + e,
            b.close(i) >= b.close(i - 1) - e
        );
        out[i] = signal(hit, 100);
        eq.push(&b, i - 1);
    }
}

pub const PIERCING: usize = max_period(&[BODY_LONG]) + 1;
/// Piercing: long black candle, then a long white one opening below its low
/// and closing above the middle of its body.
pub fn piercing(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, PIERCING) else {
        return;
    };
    let mut long1 = Avg::new(&b, BODY_LONG, PIERCING - 1);
    let mut long0 = Avg::new(&b, BODY_LONG, PIERCING);
    for i in PIERCING..b.len() {
        let hit = all!(
            b.black(i - 1),
            b.body(i - 1) > long1.at(&b, i - 1),
            b.white(i),
            b.body(i) > long0.at(&b, i),
            b.open(i) < b.low(i - 1),
            b.close(i) < b.open(i - 1),
            b.close(i) > b.close(i - 1) + b.body(i - 1) * 0.5
        );
        out[i] = signal(hit, 100);
        long1.push(&b, i - 1);
        long0.push(&b, i);
    }
}

pub const SEPARATING_LINES: usize = max_period(&[SHADOW_VERY_SHORT, BODY_LONG, EQUAL]) + 1;
/// Separating lines: opposite-coloured candles opening at the same price, the
/// second a long belt-hold.
pub fn separating_lines(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, SEPARATING_LINES) else {
        return;
    };
    let mut vshort = Avg::new(&b, SHADOW_VERY_SHORT, SEPARATING_LINES);
    let mut long = Avg::new(&b, BODY_LONG, SEPARATING_LINES);
    let mut eq = Avg::new(&b, EQUAL, SEPARATING_LINES - 1);
    for i in SEPARATING_LINES..b.len() {
        let e = eq.at(&b, i - 1);
        let tiny = vshort.at(&b, i);
        let hit = all!(
            b.color(i - 1) == -b.color(i),
            b.open(i) <= b.open(i - 1) + e,
            b.open(i) >= b.open(i - 1) - e,
            b.body(i) > long.at(&b, i),
            any!(
                all!(b.white(i), b.lower(i) < tiny),
                all!(b.black(i), b.upper(i) < tiny)
            )
        );
        out[i] = signal(hit, b.color(i) * 100);
        vshort.push(&b, i);
        long.push(&b, i);
        eq.push(&b, i - 1);
    }
}
