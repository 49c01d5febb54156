//! One-candle shapes (some also glance at the previous candle's position).

use super::candle::{
    Avg, BODY_DOJI, BODY_LONG, BODY_SHORT, NEAR, SHADOW_LONG, SHADOW_SHORT, SHADOW_VERY_LONG,
    SHADOW_VERY_SHORT, all, any, frame, max_period, signal,
};
use crate::indicators::Ohlcv;

pub const BELT_HOLD: usize = max_period(&[BODY_LONG, SHADOW_VERY_SHORT]);
/// Belt-hold: long white (black) body opening on its low (high), i.e. no lower (upper) shadow.
pub fn belt_hold(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, BELT_HOLD) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, BELT_HOLD);
    let mut vshort = Avg::new(&b, SHADOW_VERY_SHORT, BELT_HOLD);
    for i in BELT_HOLD..b.len() {
        let tiny = vshort.at(&b, i);
        let hit = all!(
            b.body(i) > long.at(&b, i),
            any!(
                all!(b.white(i), b.lower(i) < tiny),
                all!(b.black(i), b.upper(i) < tiny)
            )
        );
        out[i] = signal(hit, b.color(i) * 100);
        long.push(&b, i);
        vshort.push(&b, i);
    }
}

pub const CLOSING_MARUBOZU: usize = max_period(&[BODY_LONG, SHADOW_VERY_SHORT]);
/// Closing marubozu: long white (black) body closing on its high (low).
pub fn closing_marubozu(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, CLOSING_MARUBOZU) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, CLOSING_MARUBOZU);
    let mut vshort = Avg::new(&b, SHADOW_VERY_SHORT, CLOSING_MARUBOZU);
    for i in CLOSING_MARUBOZU..b.len() {
        let tiny = vshort.at(&b, i);
        let hit = all!(
            b.body(i) > long.at(&b, i),
            any!(
                all!(b.white(i), b.upper(i) < tiny),
                all!(b.black(i), b.lower(i) < tiny)
            )
        );
        out[i] = signal(hit, b.color(i) * 100);
        long.push(&b, i);
        vshort.push(&b, i);
    }
}

pub const DOJI: usize = max_period(&[BODY_DOJI]);
/// Doji: open and close (almost) equal.
pub fn doji(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, DOJI) else {
        return;
    };
    let mut dj = Avg::new(&b, BODY_DOJI, DOJI);
    for i in DOJI..b.len() {
        out[i] = signal(b.body(i) <= dj.at(&b, i), 100);
        dj.push(&b, i);
    }
}

/// Shared by the dragonfly and gravestone doji: a doji with one very short and
/// one not very short shadow (`long_upper` picks which is long).
#[inline(always)]
fn one_sided_doji(d: &Ohlcv, out: &mut [i32], long_upper: bool) {
    let Some((b, out)) = frame(d, out, DRAGONFLY_DOJI) else {
        return;
    };
    let mut dj = Avg::new(&b, BODY_DOJI, DRAGONFLY_DOJI);
    let mut vshort = Avg::new(&b, SHADOW_VERY_SHORT, DRAGONFLY_DOJI);
    for i in DRAGONFLY_DOJI..b.len() {
        let tiny = vshort.at(&b, i);
        let (short, long) = if long_upper {
            (b.lower(i), b.upper(i))
        } else {
            (b.upper(i), b.lower(i))
        };
        let hit = b.body(i) <= dj.at(&b, i) && short < tiny && long > tiny;
        out[i] = signal(hit, 100);
        dj.push(&b, i);
        vshort.push(&b, i);
    }
}

pub const DRAGONFLY_DOJI: usize = max_period(&[BODY_DOJI, SHADOW_VERY_SHORT]);
/// Dragonfly doji: doji with a long lower shadow and no upper shadow.
pub fn dragonfly_doji(d: &Ohlcv, _: f64, out: &mut [i32]) {
    one_sided_doji(d, out, false);
}

pub const GRAVESTONE_DOJI: usize = DRAGONFLY_DOJI;
/// Gravestone doji: doji with a long upper shadow and no lower shadow.
pub fn gravestone_doji(d: &Ohlcv, _: f64, out: &mut [i32]) {
    one_sided_doji(d, out, true);
}

pub const HAMMER: usize = max_period(&[BODY_SHORT, SHADOW_LONG, SHADOW_VERY_SHORT, NEAR]) + 1;

