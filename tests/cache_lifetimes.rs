//! Cache lifetimes through the real binary, with the clock at 11:00 IST on
//! a trading day: the session in progress is refetched after the live TTL
//! while settled history never is, coverage stops at the session's start,
//! a stale answer recovers once the upstream does, and series evicted from
//! a small L1 come back from the store without the upstream.

mod shared_data;
mod support;

use std::time::Duration;

use serde_json::json;
use support::*;
use trading_mcp::model::date_key;

/// Thursday 2024-03-28, 11:00 IST: NSE is open.
const MID_SESSION: &str = "2024-03-28T11:00:00+05:30";

fn env_mid_session(yahoo: &FakeYahoo, live_ttl_secs: &str) -> Env {
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_NOW", MID_SESSION);
    env.set("TRADING_MCP_LIVE_TTL_SECS", live_ttl_secs);
    env
}

#[tokio::test]
async fn todays_bars_are_refetched_after_the_live_ttl_and_history_is_not() {
    let yahoo = FakeYahoo::start().await;
    // Three seconds: long enough that the check "within the TTL" holds on
    // a slow machine.
    let env = env_mid_session(&yahoo, "3");
    let client = env.stdio_client().await;
    let today = json!({"symbol": "TCS", "start_date": "2024-03-01", "end_date": "2024-03-28", "max_points": 5});
    let history = json!({"symbol": "INFY", "start_date": "2024-02-01", "end_date": "2024-03-27", "max_points": 5});
    ok(&call(&client, "get_stock_chart_data", today.clone()).await);
    ok(&call(&client, "get_stock_chart_data", history.clone()).await);
    let calls = yahoo.count();

    // Coverage stops at the start of today's session: today is not settled.
    let end = db_scalar(
        &env.db(),
        "SELECT MAX(end_ts) FROM coverage WHERE symbol = 'TCS.NS'",
    )
    .await;
    let today_key = date_key("2024-03-28".parse().unwrap());
    assert!(
        end <= today_key,
        "coverage ends {end}, today's key {today_key}"
    );

    // Within the TTL: nothing is fetched.
    ok(&call(&client, "get_stock_chart_data", today.clone()).await);
    assert_eq!(yahoo.count(), calls);
    // Past it: today's part is fetched again; settled history is not.
    tokio::time::sleep(Duration::from_millis(3_300)).await;
    let mut again = today.clone();
    again["max_points"] = json!(6);
    ok(&call(&client, "get_stock_chart_data", again).await);
    assert_eq!(yahoo.count(), calls + 1, "today's session refetched");
    let mut settled = history.clone();
    settled["max_points"] = json!(6);
    let out = call(&client, "get_stock_chart_data", settled).await;
    assert_eq!(yahoo.count(), calls + 1, "settled history never refetched");
    assert_ne!(ok(&out)["freshness"]["source"], "upstream");
}

#[tokio::test]
async fn a_stale_answer_recovers_once_the_upstream_does() {
    let yahoo = FakeYahoo::start().await;
    let env = env_mid_session(&yahoo, "1");
    let client = env.stdio_client().await;
    let range = |n: u32| json!({"symbol": "WIPRO", "start_date": "2024-03-01", "end_date": "2024-03-28", "max_points": n});
    ok(&call(&client, "get_stock_chart_data", range(5)).await);
    tokio::time::sleep(Duration::from_millis(1_300)).await;

    yahoo.always(Some(Fault::Status(500)));
    let stale = call(&client, "get_stock_chart_data", range(6)).await;
    assert_eq!(ok(&stale)["freshness"]["stale"], true, "{}", text(&stale));

    yahoo.always(None);
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let fresh = call(&client, "get_stock_chart_data", range(7)).await;
    let out = ok(&fresh);
    assert_eq!(out["freshness"]["stale"], false, "{}", text(&fresh));
    assert_eq!(out["freshness"]["source"], "upstream");
}

