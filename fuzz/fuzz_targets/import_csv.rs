//! The CSV import parser on arbitrary bytes: the header may be refused and
//! rows reported bad, but it never panics, and the bars it keeps are
//! ordered, one per key, with finite prices.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trading_mcp::import::{header, parse_file};

fuzz_target!(|data: &[u8]| {
    let Ok(head) = header::read(data) else {
        return;
    };
    let zone = chrono_tz::Asia::Kolkata;
    if let Ok(file) = parse_file(data, &head, zone, None) {
        assert!(file.bars.windows(2).all(|w| w[0].ts < w[1].ts));
        for b in &file.bars {
            assert!(
                [b.open, b.high, b.low, b.close]
                    .iter()
                    .all(|x| x.is_finite())
            );
        }
        assert!(file.bars.len() <= file.read);
    }
});
