//! `GET /metrics`: Prometheus text (see [`crate::metrics`]) on the HTTP
//! transport's listener, or on its own listener beside stdio
//! (`--metrics-listen`). It obeys the same `Host` list as `/mcp`, and the
//! same bearer token, which the HTTP server applies to every route.

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::hosts::AllowedHosts;
use crate::app::App;

#[derive(Clone)]
struct Metrics {
    app: App,
    hosts: AllowedHosts,
}

/// A router serving `/metrics` for `app`, checking `Host` as `config` says.
pub fn router(app: App, config: &StreamableHttpServerConfig) -> axum::Router {
    let state = Metrics {
        app,
        hosts: AllowedHosts::of(config),
    };
    axum::Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .with_state(state)
}

async fn metrics(State(m): State<Metrics>, headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !m.hosts.allows(host) {
        return (
            StatusCode::FORBIDDEN,
            "Forbidden: the Host header is not among the allowed hosts (--allowed-hosts)",
        )
            .into_response();
    }
    match crate::metrics::render(&m.app).await {
        Ok(text) => ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

/// Serves only `/metrics` on `addr` until `shutdown` (the stdio transport's
/// `--metrics-listen`), with the HTTP transport's host and token rules.
pub async fn serve(
    app: App,
    addr: SocketAddr,
    shutdown: CancellationToken,
    on_bound: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    on_bound(listener.local_addr()?);
    let config = super::http::rmcp_config(&app, shutdown.child_token());
    let token = app.config.settings.auth_token.clone();
    let router = super::http::with_token(router(app, &config), token);
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { shutdown.cancelled_owned().await })
        .await?;
    Ok(())
}
