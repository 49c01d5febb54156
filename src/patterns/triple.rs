//! Three-candle patterns (the star family lives in `star.rs`).

use super::candle::{
    Avg, BODY_LONG, BODY_SHORT, EQUAL, FAR, NEAR, SHADOW_LONG, SHADOW_SHORT, SHADOW_VERY_SHORT,
    all, any, frame, max_period, signal,
};
use crate::indicators::Ohlcv;

pub const TWO_CROWS: usize = max_period(&[BODY_LONG]) + 2;
/// Two crows: long white candle, a black body gapping up, then a black candle
/// opening in the second body and closing in the first.
pub fn two_crows(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, TWO_CROWS) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, TWO_CROWS - 2);
    for i in TWO_CROWS..b.len() {
        let hit = all!(
            b.white(i - 2),
            b.body(i - 2) > long.at(&b, i - 2),
            b.black(i - 1),
            b.body_gap_up(i - 1, i - 2),
            b.black(i),
            b.open(i) < b.open(i - 1),
            b.open(i) > b.close(i - 1),
            b.close(i) > b.open(i - 2),
            b.close(i) < b.close(i - 2)
        );
        out[i] = signal(hit, -100);
        long.push(&b, i - 2);
    }
}

pub const THREE_INSIDE: usize = max_period(&[BODY_SHORT, BODY_LONG]) + 2;
/// Three inside up/down: a harami whose third candle closes beyond the first candle's open.
pub fn three_inside(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, THREE_INSIDE) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, THREE_INSIDE - 2);
    let mut short = Avg::new(&b, BODY_SHORT, THREE_INSIDE - 1);
    for i in THREE_INSIDE..b.len() {
        let hit = all!(
            b.top(i - 1) < b.top(i - 2),
            b.bottom(i - 1) > b.bottom(i - 2),
            any!(
                all!(b.white(i - 2), b.black(i), b.close(i) < b.open(i - 2)),
                all!(b.black(i - 2), b.white(i), b.close(i) > b.open(i - 2))
            ),
            b.body(i - 2) > long.at(&b, i - 2),
            b.body(i - 1) <= short.at(&b, i - 1)
        );
        out[i] = signal(hit, -b.color(i - 2) * 100);
        long.push(&b, i - 2);
        short.push(&b, i - 1);
    }
}

pub const THREE_OUTSIDE: usize = 3;
/// Three outside up/down: an engulfing whose third candle closes further in its direction.
pub fn three_outside(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, THREE_OUTSIDE) else {
        return;
    };
    for i in THREE_OUTSIDE..b.len() {
        let hit = any!(
            all!(
                b.white(i - 1),
                b.black(i - 2),
                b.close(i - 1) > b.open(i - 2),
                b.open(i - 1) < b.close(i - 2),
                b.close(i) > b.close(i - 1)
            ),
            all!(
                b.black(i - 1),
                b.white(i - 2),
                b.open(i - 1) > b.close(i - 2),
                b.close(i - 1) < b.open(i - 2),
                b.close(i) < b.close(i - 1)
            )
        );
        out[i] = signal(hit, b.color(i - 1) * 100);
    }
}

pub const THREE_STARS_IN_SOUTH: usize =
    max_period(&[SHADOW_VERY_SHORT, SHADOW_LONG, BODY_LONG, BODY_SHORT]) + 2;
/// Three stars in the south: three shrinking black candles, the last a small
/// marubozu inside the second's range.
pub fn three_stars_in_south(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = THREE_STARS_IN_SOUTH;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, LB - 2);
    let mut long_sh = Avg::new(&b, SHADOW_LONG, LB - 2);
    let mut vshort1 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 1);
    let mut vshort0 = Avg::new(&b, SHADOW_VERY_SHORT, LB);
    let mut short = Avg::new(&b, BODY_SHORT, LB);
    for i in LB..b.len() {
        let t0 = vshort0.at(&b, i);
        let hit = all!(
            b.black(i - 2),
            b.black(i - 1),
            b.black(i),
            b.body(i - 2) > long.at(&b, i - 2),
            b.lower(i - 2) > long_sh.at(&b, i - 2),
            b.body(i - 1) < b.body(i - 2),
            b.open(i - 1) > b.close(i - 2),
            b.open(i - 1) <= b.high(i - 2),
            b.low(i - 1) < b.close(i - 2),
            b.low(i - 1) >= b.low(i - 2),
            b.lower(i - 1) > vshort1.at(&b, i - 1),
            b.body(i) < short.at(&b, i),
            b.lower(i) < t0,
            b.upper(i) < t0,
            b.low(i) > b.low(i - 1),
            b.high(i) < b.high(i - 1)
        );
        out[i] = signal(hit, 100);
        long.push(&b, i - 2);
        long_sh.push(&b, i - 2);
        vshort1.push(&b, i - 1);
        vshort0.push(&b, i);
        short.push(&b, i);
    }
}

