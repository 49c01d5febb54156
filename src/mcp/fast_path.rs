//! A fast path for plain `tools/call` requests over streamable HTTP.
//!
//! rmcp serves a stateless request by building a service, a oneshot
//! transport and a task for it, and carries the structured result as a
//! `serde_json::Value` that it re-serialises every time. For the plain,
//! stateless `tools/call` requests that make up the hot path, this layer
//! answers instead through the same call path ([`Calls::call`]) with the
//! result's bytes, encoded once by rmcp's own types and fix-ups
//! ([`Answer::encoded`]).
//!
//! It serves a strict subset of what rmcp accepts: every constant comes
//! from rmcp (header names, protocol versions, the required request
//! metadata) or from the same `StreamableHttpServerConfig` (body limit,
//! allowed hosts), and anything it does not recognise exactly — other
//! methods, sessions, duplicated or unknown protocol headers, progress
//! tokens, origins to check — goes to rmcp untouched. `tests/fast_path.rs`
//! checks that both send the same bytes, for every tool and every protocol
//! version rmcp knows.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::model::{
    ClientCapabilities, Implementation, JsonRpcError, ProtocolVersion, RequestId, RequestMetaObject,
};
use rmcp::transport::common::http_header::{
    EVENT_STREAM_MIME_TYPE, HEADER_LAST_EVENT_ID, HEADER_MCP_METHOD, HEADER_MCP_NAME,
    HEADER_MCP_PARAM_PREFIX, HEADER_MCP_PROTOCOL_VERSION, HEADER_SESSION_ID, JSON_MIME_TYPE,
};
use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;
use serde_json::{Map, Value};

use super::hosts::AllowedHosts;
use super::{Calls, Shape};
use crate::tools::registry;

/// What the fast path needs of the server's configuration.
#[derive(Debug, Clone)]
pub struct FastPath {
    calls: Calls,
    /// `Host` values rmcp accepts.
    allowed_hosts: AllowedHosts,
    /// rmcp checks origins when this is set: leave those requests to it.
    origins_checked: bool,
    max_body: usize,
    /// The `_meta` keys a 2026-07-28 request may carry here.
    meta_keys: Vec<String>,
}

const TOOLS_CALL: &str = "tools/call";

impl FastPath {
    pub fn new(calls: Calls, config: &StreamableHttpServerConfig) -> FastPath {
        // The keys rmcp's own constructor writes for the client context.
        let context = RequestMetaObject::with_client_context(
            ProtocolVersion::LATEST,
            Implementation::new("", ""),
            ClientCapabilities::default(),
        );
        FastPath {
            calls,
            allowed_hosts: AllowedHosts::of(config),
            origins_checked: !config.allowed_origins.is_empty(),
            max_body: config.max_request_body_bytes,
            meta_keys: context.0.keys().cloned().collect(),
        }
    }
}

/// The one value of a header, or `Err` when it is repeated or not text.
fn single<'a>(h: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, ()> {
    let mut values = h.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(());
    }
    first.to_str().map(Some).map_err(|_| ())
}

impl FastPath {
    /// The wire shape and the negotiated version when every header is one
    /// this path serves exactly as rmcp would; `None` sends the request to rmcp.
    fn shape_from_headers(&self, h: &HeaderMap) -> Option<(Shape, Option<ProtocolVersion>)> {
        if self.origins_checked && h.contains_key(header::ORIGIN) {
            return None;
        }
        if [HEADER_SESSION_ID, HEADER_LAST_EVENT_ID]
            .iter()
            .any(|k| h.contains_key(*k))
        {
            return None;
        }
        if h.keys().any(|k| {
            k.as_str()
                .starts_with(&HEADER_MCP_PARAM_PREFIX.to_ascii_lowercase())
        }) {
            return None;
        }
        let accept = single(h, header::ACCEPT.as_str()).ok()??;
        let essences: Vec<&str> = accept.split(',').map(str::trim).collect();
        let plain = |mime: &str| essences.iter().any(|e| e.eq_ignore_ascii_case(mime));
        if !(plain(JSON_MIME_TYPE) && plain(EVENT_STREAM_MIME_TYPE))
            || essences.iter().any(|e| e.contains(';'))
        {
            return None;
        }
        let content_type = single(h, header::CONTENT_TYPE.as_str()).ok()??;
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case(JSON_MIME_TYPE) {
            return None;
        }
        if !self
            .allowed_hosts
            .allows(single(h, header::HOST.as_str()).ok()??)
        {
            return None;
        }
        single(h, HEADER_MCP_METHOD).ok()?;
        single(h, HEADER_MCP_NAME).ok()?;
        match single(h, HEADER_MCP_PROTOCOL_VERSION).ok()? {
            None => Some((Shape::Legacy, None)),
            Some(v) => {
                let known = ProtocolVersion::KNOWN_VERSIONS
                    .iter()
                    .find(|k| k.as_str() == v)?;
                let shape = if known.as_str() >= ProtocolVersion::V_2026_07_28.as_str() {
                    Shape::Current
                } else {
                    Shape::Legacy
                };
                Some((shape, Some(known.clone())))
            }
        }
    }

