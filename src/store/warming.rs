//! The warming scheduler's tables: its lease, symbol popularity and the
//! run log.

use sqlx::Row;

use super::backend::{Backend, on_pool};
use super::{BarStore, StoreError, postgres};

/// One finished warm run, as logged in `warm_runs`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct WarmRunRow {
    /// `backfill`, `pre_open`, `live` or `post_close`.
    pub kind: String,
    /// Epoch seconds.
    pub started_at: i64,
    pub finished_at: i64,
    pub symbols: Vec<String>,
    pub bars_written: u64,
    pub upstream_calls: u64,
    pub errors: u64,
    pub error_detail: Option<String>,
}

impl BarStore {
    /// Takes or renews lease `name` for `holder` until `expires_at`: true
    /// if `holder` has it now (it was free, expired, or already its own).
    pub async fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        if let Backend::Postgres(pg) = &self.backend {
            // On PostgreSQL the advisory lock decides (`postgres::leader`);
            // the row then says who leads, for `server_stats`.
            if !postgres::leader::claim(pg, name).await? {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO warm_lease (name, holder, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
            )
            .bind(name)
            .bind(holder)
            .bind(expires_at)
            .execute(&pg.pool)
            .await?;
            return Ok(true);
        }
        on_pool!(&self.backend, |pool| {
            // One statement, so two processes racing for a lapsed lease cannot
            // both win: the upsert only overwrites a lapsed or own row.
            let done = sqlx::query(
            "INSERT INTO warm_lease (name, holder, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE warm_lease.holder = excluded.holder OR warm_lease.expires_at <= $4",
        )
        .bind(name)
        .bind(holder)
        .bind(expires_at)
        .bind(now)
        .execute(pool)
        .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Gives lease `name` up if `holder` has it, so another process can
    /// take over at once.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        if let Backend::Postgres(pg) = &self.backend {
            postgres::leader::release(pg).await;
        }
        on_pool!(&self.backend, |pool| {
            sqlx::query("DELETE FROM warm_lease WHERE name = $1 AND holder = $2")
                .bind(name)
                .bind(holder)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Who holds lease `name` at `now`, if anyone.
    pub async fn lease_holder(&self, name: &str, now: i64) -> Result<Option<String>, StoreError> {
        on_pool!(&self.backend, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT holder FROM warm_lease WHERE name = $1 AND expires_at > $2",
            )
            .bind(name)
            .bind(now)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Adds request counts per (day, symbol), in one transaction.
    pub async fn add_symbol_requests(
        &self,
        counts: &[(String, String, u64)],
    ) -> Result<(), StoreError> {
        on_pool!(&self.backend, |pool| {
            if counts.is_empty() {
                return Ok(());
            }
            let mut tx = pool.begin().await?;
            for (day, symbol, n) in counts {
                sqlx::query(
                "INSERT INTO symbol_requests (day, symbol, requests) VALUES ($1, $2, $3)
                 ON CONFLICT (day, symbol) DO UPDATE SET requests = symbol_requests.requests + excluded.requests",
            )
            .bind(day)
            .bind(symbol)
            .bind(i64::try_from(*n).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The `limit` most requested symbols over days `from..until` (ISO
    /// dates, `until` excluded), most requested first (ties by name).
    pub async fn most_requested(
        &self,
        from: &str,
        until: &str,
        limit: usize,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        on_pool!(&self.backend, |pool| {
            let rows = sqlx::query(
                "SELECT symbol, CAST(SUM(requests) AS BIGINT) AS n FROM symbol_requests
             WHERE day >= $1 AND day < $2 GROUP BY symbol ORDER BY n DESC, symbol LIMIT $3",
            )
            .bind(from)
            .bind(until)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    let n: i64 = r.try_get("n")?;
                    Ok((r.try_get("symbol")?, u64::try_from(n).unwrap_or(0)))
                })
                .collect()
        })
    }

    /// Logs one warm run.
    pub async fn record_warm_run(&self, run: &WarmRunRow) -> Result<(), StoreError> {
        on_pool!(&self.backend, |pool| {
            let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            sqlx::query(
                "INSERT INTO warm_runs (kind, started_at, finished_at, symbols, symbol_count,
                                    bars_written, upstream_calls, errors, error_detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&run.kind)
            .bind(run.started_at)
            .bind(run.finished_at)
            .bind(run.symbols.join(","))
            .bind(count(run.symbols.len() as u64))
            .bind(count(run.bars_written))
            .bind(count(run.upstream_calls))
            .bind(count(run.errors))
            .bind(&run.error_detail)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The latest `limit` warm runs, newest first.
    pub async fn recent_warm_runs(&self, limit: usize) -> Result<Vec<WarmRunRow>, StoreError> {
        on_pool!(&self.backend, |pool| {
            let rows = sqlx::query(
                "SELECT kind, started_at, finished_at, symbols, bars_written, upstream_calls,
                    errors, error_detail
             FROM warm_runs ORDER BY id DESC LIMIT $1",
            )
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?;
            let count = |n: i64| u64::try_from(n).unwrap_or(0);
            rows.iter()
                .map(|r| {
                    let symbols: String = r.try_get("symbols")?;
                    Ok(WarmRunRow {
                        kind: r.try_get("kind")?,
                        started_at: r.try_get("started_at")?,
                        finished_at: r.try_get("finished_at")?,
                        symbols: symbols
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                        bars_written: count(r.try_get("bars_written")?),
                        upstream_calls: count(r.try_get("upstream_calls")?),
                        errors: count(r.try_get("errors")?),
                        error_detail: r.try_get("error_detail")?,
                    })
                })
                .collect()
        })
    }
}
