//! Failure handling, black-box: faults injected into the fake Yahoo, bad
//! input from the client, offline mode.

mod shared_data;
mod support;

use serde_json::json;
use support::*;

const CHART: &str = "get_stock_chart_data";

#[tokio::test]
async fn server_errors_are_retried_then_the_breaker_opens_and_stale_data_is_served() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_RETRIES", "2")
        .set("TRADING_MCP_BREAKER_FAILURES", "5")
        .set("TRADING_MCP_BREAKER_COOLDOWN_MS", "600000")
        .set("TRADING_MCP_LIVE_TTL_SECS", "0");
    let client = env.stdio_client().await;
    let stored = call(
        &client,
        CHART,
        json!({"symbol": "SBIN", "start_date": "2024-02-01", "end_date": "2024-02-29"}),
    )
    .await;
    let stored_bars = bars(&stored);
    assert_eq!(yahoo.count(), 1);

    yahoo.always(Some(Fault::Status(500)));
    // Wider than what is stored: needs the upstream, which fails 3 times (1 + 2 retries).
    let r = call(
        &client,
        CHART,
        json!({"symbol": "SBIN", "start_date": "2024-01-01", "end_date": "2024-02-29"}),
    )
    .await;
    let out = ok(&r);
    assert_eq!(out["freshness"]["stale"], true);
    let reason = out["freshness"]["stale_reason"].as_str().unwrap();
    assert!(
        reason.contains("HTTP 500") && reason.contains("3 attempts"),
        "{reason}"
    );
    // What the store has: the February bars (plus the neighbour the first
    // fetch's timezone padding brought in).
    let stale_bars = bars(&r);
    assert!(stale_bars.ends_with(&stored_bars) && stale_bars.len() <= stored_bars.len() + 1);
    assert_eq!(yahoo.count(), 4);

    // Two more failures open the breaker (5 consecutive).
    let r = call(
        &client,
        CHART,
        json!({"symbol": "SBIN", "start_date": "2023-12-01", "end_date": "2024-02-29"}),
    )
    .await;
    assert_eq!(ok(&r)["freshness"]["stale"], true);
    assert_eq!(
        yahoo.count(),
        6,
        "breaker opened after the 5th failure, before the 3rd try"
    );
    assert_eq!(
        db_scalar(&env.db(), "SELECT COUNT(*) FROM breaker_transitions WHERE from_state = 'closed' AND to_state = 'open'").await,
        1
    );

    // Open: rejected at once, no upstream call, stale data with the reason.
    let r = call(
        &client,
        CHART,
        json!({"symbol": "SBIN", "start_date": "2023-11-01", "end_date": "2024-02-29"}),
    )
    .await;
    let reason = ok(&r)["freshness"]["stale_reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("circuit breaker"), "{reason}");
    assert_eq!(yahoo.count(), 6);

    // Nothing stored for another symbol: a tool error saying what happened.
    let r = call(
        &client,
        CHART,
        json!({"symbol": "ITC", "start_date": "2024-01-01", "end_date": "2024-02-29"}),
    )
    .await;
    let msg = tool_error(&r);
    assert!(
        msg.contains("circuit breaker") && msg.contains("try again in"),
        "{msg}"
    );
    assert_eq!(yahoo.count(), 6);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn client_errors_other_than_429_are_not_retried() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    yahoo.queue("WIPRO.NS", [Fault::Status(403)]);
    let client = env.stdio_client().await;
    let r = call(
        &client,
        CHART,
        json!({"symbol": "WIPRO", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
    )
    .await;
    let msg = tool_error(&r);
    assert!(msg.contains("HTTP 403"), "{msg}");
    assert_eq!(yahoo.count(), 1);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn malformed_unknown_nulls_and_empty_responses_are_handled() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;

    // Malformed JSON: a clear error, nothing stored, the server keeps serving.
    yahoo.queue("TITAN.NS", [Fault::Malformed]);
    let r = call(
        &client,
        CHART,
        json!({"symbol": "TITAN", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
    )
    .await;
    let msg = tool_error(&r);
    assert_eq!(
        msg,
        format!(
            "no data for TITAN.NS 1d in the requested range: {host} sent a response we cannot read: EOF while parsing a value at line 1 column 32. Nothing is stored for it yet; try again in a minute, or ask for a range that was fetched before",
            host = yahoo.addr
        )
    );
    assert_eq!(db_counts(&env.db()).await.0, 0);
    let r = call(
        &client,
        CHART,
        json!({"symbol": "TITAN", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
    )
    .await;
    assert!(!bars(&r).is_empty(), "served after the bad response");

    // Unknown symbol: a clear error, remembered (no second upstream call).
    let before = yahoo.count();
    let r = call(&client, CHART, json!({"symbol": "NOSUCHCO"})).await;
    let msg = tool_error(&r);
    assert!(
        msg.contains("NOSUCHCO.NS is not a symbol Yahoo Finance knows"),
        "{msg}"
    );
    assert!(msg.contains("exchange \"US\""), "{msg}");
    let r = call(
        &client,
        CHART,
        json!({"symbol": "NOSUCHCO", "start_date": "2024-01-01"}),
    )
    .await;
    tool_error(&r);
    assert_eq!(yahoo.count(), before + 1);

    // Nulls inside the arrays: those bars are skipped.
    yahoo.queue("LT.NS", [Fault::Nulls]);
    let r = call(
        &client,
        CHART,
        json!({"symbol": "LT", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
    )
    .await;
    let got = bars(&r).len();
    let all = fake_yahoo::rows_for("LT.NS", "1d")
        .unwrap()
        .iter()
        .filter(|r| {
            r.ts >= fake_yahoo::nse_open_ts("2024-03-01")
                && r.ts <= fake_yahoo::nse_open_ts("2024-03-28")
        })
        .count();
    assert_eq!(got, all - all / 3, "every 3rd bar was null");
    assert!(bars(&r).iter().all(|b| b["c"].is_f64()));

    // A result without timestamps: no bars, not an error.
    yahoo.queue("ONGC.NS", [Fault::Empty]);
    let r = call(
        &client,
        CHART,
        json!({"symbol": "ONGC", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
    )
    .await;
    assert_eq!(bars(&r).len(), 0);
    assert!(ok(&r)["message"].as_str().unwrap().contains("no bars"));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn bad_input_gets_clear_tool_errors_and_leaves_the_store_unchanged() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    ok(&call(
        &client,
        CHART,
        json!({"symbol": "RELIANCE", "start_date": "2024-01-01", "end_date": "2024-03-28"}),
    )
    .await);
    let before = db_counts(&env.db()).await;
    let upstream_before = yahoo.count();

    let cases = [
        (
            json!({"symbol": "RELIANCE", "start_date": "2024-03-01", "end_date": "2024-01-01"}),
            "start_date is after end_date",
        ),
        (
            json!({"symbol": "RELIANCE", "interval": "2h"}),
            "unknown interval \"2h\"; use one of 1m, 5m",
        ),
        (
            json!({"symbol": "RELIANCE'; DROP TABLE bars;--"}),
            "symbol contains '\\''",
        ),
        (json!({"symbol": ""}), "symbol is empty"),
        (json!({"symbol": "A".repeat(40)}), "the limit is 32"),
        (
            json!({"symbol": "RELIANCE", "interval": "1m", "start_date": "1976-01-01", "end_date": "2024-03-28"}),
            "keeps 1m bars for the last 30 days",
        ),
        (
            json!({"symbol": "RELIANCE", "max_points": 0}),
            "max_points 0 is out of range; use 1 to 20000",
        ),
        (
            json!({"symbol": "RELIANCE", "max_points": 1_000_000_000}),
            "max_points 1000000000 is out of range",
        ),
        (
            json!({"symbol": "RELIANCE", "start_date": "yesterday"}),
            "write YYYY-MM-DD",
        ),
        (
            json!({"symbol": "RELIANCE", "start_date": "2030-01-01"}),
            "in the future",
        ),
        (
            json!({"symbol": "RELIANCE", "exchange": "LSE"}),
            "unknown exchange",
        ),
    ];
    for (args, expect) in cases {
        let r = call(&client, CHART, args.clone()).await;
        let msg = tool_error(&r);
        assert!(
            msg.contains(expect),
            "{args}: {msg:?} should contain {expect:?}"
        );
    }
    // Arguments of the wrong shape are protocol errors, not tool errors.
    let err = try_call(&client, CHART, json!({"symbol": 42}))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("invalid argument `symbol`: invalid type"),
        "the protocol error names the field: {err}"
    );
    let err = try_call(&client, CHART, json!({"symbol": "TCS", "colour": "red"}))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");
    let err = try_call(&client, "get_stock_price_please", json!({}))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unknown tool"), "{err}");

    // Still serving, and nothing changed.
    let r = call(
        &client,
        CHART,
        json!({"symbol": "RELIANCE", "start_date": "2024-01-01", "end_date": "2024-03-28"}),
    )
    .await;
    assert_eq!(source(&r), "memory");
    assert_eq!(db_counts(&env.db()).await, before);
    assert_eq!(yahoo.count(), upstream_before);
    assert_eq!(
        db_scalar(&env.db(), "SELECT COUNT(*) FROM instruments").await,
        1
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn offline_mode_never_calls_upstream() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    ok(&call(
        &client,
        CHART,
        json!({"symbol": "RELIANCE", "start_date": "2024-02-01", "end_date": "2024-02-29"}),
    )
    .await);
    client.cancel().await.unwrap();
    assert_eq!(yahoo.count(), 1);

    env.set("TRADING_MCP_OFFLINE", "1");
    let client = env.stdio_client().await;
    let r = call(
        &client,
        CHART,
        json!({"symbol": "RELIANCE", "start_date": "2024-02-01", "end_date": "2024-02-29"}),
    )
    .await;
    assert_eq!(source(&r), "store");
    assert_eq!(ok(&r)["freshness"]["stale"], false);
    // Wider than stored: served, and says what is missing.
    let r = call(
        &client,
        CHART,
        json!({"symbol": "RELIANCE", "start_date": "2024-01-01", "end_date": "2024-02-29"}),
    )
    .await;
    let msg = ok(&r)["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("offline: the store does not cover 2024-01-01..2024-01-31"),
        "{msg}"
    );
    // Nothing stored at all: a tool error that says how to fix it.
    let r = call(&client, CHART, json!({"symbol": "TCS"})).await;
    let msg = tool_error(&r);
    assert!(
        msg.contains("offline") && msg.contains("run without --offline"),
        "{msg}"
    );
    assert_eq!(yahoo.count(), 1);
    client.cancel().await.unwrap();
}
