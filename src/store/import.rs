//! The bulk write of imported bars: one transaction per file.
//!
//! The bars go in through SQLite's C API on the connection sqlx has locked
//! for us, as multi-row upserts prepared once per file, with the symbol,
//! interval and import time bound once per statement: about a microsecond
//! a row, where sqlx's per-statement round trip to its worker thread costs
//! several. The instrument and the coverage are a handful of statements and
//! go through sqlx in the same transaction.

use std::ffi::{CString, c_int};
use std::ptr::NonNull;

use libsqlite3_sys as ffi;
use sqlx::{Connection as _, SqliteConnection};

use super::backend::{Backend, Conn, on_conn, series_write_lock};
use super::ffi::{SqliteFailure, Statement};
use super::raw_read::{StoredBar, read_stored_bars};
use super::{BarStore, StoreError, coverage, postgres};
use crate::model::{Bar, BarSource, Instrument, Interval};

/// Bars per multi-row statement: 3 + 7 x 64 parameters. Larger statements
/// gain nothing measurable (the b-tree insert dominates).
const ROWS_PER_STATEMENT: usize = 64;

/// Parameters per bar in the upsert: ts, open, high, low, close, adj_close, volume.
const PARAMS_PER_BAR: usize = 7;

/// One file's worth of bars.
#[derive(Debug, Clone)]
pub struct ImportBatch<'a> {
    /// Written only when the store has no instrument of this symbol yet
    /// (what Yahoo's meta said beats what an import can derive).
    pub instrument: &'a Instrument,
    pub interval: Interval,
    /// Ascending by `ts`, no duplicates.
    pub bars: &'a [Bar],
    /// Ranges `[start, end)` the file covers completely, ascending.
    pub covered: &'a [(i64, i64)],
    /// Overwrite stored Yahoo rows that differ (`--replace`); otherwise they stay.
    pub replace: bool,
    /// Epoch seconds, stored as the bars' `fetched_at`.
    pub imported_at: i64,
    /// Relative close difference above which an overlap counts as a
    /// different adjustment basis (0.01 is 1 %).
    pub basis_tolerance: f64,
}

/// What the write did with each bar, and how the file compares with what
/// was stored before.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportWrite {
    /// Bars the store did not have.
    pub inserted: usize,
    /// Earlier imported bars whose values changed.
    pub updated: usize,
    /// Yahoo bars overwritten (only with `replace`).
    pub replaced: usize,
    /// Bars identical to the stored ones.
    pub unchanged: usize,
    /// Yahoo bars that differ from the file and were kept.
    pub kept_yahoo: usize,
    /// Whether the coverage table changed.
    pub coverage_changed: bool,
    /// Whether the instrument row was created.
    pub instrument_created: bool,
    pub basis: BasisCheck,
}

/// The comparison of closes where the file and the store overlap.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BasisCheck {
    /// Bars present in both.
    pub overlapping: usize,
    /// Of those, closes that differ by more than the tolerance.
    pub differing: usize,
    /// The largest relative difference.
    pub worst: Option<BasisDiff>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BasisDiff {
    pub ts: i64,
    pub stored_close: f64,
    pub file_close: f64,
}

impl BasisDiff {
    pub fn relative(&self) -> f64 {
        ((self.file_close - self.stored_close) / self.stored_close).abs()
    }
}

impl BasisCheck {
    fn compare(&mut self, ts: i64, stored_close: f64, file_close: f64, tolerance: f64) {
        self.overlapping += 1;
        let diff = BasisDiff {
            ts,
            stored_close,
            file_close,
        };
        // A non-finite ratio (a zero stored close) is the largest difference.
        let rel = diff.relative();
        let rel = if rel.is_nan() { f64::INFINITY } else { rel };
        if rel > tolerance {
            self.differing += 1;
            let worse = self
                .worst
                .is_none_or(|w| w.relative().total_cmp(&rel).is_lt());
            if worse {
                self.worst = Some(diff);
            }
        }
    }
}

fn write_error(e: SqliteFailure) -> StoreError {
    StoreError::Write(e.message)
}

/// The upsert of `rows` bars: `?1` symbol, `?2` interval, `?3` import time,
/// then seven parameters a bar.
fn upsert_sql(rows: usize) -> CString {
    let mut sql = String::from(
        "INSERT INTO bars (symbol, interval, ts, open, high, low, close, adj_close, volume, fetched_at, source) VALUES ",
    );
    for r in 0..rows {
        let p = 4 + r * PARAMS_PER_BAR;
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(?1, ?2, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?3, 'import')",
            p,
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5,
            p + 6
        ));
    }
    sql.push_str(
        " ON CONFLICT (symbol, interval, ts) DO UPDATE SET
            open = excluded.open, high = excluded.high, low = excluded.low,
            close = excluded.close, adj_close = excluded.adj_close, volume = excluded.volume,
            fetched_at = excluded.fetched_at, source = excluded.source",
    );
    // The text has no NUL byte: it is built from literals and numbers.
    CString::new(sql).unwrap_or_default()
}

