//! The HTTP fast path answers with exactly the bytes rmcp would send.

mod shared_data;
mod support;

use serde_json::json;
use support::*;

/// (status, body) and whether the fast path answered.
async fn post(
    url: &str,
    headers: &[(&str, &str)],
    body: &serde_json::Value,
) -> ((u16, String), bool) {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.body(body.to_string()).send().await.unwrap();
    let fast = resp.headers().get("x-trading-mcp-path").is_some();
    ((resp.status().as_u16(), resp.text().await.unwrap()), fast)
}

fn call(id: u64, args: serde_json::Value, stateless: bool) -> serde_json::Value {
    let mut params = json!({"name": "get_stock_chart_data", "arguments": args});
    if stateless {
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
            "io.modelcontextprotocol/clientCapabilities": {}
        });
    }
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
}

#[tokio::test]
async fn fast_path_answers_match_rmcp_byte_for_byte() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    // Fill the store once, so both servers start from the same data.
    let (code, _, err) = env
        .cli_call(
            "get_stock_chart_data",
            &json!({"symbol": "RELIANCE", "start_date": "2023-01-01", "end_date": "2024-03-28"}),
        )
        .await;
    assert_eq!(code, 0, "{err}");
    let (_fast, fast_url) = env
        .http_server(&[("TRADING_MCP_HTTP_FAST_PATH", "true")])
        .await;
    let (_slow, slow_url) = env
        .http_server(&[("TRADING_MCP_HTTP_FAST_PATH", "false")])
        .await;

    let stateless_headers = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "get_stock_chart_data"),
    ];
    let range = json!({"symbol": "RELIANCE", "start_date": "2023-06-01", "end_date": "2024-03-28", "max_points": 50});
    let cases: Vec<(&[(&str, &str)], serde_json::Value)> = vec![
        (&[], call(1, range.clone(), false)), // from the store
        (&[], call(2, range.clone(), false)), // from memory (memoised)
        (&[], call(3, range.clone(), false)), // the memoised bytes again
        (&stateless_headers, call(4, range.clone(), true)), // 2026-07-28 shape
        (&stateless_headers, call(5, range.clone(), true)),
        (
            &[("mcp-protocol-version", "2025-06-18")],
            call(6, range.clone(), false),
        ),
        (
            &[],
            call(
                7,
                json!({"symbol": "reliance ", "start_date": "2023-06-01", "end_date": "2024-03-28", "max_points": 50}),
                false,
            ),
        ),
        (
            &[],
            call(8, json!({"symbol": "RELIANCE", "max_points": 0}), false),
        ), // tool error
        (
            &[],
            call(9, json!({"symbol": "RELIANCE", "interval": "2h"}), false),
        ), // tool error
        (&[], call(10, json!({"symbol": 42}), false)), // protocol error
        (
            &[],
            json!({"jsonrpc": "2.0", "id": "s", "method": "tools/call", "params": {"name": "get_stock_chart_data", "arguments": range}}),
        ),
    ];
    for (i, (headers, body)) in cases.iter().enumerate() {
        let (fast, by_fast_path) = post(&fast_url, headers, body).await;
        let (slow, by_fast_path_when_off) = post(&slow_url, headers, body).await;
        assert_eq!(fast, slow, "request {body}");
        assert!(!by_fast_path_when_off);
        // Everything but the malformed call (case 9) takes the fast path.
        assert_eq!(by_fast_path, i != 9, "request {body}");
        if i != 9 {
            assert_eq!(fast.0, 200);
        }
    }
    // Requests the fast path does not know exactly go to rmcp.
    let odd = [("mcp-protocol-version", "2026-07-28")];
    let (_, by_fast_path) = post(&fast_url, &odd, &cases[3].1).await;
    assert!(
        !by_fast_path,
        "stateless call without Mcp-Method/Mcp-Name headers"
    );
    // The memoised answers said where they came from.
    let ((_, second), _) = post(&fast_url, &[], &cases[1].1).await;
    assert!(
        second.contains(r#""source":"memory""#),
        "{}",
        &second[..200]
    );
    assert_eq!(yahoo.count(), 1);
}