pub const THREE_WHITE_SOLDIERS: usize = max_period(&[SHADOW_VERY_SHORT, BODY_SHORT, FAR, NEAR]) + 2;
/// Three advancing white soldiers: three white candles with higher closes, each
/// opening within/near the prior body, short upper shadows, not shrinking far.
pub fn three_white_soldiers(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = THREE_WHITE_SOLDIERS;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut vs2 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 2);
    let mut vs1 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 1);
    let mut vs0 = Avg::new(&b, SHADOW_VERY_SHORT, LB);
    let mut near2 = Avg::new(&b, NEAR, LB - 2);
    let mut near1 = Avg::new(&b, NEAR, LB - 1);
    let mut far2 = Avg::new(&b, FAR, LB - 2);
    let mut far1 = Avg::new(&b, FAR, LB - 1);
    let mut short = Avg::new(&b, BODY_SHORT, LB);
    for i in LB..b.len() {
        let hit = all!(
            b.white(i - 2),
            b.upper(i - 2) < vs2.at(&b, i - 2),
            b.white(i - 1),
            b.upper(i - 1) < vs1.at(&b, i - 1),
            b.white(i),
            b.upper(i) < vs0.at(&b, i),
            b.close(i) > b.close(i - 1),
            b.close(i - 1) > b.close(i - 2),
            b.open(i - 1) > b.open(i - 2),
            b.open(i - 1) <= b.close(i - 2) + near2.at(&b, i - 2),
            b.open(i) > b.open(i - 1),
            b.open(i) <= b.close(i - 1) + near1.at(&b, i - 1),
            b.body(i - 1) > b.body(i - 2) - far2.at(&b, i - 2),
            b.body(i) > b.body(i - 1) - far1.at(&b, i - 1),
            b.body(i) > short.at(&b, i)
        );
        out[i] = signal(hit, 100);
        vs2.push(&b, i - 2);
        vs1.push(&b, i - 1);
        vs0.push(&b, i);
        near2.push(&b, i - 2);
        near1.push(&b, i - 1);
        far2.push(&b, i - 2);
        far1.push(&b, i - 1);
        short.push(&b, i);
    }
}

pub const ADVANCE_BLOCK: usize = max_period(&[SHADOW_LONG, SHADOW_SHORT, FAR, NEAR, BODY_LONG]) + 2;
/// Advance block: three white candles with higher closes that show weakening
/// (shrinking bodies and/or growing upper shadows).
pub fn advance_block(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = ADVANCE_BLOCK;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut ss2 = Avg::new(&b, SHADOW_SHORT, LB - 2);
    let mut ss1 = Avg::new(&b, SHADOW_SHORT, LB - 1);
    let mut ss0 = Avg::new(&b, SHADOW_SHORT, LB);
    let mut sl0 = Avg::new(&b, SHADOW_LONG, LB);
    let mut near2 = Avg::new(&b, NEAR, LB - 2);
    let mut near1 = Avg::new(&b, NEAR, LB - 1);
    let mut far2 = Avg::new(&b, FAR, LB - 2);
    let mut far1 = Avg::new(&b, FAR, LB - 1);
    let mut long = Avg::new(&b, BODY_LONG, LB - 2);
    for i in LB..b.len() {
        let (b2, b1, b0) = (b.body(i - 2), b.body(i - 1), b.body(i));
        let weakening = any!(
            all!(b1 < b2 - far2.at(&b, i - 2), b0 < b1 + near1.at(&b, i - 1)),
            b0 < b1 - far1.at(&b, i - 1),
            all!(
                b0 < b1,
                b1 < b2,
                any!(
                    b.upper(i) > ss0.at(&b, i),
                    b.upper(i - 1) > ss1.at(&b, i - 1)
                )
            ),
            all!(b0 < b1, b.upper(i) > sl0.at(&b, i))
        );
        let hit = all!(
            b.white(i - 2),
            b.white(i - 1),
            b.white(i),
            b.close(i) > b.close(i - 1),
            b.close(i - 1) > b.close(i - 2),
            b.open(i - 1) > b.open(i - 2),
            b.open(i - 1) <= b.close(i - 2) + near2.at(&b, i - 2),
            b.open(i) > b.open(i - 1),
            b.open(i) <= b.close(i - 1) + near1.at(&b, i - 1),
            b2 > long.at(&b, i - 2),
            b.upper(i - 2) < ss2.at(&b, i - 2),
            weakening
        );
        out[i] = signal(hit, -100);
        ss2.push(&b, i - 2);
        ss1.push(&b, i - 1);
        ss0.push(&b, i);
        sl0.push(&b, i);
        near2.push(&b, i - 2);
        near1.push(&b, i - 1);
        far2.push(&b, i - 2);
        far1.push(&b, i - 1);
        long.push(&b, i - 2);
    }
}

