//! `get_market_status` through the real binary, with the clock set by
//! `TRADING_MCP_NOW`: holidays by name, the next open and close in the
//! exchange's own time, lenient and wrong exchanges, and no upstream call.

mod shared_data;
mod support;

use serde_json::{Value, json};
use support::*;

async fn status_at(now: &str, args: Value) -> (Client, Value, FakeYahoo) {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_NOW", now);
    let client = env.stdio_client().await;
    let result = call(&client, "get_market_status", args).await;
    let out = Value::Object(ok(&result).clone());
    (client, out, yahoo)
}

#[tokio::test]
async fn a_holiday_is_closed_by_name_and_the_next_open_skips_the_weekend() {
    // Friday 2025-03-14 10:30 IST is Holi.
    let (_client, out, yahoo) = status_at("2025-03-14T05:00:00Z", json!({})).await;
    assert_eq!(out["exchange"], "NSE");
    assert_eq!(out["calendar"], "NSE/BSE");
    assert_eq!(out["timezone"], "Asia/Kolkata");
    assert_eq!(out["phase"], "closed", "{out}");
    assert_eq!(out["reason"], "holiday");
    assert_eq!(out["holiday"], "Holi");
    assert_eq!(out["next_open"], "2025-03-17T09:15:00+05:30");
    assert_eq!(out["next_close"], "2025-03-17T15:30:00+05:30");
    assert_eq!(yahoo.count(), 0, "the calendar needs no upstream");
}

#[tokio::test]
async fn an_open_session_reports_its_close_and_the_us_calendar_its_own_time() {
    // Thursday 2025-03-13 10:30 IST: NSE trades; New York is at 01:00
    // (daylight time since 9 March), before its open.
    let (client, nse, _yahoo) = status_at("2025-03-13T05:00:00Z", json!({"exchange": "NSE"})).await;
    assert_eq!(nse["phase"], "open", "{nse}");
    assert_eq!(nse["next_close"], "2025-03-13T15:30:00+05:30");
    assert_eq!(nse["valid_until"], "2025-03-13T15:30:00+05:30");

    let us = call(&client, "get_market_status", json!({"exchange": " nyse "})).await;
    let us = ok(&us);
    assert_eq!(us["exchange"], "US");
    assert_eq!(us["phase"], "closed", "{us:?}");
    assert_eq!(us["reason"], "before_open");
    assert_eq!(us["next_open"], "2025-03-13T09:30:00-04:00");
    assert!(
        text(&call(&client, "get_market_status", json!({"exchange": "bse"})).await)
            .starts_with("BSE at 2025-03-13T10:30:00+05:30: open")
    );
}

#[tokio::test]
async fn an_unknown_exchange_is_a_tool_error_naming_the_choices() {
    let yahoo = FakeYahoo::start().await;
    let client = Env::new(&yahoo.url()).stdio_client().await;
    let err = tool_error(&call(&client, "get_market_status", json!({"exchange": "LSE"})).await);
    assert!(err.contains("LSE") && err.contains("NSE, BSE, US"), "{err}");
    // The server keeps serving.
    ok(&call(&client, "get_market_status", json!({})).await);
}
