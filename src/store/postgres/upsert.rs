//! The bulk upsert of bars on PostgreSQL: one statement whatever the
//! count, the bars' columns bound as seven arrays and unnested. A
//! multi-row VALUES list would bind 11 parameters a bar and be parsed and
//! planned afresh for each batch size; the arrays are seven parameters,
//! and the statement is prepared once per connection.

use sqlx::PgConnection;

use crate::model::{Bar, BarSource};
use crate::store::StoreError;

/// Upserts `bars` of `symbol`/`interval`, stamped `fetched_at` and `source`.
pub async fn upsert_bars<'b>(
    conn: &mut PgConnection,
    symbol: &str,
    interval: &str,
    bars: impl ExactSizeIterator<Item = &'b Bar>,
    fetched_at: i64,
    source: BarSource,
) -> Result<u64, StoreError> {
    let n = bars.len();
    if n == 0 {
        return Ok(0);
    }
    let mut columns = Columns::with_capacity(n);
    for bar in bars {
        columns.push(bar);
    }
    let done = sqlx::query(
        "INSERT INTO bars (symbol, interval, ts, open, high, low, close, adj_close, volume, fetched_at, source)
         SELECT $1, $2, b.*, $3, $4
         FROM UNNEST($5::bigint[], $6::float8[], $7::float8[], $8::float8[], $9::float8[],
                     $10::float8[], $11::bigint[]) AS b
         ON CONFLICT (symbol, interval, ts) DO UPDATE SET
             open = excluded.open, high = excluded.high, low = excluded.low,
             close = excluded.close, adj_close = excluded.adj_close,
             volume = excluded.volume, fetched_at = excluded.fetched_at,
             source = excluded.source",
    )
    .bind(symbol)
    .bind(interval)
    .bind(fetched_at)
    .bind(source.as_str())
    .bind(&columns.ts)
    .bind(&columns.open)
    .bind(&columns.high)
    .bind(&columns.low)
    .bind(&columns.close)
    .bind(&columns.adj_close)
    .bind(&columns.volume)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The bars' columns, one vector each.
struct Columns {
    ts: Vec<i64>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    adj_close: Vec<f64>,
    volume: Vec<i64>,
}

impl Columns {
    fn with_capacity(n: usize) -> Self {
        Self {
            ts: Vec::with_capacity(n),
            open: Vec::with_capacity(n),
            high: Vec::with_capacity(n),
            low: Vec::with_capacity(n),
            close: Vec::with_capacity(n),
            adj_close: Vec::with_capacity(n),
            volume: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, bar: &Bar) {
        self.ts.push(bar.ts);
        self.open.push(bar.open);
        self.high.push(bar.high);
        self.low.push(bar.low);
        self.close.push(bar.close);
        self.adj_close.push(bar.adj_close);
        self.volume.push(bar.volume);
    }
}
