//! Black-box test support: the real binary, driven by rmcp's client, against
//! a fake Yahoo on loopback and a real store: an SQLite file in a temp dir,
//! or with `TRADING_MCP_TEST_BACKEND=postgres` a database of its own on a
//! throwaway PostgreSQL server (see [`TestDb`]).
#![allow(dead_code)]

pub mod backends;
pub mod fake_feeds;
pub mod fake_series;
pub mod fake_yahoo;
pub mod notifications;
pub mod postgres;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Map, Value};

#[allow(unused_imports)] // each test crate uses its own subset
pub use fake_yahoo::{Blackhole, FakeYahoo, Fault, refused_url};

pub const BIN: &str = env!("CARGO_BIN_EXE_trading-mcp");

/// "Now" for tests: after the shared daily data ends (2024-03-28), so it is
/// all settled history.
pub const TEST_NOW: &str = "2024-04-01T12:00:00+05:30";

pub type Client = RunningService<RoleClient, ()>;

/// A test's environment: temp dir, the store, the fake upstream, settings.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub yahoo_url: String,
    pub vars: Vec<(String, String)>,
    db: TestDb,
}

/// The store a test's server uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestDb {
    Sqlite(PathBuf),
    /// A fresh database's URL.
    Postgres(String),
}

/// Which backend the black-box tests run on: `TRADING_MCP_TEST_BACKEND`
/// (`sqlite`, the default, or `postgres`; anything else is an error).
pub fn test_backend() -> &'static str {
    match std::env::var("TRADING_MCP_TEST_BACKEND").as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => "sqlite",
        Ok("postgres") => "postgres",
        Ok(other) => panic!("TRADING_MCP_TEST_BACKEND={other:?}: use sqlite or postgres"),
    }
}

impl TestDb {
    /// A new, empty store in `dir` or on the binary's PostgreSQL server.
    fn fresh(dir: &Path) -> TestDb {
        match test_backend() {
            "postgres" => TestDb::Postgres(block_on(backends::postgres_url())),
            _ => TestDb::Sqlite(dir.join("test.db")),
        }
    }

    /// The `--db` value.
    pub fn arg(&self) -> String {
        match self {
            TestDb::Sqlite(path) => path.display().to_string(),
            TestDb::Postgres(url) => url.clone(),
        }
    }

    /// The SQLite file, for a test about SQLite itself.
    pub fn sqlite_path(&self) -> &Path {
        match self {
            TestDb::Sqlite(path) => path,
            TestDb::Postgres(_) => panic!("this test is about the SQLite file; run it on SQLite"),
        }
    }

    /// Whether the store exists yet (a PostgreSQL database always does).
    pub fn exists(&self) -> bool {
        match self {
            TestDb::Sqlite(path) => path.exists(),
            TestDb::Postgres(_) => true,
        }
    }

    /// Whether nothing has opened the store: no SQLite file, or a
    /// PostgreSQL database without tables (not migrated).
    pub async fn is_untouched(&self) -> bool {
        match self {
            TestDb::Sqlite(path) => !path.exists(),
            TestDb::Postgres(url) => {
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url)
                    .await
                    .unwrap();
                let tables: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
                )
                .fetch_one(&mut conn)
                .await
                .unwrap();
                tables == 0
            }
        }
    }

    /// Opens the store (migrating it if new).
    pub async fn store(&self) -> trading_mcp::store::BarStore {
        let location = match self {
            TestDb::Sqlite(path) => trading_mcp::store::DbLocation::Sqlite(path.clone()),
            TestDb::Postgres(url) => trading_mcp::store::DbLocation::Postgres(url.clone()),
        };
        trading_mcp::store::BarStore::open_location(&location)
            .await
            .unwrap()
    }

    /// Runs a read-only query through the store's own read-only path.
    pub async fn query(&self, sql: &str) -> trading_mcp::store::QueryResult {
        let limits = trading_mcp::store::QueryLimits {
            max_rows: 10_000_000,
            max_bytes: usize::MAX,
            ..Default::default()
        };
        let answer = match self {
            TestDb::Sqlite(path) => trading_mcp::store::query_read_only(path, sql, limits).await,
            TestDb::Postgres(_) => self.store().await.query_read_only(sql, limits).await,
        };
        answer.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

/// Runs `future` to completion on a runtime of its own, from sync code
/// that may itself be inside a runtime.
fn block_on<T: Send + 'static>(future: impl std::future::Future<Output = T> + Send + 'static) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    })
    .join()
    .unwrap()
}

