//! The chart-response parser on arbitrary bytes: it may refuse them, but
//! never panics, and what it accepts keeps its promises.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trading_mcp::model::INTERVALS;
use trading_mcp::upstream::parse_chart;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let interval = INTERVALS[first as usize % INTERVALS.len()];
    if let Ok(chart) = parse_chart(body, interval) {
        // Oldest first, one bar per key, finite prices, volume never negative.
        assert!(chart.bars.windows(2).all(|w| w[0].ts < w[1].ts));
        for b in &chart.bars {
            assert!(
                [b.open, b.high, b.low, b.close]
                    .iter()
                    .all(|x| x.is_finite())
            );
            assert!(b.volume >= 0);
        }
    }
});