#[tokio::test]
async fn series_evicted_from_a_small_l1_come_back_from_the_store() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_CACHE_MIB", "1");
    let client = env.stdio_client().await;
    let full = |s: &str| json!({"symbol": s, "start_date": "2000-01-01", "end_date": "2024-03-28", "max_points": 1});
    for s in ["RELIANCE", "TCS", "INFY", "ITC", "SBIN"] {
        ok(&call(&client, "get_stock_chart_data", full(s)).await);
    }
    let stats = call(&client, "server_stats", json!({})).await;
    assert!(
        ok(&stats)["cache"]["tiers"]["l1_evictions"]["size"]
            .as_u64()
            .unwrap()
            >= 2
    );
    // Every series again: the evicted ones come from SQLite, none from Yahoo.
    let calls = yahoo.count();
    let mut from_store = 0;
    for s in ["RELIANCE", "TCS", "INFY", "ITC", "SBIN"] {
        let mut again = full(s);
        again["max_points"] = json!(2);
        let out = call(&client, "get_stock_chart_data", again).await;
        match ok(&out)["freshness"]["source"].as_str().unwrap() {
            "store" => from_store += 1,
            "memory" => {}
            other => panic!("{s} from {other}"),
        }
    }
    assert!(
        from_store >= 2,
        "{from_store} evicted series read back from the store"
    );
    assert_eq!(yahoo.count(), calls, "no upstream call");
}

#[tokio::test]
async fn the_bar_of_the_session_in_progress_is_marked_partial() {
    let yahoo = FakeYahoo::start().await;
    let env = env_mid_session(&yahoo, "60");
    let client = env.stdio_client().await;
    let range = json!({"symbol": "TCS", "start_date": "2024-03-20", "end_date": "2024-03-28"});
    let chart = call(&client, "get_stock_chart_data", range.clone()).await;
    let out = ok(&chart);
    assert_eq!(out["freshness"]["market_open"], true);
    let bars = rows(&serde_json::Value::Object(out.clone()));
    let last = bars.last().unwrap();
    assert_eq!(last["t"], "2024-03-28");
    assert_eq!(out["last_bar_partial"], true, "today's bar, the last");
    assert!(
        out["message"]
            .as_str()
            .unwrap()
            .contains("the bar of 2024-03-28 is partial")
    );
    let patterns = call(&client, "detect_candlestick_patterns", range).await;
    assert_eq!(ok(&patterns)["newest_candle_partial"], true);

    // A range that ends yesterday has nothing partial.
    let settled = call(
        &client,
        "get_stock_chart_data",
        json!({"symbol": "TCS", "start_date": "2024-03-20", "end_date": "2024-03-27"}),
    )
    .await;
    let out = ok(&settled);
    assert!(out.get("last_bar_partial").is_none(), "{out:?}");
    let patterns = call(
        &client,
        "detect_candlestick_patterns",
        json!({"symbol": "TCS", "start_date": "2024-03-20", "end_date": "2024-03-27"}),
    )
    .await;
    assert_eq!(ok(&patterns)["newest_candle_partial"], false);
}

#[tokio::test]
async fn before_the_open_nothing_is_refetched_until_the_session_starts() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    // 08:00 IST on Monday 2024-04-01: today's session opens at 09:15.
    env.set("TRADING_MCP_NOW", "2024-04-01T08:00:00+05:30");
    env.set("TRADING_MCP_LIVE_TTL_SECS", "1");
    let client = env.stdio_client().await;
    let range = |n: u32| json!({"symbol": "TCS", "start_date": "2024-03-20", "end_date": "2024-04-01", "max_points": n});
    ok(&call(&client, "get_stock_chart_data", range(5)).await);
    let calls = yahoo.count();
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let out = call(&client, "get_stock_chart_data", range(6)).await;
    assert_eq!(
        ok(&out)["freshness"]["source"],
        "memory",
        "kept until the open, past the live TTL"
    );
    assert_eq!(yahoo.count(), calls);
}

#[tokio::test]
async fn a_cached_answer_does_not_outlive_the_market_phase_it_states() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    // Three seconds before the close of Thursday 2024-03-28's session.
    env.set("TRADING_MCP_NOW", "2024-03-28T15:29:57+05:30");
    let client = env.stdio_client().await;
    // An explicit, settled range: the answer is cached, and it says the
    // market is open.
    let args = json!({"symbol": "TCS", "start_date": "2024-03-01", "end_date": "2024-03-27"});
    ok(&call(&client, "get_stock_chart_data", args.clone()).await);
    let open = call(&client, "get_stock_chart_data", args.clone()).await;
    assert_eq!(ok(&open)["freshness"]["market_open"], true);
    tokio::time::sleep(Duration::from_millis(4_000)).await;
    // After 15:30 the same question gets a new answer: the market is closed.
    let closed = call(&client, "get_stock_chart_data", args).await;
    assert_eq!(ok(&closed)["freshness"]["market_open"], false);
}