    /// The JSON-RPC id, tool name and arguments of a request this path
    /// serves, checked against the headers.
    fn parse_call(
        &self,
        body: &[u8],
        h: &HeaderMap,
        shape: Shape,
        version: Option<&ProtocolVersion>,
    ) -> Option<(RequestId, String, Map<String, Value>)> {
        let Ok(Value::Object(mut msg)) = serde_json::from_slice::<Value>(body) else {
            return None;
        };
        if msg.len() != 4 || msg.get("jsonrpc")? != "2.0" || msg.get("method")? != TOOLS_CALL {
            return None;
        }
        let id: RequestId = match msg.remove("id")? {
            id @ Value::String(_) => serde_json::from_value(id).ok()?,
            id @ Value::Number(_) if id.is_i64() || id.is_u64() => {
                serde_json::from_value(id).ok()?
            }
            _ => return None,
        };
        let Value::Object(mut params) = msg.remove("params")? else {
            return None;
        };
        let Value::String(name) = params.remove("name")? else {
            return None;
        };
        registry().get(&name)?;
        let args = match params.remove("arguments") {
            None => Map::new(),
            Some(Value::Object(a)) => a,
            Some(_) => return None,
        };
        let meta = params.remove("_meta");
        if !params.is_empty() {
            return None;
        }
        match (shape, meta) {
            (Shape::Legacy, None) => {}
            (Shape::Current, Some(Value::Object(meta))) => {
                if meta.keys().any(|k| !self.meta_keys.contains(k)) {
                    return None;
                }
                let meta = RequestMetaObject(serde_json::from_value(Value::Object(meta)).ok()?);
                let version = version?;
                let ok = meta.protocol_version().as_ref() == Some(version)
                    && meta.missing_required_keys(version).is_empty()
                    && single(h, HEADER_MCP_METHOD).ok()?? == TOOLS_CALL
                    && single(h, HEADER_MCP_NAME).ok()?? == name;
                if !ok {
                    return None;
                }
            }
            _ => return None,
        }
        Some((id, name, args))
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    with_json_headers(Response::new(Body::from(body)), status)
}

fn with_json_headers(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_MIME_TYPE),
    );
    // Says which path answered, for tests and curious operators.
    response
        .headers_mut()
        .insert("x-trading-mcp-path", HeaderValue::from_static("fast"));
    response
}

/// axum middleware in front of rmcp's service.
pub async fn layer(State(fast): State<FastPath>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some((shape, version)) = fast.shape_from_headers(request.headers()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, fast.max_body).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    let Some((id, name, args)) = fast.parse_call(&bytes, &parts.headers, shape, version.as_ref())
    else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    let id_json = serde_json::to_vec(&id).unwrap_or_default();
    match fast.calls.call(&name, args).await {
        Ok(answer) => {
            // The envelope around the cached encoding, without copying it:
            // three frames with an exact size (so Content-Length stays).
            let mut head = Vec::with_capacity(id_json.len() + 32);
            head.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
            head.extend_from_slice(&id_json);
            head.extend_from_slice(br#","result":"#);
            let pieces = Pieces::new([
                Bytes::from(head),
                answer.encoded(shape).clone(),
                Bytes::from_static(b"}"),
            ]);
            with_json_headers(Response::new(Body::new(pieces)), StatusCode::OK)
        }
        Err(error) => {
            let message = JsonRpcError::new(Some(id), error);
            json_response(
                StatusCode::OK,
                serde_json::to_vec(&message).unwrap_or_default(),
            )
        }
    }
}

/// A response body of a few byte buffers sent as they are, with its exact
/// length known up front.
struct Pieces {
    parts: std::collections::VecDeque<Bytes>,
    remaining: u64,
}

impl Pieces {
    fn new(parts: [Bytes; 3]) -> Pieces {
        let remaining = parts.iter().map(|p| p.len() as u64).sum();
        Pieces {
            parts: parts.into_iter().filter(|p| !p.is_empty()).collect(),
            remaining,
        }
    }
}

impl http_body::Body for Pieces {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        let next = this.parts.pop_front().map(|part| {
            this.remaining -= part.len() as u64;
            Ok(http_body::Frame::data(part))
        });
        std::task::Poll::Ready(next)
    }

    fn is_end_stream(&self) -> bool {
        self.parts.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}
