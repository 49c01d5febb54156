//! The feed parser on arbitrary bytes (RSS, Atom or neither): it may refuse
//! them, but never panics, and what it accepts keeps the store's promises.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trading_mcp::news::{Feed, SUMMARY_MAX_CHARS, parse_feed};

/// The per-feed cap the server uses by default is larger; a small one
/// reaches the over-cap path with small inputs.
const MAX_ITEMS: usize = 20;

fuzz_target!(|data: &[u8]| {
    let feed = Feed::General {
        url: "https://fuzz.example/rss".into(),
    };
    let now = Utc.with_ymd_and_hms(2025, 4, 6, 6, 30, 0).unwrap();
    if let Ok(parsed) = parse_feed(data, &feed, MAX_ITEMS, now) {
        assert!(parsed.articles.len() <= MAX_ITEMS);
        for a in &parsed.articles {
            // A title, an http(s) link, plain bounded text, a date no later
            // than a day after the fetch.
            assert!(!a.title.trim().is_empty());
            assert!(a.url.starts_with("http://") || a.url.starts_with("https://"));
            assert!(a.summary.chars().count() <= SUMMARY_MAX_CHARS);
            assert!(a.published_at <= now.timestamp() + 86_400);
        }
    }
});
