//! MCP streamable HTTP at `/mcp`, and Prometheus text at `/metrics`
//! ([`super::metrics_route`]), on axum.
//!
//! Accepted sockets get TCP_NODELAY: rmcp writes responses in pieces, and
//! without it each call stalls ~40 ms on delayed ACKs. Simple calls are
//! answered as `application/json` (`json_response`), cheaper than SSE.
//! Plain tool calls are answered by [`super::fast_path`] in front of rmcp.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::fast_path::FastPath;
use super::{Calls, McpServer};

/// Binds `addr` and serves until `shutdown` fires. Returns the bound address
/// through `on_bound` (port 0 picks a free one).
pub async fn serve(
    calls: Calls,
    addr: SocketAddr,
    shutdown: CancellationToken,
    on_bound: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let listener = bind(addr)?;
    let bound = listener.local_addr()?;
    on_bound(bound);
    // The fast path and /metrics read the same config, so all check alike.
    let config = rmcp_config(calls.app(), shutdown.child_token());
    let metrics = super::metrics_route::router(calls.app().clone(), &config);
    let fast = calls
        .app()
        .config
        .http_fast_path
        .then(|| FastPath::new(calls.clone(), &config));
    // Stateless requests get a handler each: a clone of one built up front.
    let max_in_flight = calls.app().config.settings.max_in_flight;
    let drain_secs = calls.app().config.settings.drain_secs;
    let token = calls.app().config.settings.auth_token.clone();
    let server = McpServer::new(calls);
    let service: StreamableHttpService<McpServer, LocalSessionManager> =
        StreamableHttpService::new(move || Ok(server.clone()), Default::default(), config);
    let mut router = metrics.nest_service("/mcp", service);
    if let Some(fast) = fast {
        router = router.layer(axum::middleware::from_fn_with_state(
            fast,
            super::fast_path::layer,
        ));
    }
    // Outermost, so the cap counts every request, the fast path's too.
    let in_flight = InFlight {
        permits: Arc::new(Semaphore::new(max_in_flight)),
        max: max_in_flight,
    };
    let router = router.layer(axum::middleware::from_fn_with_state(
        in_flight,
        limit_in_flight,
    ));
    // Outside the cap: a request without the token is refused before it
    // takes a permit.
    let router = with_token(router, token);
    let listener = NoDelayListener(listener);
    let drain = std::time::Duration::from_secs(drain_secs);
    let stop = shutdown.clone();
    let server = axum::serve(listener, router)
        .with_graceful_shutdown(async move { stop.cancelled_owned().await });
    // After the signal, requests in flight get `--drain-secs` to finish.
    let deadline = async {
        shutdown.cancelled().await;
        tokio::time::sleep(drain).await;
    };
    tokio::select! {
        served = server => served?,
        () = deadline => tracing::warn!(drain_secs = drain.as_secs(), "drain deadline passed: requests still in flight are dropped"),
    }
    Ok(())
}

/// Connections the kernel may queue before they are accepted (it caps this
/// at `net.core.somaxconn`, 4096 on current kernels). tokio's `bind` asks
/// for 1,024, and 1,000 clients connecting at once overflowed it: the
/// dropped SYNs were retried a second later (`TcpExtListenOverflows` and
/// `TCPSynRetrans` in `nstat`), so those clients' first calls waited a
/// second and more.
const ACCEPT_BACKLOG: u32 = 4096;

/// A listener on `addr` with [`ACCEPT_BACKLOG`], reusing the address as
/// tokio's `bind` does.
fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(ACCEPT_BACKLOG)
}

/// rmcp's HTTP configuration from the settings: JSON responses,
/// stateless, and the allowed hosts and origins (empty: rmcp's defaults).
pub(super) fn rmcp_config(
    app: &crate::app::App,
    cancel: CancellationToken,
) -> StreamableHttpServerConfig {
    let config = StreamableHttpServerConfig::default()
        .with_json_response(true)
        .with_legacy_session_mode(false)
        .with_cancellation_token(cancel);
    let settings = &app.config.settings;
    let config = match settings.allowed_hosts.as_slice() {
        [] => config,
        hosts => config.with_allowed_hosts(hosts.iter().cloned()),
    };
    match settings.allowed_origins.as_slice() {
        [] => config,
        origins => config.with_allowed_origins(origins.iter().cloned()),
    }
}

/// `router` requiring the bearer token on every route, when one is set.
pub(super) fn with_token(
    router: axum::Router,
    token: Option<crate::config::Secret>,
) -> axum::Router {
    match token {
        Some(token) => router.layer(axum::middleware::from_fn_with_state(
            BearerToken(Arc::from(token.0.as_bytes())),
            require_token,
        )),
        None => router,
    }
}

/// The permits of requests being served (`--max-in-flight`).
#[derive(Clone)]
struct InFlight {
    permits: Arc<Semaphore>,
    max: usize,
}

/// Seconds a refused client is asked to wait: requests here take
/// milliseconds, so a second is long enough for the load to change.
const BUSY_RETRY_AFTER_SECS: &str = "1";

/// Serves the request while a permit is free; otherwise 503 at once.
async fn limit_in_flight(
    State(in_flight): State<InFlight>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(_permit) = in_flight.permits.clone().try_acquire_owned() else {
        tracing::warn!(
            max_in_flight = in_flight.max,
            "HTTP request refused: too many in flight"
        );
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, BUSY_RETRY_AFTER_SECS)],
            "the server is at its limit of requests in flight (--max-in-flight); retry after a second",
        )
            .into_response();
    };
    next.run(request).await
}

/// The token every HTTP request must carry (`--auth-token`).
#[derive(Clone)]
struct BearerToken(Arc<[u8]>);

/// Serves the request only with `Authorization: Bearer <token>`; the
/// comparison takes the same time wherever the given token differs.
async fn require_token(State(token): State<BearerToken>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "));
    let ok = given.is_some_and(|g| bool::from(g.ct_eq(&token.0)));
    if ok {
        return next.run(request).await;
    }
    // Nothing of what was sent is logged: it may be a near-miss token.
    tracing::warn!("HTTP request refused: missing or wrong bearer token");
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, r#"Bearer realm="trading-mcp""#)],
        "this server requires Authorization: Bearer <token> (the server's --auth-token)",
    )
        .into_response()
}

/// A listener that sets TCP_NODELAY on every accepted socket.
struct NoDelayListener(TcpListener);

impl axum::serve::Listener for NoDelayListener {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    if let Err(e) = stream.set_nodelay(true) {
                        tracing::debug!(error = %e, "cannot set TCP_NODELAY");
                    }
                    return (stream, addr);
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.0.local_addr()
    }
}
