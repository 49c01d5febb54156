//! Mapping bars and values to pixels, and choosing round tick values.

/// Bars to columns. Bars sit at equal steps by index: a weekend or a night
/// between two bars takes no more room than the step between two weekdays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XScale {
    /// Left edge of bar 0's slot.
    first: f32,
    /// Width of one bar's slot.
    slot: f32,
}

/// Room kept free between the last bar and the price axis, in slots.
const RIGHT_PAD_SLOTS: f32 = 1.0;

/// The share of the plot width whole-pixel slots may leave empty.
const MAX_ROUNDING_WASTE: f32 = 0.05;

impl XScale {
    /// `n` bars in the columns `x0..x1`, flush right (against the price axis,
    /// where the latest bar is). When rounding the slot down to whole pixels
    /// wastes little room it is rounded, so every step between candles is
    /// the same number of pixels; otherwise the slot is fractional and the
    /// steps differ by at most one pixel.
    pub fn new(x0: i32, x1: i32, n: usize) -> Self {
        let n = n.max(1) as f32;
        let room = (x1 - x0).max(1) as f32;
        let exact = room / (n + RIGHT_PAD_SLOTS);
        let whole = exact.floor();
        let slot = if whole >= 2.0 && (exact - whole) / exact <= MAX_ROUNDING_WASTE {
            whole
        } else {
            exact
        };
        let first = x1 as f32 - slot * (n + RIGHT_PAD_SLOTS);
        Self {
            first: first.floor(),
            slot,
        }
    }

    pub fn slot(&self) -> f32 {
        self.slot
    }

    /// The centre of bar `i`.
    pub fn centre(&self, i: usize) -> f32 {
        self.first + (i as f32 + 0.5) * self.slot
    }

    /// The pixel column bar `i`'s wick and ticks are drawn in.
    pub fn column(&self, i: usize) -> i32 {
        self.centre(i).floor() as i32
    }

    /// Width of a candle body in pixels: odd, so the wick is centred.
    pub fn body_width(&self) -> i32 {
        let w = (self.slot * 0.75).round() as i32;
        let w = if w % 2 == 0 { w - 1 } else { w };
        w.max(1)
    }
}

/// Values to rows: `max` at `top`, `min` at `bottom`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YScale {
    pub top: f32,
    pub bottom: f32,
    pub min: f64,
    pub max: f64,
}

impl YScale {
    pub fn y(&self, v: f64) -> f32 {
        let span = self.max - self.min;
        let t = if span > 0.0 {
            (self.max - v) / span
        } else {
            0.5
        };
        self.top + (t as f32) * (self.bottom - self.top)
    }

    /// The pixel row a one-pixel rule at `v` is drawn on: the row holding
    /// `y(v)`, where an anti-aliased line at `v` puts most of its ink too.
    pub fn row(&self, v: f64) -> i32 {
        self.y(v).floor() as i32
    }
}

/// The range of `values` (NaN skipped), or `None` if there are none.
pub fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Widens a zero-width range so it can be drawn.
pub fn widen_flat(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        return (lo, hi);
    }
    let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.01 };
    (lo - pad, hi + pad)
}

/// Round tick values inside `lo..=hi`, about `target` of them, and their
/// step: 1, 2, 2.5 or 5 times a power of ten.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return (vec![lo], 1.0);
    }
    let raw = span / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // `first..=last` is about `target` long by construction; the cap guards
    // against float edge cases.
    let ticks = (first..=last).take(64).map(|k| k as f64 * step).collect();
    (ticks, step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_equally_spaced_whole_pixels() {
        // 1013 / 101 = 10.03: rounding to 10 wastes 0.3%.
        let x = XScale::new(10, 1023, 100);
        assert_eq!(x.slot(), 10.0);
        assert_eq!(x.column(1) - x.column(0), 10);
        assert_eq!(x.column(99) - x.column(98), 10);
        // The last bar leaves one slot before the axis.
        assert!(x.centre(99) + x.slot() * 1.5 <= 1023.0);
        assert_eq!(x.body_width(), 7);
    }

    #[test]
    fn wasteful_rounding_keeps_the_fraction() {
        // 1110 / 126 = 8.81: whole pixels would leave 9% of the width empty.
        let x = XScale::new(0, 1110, 125);
        assert!(x.slot() > 8.8 && x.slot() < 8.82, "{}", x.slot());
        assert!(x.centre(0) < 10.0);
        let steps: Vec<i32> = (1..125).map(|i| x.column(i) - x.column(i - 1)).collect();
        assert!(steps.iter().all(|s| *s == 8 || *s == 9), "{steps:?}");
    }

    #[test]
    fn dense_bars_get_fractional_slots() {
        let x = XScale::new(0, 1000, 2000);
        assert!(x.slot() < 1.0);
        assert_eq!(x.body_width(), 1);
        assert!(x.centre(0) >= 0.0);
    }

    #[test]
    fn ticks_are_round_and_inside() {
        let (ticks, step) = nice_ticks(2857.3, 3011.9, 6);
        assert_eq!((ticks, step), (vec![2900.0, 2950.0, 3000.0], 50.0));
        let (ticks, step) = nice_ticks(0.0, 100.0, 4);
        assert_eq!((ticks, step), (vec![0.0, 25.0, 50.0, 75.0, 100.0], 25.0));
        let (ticks, _) = nice_ticks(0.1213, 0.1301, 4);
        assert!(
            ticks.iter().all(|t| (0.1213..=0.1301).contains(t)),
            "{ticks:?}"
        );
    }

    #[test]
    fn y_maps_max_to_top() {
        let y = YScale {
            top: 100.0,
            bottom: 200.0,
            min: 0.0,
            max: 100.0,
        };
        assert_eq!(y.y(100.0), 100.0);
        assert_eq!(y.y(0.0), 200.0);
        assert_eq!(y.row(70.0), 130);
        assert_eq!(y.row(70.5), 129);
    }
}
