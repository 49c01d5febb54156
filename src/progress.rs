//! Progress of a long call (MCP `notifications/progress`): a sink the MCP
//! edge installs for the duration of one call, and [`report`], which work
//! deep in the service calls without knowing who listens (a cold fetch
//! split into several upstream windows reports each window stored).
//!
//! The sink is task-local: the call's own task runs its tool, and the
//! service's single-flight loader runs in the task of the caller that
//! started it, so that caller hears the windows; callers that wait on its
//! result hear nothing, and nobody is told of work done for someone else.

use std::future::Future;
use std::sync::Arc;

/// Where a long call reports how far it has got.
pub trait ProgressSink: Send + Sync {
    /// `progress` of `total` units done (`total` when known), and what is
    /// happening now.
    fn report(&self, progress: f64, total: Option<f64>, message: Option<String>);
}

tokio::task_local! {
    static SINK: Arc<dyn ProgressSink>;
}

/// Runs `work` with `sink` (if any) receiving its [`report`]s.
pub async fn scope<F: Future>(sink: Option<Arc<dyn ProgressSink>>, work: F) -> F::Output {
    match sink {
        Some(sink) => SINK.scope(sink, work).await,
        None => work.await,
    }
}

/// Reports progress to the current call's sink; nothing happens when the
/// client did not ask for progress.
pub fn report(progress: f64, total: Option<f64>, message: impl FnOnce() -> String) {
    let _ = SINK.try_with(|sink| sink.report(progress, total, Some(message())));
}
