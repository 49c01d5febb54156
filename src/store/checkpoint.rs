//! WAL checkpoints off the write path.
//!
//! SQLite's automatic checkpoint runs inside the `COMMIT` that pushes the
//! WAL past 1,000 pages: that writer copies the pages back into the
//! database and fsyncs it, a tenth of a 100-item news save and more of a
//! bulk import. Every pool connection instead gets a WAL hook (what the
//! automatic checkpoint itself is built on) that hands the checkpoint to a
//! thread of its own, the arrangement SQLite's documentation suggests.
//!
//! The WAL stays bounded: a passive checkpoint copies what no reader still
//! needs, and should the background fall behind by [`INLINE_PAGES`], the
//! committing writer checkpoints inline, as SQLite would by default.

use std::ffi::{c_char, c_int, c_void};
use std::path::PathBuf;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};

use libsqlite3_sys as ffi;

use super::ffi::{Connection, exec};

/// WAL pages not yet copied back after which a background checkpoint
/// starts: SQLite's own automatic threshold.
const BACKGROUND_PAGES: c_int = 1_000;
/// WAL pages (64 MiB at 4 KiB pages) after which the writer checkpoints
/// inline: the background is not keeping up.
const INLINE_PAGES: c_int = 16_384;

/// One database's checkpointer, shared by the hooks of its connections.
#[derive(Debug)]
pub(super) struct Checkpointer {
    path: PathBuf,
    running: AtomicBool,
    background_runs: AtomicU64,
    /// Pages in the WAL after the latest commit; a smaller count at the
    /// next commit means the WAL restarted.
    wal_pages: AtomicI32,
    /// WAL pages the latest background checkpoint had copied back; 0 once
    /// the WAL restarts.
    copied_pages: AtomicI32,
}

impl Checkpointer {
    /// A checkpointer for the database at `path`. It lives as long as the
    /// process: SQLite holds a pointer to it in every connection's hook, and
    /// a connection can outlive the pool that opened it by a moment.
    pub(super) fn leak(path: PathBuf) -> &'static Checkpointer {
        Box::leak(Box::new(Checkpointer {
            path,
            running: AtomicBool::new(false),
            background_runs: AtomicU64::new(0),
            wal_pages: AtomicI32::new(0),
            copied_pages: AtomicI32::new(0),
        }))
    }

    /// Pages in the WAL after the latest commit.
    #[cfg(test)]
    pub(super) fn wal_pages(&self) -> i32 {
        self.wal_pages.load(Ordering::Relaxed)
    }

    /// Background runs so far that copied pages back.
    #[cfg(test)]
    pub(super) fn background_runs(&self) -> u64 {
        self.background_runs.load(Ordering::Relaxed)
    }

    /// Installs the hook on `db`, replacing SQLite's automatic checkpoint.
    ///
    /// # Safety
    /// `db` must be an open connection that no other thread uses during the
    /// call.
    pub(super) unsafe fn install(&'static self, db: NonNull<ffi::sqlite3>) {
        let arg = ptr::from_ref(self).cast_mut().cast::<c_void>();
        // SAFETY: per this function's contract; `self` is 'static.
        unsafe { ffi::sqlite3_wal_hook(db.as_ptr(), Some(after_commit), arg) };
    }

    /// Starts a background checkpoint unless one is running.
    fn request(&'static self) {
        if self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                if self.checkpoint() {
                    self.background_runs.fetch_add(1, Ordering::Relaxed);
                }
                self.running.store(false, Ordering::Release);
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start a checkpoint thread; the writer will checkpoint");
            self.running.store(false, Ordering::Release);
        }
    }

    /// Passive checkpoints on a connection of its own, which never wait for
    /// a reader or a writer, until one copies the whole WAL: the next writer
    /// can then restart the WAL from its beginning (SQLite restarts it only
    /// when a write begins with nothing left to copy), so it stays small.
    /// Whether any page was copied.
    fn checkpoint(&self) -> bool {
        let mut conn = match Connection::open_existing(&self.path) {
            Ok(conn) => conn,
            Err(e) => {
                tracing::debug!(error = %e, "checkpoint skipped: cannot open the database");
                return false;
            }
        };
        // A new connection learns the file is in WAL mode on its first read;
        // before that a checkpoint does nothing and reports -1 frames.
        // SAFETY: as below.
        if let Err(e) = unsafe { exec(conn.handle(), c"SELECT 1 FROM sqlite_schema LIMIT 1") } {
            tracing::debug!(error = %e, "checkpoint skipped: cannot read the database");
            return false;
        }
        let mut copied_any = false;
        for _ in 0..MAX_ROUNDS {
            // SAFETY: the connection is ours alone on this thread.
            let (rc, logged, copied) =
                unsafe { passive_checkpoint(conn.handle().as_ptr(), ptr::null()) };
            if rc != ffi::SQLITE_OK {
                if rc != ffi::SQLITE_BUSY {
                    tracing::warn!(code = rc, db = %self.path.display(), "background checkpoint failed");
                }
                break;
            }
            self.copied_pages.store(copied, Ordering::Relaxed);
            copied_any |= copied > 0;
            if copied >= logged {
                break;
            }
        }
        copied_any
    }
}