/// Upserts bars through a statement of [`ROWS_PER_STATEMENT`] rows, and a
/// one-row statement for the remainder.
struct Upsert {
    full: Statement,
    single: Statement,
}

impl Upsert {
    /// # Safety
    /// `db` must be open and used by nobody else while this value lives.
    unsafe fn prepare(
        db: NonNull<ffi::sqlite3>,
        symbol: &str,
        interval: &str,
        imported_at: i64,
    ) -> Result<Self, SqliteFailure> {
        // SAFETY: per this function's contract.
        let (full, single) = unsafe {
            (
                Statement::prepare(db, &upsert_sql(ROWS_PER_STATEMENT))?,
                Statement::prepare(db, &upsert_sql(1))?,
            )
        };
        for stmt in [&full, &single] {
            stmt.bind_text(1, symbol)?;
            stmt.bind_text(2, interval)?;
            stmt.bind_i64(3, imported_at)?;
        }
        Ok(Self { full, single })
    }

    fn bind(stmt: &Statement, slot: usize, bar: &Bar) -> Result<(), SqliteFailure> {
        // At most 3 + 7 x 64 parameters: the cast cannot truncate.
        let p = (4 + slot * PARAMS_PER_BAR) as c_int;
        stmt.bind_i64(p, bar.ts)?;
        stmt.bind_f64(p + 1, bar.open)?;
        stmt.bind_f64(p + 2, bar.high)?;
        stmt.bind_f64(p + 3, bar.low)?;
        stmt.bind_f64(p + 4, bar.close)?;
        stmt.bind_f64(p + 5, bar.adj_close)?;
        stmt.bind_i64(p + 6, bar.volume)
    }

    /// Writes `bars[i]` for every `i` in `which`.
    fn write(&mut self, bars: &[Bar], which: &[u32]) -> Result<(), SqliteFailure> {
        let mut chunks = which.chunks_exact(ROWS_PER_STATEMENT);
        for chunk in &mut chunks {
            for (slot, &i) in chunk.iter().enumerate() {
                Self::bind(&self.full, slot, &bars[i as usize])?;
            }
            self.full.execute()?;
        }
        for &i in chunks.remainder() {
            Self::bind(&self.single, 0, &bars[i as usize])?;
            self.single.execute()?;
        }
        Ok(())
    }
}

/// Same values in every column the file provides.
fn same_values(a: &Bar, b: &Bar) -> bool {
    a.open == b.open
        && a.high == b.high
        && a.low == b.low
        && a.close == b.close
        && a.adj_close == b.adj_close
        && a.volume == b.volume
}

/// Decides each bar of the batch against the `stored` bars of its range:
/// counts every outcome in `out` and returns the indexes of the bars to
/// write. The same on both backends.
fn decide(batch: &ImportBatch<'_>, stored: &[StoredBar], out: &mut ImportWrite) -> Vec<u32> {
    let mut writes: Vec<u32> = Vec::with_capacity(batch.bars.len());
    let mut old = stored.iter().peekable();
    for (i, bar) in (0u32..).zip(batch.bars) {
        while old.next_if(|s| s.bar.ts < bar.ts).is_some() {}
        let Some(s) = old.next_if(|s| s.bar.ts == bar.ts) else {
            out.inserted += 1;
            writes.push(i);
            continue;
        };
        out.basis
            .compare(bar.ts, s.bar.close, bar.close, batch.basis_tolerance);
        let same = same_values(&s.bar, bar);
        match s.source {
            BarSource::Import if same => out.unchanged += 1,
            BarSource::Import => {
                out.updated += 1;
                writes.push(i);
            }
            BarSource::Yahoo if batch.replace => {
                out.replaced += 1;
                writes.push(i);
            }
            BarSource::Yahoo if same => out.unchanged += 1,
            BarSource::Yahoo => out.kept_yahoo += 1,
        }
    }
    writes
}

/// The `[first, last]` span of the batch's bars as a range read's
/// `[start, end)`, or `None` for an empty batch.
fn batch_span(batch: &ImportBatch<'_>) -> Option<(i64, i64)> {
    Some((
        batch.bars.first()?.ts,
        batch.bars.last()?.ts.saturating_add(1),
    ))
}

