//! MCP logging (`logging/setLevel`, `notifications/message`) for clients on
//! the protocol versions that have it (before 2026-07-28, where SEP-2577
//! deprecates it). A session hears nothing until it sets a level; then
//! warnings that matter to the agent, such as stale data served because
//! the upstream failed or its circuit breaker is open, go out at
//! `warning` when the level set allows it.
#![allow(deprecated)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use rmcp::RoleServer;
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam};
use rmcp::service::Peer;
use serde_json::{Value, json};

/// The level a session asked for; none until it sets one. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SessionLog {
    /// 0: not set; else the level's rank plus one.
    level: Arc<AtomicU8>,
}

/// Severity order, lowest first, as RFC 5424 (and MCP) rank them.
fn rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 1,
        LoggingLevel::Info => 2,
        LoggingLevel::Notice => 3,
        LoggingLevel::Warning => 4,
        LoggingLevel::Error => 5,
        LoggingLevel::Critical => 6,
        LoggingLevel::Alert => 7,
        LoggingLevel::Emergency => 8,
    }
}

impl SessionLog {
    pub fn set(&self, level: LoggingLevel) {
        self.level.store(rank(level), Ordering::Relaxed);
    }

    fn wants(&self, level: LoggingLevel) -> bool {
        let set = self.level.load(Ordering::Relaxed);
        set != 0 && rank(level) >= set
    }

    /// Tells the session, at `warning`, that `tool` served stale data, if
    /// `structured` (its answer) says so.
    pub async fn warn_if_stale(&self, peer: &Peer<RoleServer>, tool: &str, structured: &Value) {
        let freshness = &structured["freshness"];
        if freshness["stale"] != Value::Bool(true) || !self.wants(LoggingLevel::Warning) {
            return;
        }
        let reason = freshness["stale_reason"]
            .as_str()
            .unwrap_or("the upstream failed");
        let symbol = structured["yahoo_symbol"].as_str().unwrap_or("");
        let data = json!({
            "message": format!("{tool}: stale data served for {symbol}: {reason}"),
            "tool": tool,
            "symbol": symbol,
            "reason": reason,
            "fetched_at": freshness["fetched_at"],
        });
        let message = LoggingMessageNotificationParam::new(LoggingLevel::Warning, data)
            .with_logger("trading-mcp");
        if let Err(e) = peer.notify_logging_message(message).await {
            tracing::debug!(error = %e, "log notification not sent");
        }
    }
}
