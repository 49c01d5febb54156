//! The typed tool layer's contract, black-box: every tool lists an input and
//! an output schema, every structured result validates against its own
//! `outputSchema`, and errors keep their split over stdio, HTTP and `call`:
//! a wrong shape is a protocol error naming the field; a value outside the
//! choices is a tool error naming the choices.

mod shared_data;
mod support;

use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};
use support::*;

/// A successful call of every tool.
fn calls() -> Vec<(&'static str, Value)> {
    let range = json!({"symbol": "TCS", "start_date": "2023-06-01", "end_date": "2024-03-28"});
    let with = |k: &str, v: Value| {
        let mut a = range.clone();
        a[k] = v;
        a
    };
    vec![
        ("get_stock_chart_data", range.clone()),
        ("get_stock_chart_data", with("max_points", json!(10))),
        (
            "calculate_technical_indicator",
            with("indicator", json!("RSI")),
        ),
        (
            "calculate_technical_indicator",
            with(
                "indicators",
                json!([{"name": "MACD"}, {"name": "SUPERTREND"}, {"name": "OBV"}]),
            ),
        ),
        ("detect_candlestick_patterns", range.clone()),
        (
            "get_stock_chart_image",
            with("overlays", json!(["bbands(20)", "supertrend"])),
        ),
        ("list_indicators", json!({})),
        ("get_quote", json!({"symbols": ["TCS", "INFY"]})),
        (
            "calculate_technical_indicator",
            with("expression", json!("sma(close, 20) - sma(close, 50)")),
        ),
        (
            "screen_stocks",
            json!({"universe": ["TCS", "INFY"], "conditions": "close > sma(50)", "as_of": "2024-03-28"}),
        ),
        (
            "compare_symbols",
            json!({"symbols": ["TCS", "INFY"], "benchmark": "WIPRO", "start_date": "2023-06-01", "end_date": "2024-03-28", "include_series": true}),
        ),
        // The feeds answer 404 here: a stale answer that says so.
        (
            "get_market_news",
            json!({"symbol": "TCS", "query": "results"}),
        ),
        ("get_market_status", json!({"exchange": "US"})),
        (
            "query_market_db",
            json!({"sql": "SELECT symbol, COUNT(*) AS n, MAX(close) FROM bars GROUP BY symbol"}),
        ),
        ("search_symbols", json!({"query": "tata"})),
        ("server_stats", json!({})),
    ]
}

#[tokio::test]
async fn every_structured_result_validates_against_its_output_schema() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.len() >= 5);
    for tool in &tools {
        assert!(
            tool.output_schema.is_some(),
            "{} has an outputSchema",
            tool.name
        );
        assert!(tool.description.as_deref().is_some_and(|d| d.len() > 40));
    }
    for (name, args) in calls() {
        let tool = tools.iter().find(|t| t.name == name).unwrap();
        let schema = Value::Object((*tool.output_schema.clone().unwrap()).clone());
        let validator = jsonschema::validator_for(&schema)
            .unwrap_or_else(|e| panic!("{name}: the outputSchema is not a valid schema: {e}"));
        let input = Value::Object((*tool.input_schema).clone());
        let input_validator = jsonschema::validator_for(&input).unwrap();
        assert!(
            input_validator.is_valid(&args),
            "{name}: {args} fits its inputSchema"
        );
        let result = call(&client, name, args.clone()).await;
        let structured = Value::Object(ok(&result).clone());
        let errors: Vec<String> = validator
            .iter_errors(&structured)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name} {args}: {errors:?}");
        // A schema that accepts anything would prove nothing.
        assert!(!validator.is_valid(&json!({"unexpected": true})), "{name}");
    }
    client.cancel().await.unwrap();
}

/// (tool, arguments, expected fragment of the tool error).
fn tool_errors() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        (
            "get_stock_chart_data",
            json!({"symbol": "RELIANCE", "interval": "7m"}),
            "unknown interval \"7m\"; use one of 1m, 5m, 15m, 30m, 1h, 1d, 1wk, 1mo",
        ),
        (
            "get_stock_chart_data",
            json!({"symbol": "RELIANCE", "exchange": "LSE"}),
            "unknown exchange \"LSE\"; use one of NSE, BSE, US",
        ),
        (
            "calculate_technical_indicator",
            json!({"symbol": "RELIANCE", "indicator": "RSX"}),
            "unknown indicator 'RSX'; valid choices: ",
        ),
        (
            "calculate_technical_indicator",
            json!({"symbol": "RELIANCE", "indicator": "RSI", "params": {"timeperiod": 0}}),
            "parameter 'timeperiod' = 0 is invalid",
        ),
        (
            "get_stock_chart_data",
            json!({"symbol": "RELIANCE", "max_points": -5}),
            "max_points -5 is out of range; use 1 to 20000",
        ),
        (
            "detect_candlestick_patterns",
            json!({"symbol": "RELIANCE", "interval": "2h"}),
            "unknown interval \"2h\"",
        ),
    ]
}

