//! A fast path for `get_stock_chart_data` over streamable HTTP.
//!
//! rmcp carries a structured result as a `serde_json::Value`, so every call
//! would rebuild and re-serialise ~250 objects (about 350 µs for a year of
//! daily bars). For the plain, stateless `tools/call` requests that make up
//! the hot path, this layer answers instead with the result's bytes, encoded
//! once by rmcp's own types and memoised with the L1 entry. Anything it does
//! not recognise exactly (other methods, sessions, unusual headers or
//! metadata, malformed arguments) goes to rmcp untouched, so the answers are
//! the same bytes rmcp would send; `tests/fast_path.rs` compares the two.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Map, Value};

use super::to_result;
use crate::app::App;
use crate::tools::{self, CallError, ToolOutput};

/// rmcp's own limit for a POST body.
const MAX_BODY: usize = 4 * 1024 * 1024;
const STATELESS_VERSION: &str = "2026-07-28";
const LEGACY_VERSIONS: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];
const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";

/// Which wire shape the answer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Variant {
    /// Versions before 2026-07-28: no `resultType`.
    Legacy,
    /// 2026-07-28: `resultType: "complete"`.
    Stateless,
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The header checks rmcp would make, in their strict form; `None` sends
/// the request to rmcp.
fn variant_from_headers(h: &HeaderMap) -> Option<Variant> {
    let accept = header(h, "accept")?;
    if !(accept.contains("application/json") && accept.contains("text/event-stream"))
        || accept.contains("q=0")
    {
        return None;
    }
    if !header(h, "content-type")?.starts_with("application/json") {
        return None;
    }
    if ["mcp-session-id", "origin", "last-event-id"]
        .iter()
        .any(|k| h.contains_key(*k))
    {
        return None;
    }
    let host = header(h, "host")?;
    let name = match host.rsplit_once(':') {
        Some((n, port)) if port.chars().all(|c| c.is_ascii_digit()) => n,
        _ => host,
    };
    if !matches!(name, "localhost" | "127.0.0.1" | "[::1]") {
        return None;
    }
    match header(h, "mcp-protocol-version") {
        None => Some(Variant::Legacy),
        Some(v) if LEGACY_VERSIONS.contains(&v) => Some(Variant::Legacy),
        Some(STATELESS_VERSION) => Some(Variant::Stateless),
        Some(_) => None,
    }
}

/// The JSON-RPC id and the tool arguments of a request this path serves.
fn parse_call(body: &[u8], h: &HeaderMap, variant: Variant) -> Option<(Value, Map<String, Value>)> {
    let Ok(Value::Object(mut msg)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    if msg.len() != 4 || msg.get("jsonrpc")? != "2.0" || msg.get("method")? != "tools/call" {
        return None;
    }
    let id = msg.remove("id")?;
    if !(id.is_string() || id.is_i64() || id.is_u64()) {
        return None;
    }
    let Value::Object(mut params) = msg.remove("params")? else {
        return None;
    };
    if params.remove("name")? != tools::CHART_TOOL {
        return None;
    }
    let args = match params.remove("arguments") {
        None => Map::new(),
        Some(Value::Object(a)) => a,
        Some(_) => return None,
    };
    let meta = params.remove("_meta");
    if !params.is_empty() {
        return None;
    }
    match variant {
        Variant::Legacy if meta.is_none() => {}
        Variant::Stateless => {
            let meta = meta?;
            let ok = meta.get(META_VERSION)? == STATELESS_VERSION
                && meta.get("io.modelcontextprotocol/clientInfo")?.is_object()
                && meta
                    .get("io.modelcontextprotocol/clientCapabilities")?
                    .is_object()
                && header(h, "mcp-method")? == "tools/call"
                && header(h, "mcp-name")? == tools::CHART_TOOL;
            if !ok {
                return None;
            }
        }
        Variant::Legacy => return None,
    }
    Some((id, args))
}

/// The `result` object rmcp would send for this outcome.
fn encode(outcome: Result<ToolOutput, CallError>, variant: Variant) -> Vec<u8> {
    let mut result = to_result(outcome).unwrap_or_else(|e| {
        // Not reached: malformed calls are returned before encoding.
        CallToolResult::error(vec![ContentBlock::text(e.message.to_string())])
    });
    if variant == Variant::Legacy {
        result.result_type = None;
    }
    serde_json::to_vec(&result).unwrap_or_default()
}

/// axum middleware in front of rmcp's service.
pub async fn layer(State(app): State<App>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(variant) = variant_from_headers(request.headers()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    if let Some((id, args)) = parse_call(&bytes, &parts.headers, variant) {
        let encoder = move |o: Result<ToolOutput, CallError>| encode(o, variant);
        let variant_key = variant as u64;
        if let Ok(result) = tools::call_chart_encoded(&app, args, variant_key, &encoder).await {
            let id = serde_json::to_vec(&id).unwrap_or_default();
            let mut out = Vec::with_capacity(result.len() + id.len() + 40);
            out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
            out.extend_from_slice(&id);
            out.extend_from_slice(br#","result":"#);
            out.extend_from_slice(&result);
            out.push(b'}');
            let mut response = Response::new(Body::from(out));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            // Says which path answered, for tests and curious operators.
            response
                .headers_mut()
                .insert("x-trading-mcp-path", HeaderValue::from_static("fast"));
            return response;
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
