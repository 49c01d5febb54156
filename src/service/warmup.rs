//! How far back to load for a warm-up of N bars. Pure code.

use crate::model::Interval;

/// Calendar days that hold at least about `bars` bars of `interval`, with
/// slack for weekends, holidays and short sessions. The service checks the
/// bars it got and reaches further back when this fell short.
pub fn days_for_bars(interval: Interval, bars: usize) -> i64 {
    let bars = i64::try_from(bars).unwrap_or(i64::MAX / 64);
    match interval {
        // 375 one-minute bars in an NSE session; weekends and holidays ~ x1.5.
        Interval::M1 => bars / 375 * 3 / 2 + 4,
        Interval::M5 => bars / 75 * 3 / 2 + 4,
        Interval::M15 => bars / 25 * 3 / 2 + 4,
        Interval::M30 => bars / 13 * 3 / 2 + 4,
        Interval::H1 => bars / 7 * 3 / 2 + 4,
        Interval::D1 => bars.saturating_mul(3) / 2 + 10,
        Interval::W1 => bars.saturating_mul(7) + 14,
        Interval::Mo1 => bars.saturating_mul(31) + 62,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_of_daily_bars_spans_more_than_a_year() {
        assert!(days_for_bars(Interval::D1, 250) >= 365);
        assert_eq!(days_for_bars(Interval::D1, 0), 10);
        assert!(days_for_bars(Interval::D1, usize::MAX) > 0, "no overflow");
    }
}
