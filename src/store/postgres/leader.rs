//! One warmer across instances on PostgreSQL: the instance that holds a
//! session advisory lock leads, on a connection of its own for its whole
//! term. When the leader dies (even by `kill -9`) its connection ends, the
//! server releases the lock, and the next instance to try gets it: no
//! lease period to wait out, and no clock involved.

use sqlx::{Connection, PgConnection};

use crate::store::StoreError;
use crate::store::backend::{PgBackend, lock_key};

fn key(name: &str) -> i64 {
    lock_key(b"lead", name, "")
}

/// Whether this instance leads `name` now: true while it holds the lock
/// (checking that its connection still lives), or if it takes it now.
pub async fn claim(pg: &PgBackend, name: &str) -> Result<bool, StoreError> {
    let mut held = pg.leader.lock().await;
    if let Some(conn) = held.as_mut() {
        if conn.ping().await.is_ok() {
            return Ok(true);
        }
        // The session is gone, and the lock with it: try again below.
        *held = None;
    }
    let mut conn = PgConnection::connect_with(&pg.pool.connect_options()).await?;
    let won: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(key(name))
        .fetch_one(&mut conn)
        .await?;
    if won {
        *held = Some(conn);
    } else {
        conn.close().await.ok();
    }
    Ok(won)
}

/// Ends this instance's term: closing the connection releases the lock.
pub async fn release(pg: &PgBackend) {
    if let Some(conn) = pg.leader.lock().await.take() {
        conn.close().await.ok();
    }
}
