//! Many symbols in one request (screens, batches of quotes, comparisons):
//! each read through the same tiers as a single one, a few at a time so a
//! cold batch does not flood the upstream's rate limiter with waiters.

use futures::StreamExt;

use super::{BarQuery, ChartService, Served, ServiceError};
use crate::indicators::Warmup;

/// Symbols read at once in one batch (the upstream's rate limiter paces
/// them further).
pub const BATCH_CONCURRENCY: usize = 8;

impl ChartService {
    /// Reads every query with `warmup`, at most [`BATCH_CONCURRENCY`] at once, and
    /// returns the results in the queries' order. `on_read(i)` runs as
    /// query `i` finishes (progress reports).
    pub async fn get_each(
        &self,
        queries: Vec<BarQuery>,
        warmup: Warmup,
        mut on_read: impl FnMut(usize),
    ) -> Vec<Result<Served, ServiceError>> {
        // Owned queries and service handles: the stream's futures borrow
        // nothing, which keeps the caller's future Send.
        let mut read: Vec<(usize, Result<Served, ServiceError>)> =
            futures::stream::iter(queries.into_iter().enumerate())
                .map(|(i, q)| {
                    let chart = self.clone();
                    async move { (i, chart.get_with_warmup(&q, warmup).await) }
                })
                .buffer_unordered(BATCH_CONCURRENCY)
                .inspect(|(i, _)| on_read(*i))
                .collect()
                .await;
        read.sort_by_key(|(i, _)| *i);
        read.into_iter().map(|(_, r)| r).collect()
    }
}
