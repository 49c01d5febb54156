//! The warming scheduler inside the real binary: `serve` starts it (unless
//! `--no-warm`), it warms without any tool call, `server_stats` shows its
//! runs, and it stops with the server, giving its lease up.

mod shared_data;
mod support;

use std::time::Duration;

use serde_json::json;
use support::*;

/// Waits until the fake has seen `n` requests, for at most `secs`.
async fn until_seen(yahoo: &FakeYahoo, n: usize, secs: u64) -> bool {
    for _ in 0..secs * 20 {
        if yahoo.count() >= n {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn serve_warms_the_watchlist_mid_session_and_stops_with_the_server() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    // TEST_NOW is Monday 2024-04-01 12:00 IST, mid-session.
    env.set("TRADING_MCP_NO_WARM", "false");
    env.set("TRADING_MCP_WATCHLIST", "ITC");
    let client = env.stdio_client().await;
    // The backfill (daily, up to now), then the first live run: the 5m
    // bars (the daily series was fetched a moment ago, so it is fresh).
    assert!(until_seen(&yahoo, 4 + 4, 30).await, "{:?}", yahoo.seen());
    let seen = yahoo.seen();
    for symbol in ["RELIANCE.NS", "TCS.NS", "INFY.NS", "ITC.NS"] {
        for interval in ["1d", "5m"] {
            assert!(
                seen.iter()
                    .any(|s| s.symbol == symbol && s.interval == interval),
                "{symbol} {interval} not warmed: {seen:?}"
            );
        }
    }
    // A warm symbol is then served from memory.
    let before = yahoo.count();
    let chart = call(&client, "get_stock_chart_data", json!({"symbol": "TCS"})).await;
    assert_eq!(source(&chart), "memory");
    assert_eq!(yahoo.count(), before);

    let stats = call(&client, "server_stats", json!({})).await;
    let warming = &ok(&stats)["warming"];
    assert_eq!(warming["enabled"], true);
    let kinds: Vec<&str> = warming["recent_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"backfill") && kinds.contains(&"live"),
        "{kinds:?}"
    );
    // This process leads: the stats name it.
    let leader = warming["leader"].as_str().expect("a leader");
    assert!(leader.starts_with("pid "), "{leader}");
    assert!(
        text(&stats).contains(&format!("warming: on, led by {leader}; last run")),
        "{}",
        text(&stats)
    );

    client.cancel().await.unwrap();
    // The process stops and gives its lease up.
    let mut held = 1;
    for _ in 0..100 {
        held = db_scalar(&env.db(), "SELECT COUNT(*) FROM warm_lease").await;
        if held == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(held, 0, "the lease outlived the server");
    assert!(
        db_scalar(
            &env.db(),
            "SELECT COUNT(*) FROM warm_runs WHERE kind = 'live'"
        )
        .await
            >= 1
    );
}

#[tokio::test]
async fn no_warm_offline_and_as_of_servers_never_warm() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_NO_WARM", "false");
    for flags in [&["--no-warm"][..], &["--offline"], &["--as-of", TEST_NOW]] {
        if flags[0] == "--as-of" {
            // --as-of stops the clock; it does not go with --now.
            env.vars.retain(|(k, _)| k != "TRADING_MCP_NOW");
        }
        let client = env.stdio_client_with(flags).await;
        let stats = call(&client, "server_stats", json!({})).await;
        assert_eq!(ok(&stats)["warming"]["enabled"], false, "{flags:?}");
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(yahoo.count(), 0, "{flags:?} warmed: {:?}", yahoo.seen());
        client.cancel().await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        db_scalar(&env.db(), "SELECT COUNT(*) FROM warm_runs").await,
        0
    );
}

#[tokio::test]
async fn bad_warming_settings_are_clear_errors() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    for (flag, value, says) in [
        ("--warm-intraday-interval", "1d", "must be intraday"),
        ("--warm-intraday-interval", "7m", "warm_intraday_interval"),
        ("--warm-interval-secs", "0", "at least 1"),
        ("--watchlist", "NOPE;DROP", "watchlist symbol"),
        ("--settle-grace-minutes", "-5", "settle_grace_minutes"),
    ] {
        let arg = format!("{flag}={value}");
        let out = env
            .command(&["serve", &arg])
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{flag} {value} was accepted");
        assert!(stderr.contains(says), "{flag} {value}: {stderr}");
    }
}