pub const GAP_SIDE_SIDE_WHITE: usize = max_period(&[NEAR, EQUAL]) + 2;
/// Up/down-gap side-by-side white lines: a body gap, then two similar white
/// candles opening at about the same price beyond it.
pub fn gap_side_side_white(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = GAP_SIDE_SIDE_WHITE;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut near = Avg::new(&b, NEAR, LB - 1);
    let mut eq = Avg::new(&b, EQUAL, LB - 1);
    for i in LB..b.len() {
        let up = b.body_gap_up(i - 1, i - 2);
        let (nr, e) = (near.at(&b, i - 1), eq.at(&b, i - 1));
        let hit = (up && b.body_gap_up(i, i - 2)
            || b.body_gap_down(i - 1, i - 2) && b.body_gap_down(i, i - 2))
            && b.white(i - 1)
            && b.white(i)
            && b.body(i) >= b.body(i - 1) - nr
            && b.body(i) <= b.body(i - 1) + nr
            && b.open(i) >= b.open(i - 1) - e
            && b.open(i) <= b.open(i - 1) + e;
        out[i] = signal(hit, if up { 100 } else { -100 });
        near.push(&b, i - 1);
        eq.push(&b, i - 1);
    }
}

pub const IDENTICAL_THREE_CROWS: usize = max_period(&[SHADOW_VERY_SHORT, EQUAL]) + 2;
/// Identical three crows: three declining black candles, each opening at the prior close.
pub fn identical_three_crows(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = IDENTICAL_THREE_CROWS;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut vs2 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 2);
    let mut vs1 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 1);
    let mut vs0 = Avg::new(&b, SHADOW_VERY_SHORT, LB);
    let mut eq2 = Avg::new(&b, EQUAL, LB - 2);
    let mut eq1 = Avg::new(&b, EQUAL, LB - 1);
    for i in LB..b.len() {
        let (e2, e1) = (eq2.at(&b, i - 2), eq1.at(&b, i - 1));
        let hit = all!(
            b.black(i - 2),
            b.lower(i - 2) < vs2.at(&b, i - 2),
            b.black(i - 1),
            b.lower(i - 1) < vs1.at(&b, i - 1),
            b.black(i),
            b.lower(i) < vs0.at(&b, i),
            b.close(i - 2) > b.close(i - 1),
            b.close(i - 1) > b.close(i),
            b.open(i - 1) <= b.close(i - 2) + e2,
            b.open(i - 1) >= b.close(i - 2) - e2,
            b.open(i) <= b.close(i - 1) + e1,
            b.open(i) >= b.close(i - 1) - e1
        );
        out[i] = signal(hit, -100);
        vs2.push(&b, i - 2);
        vs1.push(&b, i - 1);
        vs0.push(&b, i);
        eq2.push(&b, i - 2);
        eq1.push(&b, i - 1);
    }
}

pub const STALLED_PATTERN: usize =
    max_period(&[BODY_LONG, BODY_SHORT, SHADOW_VERY_SHORT, NEAR]) + 2;
/// Stalled pattern: two long white candles, then a small white one riding on
/// the second's shoulder.
pub fn stalled_pattern(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = STALLED_PATTERN;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut long2 = Avg::new(&b, BODY_LONG, LB - 2);
    let mut long1 = Avg::new(&b, BODY_LONG, LB - 1);
    let mut short = Avg::new(&b, BODY_SHORT, LB);
    let mut vs1 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 1);
    let mut near2 = Avg::new(&b, NEAR, LB - 2);
    let mut near1 = Avg::new(&b, NEAR, LB - 1);
    for i in LB..b.len() {
        let hit = b.white(i - 2)
            && b.white(i - 1)
            && b.white(i)
            && b.close(i) > b.close(i - 1)
            && b.close(i - 1) > b.close(i - 2)
            && b.body(i - 2) > long2.at(&b, i - 2)
            && b.body(i - 1) > long1.at(&b, i - 1)
            && b.upper(i - 1) < vs1.at(&b, i - 1)
            && b.open(i - 1) > b.open(i - 2)
            && b.open(i - 1) <= b.close(i - 2) + near2.at(&b, i - 2)
            && b.body(i) < short.at(&b, i)
            && b.open(i) >= b.close(i - 1) - b.body(i) - near1.at(&b, i - 1);
        out[i] = signal(hit, -100);
        long2.push(&b, i - 2);
        long1.push(&b, i - 1);
        short.push(&b, i);
        vs1.push(&b, i - 1);
        near2.push(&b, i - 2);
        near1.push(&b, i - 1);
    }
}

