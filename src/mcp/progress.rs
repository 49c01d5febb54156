//! Progress reports of one call sent to its client as
//! `notifications/progress`, in order, under the client's progress token.

use std::future::Future;
use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::Peer;
use tokio::sync::mpsc;

use crate::progress::ProgressSink;

/// A sink that queues reports for one forwarding task, so they go out in
/// the order they were made.
pub struct PeerProgress {
    token: ProgressToken,
    queue: mpsc::UnboundedSender<ProgressNotificationParam>,
}

impl PeerProgress {
    /// The sink, and a future that finishes once the sink is dropped and
    /// every report has been handed to the transport.
    pub fn start(
        peer: Peer<RoleServer>,
        token: ProgressToken,
    ) -> (Arc<dyn ProgressSink>, impl Future<Output = ()>) {
        let (queue, mut reports) = mpsc::unbounded_channel::<ProgressNotificationParam>();
        let forward = tokio::spawn(async move {
            while let Some(report) = reports.recv().await {
                if let Err(e) = peer.notify_progress(report).await {
                    tracing::debug!(error = %e, "progress notification not sent");
                    break;
                }
            }
        });
        let sink: Arc<dyn ProgressSink> = Arc::new(PeerProgress { token, queue });
        (sink, async move {
            let _ = forward.await;
        })
    }
}

impl ProgressSink for PeerProgress {
    fn report(&self, progress: f64, total: Option<f64>, message: Option<String>) {
        let mut param = ProgressNotificationParam::new(self.token.clone(), progress);
        param.total = total;
        param.message = message;
        let _ = self.queue.send(param);
    }
}
