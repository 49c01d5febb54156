//! Bars, coverage, instruments and corporate actions.

use sqlx::{QueryBuilder, Row, SqliteConnection};

use super::backend::{Backend, Conn, on_conn, on_pool, series_write_lock};
use super::raw_read::StoredBar;
use super::{BarStore, StoreError, coverage, postgres};
use crate::model::{Bar, BarSource, CorporateAction, Instrument, Interval};

/// Rows per multi-row INSERT: 11 columns x 500 rows stays far below
/// SQLite's 32,766 bound parameters (and PostgreSQL's 65,535), and
/// amortises per-statement overhead.
const UPSERT_CHUNK: usize = 500;

/// Everything one upstream fetch produced, written in one transaction.
#[derive(Debug, Clone)]
pub struct FetchBatch<'a> {
    pub instrument: &'a Instrument,
    pub interval: Interval,
    pub bars: &'a [Bar],
    pub actions: &'a [CorporateAction],
    /// The range `[start, end)` now known to be stored completely, if any.
    pub covered: Option<(i64, i64)>,
    pub fetched_at: i64,
}

impl BarStore {
    /// Writes a fetch: instrument, bars (upserted, source `yahoo`), actions,
    /// and the merged coverage, all or nothing.
    pub async fn save_fetch(&self, batch: &FetchBatch<'_>) -> Result<(), StoreError> {
        let i = batch.instrument;
        let interval = batch.interval.as_str();
        let lock = series_write_lock(&i.yahoo_symbol, interval);
        let mut tx = self.backend.begin_serialized(lock).await?;
        upsert_instrument(tx.conn(), i, batch.fetched_at).await?;
        match tx.conn() {
            Conn::Sqlite(conn) => upsert_bars_sqlite(conn, batch).await?,
            Conn::Postgres(conn) => {
                let bars = batch.bars.iter();
                postgres::upsert_bars(
                    conn,
                    &i.yahoo_symbol,
                    interval,
                    bars,
                    batch.fetched_at,
                    BarSource::Yahoo,
                )
                .await?;
            }
        }
        upsert_actions(tx.conn(), &i.yahoo_symbol, batch.actions).await?;
        if let Some(range) = batch.covered {
            coverage::merge(
                tx.conn(),
                &i.yahoo_symbol,
                interval,
                &[range],
                batch.fetched_at,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Bars with `start <= ts < end`, oldest first, and when each was
    /// fetched (epoch seconds).
    pub async fn read_bars(
        &self,
        symbol: &str,
        interval: Interval,
        start: i64,
        end: i64,
    ) -> Result<(Vec<Bar>, Vec<i64>), StoreError> {
        let sqlite = match &self.backend {
            Backend::Sqlite(sqlite) => sqlite,
            Backend::Postgres(pg) => {
                return postgres::read_bars(&pg.pool, symbol, interval.as_str(), start, end).await;
            }
        };
        let mut conn = sqlite.pool.acquire().await?;
        let mut handle = conn.lock_handle().await?;
        // SAFETY: the handle is locked: sqlx's worker does not use the
        // connection until `handle` is dropped, after the read.
        unsafe {
            super::raw_read::read_bars(
                handle.as_raw_handle(),
                symbol,
                interval.as_str(),
                start,
                end,
            )
        }
    }

    /// Like [`BarStore::read_bars`], with each bar's fetch time and source.
    pub async fn read_stored_bars(
        &self,
        symbol: &str,
        interval: Interval,
        start: i64,
        end: i64,
    ) -> Result<Vec<StoredBar>, StoreError> {
        let sqlite = match &self.backend {
            Backend::Sqlite(sqlite) => sqlite,
            Backend::Postgres(pg) => {
                return postgres::read_stored_bars(&pg.pool, symbol, interval.as_str(), start, end)
                    .await;
            }
        };
        let mut conn = sqlite.pool.acquire().await?;
        let mut handle = conn.lock_handle().await?;
        // SAFETY: as in `read_bars`.
        unsafe {
            super::raw_read::read_stored_bars(
                handle.as_raw_handle(),
                symbol,
                interval.as_str(),
                start,
                end,
            )
        }
    }

    /// The stored ranges overlapping `[start, end)`, ordered by start.
    pub async fn coverage(
        &self,
        symbol: &str,
        interval: Interval,
        start: i64,
        end: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        on_pool!(&self.backend, |pool| {
            let rows = sqlx::query(
                "SELECT start_ts, end_ts FROM coverage
                 WHERE symbol = $1 AND interval = $2 AND start_ts < $3 AND end_ts > $4
                 ORDER BY start_ts",
            )
            .bind(symbol)
            .bind(interval.as_str())
            .bind(end)
            .bind(start)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect()
        })
    }

    /// The stored `meta` of a symbol.
    pub async fn instrument(&self, symbol: &str) -> Result<Option<Instrument>, StoreError> {
        on_pool!(&self.backend, |pool| {
            let row = sqlx::query(
            "SELECT symbol, exchange, full_exchange_name, currency, timezone, instrument_type,
                    short_name, long_name, first_trade_date, regular_market_price, regular_market_time
             FROM instruments WHERE symbol = $1",
        )
        .bind(symbol)
        .fetch_optional(pool)
        .await?;
            row.map(|r| {
                Ok(Instrument {
                    yahoo_symbol: r.try_get(0)?,
                    exchange: r.try_get(1)?,
                    full_exchange_name: r.try_get(2)?,
                    currency: r.try_get(3)?,
                    timezone: r.try_get(4)?,
                    instrument_type: r.try_get(5)?,
                    short_name: r.try_get(6)?,
                    long_name: r.try_get(7)?,
                    first_trade_date: r.try_get(8)?,
                    regular_market_price: r.try_get(9)?,
                    regular_market_time: r.try_get(10)?,
                })
            })
            .transpose()
        })
    }
}

/// Inserts or refreshes the instrument row from a fetch's `meta`; names
/// and prices Yahoo left out keep their stored values.
async fn upsert_instrument(
    conn: Conn<'_>,
    i: &Instrument,
    fetched_at: i64,
) -> Result<(), StoreError> {
    on_conn!(conn, |conn| {
        sqlx::query(
            "INSERT INTO instruments (symbol, exchange, full_exchange_name, currency, timezone,
                 instrument_type, short_name, long_name, first_trade_date,
                 regular_market_price, regular_market_time, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (symbol) DO UPDATE SET
                 exchange = excluded.exchange,
                 full_exchange_name = excluded.full_exchange_name,
                 currency = excluded.currency,
                 timezone = excluded.timezone,
                 instrument_type = excluded.instrument_type,
                 short_name = COALESCE(excluded.short_name, instruments.short_name),
                 long_name = COALESCE(excluded.long_name, instruments.long_name),
                 first_trade_date = COALESCE(excluded.first_trade_date, instruments.first_trade_date),
                 regular_market_price = COALESCE(excluded.regular_market_price, instruments.regular_market_price),
                 regular_market_time = COALESCE(excluded.regular_market_time, instruments.regular_market_time),
                 updated_at = excluded.updated_at",
        )
        .bind(&i.yahoo_symbol)
        .bind(&i.exchange)
        .bind(&i.full_exchange_name)
        .bind(&i.currency)
        .bind(&i.timezone)
        .bind(&i.instrument_type)
        .bind(&i.short_name)
        .bind(&i.long_name)
        .bind(i.first_trade_date)
        .bind(i.regular_market_price)
        .bind(i.regular_market_time)
        .bind(fetched_at)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// The fetched bars on SQLite, as multi-row upserts (PostgreSQL's is one
/// array statement, see `postgres::upsert_bars`).
async fn upsert_bars_sqlite(
    conn: &mut SqliteConnection,
    batch: &FetchBatch<'_>,
) -> Result<(), StoreError> {
    let i = batch.instrument;
    let interval = batch.interval.as_str();
    for chunk in batch.bars.chunks(UPSERT_CHUNK) {
        let mut q = QueryBuilder::new(
            "INSERT INTO bars (symbol, interval, ts, open, high, low, close, adj_close, volume, fetched_at, source) ",
        );
        q.push_values(chunk, |mut row, bar| {
            row.push_bind(&i.yahoo_symbol)
                .push_bind(interval)
                .push_bind(bar.ts)
                .push_bind(bar.open)
                .push_bind(bar.high)
                .push_bind(bar.low)
                .push_bind(bar.close)
                .push_bind(bar.adj_close)
                .push_bind(bar.volume)
                .push_bind(batch.fetched_at)
                .push_bind(BarSource::Yahoo.as_str());
        });
        q.push(
            " ON CONFLICT (symbol, interval, ts) DO UPDATE SET
                open = excluded.open, high = excluded.high, low = excluded.low,
                close = excluded.close, adj_close = excluded.adj_close,
                volume = excluded.volume, fetched_at = excluded.fetched_at,
                source = excluded.source",
        );
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

async fn upsert_actions(
    conn: Conn<'_>,
    symbol: &str,
    actions: &[CorporateAction],
) -> Result<(), StoreError> {
    on_conn!(conn, |conn| {
        for action in actions {
            let (ts, kind, amount, num, den) = match *action {
                CorporateAction::Dividend { ts, amount } => {
                    (ts, "dividend", Some(amount), None, None)
                }
                CorporateAction::Split {
                    ts,
                    numerator,
                    denominator,
                } => (ts, "split", None, Some(numerator), Some(denominator)),
            };
            sqlx::query(
                "INSERT INTO corporate_actions (symbol, ts, kind, amount, numerator, denominator)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (symbol, ts, kind) DO UPDATE SET
                     amount = excluded.amount, numerator = excluded.numerator,
                     denominator = excluded.denominator",
            )
            .bind(symbol)
            .bind(ts)
            .bind(kind)
            .bind(amount)
            .bind(num)
            .bind(den)
            .execute(&mut *conn)
            .await?;
        }
    });
    Ok(())
}
