//! Four- and five-candle patterns, and the stateful hikkake pair.

use super::candle::{
    Avg, BODY_LONG, BODY_SHORT, Bars, NEAR, SHADOW_VERY_SHORT, all, any, frame, max_period, signal,
};
use crate::indicators::Ohlcv;

pub const THREE_BLACK_CROWS: usize = max_period(&[SHADOW_VERY_SHORT]) + 3;
/// Three black crows: after a white candle, three declining black candles
/// closing near their lows, each opening inside the prior body.
pub fn three_black_crows(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = THREE_BLACK_CROWS;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut vs2 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 2);
    let mut vs1 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 1);
    let mut vs0 = Avg::new(&b, SHADOW_VERY_SHORT, LB);
    for i in LB..b.len() {
        let hit = all!(
            b.white(i - 3),
            b.black(i - 2),
            b.black(i - 1),
            b.black(i),
            b.open(i - 1) < b.open(i - 2),
            b.open(i - 1) > b.close(i - 2),
            b.open(i) < b.open(i - 1),
            b.open(i) > b.close(i - 1),
            b.high(i - 3) > b.close(i - 2),
            b.close(i - 2) > b.close(i - 1),
            b.close(i - 1) > b.close(i),
            b.lower(i - 2) < vs2.at(&b, i - 2),
            b.lower(i - 1) < vs1.at(&b, i - 1),
            b.lower(i) < vs0.at(&b, i)
        );
        out[i] = signal(hit, -100);
        vs2.push(&b, i - 2);
        vs1.push(&b, i - 1);
        vs0.push(&b, i);
    }
}

pub const THREE_LINE_STRIKE: usize = max_period(&[NEAR]) + 3;
/// Three-line strike: three same-coloured candles stepping on, then an
/// opposite candle wiping them out (opening beyond the third, closing beyond the first's open).
pub fn three_line_strike(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = THREE_LINE_STRIKE;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut near3 = Avg::new(&b, NEAR, LB - 3);
    let mut near2 = Avg::new(&b, NEAR, LB - 2);
    for i in LB..b.len() {
        let (n3, n2) = (near3.at(&b, i - 3), near2.at(&b, i - 2));
        let (c3, c2, c1) = (b.close(i - 3), b.close(i - 2), b.close(i - 1));
        let hit = all!(
            b.color(i - 3) == b.color(i - 2),
            b.color(i - 2) == b.color(i - 1),
            b.color(i) == -b.color(i - 1),
            b.open(i - 2) >= b.bottom(i - 3) - n3,
            b.open(i - 2) <= b.top(i - 3) + n3,
            b.open(i - 1) >= b.bottom(i - 2) - n2,
            b.open(i - 1) <= b.top(i - 2) + n2,
            any!(
                all!(
                    b.white(i - 1),
                    c1 > c2,
                    c2 > c3,
                    b.open(i) > c1,
                    b.close(i) < b.open(i - 3)
                ),
                all!(
                    b.black(i - 1),
                    c1 < c2,
                    c2 < c3,
                    b.open(i) < c1,
                    b.close(i) > b.open(i - 3)
                )
            )
        );
        out[i] = signal(hit, b.color(i - 1) * 100);
        near3.push(&b, i - 3);
        near2.push(&b, i - 2);
    }
}

pub const BREAKAWAY: usize = max_period(&[BODY_LONG]) + 4;
/// Breakaway: a long candle, a body gap, two more candles stepping on, then an
/// opposite candle closing inside the gap.
pub fn breakaway(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = BREAKAWAY;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, LB - 4);
    for i in LB..b.len() {
        let (h, l) = (|k: usize| b.high(k), |k: usize| b.low(k));
        let hit = all!(
            b.color(i - 4) == b.color(i - 3),
            b.color(i - 3) == b.color(i - 1),
            b.color(i - 1) == -b.color(i),
            b.body(i - 4) > long.at(&b, i - 4),
            any!(
                all!(
                    b.black(i - 4),
                    b.body_gap_down(i - 3, i - 4),
                    h(i - 2) < h(i - 3),
                    l(i - 2) < l(i - 3),
                    h(i - 1) < h(i - 2),
                    l(i - 1) < l(i - 2),
                    b.close(i) > b.open(i - 3),
                    b.close(i) < b.close(i - 4)
                ),
                all!(
                    b.white(i - 4),
                    b.body_gap_up(i - 3, i - 4),
                    h(i - 2) > h(i - 3),
                    l(i - 2) > l(i - 3),
                    h(i - 1) > h(i - 2),
                    l(i - 1) > l(i - 2),
                    b.close(i) < b.open(i - 3),
                    b.close(i) > b.close(i - 4)
                )
            )
        );
        out[i] = signal(hit, b.color(i) * 100);
        long.push(&b, i - 4);
    }
}

