//! What a call's answer depends on, recorded while the tool runs, so the
//! MCP edge can keep the encoded answer exactly as long as it means the
//! same thing.

use crate::model::Interval;
use crate::service::{Served, Source};

/// Something an answer was computed from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dependency {
    /// An L1 series: the answer holds while L1 holds this generation.
    Series {
        yahoo_symbol: String,
        interval: Interval,
        generation: u64,
    },
}

pub use crate::progress::ProgressSink;

/// Per-call state a tool fills in while it runs.
#[derive(Default)]
pub struct CallContext {
    cacheable: bool,
    never_cache: bool,
    dependencies: Vec<Dependency>,
    valid_until: Option<i64>,
    progress: Option<std::sync::Arc<dyn ProgressSink>>,
    /// The call's arguments but `cursor`, hashed: what a cursor must match.
    request: u64,
}

impl std::fmt::Debug for CallContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallContext")
            .field("cacheable", &self.cacheable)
            .field("never_cache", &self.never_cache)
            .field("dependencies", &self.dependencies)
            .field("valid_until", &self.valid_until)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl CallContext {
    pub fn new() -> Self {
        Self::default()
    }

    /// A context whose progress reports go to `sink`.
    pub fn with_progress(sink: std::sync::Arc<dyn ProgressSink>) -> Self {
        Self {
            progress: Some(sink),
            ..Self::default()
        }
    }

    /// Reports progress of a long call; nothing happens when nobody asked.
    pub fn progress(&self, progress: f64, total: Option<f64>, message: impl Into<String>) {
        if let Some(sink) = &self.progress {
            sink.report(progress, total, Some(message.into()));
        }
    }

    /// The progress sink, for work that reports from deeper down (a fetch
    /// split into several upstream windows).
    pub fn progress_sink(&self) -> Option<std::sync::Arc<dyn ProgressSink>> {
        self.progress.clone()
    }

    /// Records that the answer was computed from `served`. An answer that
    /// names a tier other than memory ("fetched from upstream for this
    /// call") would be wrong if repeated, so it is not kept.
    pub fn depends_on(&mut self, served: &Served) {
        self.cacheable = true;
        if served.source != Source::Memory {
            self.never_cache = true;
        }
        self.dependencies.push(Dependency::Series {
            yahoo_symbol: served.series.yahoo_symbol.clone(),
            interval: served.series.interval,
            generation: served.series.generation,
        });
        if let Some(t) = served.valid_until {
            self.valid_until(t);
        }
    }

    /// The series the answer was computed from.
    pub fn dependencies(&self) -> &[Dependency] {
        &self.dependencies
    }

    /// The answer depends on nothing that changes while the process runs.
    pub fn constant(&mut self) {
        self.cacheable = true;
    }

    /// The answer changes from one call to the next (counters, the clock).
    pub fn never_cache(&mut self) {
        self.never_cache = true;
    }

    /// The answer means something else from this instant (epoch seconds):
    /// a market phase change, a new local day.
    pub fn valid_until(&mut self, at: i64) {
        self.valid_until = Some(self.valid_until.map_or(at, |t| t.min(at)));
    }

    /// Records the hash of the call's arguments ([`super::paging::request_hash`]).
    pub fn set_request(&mut self, hash: u64) {
        self.request = hash;
    }

    /// The hash of the call's arguments but `cursor`.
    pub fn request(&self) -> u64 {
        self.request
    }

    /// Whether the answer may be kept, and what it then depends on.
    pub fn cache_terms(&self) -> Option<(&[Dependency], Option<i64>)> {
        (self.cacheable && !self.never_cache).then_some((&self.dependencies, self.valid_until))
    }
}
