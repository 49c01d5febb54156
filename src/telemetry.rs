//! Counters of the one call path: calls, errors, cache hits and latency per
//! tool. Lock-free: every tool call updates them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::Serialize;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer.
    Ok,
    /// The tool ran and failed (`isError: true`).
    ToolError,
    /// A malformed call: a protocol error.
    ProtocolError,
}

/// Sub-buckets per power of two: latencies are kept to within 1/8 (12.5 %).
const SUB_BUCKETS: usize = 8;
/// Powers of two of microseconds covered: 1 µs to about 2^30 µs (18 min).
const OCTAVES: usize = 30;

/// A log-linear histogram of latencies in microseconds.
#[derive(Debug)]
pub struct LatencyHistogram {
    buckets: Vec<AtomicU64>,
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self {
            buckets: (0..OCTAVES * SUB_BUCKETS)
                .map(|_| AtomicU64::new(0))
                .collect(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }
}

fn bucket_of(micros: u64) -> usize {
    let m = micros.max(1);
    let octave = 63 - m.leading_zeros() as usize;
    let sub = if octave >= 3 {
        ((m >> (octave - 3)) & 7) as usize
    } else {
        ((m << (3 - octave)) & 7) as usize
    };
    (octave * SUB_BUCKETS + sub).min(OCTAVES * SUB_BUCKETS - 1)
}

/// The largest latency (µs) bucket `i` holds.
fn bucket_upper(i: usize) -> f64 {
    let octave = i / SUB_BUCKETS;
    let sub = (i % SUB_BUCKETS) as f64;
    2f64.powi(octave as i32) * (1.0 + (sub + 1.0) / SUB_BUCKETS as f64)
}

impl LatencyHistogram {
    pub fn record(&self, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.buckets[bucket_of(micros)].fetch_add(1, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    pub fn sum_seconds(&self) -> f64 {
        self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
    }

    /// The latencies regrouped under coarser bounds (seconds, ascending):
    /// one count per bound, of the fine buckets wholly at or below it and
    /// above the previous bound, then one for everything beyond the last.
    /// A latency near a bound may land one bucket (12.5 %) late.
    pub fn regrouped(&self, bounds_secs: &[f64]) -> Vec<u64> {
        let mut out = vec![0; bounds_secs.len() + 1];
        let mut group = 0;
        for (i, bucket) in self.buckets.iter().enumerate() {
            while group < bounds_secs.len() && bucket_upper(i) > bounds_secs[group] * 1e6 {
                group += 1;
            }
            out[group] += bucket.load(Ordering::Relaxed);
        }
        out
    }

    /// The `q` quantile (0..=1) in milliseconds, to within a bucket; `None` when empty.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        let counts: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(bucket_upper(i) / 1000.0);
            }
        }
        None
    }
}

/// One tool's counters.
#[derive(Debug, Default)]
pub struct ToolCounters {
    pub calls: AtomicU64,
    pub tool_errors: AtomicU64,
    pub protocol_errors: AtomicU64,
    /// Answers served from the MCP edge's result cache.
    pub cache_hits: AtomicU64,
    pub latency: LatencyHistogram,
}

/// A tool's counters as `server_stats` shows them.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ToolStats {
    pub tool: String,
    pub calls: u64,
    pub tool_errors: u64,
    pub protocol_errors: u64,
    pub cache_hits: u64,
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
}

/// Every tool's counters, and the process's start.
#[derive(Debug)]
pub struct Telemetry {
    started: Instant,
    tools: Vec<(String, ToolCounters)>,
    /// Calls naming no known tool.
    unknown: ToolCounters,
}

