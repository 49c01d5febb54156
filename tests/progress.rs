//! `notifications/progress` for a cold fetch split into several upstream
//! windows (1m bars come in Yahoo's 7-day windows), over stdio and over
//! HTTP, under the client's token (rmcp's client sends one with every
//! request), in order and before the result; none when nothing is fetched.

mod shared_data;
mod support;

use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, ProgressNotificationParam};
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};
use support::notifications::{Recorder, stdio_recorder};
use support::*;

/// Three weeks of RELIANCE 1m bars ending on the last shared session: three
/// 7-day windows.
fn three_weeks() -> Value {
    json!({"symbol": "RELIANCE", "interval": "1m", "start_date": "2025-11-15", "end_date": "2025-12-05", "max_points": 10})
}

fn env_in_december(yahoo: &FakeYahoo) -> Env {
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_NOW", "2025-12-06T12:00:00+05:30");
    env
}

fn request(args: Value) -> CallToolRequestParams {
    let Value::Object(map) = args else { panic!() };
    CallToolRequestParams::new("get_stock_chart_data").with_arguments(map)
}

fn check_reports(seen: &[ProgressNotificationParam]) {
    assert_eq!(seen.len(), 3, "one report per stored window: {seen:?}");
    for (i, p) in seen.iter().enumerate() {
        assert_eq!(
            p.progress_token, seen[0].progress_token,
            "one call, one token"
        );
        assert_eq!(p.progress, (i + 1) as f64);
        assert_eq!(p.total, Some(3.0));
        let message = p.message.as_deref().unwrap_or("");
        assert!(
            message.starts_with(&format!("RELIANCE.NS 1m: stored window {} of 3", i + 1)),
            "{message}"
        );
    }
}

#[tokio::test]
async fn a_multi_window_cold_fetch_reports_each_window_over_stdio() {
    let yahoo = FakeYahoo::start().await;
    let env = env_in_december(&yahoo);
    let (client, recorder) = stdio_recorder(&env).await;
    let result = client.call_tool(request(three_weeks())).await.unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert_eq!(yahoo.count(), 3, "three 7-day windows");
    // Every report was sent before the result.
    check_reports(&recorder.progress.lock().unwrap());

    // Warm: nothing to fetch, nothing to report.
    recorder.progress.lock().unwrap().clear();
    client.call_tool(request(three_weeks())).await.unwrap();
    assert!(recorder.progress.lock().unwrap().is_empty());
}

#[tokio::test]
async fn progress_goes_out_over_http_too() {
    let yahoo = FakeYahoo::start().await;
    let env = env_in_december(&yahoo);
    let (_server, url) = env.http_server(&[]).await;
    let recorder = Recorder::default();
    let client = recorder
        .clone()
        .serve(StreamableHttpClientTransport::from_uri(url))
        .await
        .unwrap();
    let result = client.call_tool(request(three_weeks())).await.unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    check_reports(&recorder.progress.lock().unwrap());
}

#[tokio::test]
async fn a_screen_reports_each_symbol_read() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let (client, recorder) = stdio_recorder(&env).await;
    let Value::Object(args) = json!({"universe": ["TCS", "INFY", "WIPRO"], "conditions": "close > sma(50)", "as_of": "2024-03-28"})
    else {
        panic!()
    };
    let result = client
        .call_tool(CallToolRequestParams::new("screen_stocks").with_arguments(args))
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let seen = recorder.progress.lock().unwrap();
    assert_eq!(seen.len(), 3, "{seen:?}");
    for (i, p) in seen.iter().enumerate() {
        assert_eq!(p.progress, (i + 1) as f64);
        assert_eq!(p.total, Some(3.0));
        assert!(
            p.message
                .as_deref()
                .unwrap()
                .ends_with(&format!("({} of 3)", i + 1))
        );
    }
}
