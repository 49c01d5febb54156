//! `--as-of T` through the real binary, on a store a live server filled:
//! nothing after T is shown, the session in progress at T is left out,
//! indicators see only what was known, the market status is T's, a split
//! after T is undone, nothing is fetched, and the same replay gives the same
//! bytes. And `adjust: none | all` on the live server.

mod shared_data;
mod support;

use serde_json::{Value, json};
use support::*;

const NVDA: &str =
    "historical_via_chart/historical-via-chart-NVDA-split-2021-02-01-to-2022-01-31.csv.json";

/// A store holding RELIANCE 2023-06..2024-03 and NVDA 2021 (with its 4:1
/// split of 2021-07-20), filled by a live server.
async fn filled(yahoo: &FakeYahoo) -> Env {
    yahoo.pin("NVDA", NVDA);
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    ok(&call(
        &client,
        "get_stock_chart_data",
        json!({"symbol": "RELIANCE", "start_date": "2023-06-01", "end_date": "2024-03-28"}),
    )
    .await);
    ok(&call(&client, "get_stock_chart_data", json!({"symbol": "NVDA", "exchange": "US", "start_date": "2021-02-01", "end_date": "2022-01-28"})).await);
    client.cancel().await.unwrap();
    env
}

fn replay(env: &Env, at: &str) -> Env {
    let mut r = Env::new(&env.yahoo_url);
    r.set("TRADING_MCP_DB", &env.db().arg());
    r.vars.retain(|(k, _)| k != "TRADING_MCP_NOW");
    r.set("TRADING_MCP_AS_OF", at);
    r
}

