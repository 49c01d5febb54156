//! The HTTP fast path answers with exactly the bytes plain rmcp sends, for
//! every tool and every protocol version rmcp knows; whatever it does not
//! recognise exactly goes to rmcp; and it can be switched off.

mod shared_data;
mod support;

use rmcp::model::ProtocolVersion;
use serde_json::{Value, json};
use support::*;

/// (status, body) and whether the fast path answered.
async fn post(url: &str, headers: &[(&str, &str)], body: &Value) -> ((u16, String), bool) {
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

fn is_stateless(version: &str) -> bool {
    version >= ProtocolVersion::V_2026_07_28.as_str()
}

/// A `tools/call` request as a client on `version` sends it (None: no
/// version header at all, as the oldest clients do).
fn request(
    id: u64,
    tool: &str,
    args: &Value,
    version: Option<&str>,
) -> (Vec<(String, String)>, Value) {
    let mut params = json!({"name": tool, "arguments": args});
    let mut headers = Vec::new();
    if let Some(v) = version {
        headers.push(("mcp-protocol-version".to_string(), v.to_string()));
        if is_stateless(v) {
            params["_meta"] = json!({
                "io.modelcontextprotocol/protocolVersion": v,
                "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {}
            });
            headers.push(("mcp-method".to_string(), "tools/call".to_string()));
            headers.push(("mcp-name".to_string(), tool.to_string()));
        }
    }
    let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params});
    (headers, body)
}

/// Request headers, as owned pairs.
type Headers = Vec<(String, String)>;

