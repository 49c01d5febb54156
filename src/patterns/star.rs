//! Three-candle star patterns: a small middle candle set apart from its neighbours.

use super::candle::{
    Avg, BODY_DOJI, BODY_LONG, BODY_SHORT, Setting, all, any, frame, max_period, signal,
};
use crate::indicators::Ohlcv;

pub const ABANDONED_BABY: usize = max_period(&[BODY_DOJI, BODY_LONG, BODY_SHORT]) + 2;
/// Abandoned baby: long candle, a doji gapping away (shadows apart), then an
/// opposite candle gapping back and closing `penetration` into the first body.
pub fn abandoned_baby(d: &Ohlcv, penetration: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, ABANDONED_BABY) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, ABANDONED_BABY - 2);
    let mut dj = Avg::new(&b, BODY_DOJI, ABANDONED_BABY - 1);
    let mut short = Avg::new(&b, BODY_SHORT, ABANDONED_BABY);
    for i in ABANDONED_BABY..b.len() {
        let reach = b.body(i - 2) * penetration;
        let hit = all!(
            b.body(i - 2) > long.at(&b, i - 2),
            b.body(i - 1) <= dj.at(&b, i - 1),
            b.body(i) > short.at(&b, i),
            any!(
                all!(
                    b.white(i - 2),
                    b.black(i),
                    b.close(i) < b.close(i - 2) - reach,
                    b.gap_up(i - 1, i - 2),
                    b.gap_down(i, i - 1)
                ),
                all!(
                    b.black(i - 2),
                    b.white(i),
                    b.close(i) > b.close(i - 2) + reach,
                    b.gap_down(i - 1, i - 2),
                    b.gap_up(i, i - 1)
                )
            )
        );
        out[i] = signal(hit, b.color(i) * 100);
        long.push(&b, i - 2);
        dj.push(&b, i - 1);
        short.push(&b, i);
    }
}

/// Shared by the evening/morning (doji) stars: long candle, a `middle`-small
/// body gapping away from it, then an opposite candle (longer than short)
/// closing `penetration` deep into the first body. `evening` selects the
/// bearish variant (-100), otherwise the bullish one (+100).
#[inline(always)]
fn star(d: &Ohlcv, out: &mut [i32], pen: f64, middle: Setting, lookback: usize, evening: bool) {
    let Some((b, out)) = frame(d, out, lookback) else {
        return;
    };
    let mut long = Avg::new(&b, BODY_LONG, lookback - 2);
    let mut mid = Avg::new(&b, middle, lookback - 1);
    let mut short = Avg::new(&b, BODY_SHORT, lookback);
    for i in lookback..b.len() {
        let common = all!(
            b.body(i - 2) > long.at(&b, i - 2),
            b.body(i - 1) <= mid.at(&b, i - 1),
            b.body(i) > short.at(&b, i)
        );
        let hit = common
            && if evening {
                b.white(i - 2)
                    && b.body_gap_up(i - 1, i - 2)
                    && b.black(i)
                    && b.close(i) < b.close(i - 2) - b.body(i - 2) * pen
            } else {
                b.black(i - 2)
                    && b.body_gap_down(i - 1, i - 2)
                    && b.white(i)
                    && b.close(i) > b.close(i - 2) + b.body(i - 2) * pen
            };
        out[i] = signal(hit, if evening { -100 } else { 100 });
        long.push(&b, i - 2);
        mid.push(&b, i - 1);
        short.push(&b, i);
    }
}

pub const EVENING_DOJI_STAR: usize = max_period(&[BODY_DOJI, BODY_LONG, BODY_SHORT]) + 2;
/// Evening doji star: long white candle, a doji gapping up, then a black candle
/// closing `penetration` into the first body.
pub fn evening_doji_star(d: &Ohlcv, penetration: f64, out: &mut [i32]) {
    star(d, out, penetration, BODY_DOJI, EVENING_DOJI_STAR, true);
}

pub const EVENING_STAR: usize = max_period(&[BODY_SHORT, BODY_LONG]) + 2;
/// Evening star: long white candle, a short body gapping up, then a black
/// candle closing `penetration` into the first body.
pub fn evening_star(d: &Ohlcv, penetration: f64, out: &mut [i32]) {
    star(d, out, penetration, BODY_SHORT, EVENING_STAR, true);
}

pub const MORNING_DOJI_STAR: usize = EVENING_DOJI_STAR;
/// Morning doji star: long black candle, a doji gapping down, then a white
/// candle closing `penetration` into the first body.
pub fn morning_doji_star(d: &Ohlcv, penetration: f64, out: &mut [i32]) {
    star(d, out, penetration, BODY_DOJI, MORNING_DOJI_STAR, false);
}

pub const MORNING_STAR: usize = EVENING_STAR;
/// Morning star: long black candle, a short body gapping down, then a white
/// candle closing `penetration` into the first body.
pub fn morning_star(d: &Ohlcv, penetration: f64, out: &mut [i32]) {
    star(d, out, penetration, BODY_SHORT, MORNING_STAR, false);
}

pub const TRISTAR: usize = max_period(&[BODY_DOJI]) + 2;
/// Tristar: three dojis, the middle one gapping away from the other two.
pub fn tristar(d: &Ohlcv, _: f64, out: &mut [i32]) {
    let Some((b, out)) = frame(d, out, TRISTAR) else {
        return;
    };
    // TA-Lib judges all three candles against the average positioned on the first.
    let mut dj = Avg::new(&b, BODY_DOJI, TRISTAR - 2);
    for i in TRISTAR..b.len() {
        let t = dj.at(&b, i - 2);
        out[i] = if b.body(i - 2) <= t && b.body(i - 1) <= t && b.body(i) <= t {
            // Both tests run in TA-Lib's order; the later one wins.
            let mut code = 0;
            if b.body_gap_up(i - 1, i - 2) && b.top(i) < b.top(i - 1) {
                code = -100;
            }
            if b.body_gap_down(i - 1, i - 2) && b.bottom(i) > b.bottom(i - 1) {
                code = 100;
            }
            code
        } else {
            0
        };
        dj.push(&b, i - 2);
    }
}