async fn cli(env: &Env, tool: &str, args: Value) -> Value {
    let (code, out, err) = env.cli_call(tool, &args).await;
    assert_eq!(code, 0, "{tool}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn last_date(out: &Value) -> String {
    rows(out).last().unwrap()["t"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn replay_shows_only_what_was_known_at_the_instant() {
    let yahoo = FakeYahoo::start().await;
    let env = filled(&yahoo).await;
    let calls = yahoo.count();
    let range = json!({"symbol": "RELIANCE", "start_date": "2024-02-01", "end_date": "2024-03-28"});

    // 11:00 IST on Friday 2024-03-01: that day's session is in progress.
    let during = replay(&env, "2024-03-01T11:00:00+05:30");
    let out = cli(&during, "get_stock_chart_data", range.clone()).await;
    assert_eq!(
        last_date(&out),
        "2024-02-29",
        "the session in progress is not final"
    );
    assert!(
        out["message"]
            .as_str()
            .unwrap()
            .contains("replay as of 2024-03-01T11:00:00+05:30")
    );
    // After the close the day's bar is final.
    let after = replay(&env, "2024-03-01T16:00:00+05:30");
    assert_eq!(
        last_date(&cli(&after, "get_stock_chart_data", range.clone()).await),
        "2024-03-01"
    );

    // A quote is the instant's too: the last final close, not the stored
    // meta's later price.
    let quote = cli(&after, "get_quote", json!({"symbol": "RELIANCE"})).await;
    let d = shared_data::yahoo_daily("RELIANCE.NS").unwrap();
    let i = d.dates.iter().position(|t| t == "2024-03-01").unwrap();
    assert_eq!(
        quote["quotes"][0]["price"].as_f64().unwrap(),
        quoted(d.close[i])
    );
    assert_eq!(
        quote["quotes"][0]["previous_close"].as_f64().unwrap(),
        quoted(d.close[i - 1])
    );
    assert_eq!(quote["quotes"][0]["session_date"], "2024-03-01");

    // The market status is the instant's.
    let status = cli(&during, "get_market_status", json!({})).await;
    assert_eq!(status["at"], "2024-03-01T11:00:00+05:30");
    assert_eq!(status["phase"], "open");

    // Indicators compute from what was known: the last row is 02-29 and
    // equals the live value on that day.
    let sma = json!({"symbol": "RELIANCE", "indicator": "SMA", "params": {"timeperiod": 20}, "start_date": "2024-02-01", "end_date": "2024-03-28", "max_points": 1000});
    let replayed = cli(&during, "calculate_technical_indicator", sma.clone()).await;
    let live = cli(&env, "calculate_technical_indicator", sma).await;
    let last = replayed["series"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["t"], "2024-02-29");
    let same_day = live["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["t"] == "2024-02-29")
        .unwrap();
    assert_eq!(last["sma"], same_day["sma"]);

    // Deterministic: another process, the same bytes.
    let again = cli(&during, "get_stock_chart_data", range).await;
    assert_eq!(again, out);
    assert_eq!(yahoo.count(), calls, "replay reads the store only");
}

#[tokio::test]
async fn a_split_after_the_instant_is_undone() {
    let yahoo = FakeYahoo::start().await;
    let env = filled(&yahoo).await;
    let args = json!({"symbol": "NVDA", "exchange": "US", "start_date": "2021-06-01", "end_date": "2021-06-30"});
    let live = cli(&env, "get_stock_chart_data", args.clone()).await;
    let replayed = cli(
        &replay(&env, "2021-07-01T00:00:00Z"),
        "get_stock_chart_data",
        args,
    )
    .await;
    let (a, b) = (&rows(&live), &rows(&replayed));
    assert_eq!(a.len(), b.len());
    assert!(!a.is_empty());
    for (l, r) in a.iter().zip(b) {
        assert_eq!(l["t"], r["t"]);
        let ratio = r["c"].as_f64().unwrap() / l["c"].as_f64().unwrap();
        assert!((ratio - 4.0).abs() < 1e-12, "{l} / {r}");
        let volume = (l["v"].as_f64().unwrap() / 4.0).round();
        assert_eq!(r["v"].as_f64().unwrap(), volume);
    }
    let message = replayed["message"].as_str().unwrap();
    assert!(
        message.contains("4:1 split on 2021-07-20 after the replay instant is undone"),
        "{message}"
    );

    // After the split, as of a later instant, nothing changes.
    let later = json!({"symbol": "NVDA", "exchange": "US", "start_date": "2021-08-02", "end_date": "2021-08-31"});
    let live = cli(&env, "get_stock_chart_data", later.clone()).await;
    let replayed = cli(
        &replay(&env, "2021-09-01T00:00:00Z"),
        "get_stock_chart_data",
        later,
    )
    .await;
    assert_eq!(live["bars"], replayed["bars"]);
}

#[tokio::test]
async fn adjust_none_undoes_splits_and_all_applies_dividends_too() {
    let yahoo = FakeYahoo::start().await;
    let env = filled(&yahoo).await;
    let args = |adjust: &str| json!({"symbol": "NVDA", "exchange": "US", "start_date": "2021-07-15", "end_date": "2021-07-23", "adjust": adjust});
    let yahoo_basis = cli(&env, "get_stock_chart_data", args("splits")).await;
    let none = cli(&env, "get_stock_chart_data", args("none")).await;
    let all = cli(&env, "get_stock_chart_data", args("ALL")).await;
    for ((y, n), a) in rows(&yahoo_basis).iter().zip(&rows(&none)).zip(&rows(&all)) {
        let t = y["t"].as_str().unwrap();
        let k = if t < "2021-07-20" { 4.0 } else { 1.0 };
        assert!(
            (n["c"].as_f64().unwrap() - k * y["c"].as_f64().unwrap()).abs() < 1e-9,
            "{t}"
        );
        assert_eq!(a["c"], y["adj_close"], "{t}");
    }
    assert!(none["message"].as_str().unwrap().contains("(adjust: none)"));
    let e = tool_error_of(&env, args("raw")).await;
    assert!(e.contains("none, splits, all"), "{e}");
}

async fn tool_error_of(env: &Env, args: Value) -> String {
    let (code, _out, err) = env.cli_call("get_stock_chart_data", &args).await;
    assert_eq!(code, 1);
    err
}

#[tokio::test]
async fn now_and_as_of_together_are_refused() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_AS_OF", "2024-03-01T11:00:00+05:30");
    let (code, _, err) = env.cli_call("list_indicators", &json!({})).await;
    assert_ne!(code, 0);
    assert!(err.contains("give --now or --as-of, not both"), "{err}");
    env.set("TRADING_MCP_AS_OF", "yesterday");
    env.vars.retain(|(k, _)| k != "TRADING_MCP_NOW");
    let (code, _, err) = env.cli_call("list_indicators", &json!({})).await;
    assert_ne!(code, 0);
    assert!(err.contains("as_of \"yesterday\""), "{err}");
}
