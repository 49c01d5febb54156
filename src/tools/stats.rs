//! `server_stats`: what the cache holds and how the upstreams behave.

use serde_json::{Map, Value, json};

use super::{CallError, ToolInfo, ToolOutput, no_args_schema};
use crate::app::App;

pub const NAME: &str = "server_stats";

pub fn info() -> ToolInfo {
    ToolInfo {
        name: NAME,
        description: "Server health: L1 cache entries and bytes, what the SQLite store holds, and per \
            upstream host the circuit-breaker state, consecutive failures, transitions, rejections, \
            calls, failures and retries since start."
            .to_string(),
        input_schema: no_args_schema(),
        output_schema: None,
    }
}

pub async fn call(app: &App, args: Map<String, Value>) -> Result<ToolOutput, CallError> {
    if let Some(k) = args.keys().next() {
        return Err(CallError::InvalidParams(format!(
            "{NAME} takes no arguments (got {:?})",
            crate::echo::clip(k)
        )));
    }
    let (entries, bytes) = app.chart.l1_usage().await;
    let store = app
        .chart
        .store()
        .summary()
        .await
        .map_err(|e| CallError::Tool(e.to_string()))?;
    let hosts = app.chart.chart_client().http().stats();
    let mut text = format!(
        "L1: {entries} series, {bytes} bytes of {}; store: {} bars of {} instruments, {} upstream calls\n",
        app.config.service.cache_bytes, store.bars, store.instruments, store.upstream_calls
    );
    for h in &hosts {
        text.push_str(&format!(
            "{}: breaker {} ({} consecutive failures, {} transitions, {} rejected); {} calls, {} failed, {} retried\n",
            h.host, h.breaker_state, h.consecutive_failures, h.breaker_transitions, h.breaker_rejections, h.calls, h.failures, h.retries
        ));
    }
    let structured = json!({
        "cache": {"entries": entries, "bytes": bytes, "capacity_bytes": app.config.service.cache_bytes},
        "store": store,
        "upstream": hosts,
        "offline": app.config.upstream.offline,
    });
    Ok(ToolOutput { structured, text })
}
