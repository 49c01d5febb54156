//! L2: the durable store, an SQLite file or a PostgreSQL database (see
//! [`backend`]). The only module that writes SQL.
//!
//! SQLite: one pool, WAL journal checkpointed in the background (see
//! [`checkpoint`]), `synchronous=NORMAL`, a busy timeout, foreign keys on
//! and temporary storage in memory. PostgreSQL: one pool (see
//! [`postgres`]). Each schema lives in `migrations/<backend>/` and is
//! applied at open.

mod backend;
mod bars;
mod calls;
mod checkpoint;
mod coverage;
mod ffi;
mod import;
mod migrate;
mod news;
mod news_search;
mod overview;
pub mod postgres;
pub mod query;
mod raw_read;
pub mod schema_doc;
mod warming;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::model::Interval;
use backend::{Backend, SqliteBackend};
use checkpoint::Checkpointer;

pub use bars::FetchBatch;
pub use calls::{BreakerTransitionRow, RecentTransition, StoreSummary, UpstreamCallRow};
pub use coverage::merge_coverage;
pub use import::{BasisCheck, BasisDiff, ImportBatch, ImportWrite};
pub use news::{FeedFetchRow, FetchStatus, LinkKind, NewsItem};
pub use news_search::{FeedState, NewsCounts, NewsSearch, StoredArticle};
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

/// Where the store lives: what `--db` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    /// An SQLite file, created with its schema on first use.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://user@host/db`).
    Postgres(String),
}

impl std::fmt::Display for DbLocation {
    /// The path, or the URL without its password (it goes to logs).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbLocation::Sqlite(path) => write!(f, "{}", path.display()),
            DbLocation::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

/// `url` with the password of its `user:password@` part masked.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}{tail}")
        }
        _ => url.to_string(),
    }
}

/// A fetch lock from [`BarStore::fetch_lock`], held until released or
/// dropped.
#[derive(Debug)]
pub struct FetchGuard(Option<postgres::FetchLock>);

impl FetchGuard {
    /// Whether a cross-instance lock is held: another instance may have
    /// filled the gap before it was granted. (None on SQLite, or when the
    /// wait ran out.)
    pub fn is_held(&self) -> bool {
        self.0.is_some()
    }

    pub async fn release(self) {
        if let Some(lock) = self.0 {
            lock.release().await;
        }
    }
}

/// The durable store of bars, coverage, instruments and call history.
/// Cheap to clone: clones share one pool.
#[derive(Debug, Clone)]
pub struct BarStore {
    backend: Backend,
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
            backend: Backend::Sqlite(SqliteBackend {
                pool,
                path: path.to_path_buf(),
                checkpointer,
            }),
        })
    }

    /// Opens the store `--db` names.
    pub async fn open_location(location: &DbLocation) -> Result<Self, StoreError> {
        match location {
            DbLocation::Sqlite(path) => Self::open(path).await,
            DbLocation::Postgres(url) => Self::connect_postgres(url).await,
        }
    }

    /// How much space the store takes: the SQLite file, or the PostgreSQL
    /// database (`pg_database_size`).
    pub async fn size_bytes(&self) -> Result<u64, StoreError> {
        match &self.backend {
            Backend::Sqlite(sqlite) => Ok(std::fs::metadata(&sqlite.path).map_or(0, |m| m.len())),
            Backend::Postgres(pg) => {
                let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                    .fetch_one(&pg.pool)
                    .await?;
                Ok(u64::try_from(bytes).unwrap_or(0))
            }
        }
    }

    /// Connects to the PostgreSQL database at `url` and migrates it.
    pub async fn connect_postgres(url: &str) -> Result<Self, StoreError> {
        Ok(Self {
            backend: Backend::Postgres(postgres::connect(url).await?),
        })
    }

    /// Takes the cross-instance fetch lock of a series (PostgreSQL; one
    /// SQLite file has one server, whose L1 single flight suffices).
    /// Re-read the coverage after it: another instance may have fetched
    /// the gap meanwhile.
    pub async fn fetch_lock(
        &self,
        symbol: &str,
        interval: Interval,
    ) -> Result<FetchGuard, StoreError> {
        let Backend::Postgres(pg) = &self.backend else {
            return Ok(FetchGuard(None));
        };
        let held = postgres::FetchLock::acquire(&pg.locks, symbol, interval.as_str()).await?;
        if held.is_none() {
            tracing::warn!(
                symbol,
                interval = interval.as_str(),
                waited_secs = postgres::FETCH_LOCK_TIMEOUT.as_secs(),
                "another instance's fetch of this series is taking long; fetching without the lock"
            );
        }
        Ok(FetchGuard(held))
    }

    /// The database file, when the store is SQLite.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite(sqlite) => Some(&sqlite.path),
            Backend::Postgres(_) => None,
        }
    }

    /// Runs one read-only query on its own connection (see [`query`]): the
    /// path of the `query_market_db` tool.
    pub async fn query_read_only(
        &self,
        sql: &str,
        limits: QueryLimits,
    ) -> Result<QueryResult, QueryError> {
        match &self.backend {
            Backend::Sqlite(sqlite) => query_read_only(&sqlite.path, sql, limits).await,
            Backend::Postgres(pg) => postgres::query_read_only(&pg.reader, sql, limits).await,
        }
    }

    /// The SQLite backend, for unit tests that look inside it.
    #[cfg(test)]
    fn sqlite(&self) -> &SqliteBackend {
        match &self.backend {
            Backend::Sqlite(sqlite) => sqlite,
            Backend::Postgres(_) => panic!("an SQLite store"),
        }
    }

    /// Closes the pool (on SQLite, checkpointing the WAL).
    pub async fn close(&self) {
        backend::on_pool!(&self.backend, |pool| pool.close().await);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_show_without_their_password() {
        let shown = |url: &str| DbLocation::Postgres(url.into()).to_string();
        assert_eq!(
            shown("postgres://trader:s3cr:et@db.internal:5432/market?sslmode=require"),
            "postgres://trader:***@db.internal:5432/market?sslmode=require"
        );
        assert_eq!(
            shown("postgres://trader@db/market"),
            "postgres://trader@db/market"
        );
        assert_eq!(
            shown("postgresql:///market?host=/tmp"),
            "postgresql:///market?host=/tmp"
        );
        assert_eq!(
            DbLocation::Sqlite("data/x.db".into()).to_string(),
            "data/x.db"
        );
    }
}
