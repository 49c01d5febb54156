//! MCP over stdin/stdout. stdout carries only protocol messages; logs go
//! to stderr.

use rmcp::ServiceExt;
use rmcp::service::ServerInitializeError;
use tokio_util::sync::CancellationToken;

use super::{Calls, McpServer};

/// Serves until stdin closes (the client went away) or `shutdown` fires.
pub async fn serve(calls: Calls, shutdown: CancellationToken) -> anyhow::Result<()> {
    let (stdin, stdout) = rmcp::transport::io::stdio_pipes();
    let running = match McpServer::new(calls)
        .serve_with_ct((stdin, stdout), shutdown.child_token())
        .await
    {
        Ok(running) => running,
        // The client left (or we were told to stop) before initializing:
        // nothing went wrong on our side.
        Err(ServerInitializeError::ConnectionClosed(_) | ServerInitializeError::Cancelled) => {
            tracing::info!("stdio closed before initialize");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let reason = running.waiting().await?;
    tracing::info!(?reason, "stdio session ended");
    Ok(())
}
