//! The upstream call log and breaker transitions, kept for SQL inspection.

use super::backend::on_pool;
use super::{BarStore, StoreError};

/// One upstream HTTP call.
#[derive(Debug, Clone)]
pub struct UpstreamCallRow {
    pub at_ms: i64,
    pub host: String,
    pub symbol: Option<String>,
    pub path: String,
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub bytes: Option<i64>,
    pub error: Option<String>,
}

/// One circuit-breaker state change.
#[derive(Debug, Clone)]
pub struct BreakerTransitionRow {
    pub at_ms: i64,
    pub host: String,
    pub from_state: &'static str,
    pub to_state: &'static str,
    pub reason: String,
}

impl BarStore {
    pub async fn record_call(&self, call: &UpstreamCallRow) -> Result<(), StoreError> {
        on_pool!(&self.backend, |pool| {
            sqlx::query(
            "INSERT INTO upstream_calls (at_ms, host, symbol, path, status, latency_ms, bytes, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(call.at_ms)
        .bind(&call.host)
        .bind(&call.symbol)
        .bind(&call.path)
        .bind(call.status.map(i64::from))
        .bind(call.latency_ms)
        .bind(call.bytes)
        .bind(&call.error)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    pub async fn record_breaker_transition(
        &self,
        t: &BreakerTransitionRow,
    ) -> Result<(), StoreError> {
        on_pool!(&self.backend, |pool| {
            sqlx::query(
                "INSERT INTO breaker_transitions (at_ms, host, from_state, to_state, reason)
             VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(t.at_ms)
            .bind(&t.host)
            .bind(t.from_state)
            .bind(t.to_state)
            .bind(&t.reason)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The latest `limit` breaker transitions, newest first.
    pub async fn recent_transitions(
        &self,
        limit: usize,
    ) -> Result<Vec<RecentTransition>, StoreError> {
        on_pool!(&self.backend, |pool| {
            let rows = sqlx::query(
                "SELECT at_ms, host, from_state, to_state, reason FROM breaker_transitions
             ORDER BY id DESC LIMIT $1",
            )
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    use sqlx::Row;
                    Ok(RecentTransition {
                        at_ms: r.try_get(0)?,
                        host: r.try_get(1)?,
                        from: r.try_get(2)?,
                        to: r.try_get(3)?,
                        reason: r.try_get(4)?,
                    })
                })
                .collect()
        })
    }

    /// Row counts of every table, for `server_stats`.
    pub async fn summary(&self) -> Result<StoreSummary, StoreError> {
        on_pool!(&self.backend, |pool| {
            let (instruments, bars, coverage_ranges, corporate_actions, upstream_calls, breaker_transitions): (i64, i64, i64, i64, i64, i64) =
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM instruments), (SELECT COUNT(*) FROM bars),
                        (SELECT COUNT(*) FROM coverage), (SELECT COUNT(*) FROM corporate_actions),
                        (SELECT COUNT(*) FROM upstream_calls), (SELECT COUNT(*) FROM breaker_transitions)",
            )
            .fetch_one(pool)
            .await?;
            Ok(StoreSummary {
                instruments,
                bars,
                coverage_ranges,
                corporate_actions,
                upstream_calls,
                breaker_transitions,
            })
        })
    }
}

/// One circuit-breaker state change, as logged.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct RecentTransition {
    /// When, in epoch milliseconds.
    pub at_ms: i64,
    pub host: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// How much the store holds: row counts of its tables.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct StoreSummary {
    pub instruments: i64,
    pub bars: i64,
    pub coverage_ranges: i64,
    pub corporate_actions: i64,
    pub upstream_calls: i64,
    pub breaker_transitions: i64,
}