fn refs(h: &[(String, String)]) -> Vec<(&str, &str)> {
    h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// One call of every tool that reads data, with arguments that succeed,
/// fail as tool errors and fail as protocol errors.
fn cases() -> Vec<(&'static str, Value)> {
    let year = json!({"symbol": "RELIANCE", "start_date": "2023-06-01", "end_date": "2024-03-28"});
    vec![
        (
            "get_stock_chart_data",
            json!({"symbol": "RELIANCE", "start_date": "2023-06-01", "end_date": "2024-03-28", "max_points": 50}),
        ),
        (
            "get_stock_chart_data",
            json!({"symbol": "reliance ", "start_date": "2023-06-01", "end_date": "2024-03-28", "interval": "1D"}),
        ),
        (
            "calculate_technical_indicator",
            json!({"symbol": "RELIANCE", "indicator": "RSI", "start_date": "2023-06-01", "end_date": "2024-03-28"}),
        ),
        (
            "calculate_technical_indicator",
            json!({"symbol": "RELIANCE", "start_date": "2023-06-01", "end_date": "2024-03-28", "indicators": [{"name": "MACD"}, {"name": "BBANDS", "params": {"timeperiod": 20}}]}),
        ),
        ("detect_candlestick_patterns", year.clone()),
        (
            "get_stock_chart_image",
            json!({"symbol": "RELIANCE", "start_date": "2023-06-01", "end_date": "2024-03-28", "overlays": ["sma(20)"], "width": 600, "height": 400}),
        ),
        ("list_indicators", json!({})),
        ("search_symbols", json!({"query": "infosys"})),
        // Tool errors.
        (
            "get_stock_chart_data",
            json!({"symbol": "RELIANCE", "max_points": 0}),
        ),
        (
            "get_stock_chart_data",
            json!({"symbol": "RELIANCE", "interval": "7m"}),
        ),
        (
            "calculate_technical_indicator",
            json!({"symbol": "RELIANCE", "indicator": "RSX"}),
        ),
        (
            "detect_candlestick_patterns",
            json!({"symbol": "RELIANCE", "patterns": ["CDLNOPE"]}),
        ),
        (
            "get_stock_chart_image",
            json!({"symbol": "RELIANCE", "overlays": ["smaa(20)"]}),
        ),
        // Protocol errors.
        ("get_stock_chart_data", json!({"symbol": 42})),
        (
            "calculate_technical_indicator",
            json!({"symbol": "RELIANCE", "colour": "red"}),
        ),
        ("list_indicators", json!({"verbose": true})),
    ]
}

#[tokio::test]
async fn every_tool_on_every_protocol_version_matches_rmcp_byte_for_byte() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    // Fill the store once, so both servers start from the same data.
    for (tool, args) in cases().into_iter().take(5) {
        let (code, _, err) = env.cli_call(tool, &args).await;
        assert_eq!(code, 0, "{tool} {args}: {err}");
    }
    let upstream_calls = yahoo.count();
    let (_fast, fast_url) = env
        .http_server(&[("TRADING_MCP_HTTP_FAST_PATH", "true")])
        .await;
    let (_slow, slow_url) = env
        .http_server(&[("TRADING_MCP_HTTP_FAST_PATH", "false")])
        .await;

    let mut versions: Vec<Option<&str>> = vec![None];
    versions.extend(
        ProtocolVersion::KNOWN_VERSIONS
            .iter()
            .map(|v| Some(v.as_str())),
    );
    let mut id = 0;
    // Twice: the first round is answered from the store, the second from memory.
    for round in 0..2 {
        for version in &versions {
            for (tool, args) in cases() {
                id += 1;
                let (headers, body) = request(id, tool, &args, *version);
                let (fast, by_fast_path) = post(&fast_url, &refs(&headers), &body).await;
                let (slow, by_fast_path_when_off) = post(&slow_url, &refs(&headers), &body).await;
                assert_eq!(fast, slow, "round {round}, version {version:?}: {body}");
                assert!(
                    by_fast_path,
                    "version {version:?} must be served by the fast path: {body}"
                );
                assert!(
                    !by_fast_path_when_off,
                    "the kill switch turns the fast path off"
                );
                assert_eq!(fast.0, 200, "{}", fast.1);
                if round == 1 && tool == "get_stock_chart_data" && fast.1.contains("\"bars\"") {
                    assert!(
                        fast.1.contains(r#""source":"memory""#),
                        "{}",
                        &fast.1[..300]
                    );
                }
            }
        }
    }
    assert_eq!(
        yahoo.count(),
        upstream_calls,
        "everything came from the store"
    );
}

#[tokio::test]
async fn requests_the_fast_path_does_not_know_exactly_go_to_rmcp() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let (_fast, fast_url) = env
        .http_server(&[("TRADING_MCP_HTTP_FAST_PATH", "true")])
        .await;
    let (_slow, slow_url) = env
        .http_server(&[("TRADING_MCP_HTTP_FAST_PATH", "false")])
        .await;
    let v = ProtocolVersion::V_2026_07_28.as_str();
    let args = json!({});
    let tool = "list_indicators";
    let (headers, body) = request(1, tool, &args, Some(v));
    let mut odd: Vec<(String, Headers, Value)> = Vec::new();
    for dup in ["mcp-method", "mcp-name", "mcp-protocol-version"] {
        let mut h = headers.clone();
        let value = h.iter().find(|(k, _)| k == dup).unwrap().1.clone();
        h.push((dup.to_string(), value));
        odd.push((format!("duplicated {dup}"), h, body.clone()));
    }
    let mut h = headers.clone();
    h.retain(|(k, _)| k != "mcp-name");
    odd.push(("stateless call without Mcp-Name".into(), h, body.clone()));
    let mut h = headers.clone();
    h.iter_mut().find(|(k, _)| k == "mcp-name").unwrap().1 = "server_stats".into();
    odd.push(("Mcp-Name naming another tool".into(), h, body.clone()));
    let mut no_meta = body.clone();
    no_meta["params"].as_object_mut().unwrap().remove("_meta");
    odd.push((
        "2026-07-28 header without _meta".into(),
        headers.clone(),
        no_meta,
    ));
    let mut progress = body.clone();
    progress["params"]["_meta"]["progressToken"] = json!(7);
    odd.push(("a progress token".into(), headers.clone(), progress));
    let (legacy_headers, legacy) = request(2, tool, &args, Some("2025-06-18"));
    let mut legacy_meta = legacy.clone();
    legacy_meta["params"]["_meta"] = json!({"progressToken": 1});
    odd.push(("legacy _meta".into(), legacy_headers.clone(), legacy_meta));
    let mut h = legacy_headers.clone();
    h.push(("mcp-session-id".into(), "abc".into()));
    odd.push(("a session id".into(), h, legacy.clone()));
    let mut h = legacy_headers.clone();
    h.push(("host".into(), "evil.example".into()));
    odd.push(("a foreign Host".into(), h, legacy.clone()));
    odd.push((
        "an unknown protocol version".into(),
        vec![("mcp-protocol-version".into(), "2099-01-01".into())],
        legacy.clone(),
    ));
    odd.push((
        "an unknown tool".into(),
        legacy_headers.clone(),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "get_stock_price_please", "arguments": {}}}),
    ));
    odd.push((
        "another method".into(),
        legacy_headers.clone(),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/list"}),
    ));
    for (what, headers, body) in odd {
        let (fast, by_fast_path) = post(&fast_url, &refs(&headers), &body).await;
        let (slow, _) = post(&slow_url, &refs(&headers), &body).await;
        assert!(!by_fast_path, "{what}: must go to rmcp");
        assert_eq!(fast, slow, "{what}");
    }
    // rmcp refuses the duplicated protocol headers.
    let (dup_headers, _) = {
        let mut h = headers.clone();
        h.push(("mcp-name".into(), tool.into()));
        (h, ())
    };
    let ((status, text), _) = post(&fast_url, &refs(&dup_headers), &body).await;
    assert_eq!(status, 400, "{text}");
}

#[tokio::test]
async fn the_fast_path_honours_the_allowed_hosts_of_the_same_config() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let (_fast, url) = env.http_server(&[]).await;
    let (headers, body) = request(1, "list_indicators", &json!({}), Some("2025-06-18"));
    let mut h = refs(&headers);
    h.push(("host", "localhost"));
    let ((status, _), by_fast_path) = post(&url, &h, &body).await;
    assert_eq!(status, 200);
    assert!(
        by_fast_path,
        "localhost is one of rmcp's default allowed hosts"
    );
    let mut h = refs(&headers);
    h.push(("host", "localhost.evil.example"));
    let ((status, _), by_fast_path) = post(&url, &h, &body).await;
    assert_eq!(status, 403);
    assert!(!by_fast_path);
}
