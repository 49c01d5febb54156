//! `server_stats`: what the cache holds, how the upstreams behave, and how
//! each tool is called.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;

use super::args::NoArgs;
use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::service::counters::TierStats;
use crate::store::{RecentTransition, StoreSummary};
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
    /// Hits, misses and evictions of L1, and whether the store covered L1's misses.
    pub tiers: TierStats,
}

/// The warming scheduler's side of `server_stats`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WarmingStats {
    /// False with `--no-warm`, `--offline` or `--as-of`.
    pub enabled: bool,
    /// The process that warms this store now (its lease holder: host and
    /// pid), whichever instance that is; `None` when none does.
    pub leader: Option<String>,
    pub recent_runs: Vec<crate::store::WarmRunRow>,
}

/// Result of `server_stats`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StatsOutput {
    pub cache: CacheStats,
    /// Row counts of the store's tables.
    pub store: StoreSummary,
    /// Size of the store in bytes: the SQLite file, or the PostgreSQL database.
    pub db_bytes: u64,
    /// The latest circuit-breaker transitions (newest first, at most 10).
    pub breaker_transitions: Vec<RecentTransition>,
    /// Per upstream host: breaker state and call counters since start.
    pub upstream: Vec<HostStats>,
    /// Per tool: calls, errors, result-cache hits and latency since start.
    pub tools: Vec<ToolStats>,
    pub offline: bool,
    /// The warming scheduler: whether this process runs it, and the latest
    /// runs on this store (by any process; newest first, at most 10).
    pub warming: WarmingStats,
    pub uptime_secs: u64,
    /// Resident memory of the process (null where it cannot be read).
    pub rss_bytes: Option<u64>,
}

/// Everything the server counts, read once: the tool's answer, and what
/// `/metrics` encodes.
pub async fn server_snapshot(app: &App) -> Result<StatsOutput, crate::store::StoreError> {
    let (entries, bytes) = app.chart.l1_usage().await;
    let store = app.chart.store().summary().await?;
    let breaker_transitions = app.chart.store().recent_transitions(10).await?;
    Ok(StatsOutput {
        cache: CacheStats {
            entries,
            bytes,
            capacity_bytes: app.config.service.cache_bytes,
            tiers: app.chart.tier_stats(),
        },
        store,
        db_bytes: app.chart.store().size_bytes().await?,
        breaker_transitions,
        upstream: app.chart.chart_client().http().stats(),
        tools: app.telemetry.snapshot(),
        offline: app.config.upstream.offline,
        warming: WarmingStats {
            enabled: app.config.warm.is_some(),
            leader: app
                .chart
                .store()
                .lease_holder(crate::scheduler::LEASE, app.clock().now().timestamp())
                .await?,
            recent_runs: app.chart.store().recent_warm_runs(10).await?,
        },
        uptime_secs: app.telemetry.uptime().as_secs(),
        rss_bytes: crate::telemetry::resident_bytes(),
    })
}

impl Tool for ServerStats {
    const NAME: &'static str = "server_stats";
    type Args = NoArgs;
    type Output = StatsOutput;

    fn description() -> String {
        "Server health: L1 entries, bytes, hits, misses and evictions by cause, the store's coverage \
         of L1 misses (L2 hits), what the SQLite store holds and its file size, per upstream host the \
         circuit-breaker state and latest transitions, calls, failures, retries, rate-limiter waits \
         and latency percentiles, per tool the calls, errors, cache hits and latency, the warming \
         scheduler's latest runs, and the process's RSS and uptime."
            .to_string()
    }

    async fn run(
        app: &App,
        _args: NoArgs,
        ctx: &mut CallContext,
    ) -> Result<StatsOutput, ToolError> {
        ctx.never_cache();
        Ok(server_snapshot(app).await?)
    }

    fn text(out: &StatsOutput) -> String {
        let t = &out.cache.tiers;
        let pct = |r: Option<f64>| r.map_or("-".to_string(), |r| format!("{:.0}%", r * 100.0));
        let mut text = format!(
            "L1: {} series, {} bytes of {}, {} hits / {} misses ({}), {} evicted for size, {} expired; L2 covered {} of {} loads ({}); store: {} bars of {} instruments, {} upstream calls\n",
            out.cache.entries,
            out.cache.bytes,
            out.cache.capacity_bytes,
            t.l1_hits,
            t.l1_misses,
            pct(t.l1_hit_ratio),
            t.l1_evictions.size,
            t.l1_evictions.expired,
            t.l2_hits,
            t.l2_hits + t.l2_misses,
            pct(t.l2_hit_ratio),
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
        let w = &out.warming;
        let _ = write!(text, "warming: {}", if w.enabled { "on" } else { "off" });
        if let Some(leader) = &w.leader {
            let _ = write!(text, ", led by {leader}");
        }
        match w.recent_runs.first() {
            Some(r) => {
                let _ = writeln!(
                    text,
                    "; last run {} at {} over {} symbols: {} upstream calls, {} bars written, {} errors",
                    r.kind,
                    chrono::DateTime::from_timestamp(r.started_at, 0)
                        .map_or_else(|| r.started_at.to_string(), |t| t.to_rfc3339()),
                    r.symbols.len(),
                    r.upstream_calls,
                    r.bars_written,
                    r.errors
                );
            }
            None => text.push_str("; no runs yet\n"),
        }
        text
    }
}