pub const CONCEAL_BABY_SWALLOW: usize = max_period(&[SHADOW_VERY_SHORT]) + 3;
/// Concealing baby swallow: two black marubozu, a black candle gapping down
/// whose upper shadow reaches the prior body, then a black candle engulfing it.
pub fn conceal_baby_swallow(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = CONCEAL_BABY_SWALLOW;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut vs3 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 3);
    let mut vs2 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 2);
    let mut vs1 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 1);
    for i in LB..b.len() {
        let (t3, t2) = (vs3.at(&b, i - 3), vs2.at(&b, i - 2));
        let hit = all!(
            b.black(i - 3),
            b.black(i - 2),
            b.black(i - 1),
            b.black(i),
            b.lower(i - 3) < t3,
            b.upper(i - 3) < t3,
            b.lower(i - 2) < t2,
            b.upper(i - 2) < t2,
            b.body_gap_down(i - 1, i - 2),
            b.upper(i - 1) > vs1.at(&b, i - 1),
            b.high(i - 1) > b.close(i - 2),
            b.high(i) > b.high(i - 1),
            b.low(i) < b.low(i - 1)
        );
        out[i] = signal(hit, 100);
        vs3.push(&b, i - 3);
        vs2.push(&b, i - 2);
        vs1.push(&b, i - 1);
    }
}

pub const LADDER_BOTTOM: usize = max_period(&[SHADOW_VERY_SHORT]) + 4;
/// Ladder bottom: three declining black candles, a black one with an upper
/// shadow, then a white candle opening above its open and closing above its high.
pub fn ladder_bottom(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = LADDER_BOTTOM;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut vs1 = Avg::new(&b, SHADOW_VERY_SHORT, LB - 1);
    for i in LB..b.len() {
        let hit = all!(
            b.black(i - 4),
            b.black(i - 3),
            b.black(i - 2),
            b.open(i - 4) > b.open(i - 3),
            b.open(i - 3) > b.open(i - 2),
            b.close(i - 4) > b.close(i - 3),
            b.close(i - 3) > b.close(i - 2),
            b.black(i - 1),
            b.upper(i - 1) > vs1.at(&b, i - 1),
            b.white(i),
            b.open(i) > b.open(i - 1),
            b.close(i) > b.high(i - 1)
        );
        out[i] = signal(hit, 100);
        vs1.push(&b, i - 1);
    }
}

/// The running averages of the 5-candle continuation patterns: long first
/// candle (`long4`), three short reaction candles (`short`, for i-3, i-2, i-1).
struct Reaction {
    long4: Avg,
    short: [Avg; 3],
}

impl Reaction {
    fn new(b: &Bars, lb: usize) -> Reaction {
        Reaction {
            long4: Avg::new(b, BODY_LONG, lb - 4),
            short: [
                Avg::new(b, BODY_SHORT, lb - 3),
                Avg::new(b, BODY_SHORT, lb - 2),
                Avg::new(b, BODY_SHORT, lb - 1),
            ],
        }
    }

    /// First candle long, the next three short.
    #[inline]
    fn shape(&self, b: &Bars, i: usize) -> bool {
        b.body(i - 4) > self.long4.at(b, i - 4)
            && b.body(i - 3) < self.short[0].at(b, i - 3)
            && b.body(i - 2) < self.short[1].at(b, i - 2)
            && b.body(i - 1) < self.short[2].at(b, i - 1)
    }

    #[inline]
    fn push(&mut self, b: &Bars, i: usize) {
        self.long4.push(b, i - 4);
        for (k, avg) in self.short.iter_mut().enumerate() {
            avg.push(b, i - 3 + k);
        }
    }
}

pub const MAT_HOLD: usize = max_period(&[BODY_SHORT, BODY_LONG]) + 4;
/// Mat hold: long white, a small black body gapping up, two more small
/// reaction candles holding inside the first body (less than `penetration`
/// deep), then a white candle closing above the reaction highs.
pub fn mat_hold(d: &Ohlcv, penetration: f64, out: &mut [i32]) {
    const LB: usize = MAT_HOLD;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut avgs = Reaction::new(&b, LB);
    for i in LB..b.len() {
        let c4 = b.close(i - 4);
        let floor = c4 - b.body(i - 4) * penetration;
        let hit = avgs.shape(&b, i)
            && b.white(i - 4)
            && b.black(i - 3)
            && b.white(i)
            && b.body_gap_up(i - 3, i - 4)
            && b.bottom(i - 2) < c4
            && b.bottom(i - 1) < c4
            && b.bottom(i - 2) > floor
            && b.bottom(i - 1) > floor
            && b.top(i - 2) < b.open(i - 3)
            && b.top(i - 1) < b.top(i - 2)
            && b.open(i) > b.close(i - 1)
            && b.close(i) > b.high(i - 3).max(b.high(i - 2)).max(b.high(i - 1));
        out[i] = signal(hit, 100);
        avgs.push(&b, i);
    }
}

