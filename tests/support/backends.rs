//! The store on each backend, for tests that must hold on both: an SQLite
//! file in a temp dir, and a database on a throwaway PostgreSQL server
//! (see [`super::postgres`]) that lives as long as the test binary.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use trading_mcp::store::BarStore;

use super::postgres::Postgres;

/// A store and what keeps it alive.
pub struct TestStore {
    pub store: BarStore,
    pub backend: &'static str,
    /// The `--db` value that opens the same store from a binary.
    pub db: String,
    _dir: Option<tempfile::TempDir>,
}

/// The binary's one PostgreSQL server (started on first use, stopped when
/// the process exits: see `Drop for Postgres`, run from `atexit`).
pub fn postgres() -> &'static Postgres {
    static SERVER: OnceLock<Postgres> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = Postgres::start();
        extern "C" fn stop() {
            if let Some(server) = SERVER.get() {
                server.stop();
                // A static's TempDir is never dropped: remove it here.
                std::fs::remove_dir_all(server.dir()).ok();
            }
        }
        // SAFETY: registering a plain function with no captured state.
        unsafe { libc_atexit(stop) };
        server
    })
}

unsafe extern "C" {
    #[link_name = "atexit"]
    fn libc_atexit(f: extern "C" fn()) -> i32;
}

/// A fresh, empty database URL on the binary's server.
pub async fn postgres_url() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    postgres()
        .database(&format!("t{}_{n}", std::process::id()))
        .await
}

pub async fn sqlite_store() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    TestStore {
        store: BarStore::open(&path).await.unwrap(),
        backend: "sqlite",
        db: path.display().to_string(),
        _dir: Some(dir),
    }
}

pub async fn postgres_store() -> TestStore {
    let url = postgres_url().await;
    TestStore {
        store: BarStore::connect_postgres(&url).await.unwrap(),
        backend: "postgres",
        db: url,
        _dir: None,
    }
}

/// An empty store on each backend.
pub async fn each_backend() -> [TestStore; 2] {
    [sqlite_store().await, postgres_store().await]
}
