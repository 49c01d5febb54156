//! MCP over stdin/stdout. stdout carries only protocol messages; logs go
//! to stderr.

use rmcp::ServiceExt;
use rmcp::service::ServerInitializeError;
use tokio_util::sync::CancellationToken;

use super::stdio_transport::EncodedStdio;
use super::{Calls, EncodedAnswers, McpServer};

/// Serves until stdin closes (the client went away) or `shutdown` fires.
pub async fn serve(calls: Calls, shutdown: CancellationToken) -> anyhow::Result<()> {
    let (stdin, stdout) = rmcp::transport::io::stdio_pipes();
    if !calls.app().config.settings.stdio_fast_path {
        let running = McpServer::new(calls)
            .serve_with_ct((stdin, stdout), shutdown.child_token())
            .await;
        return wait(running).await;
    }
    let answers = EncodedAnswers::default();
    let (transport, writer) = EncodedStdio::new(stdin, stdout, answers.clone());
    let running = McpServer::with_encoded_answers(calls, answers)
        .serve_with_ct(transport, shutdown.child_token())
        .await;
    let result = wait(running).await;
    // Every answer is written before the process exits.
    match writer.await {
        Ok(Err(e)) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            tracing::warn!(error = %e, "writing to stdout failed")
        }
        _ => {}
    }
    result
}

async fn wait<S>(
    running: Result<rmcp::service::RunningService<rmcp::RoleServer, S>, ServerInitializeError>,
) -> anyhow::Result<()>
where
    S: rmcp::Service<rmcp::RoleServer>,
{
    let running = match running {
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
