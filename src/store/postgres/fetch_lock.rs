//! Cross-instance single flight: before fetching a gap of a series, an
//! instance takes a session advisory lock on (symbol, interval), then
//! re-reads the coverage, so instances that asked at once make one
//! upstream call between them.
//!
//! The lock is held on a connection of its own pool, not the store's: a
//! pooled connection held through a slow upstream call (20 s timeouts,
//! retries, `Retry-After`) would exhaust the store's pool in a burst of
//! cold symbols. The fetched bars are written in their own short
//! transaction on the store's pool meanwhile. `lock_timeout` bounds the
//! wait; past it the instance fetches without the lock (a duplicate call
//! beats an answer that never comes).

use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use crate::store::StoreError;
use crate::store::backend::lock_key;

/// How long an instance waits for another's fetch of the same series:
/// longer than one upstream call with its retries, usually.
pub const FETCH_LOCK_TIMEOUT: Duration = Duration::from_secs(25);

/// Connections that can hold fetch locks at once, per instance. With the
/// store's own pool, three instances stay far below PostgreSQL's default
/// `max_connections` of 100.
const LOCK_POOL_SIZE: u32 = 16;

/// The pool fetch locks are held on.
pub fn lock_pool(options: &PgConnectOptions) -> PgPool {
    let timeout = format!("{}ms", FETCH_LOCK_TIMEOUT.as_millis());
    let options = options
        .clone()
        .options([("lock_timeout", timeout.as_str())]);
    PgPoolOptions::new()
        .max_connections(LOCK_POOL_SIZE)
        .min_connections(0)
        // Waiting for a lock connection is waiting for the lock.
        .acquire_timeout(FETCH_LOCK_TIMEOUT)
        .connect_lazy_with(options)
}

/// A held fetch lock. [`FetchLock::release`] unlocks it and returns the
/// connection; dropped unreleased (an early return), the connection is
/// closed instead, which ends the session and so the lock.
#[derive(Debug)]
pub struct FetchLock {
    conn: Option<PoolConnection<Postgres>>,
    key: i64,
}

/// The key of the fetch lock of a series.
pub fn fetch_lock_key(symbol: &str, interval: &str) -> i64 {
    lock_key(b"fetch", symbol, interval)
}

impl FetchLock {
    /// Waits for the series' lock; `None` when `lock_timeout` (or the wait
    /// for a lock connection) ran out first.
    pub async fn acquire(
        pool: &PgPool,
        symbol: &str,
        interval: &str,
    ) -> Result<Option<FetchLock>, StoreError> {
        let mut conn = match pool.acquire().await {
            Ok(conn) => conn,
            Err(sqlx::Error::PoolTimedOut) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let key = fetch_lock_key(symbol, interval);
        let locked = sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(key)
            .execute(&mut *conn)
            .await;
        match locked {
            Ok(_) => Ok(Some(FetchLock {
                conn: Some(conn),
                key,
            })),
            // lock_not_available: lock_timeout ran out.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55P03") => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Unlocks and hands the connection back to the pool.
    pub async fn release(mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(self.key)
            .execute(&mut *conn)
            .await;
        if unlocked.is_err() {
            // The session ends with the connection, and the lock with it.
            drop(conn.detach());
        }
    }
}

impl Drop for FetchLock {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(conn.detach());
        }
    }
}
