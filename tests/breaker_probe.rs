//! The circuit breaker's half-open probe, through the real HTTP client and
//! the fake Yahoo on loopback: a probe whose caller goes away (a cancelled
//! request drops its future) must not leave the breaker rejecting forever.

mod shared_data;
mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use support::*;
use trading_mcp::clock::ManualClock;
use trading_mcp::store::BarStore;
use trading_mcp::upstream::{
    BreakerConfig, HttpUpstream, RetryPolicy, UpstreamConfig, UpstreamError,
};

#[tokio::test]
async fn a_dropped_probe_lets_the_next_call_probe() {
    let yahoo = FakeYahoo::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = BarStore::open(&dir.path().join("t.db")).await.unwrap();
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2024, 3, 1, 4, 0, 0).unwrap());
    let config = UpstreamConfig {
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            retries: 0,
            ..RetryPolicy::default()
        },
        breaker: BreakerConfig {
            failure_threshold: 1,
            cool_down: chrono::Duration::seconds(30),
        },
        rate_per_sec: 1000.0,
        burst: 1000,
        ..UpstreamConfig::default()
    };
    let http = Arc::new(HttpUpstream::new(config, clock.clone(), store).unwrap());
    let url = reqwest::Url::parse(&format!(
        "{}/v8/finance/chart/TCS.NS?period1=1704067200&period2=1706745600&interval=1d",
        yahoo.url()
    ))
    .unwrap();

    yahoo.queue(
        "TCS.NS",
        [Fault::Status(500), Fault::Hang(Duration::from_secs(30))],
    );
    assert!(http.get(&url, Some("TCS.NS")).await.is_err());
    assert_eq!(http.stats()[0].breaker_state, "open");
    assert!(matches!(
        http.get(&url, Some("TCS.NS")).await,
        Err(UpstreamError::BreakerOpen { .. })
    ));

    clock.advance(chrono::Duration::seconds(31));
    // The probe hangs; its caller gives up and the future is dropped.
    let dropped = tokio::time::timeout(Duration::from_millis(300), http.get(&url, Some("TCS.NS")));
    assert!(dropped.await.is_err(), "the probe was still waiting");
    assert_eq!(http.stats()[0].breaker_state, "half_open");

    let next = http.get(&url, Some("TCS.NS")).await;
    assert!(next.is_ok(), "the next call probes and succeeds: {next:?}");
    assert_eq!(http.stats()[0].breaker_state, "closed");
    assert_eq!(yahoo.count(), 3, "500, the dropped probe, the new probe");
}
