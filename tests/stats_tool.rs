//! `server_stats` after a scripted sequence of calls: every field moves as
//! the calls say it should (L1 hits, misses and evictions, L2 coverage,
//! upstream calls, latency and rate-limiter waits, breaker transitions,
//! per-tool counters, file size, RSS).

mod shared_data;
mod support;

use serde_json::{Value, json};
use support::*;

async fn stats(client: &Client) -> Value {
    Value::Object(ok(&call(client, "server_stats", json!({})).await).clone())
}

fn range(symbol: &str, max_points: u32) -> Value {
    json!({"symbol": symbol, "start_date": "2023-01-01", "end_date": "2023-12-29", "max_points": max_points})
}

#[tokio::test]
async fn every_field_moves_as_the_calls_say() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    // One token a second after a burst of one: the second upstream request waits.
    env.set("TRADING_MCP_RATE_LIMIT", "1");
    env.set("TRADING_MCP_RATE_BURST", "1");
    let client = env.stdio_client().await;

    let s = stats(&client).await;
    let tiers = &s["cache"]["tiers"];
    assert_eq!(tiers["l1_hits"], 0);
    assert_eq!(tiers["l1_misses"], 0);
    assert_eq!(tiers["l1_hit_ratio"], Value::Null);
    assert_eq!(s["upstream"], json!([]));
    assert!(s["rss_bytes"].as_u64().unwrap() > 1 << 20);
    assert!(s["db_bytes"].as_u64().unwrap() > 0);

    // Cold: an L1 miss the store cannot cover; one upstream call.
    ok(&call(&client, "get_stock_chart_data", range("TCS", 10)).await);
    let s = stats(&client).await;
    let tiers = &s["cache"]["tiers"];
    assert_eq!(tiers["l1_misses"], 1);
    assert_eq!(tiers["l2_misses"], 1);
    assert_eq!(tiers["l2_hits"], 0);
    let host = &s["upstream"][0];
    assert_eq!(host["calls"], yahoo.count() as u64);
    assert!(host["latency_p50_ms"].as_f64().is_some(), "{host}");
    assert_eq!(host["breaker_state"], "closed");
    let chart = s["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tool"] == "get_stock_chart_data")
        .unwrap()
        .clone();
    assert_eq!(chart["calls"], 1);

    // Warm: an L1 hit (another max_points, so the result cache does not answer).
    ok(&call(&client, "get_stock_chart_data", range("TCS", 11)).await);
    let tiers = stats(&client).await["cache"]["tiers"].clone();
    assert_eq!(tiers["l1_hits"], 1);
    assert_eq!(tiers["l1_hit_ratio"], 0.5);

    // Three new symbols read back to back in one call: at one token a
    // second, the rate limiter makes the later ones wait.
    ok(&call(&client, "compare_symbols", json!({"symbols": ["INFY", "WIPRO"], "benchmark": "ITC", "start_date": "2023-01-01", "end_date": "2023-12-29"})).await);
    let s = stats(&client).await;
    assert!(
        s["upstream"][0]["rate_limited_waits"].as_u64().unwrap() >= 1,
        "{}",
        s["upstream"]
    );
    client.cancel().await.unwrap();

    // A new process over the same store: L1 misses, the store covers them.
    let client = env.stdio_client().await;
    let calls = yahoo.count();
    ok(&call(&client, "get_stock_chart_data", range("TCS", 10)).await);
    let s = stats(&client).await;
    assert_eq!(s["cache"]["tiers"]["l2_hits"], 1);
    assert_eq!(s["cache"]["tiers"]["l2_misses"], 0);
    assert_eq!(yahoo.count(), calls);
    assert_eq!(s["upstream"], json!([]), "this process has called no host");
}

#[tokio::test]
async fn evictions_and_breaker_transitions_are_reported() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_CACHE_MIB", "1");
    env.set("TRADING_MCP_BREAKER_FAILURES", "1");
    let client = env.stdio_client().await;
    // Five 24-year histories (about 340 KB each in L1) do not fit in 1 MiB.
    for s in ["RELIANCE", "TCS", "INFY", "ITC", "SBIN"] {
        ok(&call(&client, "get_stock_chart_data", json!({"symbol": s, "start_date": "2000-01-01", "end_date": "2024-03-28", "max_points": 1})).await);
    }
    let s = stats(&client).await;
    let evicted = &s["cache"]["tiers"]["l1_evictions"];
    assert!(evicted["size"].as_u64().unwrap() >= 2, "{evicted}");
    assert!(s["cache"]["bytes"].as_u64().unwrap() <= 1 << 20);

    // The upstream fails: the breaker opens after one failure, and says so.
    yahoo.always(Some(Fault::Status(500)));
    tool_error(&call(&client, "get_stock_chart_data", range("WIPRO", 10)).await);
    let s = stats(&client).await;
    let t = &s["breaker_transitions"][0];
    assert_eq!(t["to"], "open", "{}", s["breaker_transitions"]);
    assert_eq!(t["from"], "closed");
    assert!(t["host"].as_str().unwrap().starts_with("127.0.0.1"));
    assert_eq!(s["upstream"][0]["breaker_state"], "open");
    assert!(s["upstream"][0]["failures"].as_u64().unwrap() >= 1);
}
