//! Prometheus text for `/metrics` (the HTTP transport, or `--metrics-listen`
//! beside stdio), written with prometheus-client from what the server
//! already counts: the call path's per-tool telemetry, L1's usage, the
//! store's row counts and file size, and each upstream host's breaker and
//! call counters. Gathered at scrape time, so nothing is counted twice.
//!
//! Names follow Prometheus' conventions: a `trading_mcp_` prefix, base
//! units (`_seconds`, `_bytes`), `_total` on counters; labels `tool`,
//! `outcome`, `host`, `tier` and `state`.

use std::fmt::Error;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::{Registry, Unit};

use crate::app::App;
use crate::telemetry::ToolCounters;
use crate::tools::{StatsOutput, server_snapshot};

/// The content type of Prometheus' text format, version 0.0.4 (which
/// prometheus-client's OpenMetrics text also satisfies for scrapers).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Latency bounds of the tool-call histogram, in seconds.
const LATENCY_BOUNDS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Everything one scrape reports, read before encoding: `server_stats`'
/// snapshot, and the call path's histograms.
#[derive(Debug)]
struct Snapshot {
    app: App,
    stats: StatsOutput,
}

/// The metrics of `app`, as OpenMetrics text; an error says what could
/// not be read.
pub async fn render(app: &App) -> Result<String, String> {
    let stats = server_snapshot(app)
        .await
        .map_err(|e| format!("reading the store's counts failed: {e}"))?;
    let snapshot = Snapshot {
        app: app.clone(),
        stats,
    };
    let mut registry = Registry::default();
    registry.register_collector(Box::new(snapshot));
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry)
        .map_err(|e| format!("encoding the metrics failed: {e}"))?;
    Ok(text)
}

fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    value: f64,
) -> Result<(), Error> {
    let g = ConstGauge::new(value);
    g.encode(encoder.encode_descriptor(name, help, unit, g.metric_type())?)
}

impl Collector for Snapshot {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), Error> {
        let telemetry = &self.app.telemetry;
        gauge(
            &mut encoder,
            "trading_mcp_uptime",
            "Time since the process started.",
            Some(&Unit::Seconds),
            telemetry.uptime().as_secs_f64(),
        )?;
        self.encode_tools(&mut encoder)?;
        gauge(
            &mut encoder,
            "trading_mcp_l1_series",
            "Series held in memory (L1), one per symbol and interval.",
            None,
            self.stats.cache.entries as f64,
        )?;
        gauge(
            &mut encoder,
            "trading_mcp_l1_weighed",
            "Weighed size of the bars held in memory (L1).",
            Some(&Unit::Bytes),
            self.stats.cache.bytes as f64,
        )?;
        gauge(
            &mut encoder,
            "trading_mcp_l1_capacity",
            "Capacity of the memory tier (L1).",
            Some(&Unit::Bytes),
            self.stats.cache.capacity_bytes as f64,
        )?;
        gauge(
            &mut encoder,
            "trading_mcp_store_file",
            "Size of the SQLite store file.",
            Some(&Unit::Bytes),
            self.stats.db_bytes as f64,
        )?;
        let mut tiers = encoder.encode_descriptor(
            "trading_mcp_tier_lookups",
            "Series lookups per tier: L1 (memory) hits and misses; L2 (the store) covering an L1 miss or not.",
            None,
            MetricType::Counter,
        )?;
        let t = &self.stats.cache.tiers;
        for (tier, outcome, n) in [
            ("l1", "hit", t.l1_hits),
            ("l1", "miss", t.l1_misses),
            ("l2", "hit", t.l2_hits),
            ("l2", "miss", t.l2_misses),
        ] {
            ConstCounter::new(n)
                .encode(tiers.encode_family(&[("tier", tier), ("outcome", outcome)])?)?;
        }
        let mut evicted = encoder.encode_descriptor(
            "trading_mcp_l1_evictions",
            "Series removed from L1, by cause.",
            None,
            MetricType::Counter,
        )?;
        let e = &t.l1_evictions;
        for (cause, n) in [
            ("size", e.size),
            ("expired", e.expired),
            ("replaced", e.replaced),
            ("explicit", e.explicit),
        ] {
            ConstCounter::new(n).encode(evicted.encode_family(&[("cause", cause)])?)?;
        }
        let mut rows = encoder.encode_descriptor(
            "trading_mcp_store_rows",
            "Rows of the store's tables.",
            None,
            MetricType::Gauge,
        )?;
        for (table, n) in [
            ("instruments", self.stats.store.instruments),
            ("bars", self.stats.store.bars),
            ("coverage", self.stats.store.coverage_ranges),
            ("corporate_actions", self.stats.store.corporate_actions),
            ("upstream_calls", self.stats.store.upstream_calls),
            ("breaker_transitions", self.stats.store.breaker_transitions),
        ] {
            ConstGauge::new(n).encode(rows.encode_family(&[("table", table)])?)?;
        }
        self.encode_hosts(&mut encoder)?;
        gauge(
            &mut encoder,
            "trading_mcp_offline",
            "1 when the server never contacts the upstream (--offline).",
            None,
            f64::from(u8::from(self.stats.offline)),
        )
    }
}