impl Telemetry {
    /// Counters for each of `tools` (the registry's names).
    pub fn new<'a>(tools: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            started: Instant::now(),
            tools: tools
                .into_iter()
                .map(|t| (t.to_string(), ToolCounters::default()))
                .collect(),
            unknown: ToolCounters::default(),
        }
    }

    pub fn counters(&self, tool: &str) -> &ToolCounters {
        self.tools
            .iter()
            .find(|(name, _)| name == tool)
            .map_or(&self.unknown, |(_, c)| c)
    }

    /// Records one finished call.
    pub fn record(&self, tool: &str, outcome: Outcome, cache_hit: bool, elapsed: Duration) {
        let c = self.counters(tool);
        c.calls.fetch_add(1, Ordering::Relaxed);
        match outcome {
            Outcome::Ok => {}
            Outcome::ToolError => {
                c.tool_errors.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::ProtocolError => {
                c.protocol_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        if cache_hit {
            c.cache_hits.fetch_add(1, Ordering::Relaxed);
        }
        c.latency.record(elapsed);
    }

    /// Every tool's counters by name, in registry order, then unknown tools
    /// as `(unknown tool)` once any was called.
    pub fn each(&self) -> impl Iterator<Item = (&str, &ToolCounters)> {
        let unknown = (self.unknown.calls.load(Ordering::Relaxed) > 0)
            .then_some(("(unknown tool)", &self.unknown));
        self.tools
            .iter()
            .map(|(n, c)| (n.as_str(), c))
            .chain(unknown)
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// Every tool's counters, in registry order, then unknown tools.
    pub fn snapshot(&self) -> Vec<ToolStats> {
        let row = |name: &str, c: &ToolCounters| ToolStats {
            tool: name.to_string(),
            calls: c.calls.load(Ordering::Relaxed),
            tool_errors: c.tool_errors.load(Ordering::Relaxed),
            protocol_errors: c.protocol_errors.load(Ordering::Relaxed),
            cache_hits: c.cache_hits.load(Ordering::Relaxed),
            latency_p50_ms: c.latency.quantile_ms(0.50),
            latency_p95_ms: c.latency.quantile_ms(0.95),
            latency_p99_ms: c.latency.quantile_ms(0.99),
        };
        let mut rows: Vec<ToolStats> = self.tools.iter().map(|(n, c)| row(n, c)).collect();
        if self.unknown.calls.load(Ordering::Relaxed) > 0 {
            rows.push(row("(unknown tool)", &self.unknown));
        }
        rows
    }
}

/// The process's resident memory in bytes (Linux `/proc/self/status`),
/// or `None` where that cannot be read.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_a_bucket() {
        let h = LatencyHistogram::default();
        for ms in 1..=100u64 {
            h.record(Duration::from_millis(ms));
        }
        let p50 = h.quantile_ms(0.5).unwrap();
        let p99 = h.quantile_ms(0.99).unwrap();
        assert!((50.0..=50.0 * 1.13).contains(&p50), "{p50}");
        assert!((99.0..=99.0 * 1.13).contains(&p99), "{p99}");
        assert_eq!(h.count(), 100);
    }

    #[test]
    fn regrouped_counts_fall_under_their_bounds_and_the_rest_beyond() {
        let h = LatencyHistogram::default();
        for micros in [50, 900, 2_000, 10_000_000] {
            h.record(Duration::from_micros(micros));
        }
        assert_eq!(h.regrouped(&[0.001, 1.0]), [2, 1, 1]);
        assert_eq!(h.regrouped(&[]), [4]);
    }

    #[test]
    fn buckets_grow_monotonically() {
        let mut last = 0;
        for micros in [1u64, 2, 3, 7, 8, 9, 100, 1_000, 1_000_000, u64::MAX] {
            let b = bucket_of(micros);
            assert!(b >= last, "{micros}");
            assert!(bucket_upper(b) >= micros.min(1 << 29) as f64, "{micros}");
            last = b;
        }
    }

    #[test]
    fn outcomes_are_counted_per_tool() {
        let t = Telemetry::new(["a", "b"]);
        t.record("a", Outcome::Ok, true, Duration::from_micros(10));
        t.record("a", Outcome::ToolError, false, Duration::from_micros(10));
        t.record(
            "zzz",
            Outcome::ProtocolError,
            false,
            Duration::from_micros(10),
        );
        let s = t.snapshot();
        assert_eq!(s[0].calls, 2);
        assert_eq!(s[0].tool_errors, 1);
        assert_eq!(s[0].cache_hits, 1);
        assert_eq!(s[1].calls, 0);
        assert_eq!(s[2].tool, "(unknown tool)");
        assert_eq!(s[2].protocol_errors, 1);
    }
}
