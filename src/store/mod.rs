//! L2: the SQLite file. The only module that writes SQL.
//!
//! One pool, WAL journal, `synchronous=NORMAL`, a busy timeout and foreign
//! keys on. The schema lives in `migrations/` and is applied at open.

mod bars;
mod calls;
mod migrate;
mod news;
mod raw_read;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use bars::{FetchBatch, merge_coverage};
pub use calls::{BreakerTransitionRow, StoreSummary, UpstreamCallRow};
pub use news::{
    FeedFetchRow, FeedState, FetchStatus, LinkKind, NewsCounts, NewsItem, NewsSearch, StoredArticle,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("database read failed: {0}")]
    Read(String),
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
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options)
            .await?;
        let mut conn = pool.acquire().await?;
        let applied = migrate::run(&mut conn).await?;
        if applied > 0 {
            tracing::info!(applied, db = %path.display(), "database migrated");
        }
        drop(conn);
        Ok(Self { pool })
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
