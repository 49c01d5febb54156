//! Shared by the HTTP benches: MCP `tools/call` requests in the shapes
//! real clients send, and what counts as a successful answer.
#![allow(dead_code)]

use serde_json::{Value, json};

/// A request shape: its label and how to write headers and `_meta`.
#[derive(Clone, Copy)]
pub enum Shape {
    V2025,
    Stateless2026,
}

pub fn body(tool: &str, args: &Value, shape: Shape) -> String {
    let mut params = json!({"name": tool, "arguments": args});
    if let Shape::Stateless2026 = shape {
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "wrk", "version": "1"},
            "io.modelcontextprotocol/clientCapabilities": {}
        });
    }
    json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}).to_string()
}

pub fn headers(tool: &str, shape: Shape) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("Content-Type", "application/json".to_string()),
        ("Accept", "application/json, text/event-stream".to_string()),
    ];
    match shape {
        Shape::V2025 => h.push(("MCP-Protocol-Version", "2025-06-18".into())),
        Shape::Stateless2026 => {
            h.push(("MCP-Protocol-Version", "2026-07-28".into()));
            h.push(("Mcp-Method", "tools/call".into()));
            h.push(("Mcp-Name", tool.to_string()));
        }
    }
    h
}

/// Sends one call; Ok when the answer is a success: HTTP 200, no JSON-RPC
/// error, no tool error, a structured result.
pub async fn send(
    client: &reqwest::Client,
    url: &str,
    tool: &str,
    args: &Value,
    shape: Shape,
) -> Result<(), String> {
    let mut req = client.post(url);
    for (k, v) in headers(tool, shape) {
        req = req.header(k, v);
    }
    let resp = req
        .body(body(tool, args, shape))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let text = resp.text().await.map_err(|e| e.to_string())?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text:.200}"))?;
    let success = status == 200
        && v.get("error").is_none()
        && v["result"]["isError"] != true
        && v["result"]["structuredContent"].is_object();
    if success {
        Ok(())
    } else {
        Err(format!("HTTP {status}: {text:.300}"))
    }
}

/// Checks one call of a case answers as expected before measuring it.
pub async fn check(url: &str, tool: &str, args: &Value, shape: Shape) {
    send(&reqwest::Client::new(), url, tool, args, shape)
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
}
