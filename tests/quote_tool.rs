//! `get_quote` through the real binary and the fake Yahoo, at 12:00 IST on
//! Monday 2024-04-01 (the shared data ends on Thursday 2024-03-28; Friday was
//! Good Friday): the last price, the previous session's close, the change,
//! the day's range, the 52-week range, the market phase; batches with a bad
//! symbol among good ones; limits checked before any fetch.

mod shared_data;
mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn a_quote_matches_the_shared_csv() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let result = call(&client, "get_quote", json!({"symbol": "TCS"})).await;
    let out = ok(&result);
    let q = &out["quotes"][0];
    let d = shared_data::yahoo_daily("TCS.NS").unwrap();
    let at = |date: &str| d.dates.iter().position(|t| t == date).unwrap();
    let (last, prev) = (at("2024-03-28"), at("2024-03-27"));
    assert_eq!(q["price"].as_f64().unwrap(), quoted(d.close[last]));
    assert_eq!(q["previous_close"].as_f64().unwrap(), quoted(d.close[prev]));
    let change = quoted(d.close[last]) - quoted(d.close[prev]);
    assert!((q["change"].as_f64().unwrap() - change).abs() < 1e-9);
    assert!(
        (q["change_pct"].as_f64().unwrap() - change / quoted(d.close[prev]) * 100.0).abs() < 1e-9
    );
    assert_eq!(q["session_date"], "2024-03-28");
    assert_eq!(q["open"].as_f64().unwrap(), quoted(d.open[last]));
    assert_eq!(q["high"].as_f64().unwrap(), quoted(d.high[last]));
    assert_eq!(q["volume"].as_f64().unwrap(), d.volume[last]);
    let year: Vec<usize> = (0..d.dates.len())
        .filter(|&i| d.dates[i].as_str() >= "2023-04-02" && d.dates[i].as_str() <= "2024-03-28")
        .collect();
    let high = year.iter().map(|&i| d.high[i]).fold(f64::MIN, f64::max);
    let low = year.iter().map(|&i| d.low[i]).fold(f64::MAX, f64::min);
    assert_eq!(q["week52_high"].as_f64().unwrap(), quoted(high));
    assert_eq!(q["week52_low"].as_f64().unwrap(), quoted(low));
    assert_eq!(q["market_phase"], "open");
    assert_eq!(q["market_open"], true);
    assert_eq!(q["last_trade_time"], "2024-03-28T15:29:59+05:30");
    assert!(
        text(&result).starts_with("TCS (TCS.NS) INR"),
        "{}",
        text(&result)
    );
}

#[tokio::test]
async fn a_batch_quotes_the_good_symbols_and_reports_the_bad_ones() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let result = call(
        &client,
        "get_quote",
        json!({"symbols": ["TCS", "INFY", "NO PE!", "NOSUCHSTOCK"]}),
    )
    .await;
    let out = ok(&result);
    let quoted: Vec<&str> = out["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(quoted, ["TCS", "INFY"]);
    let errors = out["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0]["error"].as_str().unwrap().contains("' '"),
        "{errors:?}"
    );
    assert!(
        errors[1]["error"]
            .as_str()
            .unwrap()
            .contains("NOSUCHSTOCK.NS"),
        "{errors:?}"
    );

    // Limits and shapes, before any fetch.
    let calls = yahoo.count();
    let many: Vec<String> = (0..51).map(|i| format!("S{i}")).collect();
    for (args, expected) in [
        (json!({"symbols": many}), "give 1 to 50"),
        (json!({}), "name a symbol"),
        (json!({"symbol": "TCS", "symbols": ["INFY"]}), "not both"),
        (json!({"symbol": "TCS", "exchange": "LSE"}), "NSE, BSE, US"),
        (json!({"symbol": "NO PE!"}), "' '"),
    ] {
        let e = tool_error(&call(&client, "get_quote", args.clone()).await);
        assert!(e.contains(expected), "{args}: {e}");
    }
    assert_eq!(yahoo.count(), calls);
}

#[tokio::test]
async fn while_the_market_is_open_a_quote_is_at_most_the_quote_ttl_old() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    // Thursday 2024-03-28, 11:00 IST: NSE is open.
    env.set("TRADING_MCP_NOW", "2024-03-28T11:00:00+05:30");
    env.set("TRADING_MCP_QUOTE_TTL_SECS", "3");
    let client = env.stdio_client().await;
    ok(&call(&client, "get_quote", json!({"symbol": "TCS"})).await);
    let calls = yahoo.count();
    // Within the quote TTL: the same answer, no upstream call.
    let again = call(&client, "get_quote", json!({"symbol": "TCS"})).await;
    assert_eq!(ok(&again)["quotes"][0]["market_open"], true);
    assert_eq!(yahoo.count(), calls);
    // Past it: the price is fetched again (the bars' live TTL is 60 s).
    tokio::time::sleep(std::time::Duration::from_millis(3_500)).await;
    let later = call(&client, "get_quote", json!({"symbol": "TCS"})).await;
    assert_eq!(ok(&later)["quotes"][0]["freshness"]["source"], "upstream");
    assert_eq!(yahoo.count(), calls + 1);
    // Chart data of the same symbol keeps the live TTL.
    ok(&call(
        &client,
        "get_stock_chart_data",
        json!({"symbol": "TCS", "max_points": 3}),
    )
    .await);
    assert_eq!(yahoo.count(), calls + 1);
}
