//! What the store holds about one instrument, for the
//! `market://instrument/{symbol}` resource: its meta, and per interval the
//! bars and the ranges covered; its dividends and splits. And the stored
//! tickers, for completion.

use serde::Serialize;
use sqlx::Row;

use super::backend::{Conn, on_conn, on_pool};
use super::{BarStore, StoreError};
use crate::model::Instrument;

/// One instrument as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentOverview {
    pub instrument: Instrument,
    pub intervals: Vec<IntervalHoldings>,
    pub corporate_actions: Vec<StoredAction>,
}

/// The bars of one interval: how many, the first and last bar key (epoch
/// seconds), and the covered key ranges `[start, end)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalHoldings {
    pub interval: String,
    pub bars: i64,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
    pub coverage: Vec<(i64, i64)>,
}

/// A dividend (`amount`) or split (`numerator`:`denominator`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAction {
    pub ts: i64,
    pub kind: String,
    pub amount: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

impl BarStore {
    /// The stored dividends and splits of `symbol`, oldest first.
    pub async fn corporate_actions(
        &self,
        symbol: &str,
    ) -> Result<Vec<crate::model::CorporateAction>, StoreError> {
        on_pool!(&self.backend, |pool| {
            let mut conn = pool.acquire().await?;
            let rows = stored_actions((&mut *conn).into(), symbol).await?;
            Ok(rows.iter().filter_map(StoredAction::action).collect())
        })
    }

    /// Stored tickers starting with `prefix` (any case), in order, at most
    /// `limit`: completion offers what the store holds beyond the directory.
    pub async fn stored_symbols(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        on_pool!(&self.backend, |pool| {
            let mut pattern = String::with_capacity(prefix.len() + 1);
            for c in prefix.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('%');
            let rows = sqlx::query(
                "SELECT symbol FROM instruments WHERE lower(symbol) LIKE lower($1) ESCAPE '\\'
             ORDER BY symbol LIMIT $2",
            )
            .bind(pattern)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?;
            rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
        })
    }

    /// Everything stored about `symbol` (a Yahoo ticker), or `None` if the
    /// store has never seen it. Read in one transaction, so the counts and
    /// the coverage agree.
    pub async fn instrument_overview(
        &self,
        symbol: &str,
    ) -> Result<Option<InstrumentOverview>, StoreError> {
        on_pool!(&self.backend, |pool| {
            let Some(instrument) = self.instrument(symbol).await? else {
                return Ok(None);
            };
            let mut tx = pool.begin().await?;
            let held = sqlx::query(
                "SELECT interval, COUNT(*), MIN(ts), MAX(ts) FROM bars WHERE symbol = $1
             GROUP BY interval ORDER BY interval",
            )
            .bind(symbol)
            .fetch_all(&mut *tx)
            .await?;
            let spans = sqlx::query(
                "SELECT interval, start_ts, end_ts FROM coverage WHERE symbol = $1
             ORDER BY interval, start_ts",
            )
            .bind(symbol)
            .fetch_all(&mut *tx)
            .await?;
            let corporate_actions = stored_actions((&mut *tx).into(), symbol).await?;
            tx.commit().await?;
            let mut intervals = Vec::with_capacity(held.len());
            for r in &held {
                intervals.push(IntervalHoldings {
                    interval: r.try_get(0)?,
                    bars: r.try_get(1)?,
                    first_ts: r.try_get(2)?,
                    last_ts: r.try_get(3)?,
                    coverage: Vec::new(),
                });
            }
            for r in &spans {
                let interval: String = r.try_get(0)?;
                let span = (r.try_get(1)?, r.try_get(2)?);
                match intervals.iter_mut().find(|i| i.interval == interval) {
                    Some(held) => held.coverage.push(span),
                    // Covered with no bars: a range known to hold none.
                    None => intervals.push(IntervalHoldings {
                        interval,
                        bars: 0,
                        first_ts: None,
                        last_ts: None,
                        coverage: vec![span],
                    }),
                }
            }
            Ok(Some(InstrumentOverview {
                instrument,
                intervals,
                corporate_actions,
            }))
        })
    }
}

impl StoredAction {
    /// The action as the price arithmetic takes it; `None` for a row
    /// missing the values its kind needs.
    fn action(&self) -> Option<crate::model::CorporateAction> {
        use crate::model::CorporateAction;
        match (
            self.kind.as_str(),
            self.amount,
            self.numerator,
            self.denominator,
        ) {
            ("dividend", Some(amount), _, _) => Some(CorporateAction::Dividend {
                ts: self.ts,
                amount,
            }),
            ("split", _, Some(numerator), Some(denominator)) => Some(CorporateAction::Split {
                ts: self.ts,
                numerator,
                denominator,
            }),
            _ => None,
        }
    }
}

/// The `corporate_actions` rows of `symbol`, oldest first, on any
/// connection (the overview reads them inside its transaction).
async fn stored_actions(conn: Conn<'_>, symbol: &str) -> Result<Vec<StoredAction>, StoreError> {
    on_conn!(conn, |conn| {
        let rows = sqlx::query(
            "SELECT ts, kind, amount, numerator, denominator FROM corporate_actions
             WHERE symbol = $1 ORDER BY ts, kind",
        )
        .bind(symbol)
        .fetch_all(conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredAction {
                    ts: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    amount: r.try_get(2)?,
                    numerator: r.try_get(3)?,
                    denominator: r.try_get(4)?,
                })
            })
            .collect()
    })
}