pub const STICK_SANDWICH: usize = max_period(&[EQUAL]) + 2;
/// Stick sandwich: black, white above its close, then black closing at the first close.
pub fn stick_sandwich(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = STICK_SANDWICH;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut eq = Avg::new(&b, EQUAL, LB - 2);
    for i in LB..b.len() {
        let e = eq.at(&b, i - 2);
        let hit = all!(
            b.black(i - 2),
            b.white(i - 1),
            b.black(i),
            b.low(i - 1) > b.close(i - 2),
            b.close(i) <= b.close(i - 2) + e,
            b.close(i) >= b.close(i - 2) - e
        );
        out[i] = signal(hit, 100);
        eq.push(&b, i - 2);
    }
}

pub const TASUKI_GAP: usize = max_period(&[NEAR]) + 2;
/// Tasuki gap: a body gap, a candle continuing it, then an opposite candle of
/// similar size closing inside the gap without filling it.
pub fn tasuki_gap(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = TASUKI_GAP;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut near = Avg::new(&b, NEAR, LB - 1);
    for i in LB..b.len() {
        let nr = near.at(&b, i - 1);
        let (o, c, po, pc) = (b.open(i), b.close(i), b.open(i - 1), b.close(i - 1));
        let similar = (b.body(i - 1) - b.body(i)).abs() < nr;
        let hit = any!(
            all!(
                b.body_gap_up(i - 1, i - 2),
                b.white(i - 1),
                b.black(i),
                o < pc,
                o > po,
                c < po,
                c > b.top(i - 2),
                similar
            ),
            all!(
                b.body_gap_down(i - 1, i - 2),
                b.black(i - 1),
                b.white(i),
                o < po,
                o > pc,
                c > po,
                c < b.bottom(i - 2),
                similar
            )
        );
        out[i] = signal(hit, b.color(i - 1) * 100);
        near.push(&b, i - 1);
    }
}

pub const UNIQUE_THREE_RIVER: usize = max_period(&[BODY_SHORT, BODY_LONG]) + 2;
/// Unique three river: long black, a black harami-like candle with a lower
/// low, then a small white candle opening above that low.
pub fn unique_three_river(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = UNIQUE_THREE_RIVER;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, LB - 2);
    let mut short = Avg::new(&b, BODY_SHORT, LB);
    for i in LB..b.len() {
        let hit = all!(
            b.body(i - 2) > long.at(&b, i - 2),
            b.black(i - 2),
            b.black(i - 1),
            b.close(i - 1) > b.close(i - 2),
            b.open(i - 1) <= b.open(i - 2),
            b.low(i - 1) < b.low(i - 2),
            b.body(i) < short.at(&b, i),
            b.white(i),
            b.open(i) > b.low(i - 1)
        );
        out[i] = signal(hit, 100);
        long.push(&b, i - 2);
        short.push(&b, i);
    }
}

pub const UPSIDE_GAP_TWO_CROWS: usize = max_period(&[BODY_SHORT, BODY_LONG]) + 2;
/// Upside gap two crows: long white, a small black body gapping up, then a
/// black candle engulfing it but closing above the first close.
pub fn upside_gap_two_crows(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = UPSIDE_GAP_TWO_CROWS;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, LB - 2);
    let mut short = Avg::new(&b, BODY_SHORT, LB - 1);
    for i in LB..b.len() {
        let hit = all!(
            b.white(i - 2),
            b.body(i - 2) > long.at(&b, i - 2),
            b.black(i - 1),
            b.body(i - 1) <= short.at(&b, i - 1),
            b.body_gap_up(i - 1, i - 2),
            b.black(i),
            b.open(i) > b.open(i - 1),
            b.close(i) < b.close(i - 1),
            b.close(i) > b.close(i - 2)
        );
        out[i] = signal(hit, -100);
        long.push(&b, i - 2);
        short.push(&b, i - 1);
    }
}

pub const XSIDE_GAP_THREE_METHODS: usize = 2;
/// Upside/downside gap three methods: two same-coloured candles with a body
/// gap, then an opposite candle closing the gap from inside both bodies.
pub fn xside_gap_three_methods(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, XSIDE_GAP_THREE_METHODS) else {
        return;
    };
    for i in XSIDE_GAP_THREE_METHODS..b.len() {
        let hit = all!(
            b.color(i - 2) == b.color(i - 1),
            b.color(i - 1) == -b.color(i),
            b.open(i) < b.top(i - 1),
            b.open(i) > b.bottom(i - 1),
            b.close(i) < b.top(i - 2),
            b.close(i) > b.bottom(i - 2),
            any!(
                all!(b.white(i - 2), b.body_gap_up(i - 1, i - 2)),
                all!(b.black(i - 2), b.body_gap_down(i - 1, i - 2))
            )
        );
        out[i] = signal(hit, b.color(i - 2) * 100);
    }
}