/// Shared by hammer (`hammer = true`) and hanging man: small body, long lower
/// shadow, (almost) no upper shadow, the body near the prior candle's low
/// (hammer) or high (hanging man).
#[inline(always)]
fn hammer_shape(d: &Ohlcv, out: &mut [i32], hammer: bool) {
    let Some((b, out)) = frame(d, out, HAMMER) else {
        return;
    };
    let mut short = Avg::new(&b, BODY_SHORT, HAMMER);
    let mut long_sh = Avg::new(&b, SHADOW_LONG, HAMMER);
    let mut vshort = Avg::new(&b, SHADOW_VERY_SHORT, HAMMER);
    let mut near = Avg::new(&b, NEAR, HAMMER - 1);
    for i in HAMMER..b.len() {
        let shape = b.body(i) < short.at(&b, i)
            && b.lower(i) > long_sh.at(&b, i)
            && b.upper(i) < vshort.at(&b, i);
        let placed = if hammer {
            b.bottom(i) <= b.low(i - 1) + near.at(&b, i - 1)
        } else {
            b.bottom(i) >= b.high(i - 1) - near.at(&b, i - 1)
        };
        out[i] = signal(shape && placed, if hammer { 100 } else { -100 });
        short.push(&b, i);
        long_sh.push(&b, i);
        vshort.push(&b, i);
        near.push(&b, i - 1);
    }
}

/// Hammer: small body at the top of the range, long lower shadow, at or below the prior low.
pub fn hammer(d: &Ohlcv, _: f64, out: &mut [i32]) {
    hammer_shape(d, out, true);
}

pub const HANGING_MAN: usize = HAMMER;
/// Hanging man: hammer-shaped candle at or above the prior high.
pub fn hanging_man(d: &Ohlcv, _: f64, out: &mut [i32]) {
    hammer_shape(d, out, false);
}

pub const INVERTED_HAMMER: usize = max_period(&[BODY_SHORT, SHADOW_LONG, SHADOW_VERY_SHORT]) + 1;

/// Shared by inverted hammer (`gap_down = true`, +100) and shooting star
/// (-100): small body, long upper shadow, (almost) no lower shadow, the body
/// gapping away from the prior body.
#[inline(always)]
fn inverted_shape(d: &Ohlcv, out: &mut [i32], gap_down: bool) {
    let Some((b, out)) = frame(d, out, INVERTED_HAMMER) else {
        return;
    };
    let mut short = Avg::new(&b, BODY_SHORT, INVERTED_HAMMER);
    let mut long_sh = Avg::new(&b, SHADOW_LONG, INVERTED_HAMMER);
    let mut vshort = Avg::new(&b, SHADOW_VERY_SHORT, INVERTED_HAMMER);
    for i in INVERTED_HAMMER..b.len() {
        let gap = if gap_down {
            b.body_gap_down(i, i - 1)
        } else {
            b.body_gap_up(i, i - 1)
        };
        let hit = all!(
            b.body(i) < short.at(&b, i),
            b.upper(i) > long_sh.at(&b, i),
            b.lower(i) < vshort.at(&b, i),
            gap
        );
        out[i] = signal(hit, if gap_down { 100 } else { -100 });
        short.push(&b, i);
        long_sh.push(&b, i);
        vshort.push(&b, i);
    }
}

/// Inverted hammer: small body, long upper shadow, gapping down from the prior body.
pub fn inverted_hammer(d: &Ohlcv, _: f64, out: &mut [i32]) {
    inverted_shape(d, out, true);
}

pub const SHOOTING_STAR: usize = INVERTED_HAMMER;
/// Shooting star: small body, long upper shadow, gapping up from the prior body.
pub fn shooting_star(d: &Ohlcv, _: f64, out: &mut [i32]) {
    inverted_shape(d, out, false);
}

pub const HIGH_WAVE: usize = max_period(&[BODY_SHORT, SHADOW_VERY_LONG]);
/// High-wave: small body with very long upper and lower shadows.
pub fn high_wave(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, HIGH_WAVE) else {
        return;
    };
    let mut short = Avg::new(&b, BODY_SHORT, HIGH_WAVE);
    let mut vlong = Avg::new(&b, SHADOW_VERY_LONG, HIGH_WAVE);
    for i in HIGH_WAVE..b.len() {
        let far = vlong.at(&b, i);
        let hit = all!(
            b.body(i) < short.at(&b, i),
            b.upper(i) > far,
            b.lower(i) > far
        );
        out[i] = signal(hit, b.color(i) * 100);
        short.push(&b, i);
        vlong.push(&b, i);
    }
}

pub const LONG_LEGGED_DOJI: usize = max_period(&[BODY_DOJI, SHADOW_LONG]);
/// Long-legged doji: doji with at least one long shadow.
pub fn long_legged_doji(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, LONG_LEGGED_DOJI) else {
        return;
    };
    let mut dj = Avg::new(&b, BODY_DOJI, LONG_LEGGED_DOJI);
    let mut long_sh = Avg::new(&b, SHADOW_LONG, LONG_LEGGED_DOJI);
    for i in LONG_LEGGED_DOJI..b.len() {
        let long = long_sh.at(&b, i);
        let hit = b.body(i) <= dj.at(&b, i) && (b.lower(i) > long || b.upper(i) > long);
        out[i] = signal(hit, 100);
        dj.push(&b, i);
        long_sh.push(&b, i);
    }
}