/// Checkpoints one background run makes at most while writers keep adding
/// to the WAL; the next commit past the threshold starts another run.
const MAX_ROUNDS: usize = 16;

/// A passive checkpoint: its result code, the frames in the WAL and the
/// frames copied back into the database.
///
/// # Safety
/// `db` is an open connection used by this thread only; `schema` is null
/// (every attached database) or a NUL-terminated schema name.
unsafe fn passive_checkpoint(
    db: *mut ffi::sqlite3,
    schema: *const c_char,
) -> (c_int, c_int, c_int) {
    let (mut logged, mut copied) = (0, 0);
    // SAFETY: per this function's contract.
    let rc = unsafe {
        ffi::sqlite3_wal_checkpoint_v2(
            db,
            schema,
            ffi::SQLITE_CHECKPOINT_PASSIVE,
            &mut logged,
            &mut copied,
        )
    };
    (rc, logged, copied)
}

/// SQLite's WAL hook: called on the committing thread after each commit,
/// with the number of pages now in the WAL.
unsafe extern "C" fn after_commit(
    arg: *mut c_void,
    db: *mut ffi::sqlite3,
    schema: *const c_char,
    pages: c_int,
) -> c_int {
    // SAFETY: `arg` is the 'static checkpointer `install` registered.
    let checkpointer: &'static Checkpointer = unsafe { &*arg.cast::<Checkpointer>() };
    let before = checkpointer.wal_pages.swap(pages, Ordering::Relaxed);
    if pages < before {
        // The WAL restarted from its beginning: what the background copied
        // was of the previous one.
        checkpointer.copied_pages.store(0, Ordering::Relaxed);
    }
    if pages >= INLINE_PAGES {
        // SAFETY: SQLite calls the hook on the thread that owns `db`, with
        // the schema the commit wrote; checkpointing here is what its own
        // default hook does. The background has copied most of the WAL, so
        // little is left, and the next writer restarts the WAL.
        unsafe { passive_checkpoint(db, schema) };
        return ffi::SQLITE_OK;
    }
    let copied = checkpointer.copied_pages.load(Ordering::Relaxed);
    if pages.saturating_sub(copied) >= BACKGROUND_PAGES {
        checkpointer.request();
    }
    ffi::SQLITE_OK
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::store::BarStore;

    /// A store holding a table of blobs.
    async fn store_with_filler(path: &Path) -> BarStore {
        let store = BarStore::open(path).await.unwrap();
        sqlx::query("CREATE TABLE filler (x BLOB)")
            .execute(&store.sqlite().pool)
            .await
            .unwrap();
        store
    }

    /// Commits one row of 100 kB: about 25 WAL pages.
    async fn commit_blob(store: &BarStore) {
        sqlx::query("INSERT INTO filler VALUES (randomblob(100000))")
            .execute(&store.sqlite().pool)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn commits_past_the_threshold_are_checkpointed_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let store = store_with_filler(&path).await;
        for _ in 0..50 {
            commit_blob(&store).await;
        }
        let mut waited = 0;
        while store.sqlite().checkpointer.background_runs() == 0 && waited < 500 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            waited += 1;
        }
        assert!(
            store.sqlite().checkpointer.background_runs() >= 1,
            "no background checkpoint after 5 s"
        );
        // The first ~1,000 pages are back in the database file, which held
        // only its schema before.
        let db_bytes = std::fs::metadata(&path).unwrap().len();
        assert!(db_bytes > 3_000_000, "{db_bytes}");
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM filler")
            .fetch_one(&store.sqlite().pool)
            .await
            .unwrap();
        assert_eq!(rows, 50);
    }

    #[tokio::test]
    async fn the_wal_stays_bounded_under_back_to_back_commits() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_filler(&dir.path().join("b.db")).await;
        // ~20,000 pages in all: past the inline bound.
        let mut most = 0;
        for _ in 0..800 {
            commit_blob(&store).await;
            most = most.max(store.sqlite().checkpointer.wal_pages());
        }
        assert!(most >= super::BACKGROUND_PAGES, "{most}");
        // A writer that finds the background mid-run gets BUSY and goes
        // on; a later commit checkpoints.
        assert!(
            most < super::INLINE_PAGES + super::BACKGROUND_PAGES,
            "the WAL grew to {most} pages"
        );
    }
}