impl Snapshot {
    fn encode_tools(&self, encoder: &mut DescriptorEncoder) -> Result<(), Error> {
        let tools: Vec<(&str, &ToolCounters)> = self.app.telemetry.each().collect();
        let load = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
        let mut calls = encoder.encode_descriptor(
            "trading_mcp_tool_calls",
            "Tool calls by outcome: ok, tool_error (isError), protocol_error (malformed).",
            None,
            MetricType::Counter,
        )?;
        for (tool, c) in &tools {
            let errors = load(&c.tool_errors);
            let malformed = load(&c.protocol_errors);
            let ok = load(&c.calls).saturating_sub(errors + malformed);
            for (outcome, n) in [
                ("ok", ok),
                ("tool_error", errors),
                ("protocol_error", malformed),
            ] {
                ConstCounter::new(n)
                    .encode(calls.encode_family(&[("tool", *tool), ("outcome", outcome)])?)?;
            }
        }
        let mut hits = encoder.encode_descriptor(
            "trading_mcp_tool_cache_hits",
            "Tool calls answered from the result cache.",
            None,
            MetricType::Counter,
        )?;
        for (tool, c) in &tools {
            ConstCounter::new(load(&c.cache_hits))
                .encode(hits.encode_family(&[("tool", *tool)])?)?;
        }
        let mut latency = encoder.encode_descriptor(
            "trading_mcp_tool_call_duration",
            "Time from a call's arrival at the call path to its answer.",
            Some(&Unit::Seconds),
            MetricType::Histogram,
        )?;
        for (tool, c) in &tools {
            // prometheus-client sums the buckets itself: each bucket's own
            // count, with f64::MAX as the +Inf bound.
            let buckets: Vec<(f64, u64)> = LATENCY_BOUNDS
                .iter()
                .copied()
                .chain(std::iter::once(f64::MAX))
                .zip(c.latency.regrouped(&LATENCY_BOUNDS))
                .collect();
            latency
                .encode_family(&[("tool", *tool)])?
                .encode_histogram::<NoLabelSet>(
                    c.latency.sum_seconds(),
                    c.latency.count(),
                    &buckets,
                    None,
                )?;
        }
        Ok(())
    }

    fn encode_hosts(&self, encoder: &mut DescriptorEncoder) -> Result<(), Error> {
        let mut calls = encoder.encode_descriptor(
            "trading_mcp_upstream_calls",
            "Upstream HTTP calls per host by outcome (retries are counted as calls).",
            None,
            MetricType::Counter,
        )?;
        for h in &self.stats.upstream {
            let ok = h.calls.saturating_sub(h.failures);
            for (outcome, n) in [("ok", ok), ("failed", h.failures)] {
                ConstCounter::new(n).encode(
                    calls.encode_family(&[("host", h.host.as_str()), ("outcome", outcome)])?,
                )?;
            }
        }
        let mut retries = encoder.encode_descriptor(
            "trading_mcp_upstream_retries",
            "Upstream requests retried after a failure.",
            None,
            MetricType::Counter,
        )?;
        for h in &self.stats.upstream {
            ConstCounter::new(h.retries)
                .encode(retries.encode_family(&[("host", h.host.as_str())])?)?;
        }
        let mut state = encoder.encode_descriptor(
            "trading_mcp_breaker_state",
            "Circuit breaker state per host: 1 for the current state.",
            None,
            MetricType::Gauge,
        )?;
        for h in &self.stats.upstream {
            for s in ["closed", "open", "half_open"] {
                let now = u8::from(h.breaker_state == s);
                ConstGauge::new(i64::from(now))
                    .encode(state.encode_family(&[("host", h.host.as_str()), ("state", s)])?)?;
            }
        }
        let mut rejected = encoder.encode_descriptor(
            "trading_mcp_breaker_rejections",
            "Requests the open breaker refused without calling the host.",
            None,
            MetricType::Counter,
        )?;
        for h in &self.stats.upstream {
            ConstCounter::new(h.breaker_rejections)
                .encode(rejected.encode_family(&[("host", h.host.as_str())])?)?;
        }
        let mut transitions = encoder.encode_descriptor(
            "trading_mcp_breaker_transitions",
            "Breaker state changes per host.",
            None,
            MetricType::Counter,
        )?;
        for h in &self.stats.upstream {
            ConstCounter::new(h.breaker_transitions)
                .encode(transitions.encode_family(&[("host", h.host.as_str())])?)?;
        }
        Ok(())
    }
}