impl Env {
    pub fn new(yahoo_url: &str) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::fresh(dir.path());
        let vars = [
            ("TRADING_MCP_DB", db.arg()),
            ("TRADING_MCP_YAHOO_URL", yahoo_url.to_string()),
            ("TRADING_MCP_NOW", TEST_NOW.to_string()),
            ("TRADING_MCP_LOG", "warn".to_string()),
            ("TRADING_MCP_RETRY_BASE_MS", "20".to_string()),
            ("TRADING_MCP_RETRY_MAX_MS", "100".to_string()),
            ("TRADING_MCP_RATE_LIMIT", "1000".to_string()),
            ("TRADING_MCP_RATE_BURST", "1000".to_string()),
            // TEST_NOW is mid-session on a Monday: a warming server would
            // add upstream calls to every count a test asserts.
            ("TRADING_MCP_NO_WARM", "true".to_string()),
            // News feeds on loopback too (the fake Yahoo answers 404 to
            // them) unless a test serves them: never the network.
            ("TRADING_MCP_NEWS_YAHOO_URL", yahoo_url.to_string()),
            ("TRADING_MCP_NEWS_GOOGLE_URL", yahoo_url.to_string()),
            ("TRADING_MCP_NEWS_NSE_URL", yahoo_url.to_string()),
            ("TRADING_MCP_NEWS_BSE_URL", yahoo_url.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Env {
            dir,
            yahoo_url: yahoo_url.to_string(),
            vars,
            db,
        }
    }

    pub fn db(&self) -> TestDb {
        self.db.clone()
    }

    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.to_string(), value.to_string()));
        self
    }

    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(BIN);
        cmd.args(args);
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("TRADING_MCP_")) {
            cmd.env_remove(k);
        }
        cmd.envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd
    }

    /// Starts `trading-mcp serve` (stdio) and connects rmcp's client to it.
    pub async fn stdio_client(&self) -> Client {
        self.stdio_client_with(&[]).await
    }

    /// Starts `trading-mcp serve FLAGS...` (stdio) and connects to it.
    pub async fn stdio_client_with(&self, flags: &[&str]) -> Client {
        let args: Vec<&str> = ["serve"].iter().chain(flags).copied().collect();
        let (transport, _stderr) = TokioChildProcess::builder(self.command(&args))
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        ().serve(transport)
            .await
            .expect("MCP initialize over stdio")
    }

    /// Starts `serve --transport http` on a free port with extra
    /// environment; returns the child (killed on drop) and the MCP URL.
    pub async fn http_server(&self, extra_env: &[(&str, &str)]) -> (tokio::process::Child, String) {
        use tokio::io::{AsyncBufReadExt, BufReader};
        let mut cmd = self.command(&["serve", "--transport", "http", "--listen", "127.0.0.1:0"]);
        cmd.envs(extra_env.iter().copied());
        let mut child = cmd
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut said = Vec::new();
        let url = loop {
            let Some(line) = lines.next_line().await.unwrap() else {
                panic!("server exited before listening:\n{}", said.join("\n"));
            };
            if let Some(url) = line.split("MCP streamable HTTP at ").nth(1) {
                break url.trim().to_string();
            }
            said.push(line);
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        (child, url)
    }

    /// Runs `trading-mcp call TOOL ARGS`: (exit code, stdout, stderr).
    pub async fn cli_call(&self, tool: &str, args: &Value) -> (i32, String, String) {
        let out = self
            .command(&["call", tool, &args.to_string()])
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// Calls a tool; panics on protocol errors.
pub async fn call(client: &Client, tool: &str, args: Value) -> CallToolResult {
    try_call(client, tool, args).await.expect("tools/call")
}

pub async fn try_call(
    client: &Client,
    tool: &str,
    args: Value,
) -> Result<CallToolResult, rmcp::service::ServiceError> {
    let Value::Object(map) = args else {
        panic!("args must be an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(map))
        .await
}

/// The structured content of a successful result.
pub fn ok(result: &CallToolResult) -> &Map<String, Value> {
    assert_ne!(result.is_error, Some(true), "tool error: {}", text(result));
    result
        .structured_content
        .as_ref()
        .and_then(Value::as_object)
        .expect("structured content")
}

/// The text of a result's first content block.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The message of a tool error; panics if the call succeeded.
pub fn tool_error(result: &CallToolResult) -> String {
    assert_eq!(
        result.is_error,
        Some(true),
        "expected a tool error, got {}",
        text(result)
    );
    text(result)
}

/// Asserts the store is sound: SQLite's `PRAGMA integrity_check` says
/// `ok`. (A PostgreSQL server recovers from its own WAL; it has no file a
/// killed client could leave half-written, so there is nothing to check.)
pub async fn assert_store_intact(db: &TestDb) {
    let TestDb::Sqlite(path) = db else {
        return;
    };
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(verdict, "ok");
}

/// Row counts of the tables a test watches.
pub async fn db_counts(db: &TestDb) -> (i64, i64, i64) {
    // One query: on PostgreSQL each opens the store.
    let r = db
        .query(
            "SELECT (SELECT COUNT(*) FROM bars), (SELECT COUNT(*) FROM coverage),
                    (SELECT COUNT(*) FROM upstream_calls)",
        )
        .await;
    let count = |i: usize| match r.rows[0][i] {
        trading_mcp::store::SqlValue::Integer(n) => n,
        ref other => panic!("count {i}: {other:?}"),
    };
    (count(0), count(1), count(2))
}

/// Runs a read-only query returning one integer.
pub async fn db_scalar(db: &TestDb, sql: &str) -> i64 {
    let r = db.query(sql).await;
    match r.rows.first().and_then(|row| row.first()) {
        Some(trading_mcp::store::SqlValue::Integer(n)) => *n,
        other => panic!("{sql}: not one integer: {other:?}"),
    }
}

/// The chart tool's bars as one object per bar (`{t,o,h,l,c,adj_close,v}`,
/// adj_close filled from c where the answer left it out).
pub fn bars(result: &CallToolResult) -> Vec<Value> {
    rows(&Value::Object(ok(result).clone()))
}

/// A source price as answers print it: the shortest decimal of its
/// float32 (std's `Display`, not the server's formatter), as a double.
pub fn quoted(x: f64) -> f64 {
    (x as f32).to_string().parse().unwrap()
}

/// [`bars`] of a structured chart answer.
pub fn rows(out: &Value) -> Vec<Value> {
    let cols = &out["bars"];
    let n = cols["t"].as_array().expect("bars.t").len();
    for k in ["o", "h", "l", "c", "v"] {
        assert_eq!(
            cols[k].as_array().map(Vec::len),
            Some(n),
            "bars.{k}: {cols}"
        );
    }
    let adj = if cols["adj_close"].is_array() {
        "adj_close"
    } else {
        "c"
    };
    (0..n)
        .map(|i| {
            serde_json::json!({
                "t": cols["t"][i], "o": cols["o"][i], "h": cols["h"][i], "l": cols["l"][i],
                "c": cols["c"][i], "adj_close": cols[adj][i], "v": cols["v"][i],
            })
        })
        .collect()
}

pub fn source(result: &CallToolResult) -> String {
    ok(result)["freshness"]["source"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Runs a read-only query returning rows of text (NULL as "NULL").
pub async fn db_rows(db: &TestDb, sql: &str) -> Vec<Vec<String>> {
    use trading_mcp::store::SqlValue;
    db.query(sql)
        .await
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| match v {
                    SqlValue::Null => "NULL".to_string(),
                    SqlValue::Integer(n) => n.to_string(),
                    SqlValue::Real(x) => x.to_string(),
                    SqlValue::Text(t) => t.clone(),
                    SqlValue::Blob(b) => SqlValue::hex(b),
                })
                .collect()
        })
        .collect()
}