pub const RISE_FALL_THREE_METHODS: usize = max_period(&[BODY_SHORT, BODY_LONG]) + 4;
/// Rising/falling three methods: long candle, three small opposite reaction
/// candles within its range, then a long candle closing beyond the first.
pub fn rise_fall_three_methods(d: &Ohlcv, _: f64, out: &mut [i32]) {
    const LB: usize = RISE_FALL_THREE_METHODS;
    let Some((b, out)) = frame(d, out, LB) else {
        return;
    };
    let mut avgs = Reaction::new(&b, LB);
    let mut long0 = Avg::new(&b, BODY_LONG, LB);
    for i in LB..b.len() {
        let dir = f64::from(b.color(i - 4));
        let inside = |k: usize| b.bottom(k) < b.high(i - 4) && b.top(k) > b.low(i - 4);
        let hit = avgs.shape(&b, i)
            && b.body(i) > long0.at(&b, i)
            && b.color(i - 4) == -b.color(i - 3)
            && b.color(i - 3) == b.color(i - 2)
            && b.color(i - 2) == b.color(i - 1)
            && b.color(i - 1) == -b.color(i)
            && inside(i - 3)
            && inside(i - 2)
            && inside(i - 1)
            && b.close(i - 2) * dir < b.close(i - 3) * dir
            && b.close(i - 1) * dir < b.close(i - 2) * dir
            && b.open(i) * dir > b.close(i - 1) * dir
            && b.close(i) * dir > b.close(i - 4) * dir;
        out[i] = signal(hit, b.color(i - 4) * 100);
        avgs.push(&b, i);
        long0.push(&b, i);
    }
}

/// Hikkake's memory: the last setup bar and its direction (±100).
///
/// TA-Lib replays the three bars before the first output to learn a pending
/// setup, then for each bar reports a new setup (±100), or a confirmation
/// (±200) when, within 3 bars of the setup, the close breaks the high (low)
/// of the bar before the setup bar; a confirmation clears the setup.
#[derive(Default)]
struct Hikkake {
    idx: usize,
    result: i32,
}

impl Hikkake {
    #[inline]
    fn step(&mut self, b: &Bars, i: usize, setup: Option<i32>) -> i32 {
        if let Some(result) = setup {
            self.result = result;
            self.idx = i;
            return result;
        }
        // `idx == 0` is TA-Lib's "no setup" (it could only be read with i <= 3).
        if self.idx >= 1
            && i <= self.idx + 3
            && (self.result > 0 && b.close(i) > b.high(self.idx - 1)
                || self.result < 0 && b.close(i) < b.low(self.idx - 1))
        {
            self.idx = 0;
            return self.result + 100 * self.result.signum();
        }
        0
    }
}

/// Candle `i` breaks out of inside bar `i - 1`: +100 downward (bullish
/// setup), -100 upward (bearish setup).
#[inline]
fn breakout(b: &Bars, i: usize) -> Option<i32> {
    if b.high(i) < b.high(i - 1) && b.low(i) < b.low(i - 1) {
        Some(100)
    } else if b.high(i) > b.high(i - 1) && b.low(i) > b.low(i - 1) {
        Some(-100)
    } else {
        None
    }
}

/// Candle `i` has a lower high and a higher low than candle `i - 1`.
#[inline]
fn inside(b: &Bars, i: usize) -> bool {
    b.high(i) < b.high(i - 1) && b.low(i) > b.low(i - 1)
}

pub const HIKKAKE: usize = 5;
/// Hikkake: an inside bar, then a false breakout (±100); ±200 when a later
/// close within 3 bars confirms the reversal.
pub fn hikkake(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, HIKKAKE) else {
        return;
    };
    let mut state = Hikkake::default();
    for i in HIKKAKE - 3..b.len() {
        let setup = if inside(&b, i - 1) {
            breakout(&b, i)
        } else {
            None
        };
        let code = state.step(&b, i, setup);
        if i >= HIKKAKE {
            out[i] = code;
        }
    }
}

// TA-Lib: `max(1, Near period) + 5`.
pub const HIKKAKE_MOD: usize = if NEAR.period > 1 { NEAR.period } else { 1 } + 5;
/// Modified hikkake: two nested inside bars, the second closing near its low
/// (high), then a false breakout (±100); ±200 on confirmation within 3 bars.
pub fn hikkake_mod(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, HIKKAKE_MOD) else {
        return;
    };
    let first = HIKKAKE_MOD - 3;
    let mut near = Avg::new(&b, NEAR, first - 2);
    let mut state = Hikkake::default();
    for i in first..b.len() {
        let setup = if inside(&b, i - 2) && inside(&b, i - 1) {
            let nr = near.at(&b, i - 2);
            match breakout(&b, i) {
                Some(100) if b.close(i - 2) <= b.low(i - 2) + nr => Some(100),
                Some(-100) if b.close(i - 2) >= b.high(i - 2) - nr => Some(-100),
                _ => None,
            }
        } else {
            None
        };
        let code = state.step(&b, i, setup);
        if i >= HIKKAKE_MOD {
            out[i] = code;
        }
        near.push(&b, i - 2);
    }
}
