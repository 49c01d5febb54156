//! MCP streamable HTTP at `/mcp`, on axum.
//!
//! Accepted sockets get TCP_NODELAY: rmcp writes responses in pieces, and
//! without it each call stalls ~40 ms on delayed ACKs. Simple calls are
//! answered as `application/json` (`json_response`), cheaper than SSE.
//! Plain tool calls are answered by [`super::fast_path`] in front of rmcp.

use std::net::SocketAddr;

use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
};
use tokio::net::TcpListener;
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
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    on_bound(bound);
    let config = StreamableHttpServerConfig::default()
        .with_json_response(true)
        .with_legacy_session_mode(false)
        .with_cancellation_token(shutdown.child_token());
    let fast = calls
        .app()
        .config
        .http_fast_path
        .then(|| FastPath::new(calls.clone(), &config));
    // Stateless requests get a handler each: a clone of one built up front.
    let server = McpServer::new(calls);
    let service: StreamableHttpService<McpServer, LocalSessionManager> =
        StreamableHttpService::new(move || Ok(server.clone()), Default::default(), config);
    let mut router = axum::Router::new().nest_service("/mcp", service);
    if let Some(fast) = fast {
        router = router.layer(axum::middleware::from_fn_with_state(
            fast,
            super::fast_path::layer,
        ));
    }
    let listener = NoDelayListener(listener);
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { shutdown.cancelled_owned().await })
        .await?;
    Ok(())
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
