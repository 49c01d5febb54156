//! Every argument check happens before any upstream call or store write,
//! black-box: a fresh server and store, bad calls, then the fake's request
//! count and every table's row count are still zero.

mod shared_data;
mod support;

use serde_json::{Value, json};
use support::*;

const CHART: &str = "get_stock_chart_data";
const IND: &str = "calculate_technical_indicator";
const PAT: &str = "detect_candlestick_patterns";

/// Rows in every table the server writes.
async fn all_rows(env: &Env) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM instruments",
        "SELECT COUNT(*) FROM bars",
        "SELECT COUNT(*) FROM coverage",
        "SELECT COUNT(*) FROM corporate_actions",
        "SELECT COUNT(*) FROM upstream_calls",
        "SELECT COUNT(*) FROM breaker_transitions",
    ] {
        out.push(db_scalar(&env.db(), sql).await);
    }
    out
}

/// Runs each (tool, arguments, error fragment) on its own fresh server and
/// store (so that one case's fetch cannot hide the next one's), checking
/// that nothing was fetched or written; reports every failing case.
async fn refused_before_any_fetch(cases: &[(&str, Value, &str)]) {
    let mut failures = Vec::new();
    for (tool, args, fragment) in cases {
        let yahoo = FakeYahoo::start().await;
        let env = Env::new(&yahoo.url());
        let client = env.stdio_client().await;
        let msg = tool_error(&call(&client, tool, args.clone()).await);
        if !msg.contains(fragment) {
            failures.push(format!(
                "{tool} {args}: {msg:?} should contain {fragment:?}"
            ));
        }
        if yahoo.count() != 0 {
            failures.push(format!("{tool} {args}: fetched before refusing"));
        }
        let rows = all_rows(&env).await;
        if rows != [0; 6] {
            failures.push(format!(
                "{tool} {args}: wrote before refusing ({rows:?} rows)"
            ));
        }
        client.cancel().await.unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn ind(extra: Value) -> Value {
    let mut args = json!({"symbol": "TCS", "start_date": "2023-01-01", "end_date": "2024-03-28"});
    args.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    args
}

#[tokio::test]
async fn single_argument_checks_happen_before_any_fetch() {
    let twenty_one: Vec<Value> = (0..21).map(|_| json!({"name": "SMA"})).collect();
    refused_before_any_fetch(&[
        (IND, ind(json!({"indicator": "RSII"})), "unknown indicator 'RSII'"),
        (IND, ind(json!({"indicator": "RSI", "params": {"timeperiod": 0}})), "must be in 2..=100000"),
        (IND, ind(json!({"indicator": "RSI", "params": {"timeperiod": 14.5}})), "timeperiod"),
        (IND, ind(json!({"indicator": "RSI", "params": {"period": 14}})), "valid parameters: timeperiod"),
        (IND, ind(json!({"indicator": "RSI", "params": {"timeperiod": "fourteen"}})), "must be a number"),
        (IND, ind(json!({"indicator": "RSI", "params": {"timeperiod": [14]}})), "must be a number"),
        (IND, ind(json!({"indicator": "BBANDS", "params": {"matype": 9}})), "matype"),
        (IND, ind(json!({"indicator": "SAR", "params": {"acceleration": -1}})), "acceleration"),
        (IND, ind(json!({})), "name an indicator"),
        (IND, ind(json!({"indicator": "RSI", "indicators": [{"name": "SMA"}]})), "not both"),
        (IND, ind(json!({"indicators": []})), "must list 1 to 20"),
        (IND, ind(json!({"indicators": twenty_one})), "must list 1 to 20"),
        (IND, ind(json!({"indicators": [{"name": "SMA"}], "params": {"timeperiod": 5}})), "inside each item"),
        (IND, ind(json!({"indicators": [{"name": "SMA"}, {"name": "NOPE"}]})), "unknown indicator 'NOPE'"),
        (IND, ind(json!({"indicator": "RSI", "max_points": 0})), "max_points 0 is out of range"),
        (IND, ind(json!({"indicator": "RSI", "symbol": "TCS;"})), "symbol contains ';'"),
        (IND, ind(json!({"indicator": "RSI", "interval": "2h"})), "unknown interval"),
        (IND, ind(json!({"indicator": "RSI", "exchange": "LSE"})), "unknown exchange"),
        (IND, ind(json!({"indicator": "RSI", "start_date": "01/02/2024"})), "write YYYY-MM-DD"),
        (IND, ind(json!({"indicator": "RSI", "start_date": "2030-01-01", "end_date": "2030-02-01"})), "more than a year in the future"),
        (IND, ind(json!({"indicator": "RSI", "start_date": "1960-01-01"})), "before 1970-01-01"),
        (IND, ind(json!({"indicator": "RSI", "interval": "1m", "start_date": "2024-01-01", "end_date": "2024-03-28"})), "keeps 1m bars for the last 30 days"),
        (PAT, json!({"symbol": "TCS", "patterns": ["CDLNOPE"]}), "unknown candlestick pattern"),
        (PAT, json!({"symbol": "TCS", "patterns": []}), "`patterns` is empty"),
        (PAT, json!({"symbol": "", "patterns": ["doji"]}), "symbol is empty"),
        (PAT, json!({"symbol": "TCS", "interval": "7d"}), "unknown interval"),
        (PAT, json!({"symbol": "TCS", "end_date": "tomorrow"}), "write YYYY-MM-DD"),
        (CHART, json!({"symbol": "TCS", "start_date": "2024-03-01", "end_date": "2024-01-01"}), "start_date is after end_date"),
        (CHART, json!({"symbol": "TCS", "start_date": "2024-04-05"}), "start_date is after end_date (2024-04-05 > 2024-04-01)"),
        (CHART, json!({"symbol": "TCS", "max_points": -1}), "max_points -1 is out of range"),
        (CHART, json!({"symbol": "TCS", "interval": "1m", "start_date": "2024-01-01"}), "keeps 1m bars"),
    ])
    .await;
}

/// Checks that involve two arguments, or the range against the warm-up:
/// today `calculate_technical_indicator` fetches (and stores) the bars
/// first and only then refuses, and so does `detect_candlestick_patterns`
/// for a reversed range widened by its warm-up.
#[tokio::test]

async fn cross_parameter_checks_happen_before_any_fetch() {
    refused_before_any_fetch(&[
        (IND, ind(json!({"indicator": "MACD", "params": {"fastperiod": 26, "slowperiod": 12}})), "fastperiod must be below slowperiod"),
        (IND, ind(json!({"indicator": "MACD", "params": {"fastperiod": 12, "slowperiod": 12}})), "fastperiod must be below slowperiod"),
        (IND, ind(json!({"indicator": "APO", "params": {"fastperiod": 30, "slowperiod": 10}})), "fastperiod must be below slowperiod"),
        (IND, ind(json!({"indicator": "PPO", "params": {"fastperiod": 30, "slowperiod": 10}})), "fastperiod must be below slowperiod"),
        (IND, ind(json!({"indicators": [{"name": "RSI"}, {"name": "MACD", "params": {"fastperiod": 26, "slowperiod": 12}}]})), "fastperiod must be below slowperiod"),
        (IND, ind(json!({"indicator": "RSI", "start_date": "2024-03-10", "end_date": "2024-03-01"})), "start_date is after end_date"),
        (IND, ind(json!({"indicator": "RSI", "start_date": "2024-04-05", "end_date": null})), "start_date is after end_date (2024-04-05 > 2024-04-01)"),
        (PAT, json!({"symbol": "TCS", "start_date": "2024-03-10", "end_date": "2024-03-01"}), "start_date is after end_date"),
    ])
    .await;
}
