//! `server_stats`: what the cache holds, how the upstreams behave, and how
//! each tool is called.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;

use super::args::NoArgs;
use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::store::StoreSummary;
use crate::telemetry::ToolStats;
use crate::upstream::HostStats;

/// The `server_stats` tool.
pub struct ServerStats;

/// L1 usage.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CacheStats {
    /// Series held (one per symbol and interval).
    pub entries: u64,
    /// Weighed bytes of the bars held.
    pub bytes: u64,
    pub capacity_bytes: u64,
}

/// Result of `server_stats`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StatsOutput {
    pub cache: CacheStats,
    /// Row counts of the store's tables.
    pub store: StoreSummary,
    /// Per upstream host: breaker state and call counters since start.
    pub upstream: Vec<HostStats>,
    /// Per tool: calls, errors, result-cache hits and latency since start.
    pub tools: Vec<ToolStats>,
    pub offline: bool,
    pub uptime_secs: u64,
}

impl Tool for ServerStats {
    const NAME: &'static str = "server_stats";
    type Args = NoArgs;
    type Output = StatsOutput;

    fn description() -> String {
        "Server health: L1 cache entries and bytes, what the SQLite store holds, per upstream \
         host the circuit-breaker state, consecutive failures, transitions, rejections, calls, \
         failures and retries since start, and per tool the calls, errors, cache hits and latency."
            .to_string()
    }

    async fn run(
        app: &App,
        _args: NoArgs,
        ctx: &mut CallContext,
    ) -> Result<StatsOutput, ToolError> {
        ctx.never_cache();
        let (entries, bytes) = app.chart.l1_usage().await;
        let store = app.chart.store().summary().await?;
        Ok(StatsOutput {
            cache: CacheStats {
                entries,
                bytes,
                capacity_bytes: app.config.service.cache_bytes,
            },
            store,
            upstream: app.chart.chart_client().http().stats(),
            tools: app.telemetry.snapshot(),
            offline: app.config.upstream.offline,
            uptime_secs: app.telemetry.uptime().as_secs(),
        })
    }

    fn text(out: &StatsOutput) -> String {
        let mut text = format!(
            "L1: {} series, {} bytes of {}; store: {} bars of {} instruments, {} upstream calls\n",
            out.cache.entries,
            out.cache.bytes,
            out.cache.capacity_bytes,
            out.store.bars,
            out.store.instruments,
            out.store.upstream_calls
        );
        for h in &out.upstream {
            let _ = writeln!(
                text,
                "{}: breaker {} ({} consecutive failures, {} transitions, {} rejected); {} calls, {} failed, {} retried",
                h.host,
                h.breaker_state,
                h.consecutive_failures,
                h.breaker_transitions,
                h.breaker_rejections,
                h.calls,
                h.failures,
                h.retries
            );
        }
        for t in out.tools.iter().filter(|t| t.calls > 0) {
            let _ = writeln!(
                text,
                "{}: {} calls, {} tool errors, {} protocol errors, {} cached; p50 {} ms, p99 {} ms",
                t.tool,
                t.calls,
                t.tool_errors,
                t.protocol_errors,
                t.cache_hits,
                t.latency_p50_ms.map_or("-".into(), |v| format!("{v:.2}")),
                t.latency_p99_ms.map_or("-".into(), |v| format!("{v:.2}")),
            );
        }
        text
    }
}
