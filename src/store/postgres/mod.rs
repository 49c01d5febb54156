//! The PostgreSQL backend: what it does differently from SQLite. The SQL
//! both backends share lives with its topic (`bars.rs`, `calls.rs`, …);
//! here are the pool, the schema, the range read through binary COPY and
//! the bulk upsert through arrays.

mod copy_read;
mod fetch_lock;
pub(super) mod leader;
mod migrate;
mod query;
mod upsert;

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub use copy_read::{read_bars, read_stored_bars, read_stored_bars_on};
pub use fetch_lock::{FETCH_LOCK_TIMEOUT, FetchLock};
pub use migrate::migrate;
pub use query::{READER_ROLE, query_read_only};
pub use upsert::upsert_bars;

use super::StoreError;
use super::backend::PgBackend;

/// Connections per instance: several instances share one server, whose
/// default `max_connections` is 100.
const POOL_SIZE: u32 = 8;

/// The advisory lock key that serialises migrations across instances
/// ("trading-mcp migrate" as eight bytes of ASCII would not fit; any fixed
/// key no other lock uses will do).
const MIGRATION_LOCK: i64 = 0x7472_6164_696e_6701;

/// Opens a pool on `url`, applies the migrations not yet applied and sets
/// up the SQL tools' reader role.
pub(super) async fn connect(url: &str) -> Result<PgBackend, StoreError> {
    let options: PgConnectOptions = url.parse()?;
    let options = options
        .application_name("trading-mcp")
        // The COPY range read quotes its literals by this rule.
        .options([("standard_conforming_strings", "on")]);
    let reader = query::reader_options(&options);
    let locks = fetch_lock::lock_pool(&options);
    let pool = PgPoolOptions::new()
        .max_connections(POOL_SIZE)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    let mut conn = pool.acquire().await?;
    // Instances started together would race to create refinery's history
    // table and apply the same migration: the first to get the lock
    // migrates, the others then find nothing to do. A session lock, so it
    // also holds across the migration's own transactions.
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *conn)
        .await?;
    let applied = match migrate(&mut conn).await {
        Ok(applied) => query::provision_reader(&mut conn)
            .await
            .map(|()| applied)
            .map_err(StoreError::from),
        Err(e) => Err(StoreError::from(e)),
    };
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *conn)
        .await?;
    let applied = applied?;
    if applied > 0 {
        tracing::info!(applied, "PostgreSQL database migrated");
    }
    drop(conn);
    Ok(PgBackend {
        pool,
        locks,
        leader: Default::default(),
        reader: Box::new(reader),
    })
}
