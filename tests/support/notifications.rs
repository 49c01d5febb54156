//! A client that keeps what the server notifies (progress and log
//! messages) and wakes a waiter on each progress report, over stdio.
#![allow(deprecated)] // logging is deprecated from protocol 2026-07-28 on

use std::sync::{Arc, Mutex};

use rmcp::model::{ClientConfig, LoggingMessageNotificationParam, ProgressNotificationParam};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use tokio::sync::Notify;

use super::Env;

#[derive(Clone, Default)]
pub struct Recorder {
    pub progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
    pub logs: Arc<Mutex<Vec<LoggingMessageNotificationParam>>>,
    /// Notified on every progress report.
    pub progressed: Arc<Notify>,
}

impl ClientHandler for Recorder {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::default()
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
        self.progressed.notify_one();
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.logs.lock().unwrap().push(params);
    }
}

/// `trading-mcp serve` on stdio with a recording client.
pub async fn stdio_recorder(env: &Env) -> (RunningService<RoleClient, Recorder>, Recorder) {
    let recorder = Recorder::default();
    let transport = TokioChildProcess::builder(env.command(&["serve"]))
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap()
        .0;
    let client = recorder.clone().serve(transport).await.unwrap();
    (client, recorder)
}
