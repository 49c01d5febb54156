//! `--max-in-flight`: beyond the cap the HTTP server answers 503 with
//! `Retry-After` at once instead of queueing, and serves again once the
//! requests in flight finish.

mod shared_data;
mod support;

use std::time::Duration;

use serde_json::json;
use support::*;

async fn post_call(url: &str, id: u64, symbol: &str) -> reqwest::Response {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
        "name": "get_stock_chart_data",
        "arguments": {"symbol": symbol, "start_date": "2024-01-01", "end_date": "2024-03-28"}
    }});
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn requests_beyond_the_cap_get_503_with_retry_after_and_the_server_recovers() {
    let yahoo = FakeYahoo::start().await;
    yahoo.queue("TCS.NS", [Fault::Hang(Duration::from_millis(1500))]);
    let env = Env::new(&yahoo.url());
    let (_server, url) = env.http_server(&[("TRADING_MCP_MAX_IN_FLIGHT", "1")]).await;

    // A cold call that waits on the hung upstream holds the one permit.
    let slow = tokio::spawn({
        let url = url.clone();
        async move { post_call(&url, 1, "TCS").await }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while yahoo.count() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the slow call never reached the upstream"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let refused = post_call(&url, 2, "INFY").await;
    assert_eq!(refused.status().as_u16(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert!(refused.text().await.unwrap().contains("--max-in-flight"));
    assert_eq!(yahoo.count(), 1, "the refused call fetched nothing");

    let slow = slow.await.unwrap();
    assert_eq!(slow.status().as_u16(), 200);
    assert!(slow.text().await.unwrap().contains("\"bars\""));
    let again = post_call(&url, 3, "INFY").await;
    assert_eq!(
        again.status().as_u16(),
        200,
        "served again once the permit is back"
    );
    assert!(again.text().await.unwrap().contains("INFY.NS"));
}