/// Shared by long line and marubozu: long body whose both shadows are below
/// the `shadow` setting's threshold.
#[inline(always)]
fn long_body_short_shadows(
    d: &Ohlcv,
    out: &mut [i32],
    lookback: usize,
    shadow: super::candle::Setting,
) {
    let Some((b, out)) = frame(d, out, lookback) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, lookback);
    let mut sh = Avg::new(&b, shadow, lookback);
    for i in lookback..b.len() {
        let small = sh.at(&b, i);
        let hit = all!(
            b.body(i) > long.at(&b, i),
            b.upper(i) < small,
            b.lower(i) < small
        );
        out[i] = signal(hit, b.color(i) * 100);
        long.push(&b, i);
        sh.push(&b, i);
    }
}

pub const LONG_LINE: usize = max_period(&[BODY_LONG, SHADOW_SHORT]);
/// Long line: long body with short shadows.
pub fn long_line(d: &Ohlcv, _: f64, out: &mut [i32]) {
    long_body_short_shadows(d, out, LONG_LINE, SHADOW_SHORT);
}

pub const MARUBOZU: usize = max_period(&[BODY_LONG, SHADOW_VERY_SHORT]);
/// Marubozu: long body with no (very short) shadows.
pub fn marubozu(d: &Ohlcv, _: f64, out: &mut [i32]) {
    long_body_short_shadows(d, out, MARUBOZU, SHADOW_VERY_SHORT);
}

pub const RICKSHAW_MAN: usize = max_period(&[BODY_DOJI, SHADOW_LONG, NEAR]);
/// Rickshaw man: doji with two long shadows and the body near the middle of the range.
pub fn rickshaw_man(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, RICKSHAW_MAN) else {
        return;
    };
    let mut dj = Avg::new(&b, BODY_DOJI, RICKSHAW_MAN);
    let mut long_sh = Avg::new(&b, SHADOW_LONG, RICKSHAW_MAN);
    let mut near = Avg::new(&b, NEAR, RICKSHAW_MAN);
    for i in RICKSHAW_MAN..b.len() {
        let long = long_sh.at(&b, i);
        let mid = b.low(i) + b.range(i) / 2.0;
        let nr = near.at(&b, i);
        let hit = b.body(i) <= dj.at(&b, i)
            && b.lower(i) > long
            && b.upper(i) > long
            && b.bottom(i) <= mid + nr
            && b.top(i) >= mid - nr;
        out[i] = signal(hit, 100);
        dj.push(&b, i);
        long_sh.push(&b, i);
        near.push(&b, i);
    }
}

pub const SHORT_LINE: usize = max_period(&[BODY_SHORT, SHADOW_SHORT]);
/// Short line: short body with short shadows.
pub fn short_line(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, SHORT_LINE) else {
        return;
    };
    let mut short = Avg::new(&b, BODY_SHORT, SHORT_LINE);
    let mut sh = Avg::new(&b, SHADOW_SHORT, SHORT_LINE);
    for i in SHORT_LINE..b.len() {
        let small = sh.at(&b, i);
        let hit = all!(
            b.body(i) < short.at(&b, i),
            b.upper(i) < small,
            b.lower(i) < small
        );
        out[i] = signal(hit, b.color(i) * 100);
        short.push(&b, i);
        sh.push(&b, i);
    }
}

pub const SPINNING_TOP: usize = max_period(&[BODY_SHORT]);
/// Spinning top: small body with shadows longer than the body.
pub fn spinning_top(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, SPINNING_TOP) else {
        return;
    };
    let mut short = Avg::new(&b, BODY_SHORT, SPINNING_TOP);
    for i in SPINNING_TOP..b.len() {
        let body = b.body(i);
        let hit = all!(body < short.at(&b, i), b.upper(i) > body, b.lower(i) > body);
        out[i] = signal(hit, b.color(i) * 100);
        short.push(&b, i);
    }
}

pub const TAKURI: usize = max_period(&[BODY_DOJI, SHADOW_VERY_SHORT, SHADOW_VERY_LONG]);
/// Takuri: doji with no upper shadow and a very long lower shadow.
pub fn takuri(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, TAKURI) else {
        return;
    };
    let mut dj = Avg::new(&b, BODY_DOJI, TAKURI);
    let mut vshort = Avg::new(&b, SHADOW_VERY_SHORT, TAKURI);
    let mut vlong = Avg::new(&b, SHADOW_VERY_LONG, TAKURI);
    for i in TAKURI..b.len() {
        let hit = b.body(i) <= dj.at(&b, i)
            && b.upper(i) < vshort.at(&b, i)
            && b.lower(i) > vlong.at(&b, i);
        out[i] = signal(hit, 100);
        dj.push(&b, i);
        vshort.push(&b, i);
        vlong.push(&b, i);
    }
}
