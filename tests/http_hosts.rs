//! `--allowed-hosts` and `--allowed-origins` reach rmcp's Host and Origin
//! checks, and the fast path refuses exactly what rmcp refuses.

mod shared_data;
mod support;

use serde_json::json;
use support::*;

/// The status, and whether the fast path answered.
async fn post(url: &str, headers: &[(&str, &str)]) -> (u16, bool) {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "list_indicators", "arguments": {}
    }});
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.body(body.to_string()).send().await.unwrap();
    let fast = resp.headers().get("x-trading-mcp-path").is_some();
    (resp.status().as_u16(), fast)
}

#[tokio::test]
async fn hosts_and_origins_are_checked_on_both_paths() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    for fast in [true, false] {
        let (_server, url) = env
            .http_server(&[
                ("TRADING_MCP_ALLOWED_HOSTS", "mcp.example.com"),
                ("TRADING_MCP_ALLOWED_ORIGINS", "https://app.example.com:443"),
                (
                    "TRADING_MCP_HTTP_FAST_PATH",
                    if fast { "true" } else { "false" },
                ),
            ])
            .await;
        // The loopback address is no longer an allowed host.
        assert_eq!(post(&url, &[]).await, (403, false), "fast={fast}");
        let host = [("host", "mcp.example.com")];
        assert_eq!(post(&url, &host).await, (200, fast), "fast={fast}");
        // With an Origin to check, the fast path leaves the call to rmcp.
        let good = [
            ("host", "mcp.example.com"),
            ("origin", "https://app.example.com"),
        ];
        assert_eq!(post(&url, &good).await, (200, false), "fast={fast}");
        let evil = [
            ("host", "mcp.example.com"),
            ("origin", "https://evil.example"),
        ];
        assert_eq!(post(&url, &evil).await, (403, false), "fast={fast}");
    }
}