/// Decides each bar against the stored ones and writes what must change.
///
/// # Safety
/// `db` must be open, inside a write transaction, and used by nobody else
/// for the duration of the call.
unsafe fn write_bars(
    db: NonNull<ffi::sqlite3>,
    symbol: &str,
    batch: &ImportBatch<'_>,
    out: &mut ImportWrite,
) -> Result<(), StoreError> {
    let Some((start, end)) = batch_span(batch) else {
        return Ok(());
    };
    let interval = batch.interval.as_str();
    // SAFETY: per this function's contract.
    let stored: Vec<StoredBar> = unsafe { read_stored_bars(db, symbol, interval, start, end) }?;
    let writes = decide(batch, &stored, out);
    // SAFETY: per this function's contract.
    let mut upsert =
        unsafe { Upsert::prepare(db, symbol, interval, batch.imported_at) }.map_err(write_error)?;
    upsert.write(batch.bars, &writes).map_err(write_error)
}

/// Turns foreign keys off for a bulk load and returns the setting to put
/// back with [`set_foreign_keys`]. Outside any transaction: SQLite ignores
/// a `foreign_keys` change inside one. They can go off because
/// `import_bars` writes the parent instrument row in the same transaction
/// before any bar or coverage row, so the per-row parent lookup (a tenth
/// of the import's time) can never fail. (Checkpoints need no setting:
/// they run in the background, see `store::checkpoint`.)
async fn foreign_keys_off(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    let previous: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await?;
    set_foreign_keys(conn, 0).await?;
    Ok(previous)
}

