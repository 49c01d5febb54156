//! What each run reads, and its `warm_runs` row.
//!
//! Every read is an ordinary [`BarQuery`] through the service, as a tool
//! makes it, with a maximum age where the run must refresh what L1 holds:
//! - backfill: daily bars from `--backfill-days` ago (only the store's gaps
//!   are fetched);
//! - pre-open and post-close: the default daily and intraday ranges,
//!   reloaded whatever their age, so the previous (or just settled)
//!   session is fetched if the store does not hold it final;
//! - live: the same ranges when older than half the warm interval (a tool
//!   call may just have refreshed them); the daily series carries the meta
//!   `get_quote` prices from.

use std::sync::Arc;

use super::Scheduler;
use super::plan::RunKind;
use crate::background::{self, RunTally};
use crate::indicators::Warmup;
use crate::model::Interval;
use crate::service::{BarQuery, Bound, adjust::Adjust};
use crate::store::WarmRunRow;
use crate::symbol::ResolvedSymbol;

impl Scheduler {
    /// The queries of a `kind` run over `symbols`.
    fn queries(&self, kind: RunKind, symbols: &[ResolvedSymbol]) -> Vec<BarQuery> {
        let query = |symbol: &ResolvedSymbol, interval, start, max_age_secs| BarQuery {
            symbol: symbol.clone(),
            interval,
            start,
            end: None,
            adjust: Adjust::default(),
            max_age_secs,
        };
        let today = super::popularity::day_of(self.app.clock().now());
        match kind {
            RunKind::Backfill => {
                let from = today - chrono::Duration::days(i64::from(self.config.backfill_days));
                symbols
                    .iter()
                    .map(|s| query(s, Interval::D1, Some(Bound::Date(from)), None))
                    .collect()
            }
            RunKind::PreOpen | RunKind::PostClose | RunKind::Live => {
                let max_age = match kind {
                    RunKind::Live => (self.config.interval.as_secs() / 2).max(1) as i64,
                    _ => 0,
                };
                symbols
                    .iter()
                    .flat_map(|s| {
                        [Interval::D1, self.config.intraday]
                            .map(|interval| query(s, interval, None, Some(max_age)))
                    })
                    .collect()
            }
        }
    }

    /// Runs `kind` over `symbols` and logs it.
    pub(super) async fn execute(&self, kind: RunKind, symbols: &[ResolvedSymbol]) {
        if symbols.is_empty() {
            return;
        }
        let started = self.app.clock().now();
        let tally = Arc::new(RunTally::default());
        let queries = self.queries(kind, symbols);
        let asked: Vec<(String, Interval)> = queries
            .iter()
            .map(|q| (q.symbol.yahoo.clone(), q.interval))
            .collect();
        let read = background::scope(
            tally.clone(),
            self.app.chart.get_each(queries, Warmup::Bars(0), |_| {}),
        )
        .await;
        let mut errors = 0u64;
        let mut first_error = None;
        for ((symbol, interval), result) in asked.iter().zip(&read) {
            let failure = match result {
                Ok(served) if served.stale => Some(
                    served
                        .stale_reason
                        .clone()
                        .unwrap_or_else(|| "part of the range could not be fetched".into()),
                ),
                Ok(_) => None,
                Err(e) => Some(e.to_string()),
            };
            if let Some(why) = failure {
                errors += 1;
                tracing::debug!(%symbol, %interval, error = %why, "warm read failed");
                first_error.get_or_insert_with(|| format!("{symbol} {interval}: {why}"));
            }
        }
        let row = WarmRunRow {
            kind: kind.as_str().to_string(),
            started_at: started.timestamp(),
            finished_at: self.app.clock().now().timestamp(),
            symbols: symbols.iter().map(|s| s.yahoo.clone()).collect(),
            bars_written: tally.bars_written(),
            upstream_calls: tally.upstream_calls(),
            errors,
            error_detail: first_error,
        };
        tracing::info!(
            kind = row.kind,
            symbols = row.symbols.len(),
            bars_written = row.bars_written,
            upstream_calls = row.upstream_calls,
            errors = row.errors,
            "warm run"
        );
        if let Err(e) = self.app.chart.store().record_warm_run(&row).await {
            tracing::warn!(error = %e, "cannot log the warm run");
        }
    }
}
