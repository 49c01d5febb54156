//! The two backends behind [`super::BarStore`]: an SQLite file (the
//! default) or a PostgreSQL database shared by several instances.
//!
//! Most of the store's SQL reads the same on both: placeholders are
//! written `$1`, `$2`, … (which sqlx's SQLite driver accepts too), upserts
//! use `ON CONFLICT … DO UPDATE` with table-qualified columns, and the
//! types map one to one (see `migrations/postgres/V1__schema.sql`). For
//! that SQL, [`on_pool!`] and [`on_conn!`] run one body on whichever
//! backend the store has: the body is type-checked once per backend, so
//! each statement is written once. What differs (SQLite's C-API range
//! read and import, FTS5 against tsvector, the read-only query path) is
//! written per backend, beside its twin.

use std::path::PathBuf;

use sqlx::postgres::PgConnectOptions;
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::checkpoint::Checkpointer;

/// Which database the store writes, and its pool.
#[derive(Debug, Clone)]
pub(super) enum Backend {
    Sqlite(SqliteBackend),
    Postgres(PgBackend),
}

/// The PostgreSQL database: the store's pool, and how the read-only SQL
/// tools log in (see `postgres::query`).
#[derive(Debug, Clone)]
pub(super) struct PgBackend {
    pub pool: PgPool,
    /// Where fetch locks are held (see `postgres::FetchLock`).
    pub locks: PgPool,
    /// The connection holding the warming leadership's advisory lock,
    /// while this instance leads (see `warming.rs`).
    pub leader: std::sync::Arc<tokio::sync::Mutex<Option<PgConnection>>>,
    /// Boxed: the options are large, and the store is cloned often.
    pub reader: Box<PgConnectOptions>,
}

/// The SQLite file: its pool, path, and the WAL checkpointer its
/// connections report to.
#[derive(Debug, Clone)]
pub(super) struct SqliteBackend {
    pub pool: SqlitePool,
    pub path: PathBuf,
    #[cfg_attr(not(test), expect(dead_code, reason = "tests read its counters"))]
    pub checkpointer: &'static Checkpointer,
}

/// A transaction on either backend.
pub(super) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Backend {
    /// A transaction that writes one at a time with every other
    /// `begin_serialized` of the same `key`, across instances: on SQLite
    /// `BEGIN IMMEDIATE` (the file's write lock, taken up front); on
    /// PostgreSQL a transaction-scoped advisory lock on `key`.
    pub async fn begin_serialized(&self, key: i64) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Backend::Sqlite(sqlite) => Tx::Sqlite(sqlite.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres(pg) => {
                let mut tx = pg.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }
}

/// A connection of either backend, for SQL run inside a caller's
/// transaction.
pub(super) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl<'c> From<&'c mut SqliteConnection> for Conn<'c> {
    fn from(conn: &'c mut SqliteConnection) -> Self {
        Conn::Sqlite(conn)
    }
}

impl<'c> From<&'c mut PgConnection> for Conn<'c> {
    fn from(conn: &'c mut PgConnection) -> Self {
        Conn::Postgres(conn)
    }
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(tx) => Conn::Sqlite(tx),
            Tx::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// The key of the write lock of one series (see
/// [`Backend::begin_serialized`]): writers that read before they write (an
/// import decides per bar from the stored ones) take it, and so does a
/// fetch's save, so neither writes between the other's read and write.
/// FNV-1a, so every instance and every build computes the same key.
pub(super) fn series_write_lock(symbol: &str, interval: &str) -> i64 {
    lock_key(b"write", symbol, interval)
}

/// A stable 64-bit key for `purpose` on (symbol, interval).
pub(super) fn lock_key(purpose: &[u8], symbol: &str, interval: &str) -> i64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let parts: [&[u8]; 3] = [purpose, symbol.as_bytes(), interval.as_bytes()];
    let mut hash = OFFSET;
    for part in parts {
        // A separator no symbol or interval holds, so ("AB", "C") and
        // ("A", "BC") differ.
        for &byte in part.iter().chain(&[0u8]) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
    }
    hash as i64
}

/// `on_pool!(&store.backend, |pool| body)`: runs `body` with `pool` bound
/// to the backend's `&Pool`, once written, compiled for each backend.
macro_rules! on_pool {
    ($backend:expr, |$pool:ident| $body:expr) => {
        match $backend {
            $crate::store::backend::Backend::Sqlite(sqlite) => {
                let $pool = &sqlite.pool;
                $body
            }
            $crate::store::backend::Backend::Postgres(pg) => {
                let $pool = &pg.pool;
                $body
            }
        }
    };
}

/// `on_conn!(tx.conn(), |conn| body)`: the same for a [`Conn`], with
/// `conn` bound to the backend's `&mut Connection`.
macro_rules! on_conn {
    ($conn_of:expr, |$conn:ident| $body:expr) => {
        match $conn_of {
            $crate::store::backend::Conn::Sqlite($conn) => $body,
            $crate::store::backend::Conn::Postgres($conn) => $body,
        }
    };
}

pub(super) use {on_conn, on_pool};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_are_stable_and_tell_series_apart() {
        // Fixed: instances of different builds must agree on the key.
        assert_eq!(series_write_lock("RELIANCE.NS", "1d"), 3508475581127430933);
        assert_ne!(series_write_lock("AB", "C"), series_write_lock("A", "BC"));
        assert_ne!(
            series_write_lock("TCS.NS", "1d"),
            series_write_lock("TCS.NS", "1wk")
        );
        assert_ne!(
            lock_key(b"fetch", "TCS.NS", "1d"),
            series_write_lock("TCS.NS", "1d")
        );
    }
}
