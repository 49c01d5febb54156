//! The warming scheduler's tables: its lease, symbol popularity and the
//! run log.

use sqlx::Row;

use super::{BarStore, StoreError};

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
        // One statement, so two processes racing for a lapsed lease cannot
        // both win: the upsert only overwrites a lapsed or own row.
        let done = sqlx::query(
            "INSERT INTO warm_lease (name, holder, expires_at) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE warm_lease.holder = excluded.holder OR warm_lease.expires_at <= ?",
        )
        .bind(name)
        .bind(holder)
        .bind(expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives lease `name` up if `holder` has it, so another process can
    /// take over at once.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM warm_lease WHERE name = ? AND holder = ?")
            .bind(name)
            .bind(holder)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Adds request counts per (day, symbol), in one transaction.
    pub async fn add_symbol_requests(
        &self,
        counts: &[(String, String, u64)],
    ) -> Result<(), StoreError> {
        if counts.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for (day, symbol, n) in counts {
            sqlx::query(
                "INSERT INTO symbol_requests (day, symbol, requests) VALUES (?, ?, ?)
                 ON CONFLICT (day, symbol) DO UPDATE SET requests = requests + excluded.requests",
            )
            .bind(day)
            .bind(symbol)
            .bind(i64::try_from(*n).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The `limit` most requested symbols over days `from..until` (ISO
    /// dates, `until` excluded), most requested first (ties by name).
    pub async fn most_requested(
        &self,
        from: &str,
        until: &str,
        limit: usize,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT symbol, SUM(requests) AS n FROM symbol_requests
             WHERE day >= ? AND day < ? GROUP BY symbol ORDER BY n DESC, symbol LIMIT ?",
        )
        .bind(from)
        .bind(until)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let n: i64 = r.try_get("n")?;
                Ok((r.try_get("symbol")?, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    /// Logs one warm run.
    pub async fn record_warm_run(&self, run: &WarmRunRow) -> Result<(), StoreError> {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO warm_runs (kind, started_at, finished_at, symbols, symbol_count,
                                    bars_written, upstream_calls, errors, error_detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest `limit` warm runs, newest first.
    pub async fn recent_warm_runs(&self, limit: usize) -> Result<Vec<WarmRunRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, started_at, finished_at, symbols, bars_written, upstream_calls,
                    errors, error_detail
             FROM warm_runs ORDER BY id DESC LIMIT ?",
        )
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let count = |r: &sqlx::sqlite::SqliteRow, c: &str| -> Result<u64, StoreError> {
            let n: i64 = r.try_get(c)?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
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
                    bars_written: count(r, "bars_written")?,
                    upstream_calls: count(r, "upstream_calls")?,
                    errors: count(r, "errors")?,
                    error_detail: r.try_get("error_detail")?,
                })
            })
            .collect()
    }
}