/// (tool, arguments, expected fragment of the protocol error).
fn protocol_errors() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        (
            "get_stock_chart_data",
            json!({"symbol": "RELIANCE", "colour": "red"}),
            "unknown field `colour`",
        ),
        (
            "get_stock_chart_data",
            json!({"symbol": "RELIANCE", "interval": 5}),
            "invalid argument `interval`",
        ),
        (
            "calculate_technical_indicator",
            json!({"symbol": "RELIANCE", "indicators": [{"name": "RSI", "period": 3}]}),
            "unknown field `period`",
        ),
        (
            "get_stock_chart_data",
            json!({"symbol": ["RELIANCE"]}),
            "invalid argument `symbol`",
        ),
        (
            "server_stats",
            json!({"verbose": true}),
            "takes no arguments (got `verbose`)",
        ),
        (
            "no_such_tool",
            json!({}),
            "unknown tool \"no_such_tool\"; available: get_stock_chart_data",
        ),
    ]
}

async fn check_split(client: &Client, transport: &str) {
    for (tool, args, expect) in tool_errors() {
        let r = call(client, tool, args.clone()).await;
        let msg = tool_error(&r);
        assert!(
            msg.contains(expect),
            "{transport} {tool} {args}: {msg:?} lacks {expect:?}"
        );
    }
    for (tool, args, expect) in protocol_errors() {
        let err = try_call(client, tool, args.clone())
            .await
            .expect_err("a protocol error");
        let msg = err.to_string();
        assert!(
            msg.contains("-32602"),
            "{transport}: invalid params code: {msg}"
        );
        assert!(
            msg.contains(expect),
            "{transport} {tool} {args}: {msg:?} lacks {expect:?}"
        );
    }
}

#[tokio::test]
async fn errors_keep_their_split_over_stdio_http_and_call() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let stdio = env.stdio_client().await;
    check_split(&stdio, "stdio").await;
    // Leniency: "1D" and "nse" are the choices they spell.
    let lenient = call(
        &stdio,
        "get_stock_chart_data",
        json!({"symbol": "RELIANCE", "interval": "1D", "exchange": " nse ", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
    )
    .await;
    assert_eq!(ok(&lenient)["interval"], "1d");
    assert_eq!(ok(&lenient)["yahoo_symbol"], "RELIANCE.NS");
    stdio.cancel().await.unwrap();

    let (_server, url) = env.http_server(&[]).await;
    let http = ().serve(StreamableHttpClientTransport::from_uri(url)).await.unwrap();
    check_split(&http, "http").await;
    http.cancel().await.unwrap();

    for (tool, args, expect) in tool_errors() {
        let (code, _, err) = env.cli_call(tool, &args).await;
        assert_eq!(code, 1, "call {tool} {args}: a tool error exits 1");
        assert!(err.contains(expect), "call {tool}: {err}");
    }
    for (tool, args, expect) in protocol_errors() {
        let (code, _, err) = env.cli_call(tool, &args).await;
        assert_eq!(code, 2, "call {tool} {args}: a malformed call exits 2");
        assert!(err.contains(expect), "call {tool}: {err}");
    }
    let out = env
        .command(&["call", "get_stock_chart_data", "{not json"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("arguments are not JSON"));
    let out = env
        .command(&["call", "get_stock_chart_data", "[1, 2]"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // None of that reached the upstream.
    assert_eq!(yahoo.count(), 1, "only the lenient call fetched");
}

#[tokio::test]
async fn invalid_parameter_combinations_are_refused_before_any_fetch() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let r = call(
        &client,
        "calculate_technical_indicator",
        json!({"symbol": "TCS", "indicator": "MACD", "params": {"fastperiod": 26, "slowperiod": 12}, "start_date": "2021-01-01"}),
    )
    .await;
    let msg = tool_error(&r);
    assert!(msg.contains("fastperiod"), "{msg}");
    assert_eq!(yahoo.count(), 0, "refused before fetching");
    assert_eq!(
        db_counts(&env.db()).await,
        (0, 0, 0),
        "the store is unchanged"
    );
    client.cancel().await.unwrap();
}
