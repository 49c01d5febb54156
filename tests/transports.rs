//! The other ways in: streamable HTTP, the `call` subcommand, intraday bars.

mod shared_data;
mod support;

use std::process::Stdio;

use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::json;
use support::*;

const CHART: &str = "get_stock_chart_data";

#[tokio::test]
async fn streamable_http_serves_tools_and_shuts_down_on_sigterm() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let (mut child, url) = env.http_server(&[]).await;
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{url}"
    );

    let client = ().serve(StreamableHttpClientTransport::from_uri(url.clone())).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    let chart = tools
        .iter()
        .find(|t| t.name == CHART)
        .expect("chart tool listed");
    assert!(chart.output_schema.is_some());
    let props = chart.input_schema.get("properties").unwrap();
    for p in ["symbol", "start_date", "end_date", "interval", "max_points"] {
        assert!(props.get(p).is_some(), "input schema lacks {p}");
    }

    let args = json!({"symbol": "RELIANCE", "start_date": "2024-03-01", "end_date": "2024-03-28"});
    let first = call(&client, CHART, args.clone()).await;
    assert_eq!(source(&first), "upstream");
    // Concurrent clients over HTTP share the server's cache.
    let other = ().serve(StreamableHttpClientTransport::from_uri(url)).await.unwrap();
    let second = call(&other, CHART, args).await;
    assert_eq!(source(&second), "memory");
    assert_eq!(bars(&first), bars(&second));
    assert_eq!(yahoo.count(), 1);
    let err = tool_error(
        &call(
            &other,
            CHART,
            json!({"symbol": "RELIANCE", "interval": "3m"}),
        )
        .await,
    );
    assert!(err.contains("unknown interval"), "{err}");

    // SIGTERM: a clean exit.
    let pid = child.id().unwrap() as i32;
    // SAFETY: sending a signal to our own child process.
    unsafe { libc_kill(pid, 15) };
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[tokio::test]
async fn call_subcommand_prints_the_structured_result_and_fails_on_tool_errors() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let (code, stdout, stderr) = env
        .cli_call(
            CHART,
            &json!({"symbol": "INFY", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
        )
        .await;
    assert_eq!(code, 0, "{stderr}");
    let out: serde_json::Value = serde_json::from_str(&stdout).expect("pretty JSON on stdout");
    assert_eq!(out["yahoo_symbol"], "INFY.NS");
    assert_eq!(out["freshness"]["source"], "upstream");
    assert!(
        stdout.contains("\n  \"bars\": {\n"),
        "pretty-printed: {stdout:.300}"
    );

    // Same DB, second process: from the store.
    let (code, stdout, _) = env
        .cli_call(
            CHART,
            &json!({"symbol": "INFY", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
        )
        .await;
    assert_eq!(code, 0);
    assert!(stdout.contains("\"source\": \"store\""));
    assert_eq!(yahoo.count(), 1);

    let (code, stdout, stderr) = env
        .cli_call(CHART, &json!({"symbol": "INFY", "max_points": 0}))
        .await;
    assert_ne!(code, 0);
    assert!(stdout.is_empty());
    assert!(stderr.contains("max_points 0 is out of range"), "{stderr}");
}

#[tokio::test]
async fn stdio_server_exits_when_stdin_closes() {
    let env = Env::new("http://127.0.0.1:9");
    let mut child = env
        .command(&["serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdin.take());
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("exits on stdin EOF")
        .unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn intraday_bars_are_local_rfc3339_and_daily_keys_are_dates() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    // 2025-09-12 evening IST: the 5m data of that week is within Yahoo's 60 days.
    env.set("TRADING_MCP_NOW", "2025-09-12T20:00:00+05:30");
    let client = env.stdio_client().await;
    let r = call(&client, CHART, json!({"symbol": "RELIANCE", "interval": "5m", "start_date": "2025-09-11", "end_date": "2025-09-12"})).await;
    let b = bars(&r);
    assert_eq!(b.len(), 150, "two full sessions of 75 five-minute bars");
    assert_eq!(b[0]["t"], "2025-09-11T09:15:00+05:30");
    assert_eq!(b[75]["t"], "2025-09-12T09:15:00+05:30");
    assert_eq!(b[149]["t"], "2025-09-12T15:25:00+05:30");
    // 1m ranges longer than Yahoo's 7-day window are split; older than 30 days refused.
    let err = tool_error(
        &call(
            &client,
            CHART,
            json!({"symbol": "RELIANCE", "interval": "1m", "start_date": "2025-07-01"}),
        )
        .await,
    );
    assert!(
        err.contains("last 30 days") && err.contains("start_date 2025-08-"),
        "{err}"
    );
    let before = yahoo.count();
    ok(&call(&client, CHART, json!({"symbol": "RELIANCE", "interval": "1m", "start_date": "2025-08-20", "end_date": "2025-09-12"})).await);
    let windows: Vec<_> = yahoo.seen()[before..].to_vec();
    assert_eq!(windows.len(), 4, "24 days in 7-day windows: {windows:?}");
    assert!(
        windows
            .iter()
            .all(|w| w.interval == "1m" && w.period2 - w.period1 <= 7 * 86_400)
    );
    client.cancel().await.unwrap();
}