async fn set_foreign_keys(conn: &mut SqliteConnection, value: i64) -> Result<(), StoreError> {
    let sql = format!("PRAGMA foreign_keys = {value}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl BarStore {
    /// Writes one imported file: the instrument (when new), its bars, and
    /// the coverage it proves, all or nothing. Importing the same bars again
    /// changes nothing; stored Yahoo bars stay unless `batch.replace`.
    pub async fn import_bars(
        &self,
        symbol: &str,
        batch: &ImportBatch<'_>,
    ) -> Result<ImportWrite, StoreError> {
        if batch.bars.windows(2).any(|w| w[0].ts >= w[1].ts) {
            return Err(StoreError::Write(
                "import batch bars must be in ascending order without duplicates".into(),
            ));
        }
        if u32::try_from(batch.bars.len()).is_err() {
            return Err(StoreError::Write(format!(
                "{} bars in one batch; split the file",
                batch.bars.len()
            )));
        }
        let sqlite = match &self.backend {
            Backend::Sqlite(sqlite) => sqlite,
            Backend::Postgres(_) => return import_on_postgres(&self.backend, symbol, batch).await,
        };
        let mut conn = sqlite.pool.acquire().await?;
        let foreign_keys = foreign_keys_off(&mut conn).await?;
        let written = import_in_transaction(&mut conn, symbol, batch).await;
        // Put the pooled connection back as it was, whatever happened.
        let restored = set_foreign_keys(&mut conn, foreign_keys).await;
        let out = written?;
        restored?;
        Ok(out)
    }
}

async fn import_in_transaction(
    conn: &mut SqliteConnection,
    symbol: &str,
    batch: &ImportBatch<'_>,
) -> Result<ImportWrite, StoreError> {
    let mut out = ImportWrite::default();
    // IMMEDIATE: take the write lock before reading the stored bars the
    // decisions rest on, so no other writer changes them in between.
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    out.instrument_created = insert_instrument(Conn::Sqlite(&mut tx), symbol, batch).await?;
    {
        let mut handle = tx.lock_handle().await?;
        // SAFETY: the handle is locked (sqlx's worker leaves the
        // connection alone until it drops) and inside the transaction.
        unsafe { write_bars(handle.as_raw_handle(), symbol, batch, &mut out) }?;
    }
    out.coverage_changed = coverage::merge(
        Conn::Sqlite(&mut tx),
        symbol,
        batch.interval.as_str(),
        batch.covered,
        batch.imported_at,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Creates the instrument row unless the symbol has one; returns whether
/// it did.
async fn insert_instrument(
    conn: Conn<'_>,
    symbol: &str,
    batch: &ImportBatch<'_>,
) -> Result<bool, StoreError> {
    let i = batch.instrument;
    let created = on_conn!(conn, |conn| {
        sqlx::query(
            "INSERT INTO instruments (symbol, exchange, full_exchange_name, currency, timezone,
                 instrument_type, short_name, long_name, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (symbol) DO NOTHING",
        )
        .bind(symbol)
        .bind(&i.exchange)
        .bind(&i.full_exchange_name)
        .bind(&i.currency)
        .bind(&i.timezone)
        .bind(&i.instrument_type)
        .bind(&i.short_name)
        .bind(&i.long_name)
        .bind(batch.imported_at)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(created > 0)
}

/// The PostgreSQL import: the same decisions, one transaction, the bars
/// written by one array upsert. The series' write lock (see
/// [`series_write_lock`]) keeps a fetch of the same series from writing
/// between the read the decisions rest on and the write.
async fn import_on_postgres(
    backend: &Backend,
    symbol: &str,
    batch: &ImportBatch<'_>,
) -> Result<ImportWrite, StoreError> {
    let interval = batch.interval.as_str();
    let mut out = ImportWrite::default();
    let mut tx = backend
        .begin_serialized(series_write_lock(symbol, interval))
        .await?;
    out.instrument_created = insert_instrument(tx.conn(), symbol, batch).await?;
    if let (Some((start, end)), Conn::Postgres(conn)) = (batch_span(batch), tx.conn()) {
        let stored = postgres::read_stored_bars_on(conn, symbol, interval, start, end).await?;
        let writes = decide(batch, &stored, &mut out);
        let bars = writes.iter().map(|&i| &batch.bars[i as usize]);
        postgres::upsert_bars(
            conn,
            symbol,
            interval,
            bars,
            batch.imported_at,
            BarSource::Import,
        )
        .await?;
    }
    out.coverage_changed = coverage::merge(
        tx.conn(),
        symbol,
        interval,
        batch.covered,
        batch.imported_at,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instrument() -> Instrument {
        Instrument {
            yahoo_symbol: "X.NS".into(),
            exchange: "NSI".into(),
            currency: "INR".into(),
            timezone: "Asia/Kolkata".into(),
            ..Instrument::default()
        }
    }

    fn bar(day: i64, close: f64) -> Bar {
        Bar {
            ts: day * 86_400,
            open: close,
            high: close,
            low: close,
            close,
            adj_close: close,
            volume: 1,
        }
    }

    fn batch<'a>(i: &'a Instrument, bars: &'a [Bar], covered: &'a [(i64, i64)]) -> ImportBatch<'a> {
        ImportBatch {
            instrument: i,
            interval: Interval::D1,
            bars,
            covered,
            replace: false,
            imported_at: 100,
            basis_tolerance: 0.01,
        }
    }

    async fn settings(store: &BarStore) -> (i64, i64) {
        let mut conn = store.sqlite().pool.acquire().await.unwrap();
        let get = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
        let fk = get("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let ckpt = get("PRAGMA wal_autocheckpoint")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        (fk, ckpt)
    }

    async fn count(store: &BarStore, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&store.sqlite().pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_failed_write_stores_nothing_and_restores_the_connection() {
        let dir = tempfile::tempdir().unwrap();
        let store = BarStore::open(&dir.path().join("t.db")).await.unwrap();
        let before = settings(&store).await;
        // 0: SQLite's automatic checkpoint is replaced by the background
        // hook, and the import must not bring it back.
        assert_eq!(before, (1, 0));
        let i = instrument();
        // SQLite stores NaN as NULL, which `close NOT NULL` refuses: the
        // 200th bar fails after 199 were written in the transaction.
        let mut bars: Vec<Bar> = (0..300).map(|d| bar(19_000 + d, 10.0)).collect();
        bars[199].close = f64::NAN;
        let covered = [(19_000 * 86_400, 19_300 * 86_400)];
        let err = store
            .import_bars("X.NS", &batch(&i, &bars, &covered))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("NOT NULL"), "{err}");
        assert_eq!(count(&store, "SELECT COUNT(*) FROM bars").await, 0);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM coverage").await, 0);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM instruments").await, 0);
        assert_eq!(
            settings(&store).await,
            before,
            "foreign keys are back, checkpoints still in the background"
        );

        bars[199].close = 10.0;
        let out = store
            .import_bars("X.NS", &batch(&i, &bars, &covered))
            .await
            .unwrap();
        assert_eq!((out.inserted, out.unchanged), (300, 0));
        assert!(out.instrument_created && out.coverage_changed);
        assert_eq!(settings(&store).await, before);
        let again = store
            .import_bars("X.NS", &batch(&i, &bars, &covered))
            .await
            .unwrap();
        assert_eq!((again.inserted, again.unchanged), (0, 300));
        assert!(!again.instrument_created && !again.coverage_changed);
        store.close().await;
    }

    #[tokio::test]
    async fn unsorted_batches_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = BarStore::open(&dir.path().join("t.db")).await.unwrap();
        let i = instrument();
        let bars = [bar(2, 1.0), bar(1, 1.0)];
        let err = store
            .import_bars("X.NS", &batch(&i, &bars, &[]))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("ascending"), "{err}");
        store.close().await;
    }

    #[test]
    fn the_worst_difference_is_kept() {
        let mut b = BasisCheck::default();
        b.compare(1, 100.0, 100.5, 0.01);
        b.compare(2, 100.0, 150.0, 0.01);
        b.compare(3, 100.0, 120.0, 0.01);
        assert_eq!((b.overlapping, b.differing), (3, 2));
        assert_eq!(b.worst.map(|w| w.ts), Some(2));
    }
}
