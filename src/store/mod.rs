//! L2: the SQLite file. The only module that writes SQL.
//!
//! One pool, WAL journal checkpointed in the background (see
//! [`checkpoint`]), `synchronous=NORMAL`, a busy timeout, foreign
//! keys on and temporary storage in memory. The schema lives in `migrations/` and is applied at open.

mod bars;
mod calls;
mod checkpoint;
mod coverage;
mod ffi;
mod import;
mod migrate;
mod news;
mod overview;
pub mod postgres;
pub mod query;
mod raw_read;
pub mod schema_doc;
mod warming;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use checkpoint::Checkpointer;

pub use bars::FetchBatch;
pub use calls::{BreakerTransitionRow, RecentTransition, StoreSummary, UpstreamCallRow};
pub use coverage::merge_coverage;
pub use import::{BasisCheck, BasisDiff, ImportBatch, ImportWrite};
pub use news::{
    FeedFetchRow, FeedState, FetchStatus, LinkKind, NewsCounts, NewsItem, NewsSearch, StoredArticle,
};
pub use overview::{InstrumentOverview, IntervalHoldings, StoredAction};
pub use query::{QueryColumn, QueryError, QueryLimits, QueryResult, SqlValue, query_read_only};
pub use raw_read::StoredBar;
pub use warming::WarmRunRow;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("database read failed: {0}")]
    Read(String),
    #[error("database write failed: {0}")]
    Write(String),
    #[error("migration failed: {0}")]
    Migration(#[from] refinery_core::Error),
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
}

/// The durable store of bars, coverage, instruments and call history.
/// Cheap to clone: clones share one pool.
#[derive(Debug, Clone)]
pub struct BarStore {
    pool: SqlitePool,
    path: PathBuf,
    #[cfg_attr(not(test), expect(dead_code, reason = "tests read its counters"))]
    checkpointer: &'static Checkpointer,
}

impl BarStore {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true)
            // Statement journals (a multi-row upsert under a trigger or a
            // foreign key keeps one) in memory rather than in a temp file:
            // a 100-item news save spent 15 % of its time writing one.
            .pragma("temp_store", "memory");
        let checkpointer = Checkpointer::leak(path.to_path_buf());
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    let mut handle = conn.lock_handle().await?;
                    // SAFETY: the handle is locked, so sqlx's worker does
                    // not use the connection during the call.
                    unsafe { checkpointer.install(handle.as_raw_handle()) };
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let mut conn = pool.acquire().await?;
        let applied = migrate::run(&mut conn).await?;
        if applied > 0 {
            tracing::info!(applied, db = %path.display(), "database migrated");
        }
        drop(conn);
        Ok(Self {
            pool,
            path: path.to_path_buf(),
            checkpointer,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs one read-only query on its own connection (see [`query`]): the
    /// path of the `query_market_db` tool.
    pub async fn query_read_only(
        &self,
        sql: &str,
        limits: QueryLimits,
    ) -> Result<QueryResult, QueryError> {
        query_read_only(&self.path, sql, limits).await
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
