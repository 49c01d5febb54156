//! Read-only SQL: the store-level path the `query_market_db` tool calls,
//! the `trading-mcp sql` binary, reading beside a writer, and the schema
//! documentation's completeness.

mod shared_data;
mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use sqlx::Connection;
use support::*;
use trading_mcp::model::{Bar, Instrument, Interval};
use trading_mcp::store::schema_doc::TABLES;
use trading_mcp::store::{
    BarStore, FetchBatch, QueryError, QueryLimits, SqlValue, query_read_only,
};

fn instrument() -> Instrument {
    Instrument {
        yahoo_symbol: "TCS.NS".into(),
        exchange: "NSI".into(),
        currency: "INR".into(),
        timezone: "Asia/Kolkata".into(),
        ..Default::default()
    }
}

fn bars(from_day: i64, n: i64) -> Vec<Bar> {
    (from_day..from_day + n)
        .map(|d| Bar {
            ts: d * 86_400,
            open: 1.0,
            high: 2.0,
            low: 0.5,
            close: 1.5,
            adj_close: 1.5,
            volume: d,
        })
        .collect()
}

async fn write(store: &BarStore, from_day: i64, n: i64) {
    let i = instrument();
    let b = bars(from_day, n);
    store
        .save_fetch(&FetchBatch {
            instrument: &i,
            interval: Interval::D1,
            bars: &b,
            actions: &[],
            covered: None,
            fetched_at: 1,
        })
        .await
        .unwrap();
}

/// A store with 100 TCS bars, in a temp dir.
async fn seeded() -> (tempfile::TempDir, BarStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = BarStore::open(&dir.path().join("t.db")).await.unwrap();
    write(&store, 19_000, 100).await;
    (dir, store)
}

fn quick() -> QueryLimits {
    QueryLimits {
        timeout: Duration::from_millis(300),
        ..QueryLimits::default()
    }
}

async fn denied(store: &BarStore, sql: &str) -> String {
    match store.query_read_only(sql, quick()).await {
        Err(e @ QueryError::Denied(_)) => e.to_string(),
        other => panic!("{sql}: expected a denial, got {other:?}"),
    }
}

async fn count(store: &BarStore, sql: &str) -> i64 {
    let r = store.query_read_only(sql, quick()).await.unwrap();
    match r.rows[0][0] {
        SqlValue::Integer(n) => n,
        ref other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn writes_schema_changes_attach_and_extensions_are_refused() {
    let (dir, store) = seeded().await;
    let cases = [
        ("INSERT INTO bars (symbol) VALUES ('X')", "INSERT into bars"),
        ("UPDATE bars SET close = 0", "UPDATE of bars"),
        ("DELETE FROM bars", "DELETE from bars"),
        ("DROP TABLE bars", "DROP bars"),
        ("CREATE TABLE x (a)", "CREATE x"),
        ("ALTER TABLE bars ADD COLUMN x", "ALTER TABLE bars"),
        (
            &format!("ATTACH '{}' AS other", dir.path().join("o.db").display()),
            "ATTACH",
        ),
        ("PRAGMA writable_schema = 1", "PRAGMA writable_schema = 1"),
        ("PRAGMA query_only = 0", "PRAGMA query_only = 0"),
        ("PRAGMA user_version = 7", "PRAGMA user_version = 7"),
        (
            "PRAGMA journal_mode = delete",
            "PRAGMA journal_mode = delete",
        ),
        ("SELECT load_extension('/tmp/evil.so')", "load_extension()"),
        ("BEGIN", "BEGIN (transaction control)"),
        (
            &format!("VACUUM INTO '{}'", dir.path().join("copy.db").display()),
            "a statement that writes (such as VACUUM)",
        ),
    ];
    for (sql, what) in cases {
        let msg = denied(&store, sql).await;
        assert!(
            msg.contains(&format!("{what} is not allowed")),
            "{sql}: {msg}"
        );
        assert!(msg.contains("read-only"), "{msg}");
    }
    assert!(!dir.path().join("o.db").exists(), "ATTACH created nothing");
    assert!(
        !dir.path().join("copy.db").exists(),
        "VACUUM INTO wrote nothing"
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bars").await, 100);
    assert_eq!(count(&store, "PRAGMA user_version").await, 0);
    store.close().await;
}

#[tokio::test]
async fn runaway_queries_and_huge_values_are_stopped() {
    let (_dir, store) = seeded().await;
    let forever =
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n";
    let err = store.query_read_only(forever, quick()).await.unwrap_err();
    assert_eq!(err, QueryError::Timeout(Duration::from_millis(300)));
    assert!(
        err.to_string()
            .contains("longer than 300 ms and was stopped"),
        "{err}"
    );

    let err = store
        .query_read_only("SELECT randomblob(999999999)", quick())
        .await
        .unwrap_err();
    assert_eq!(err, QueryError::ValueTooBig(1_000_000));
    let err = store
        .query_read_only("SELECT length(zeroblob(2000000))", quick())
        .await
        .unwrap_err();
    assert_eq!(err, QueryError::ValueTooBig(1_000_000));
    // Under the cap is fine.
    assert_eq!(count(&store, "SELECT length(randomblob(1000))").await, 1000);
    store.close().await;
}

#[tokio::test]
async fn rows_and_bytes_are_capped_and_values_keep_their_types() {
    let (_dir, store) = seeded().await;
    let limits = QueryLimits {
        max_rows: 10,
        ..quick()
    };
    let r = store
        .query_read_only(
            "SELECT ts, close, symbol, NULL AS missing, x'00ff' AS raw FROM bars ORDER BY ts",
            limits,
        )
        .await
        .unwrap();
    assert_eq!(r.rows.len(), 10);
    assert!(r.truncated);
    assert!(
        r.note.as_deref().unwrap().contains("row limit of 10"),
        "{:?}",
        r.note
    );
    let names: Vec<&str> = r.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["ts", "close", "symbol", "missing", "raw"]);
    assert_eq!(r.columns[0].decl_type.as_deref(), Some("INTEGER"));
    assert_eq!(
        r.rows[0],
        vec![
            SqlValue::Integer(19_000 * 86_400),
            SqlValue::Real(1.5),
            SqlValue::Text("TCS.NS".into()),
            SqlValue::Null,
            SqlValue::Blob(vec![0, 255]),
        ]
    );
    let json = serde_json::to_value(&r.rows[0]).unwrap();
    assert_eq!(
        json,
        json!([19_000 * 86_400, 1.5, "TCS.NS", null, {"blob_hex": "00ff"}])
    );

    let exact = store
        .query_read_only("SELECT ts FROM bars LIMIT 10", limits)
        .await
        .unwrap();
    assert!(!exact.truncated, "exactly the limit is not truncated");

    let small = QueryLimits {
        max_bytes: 200,
        ..quick()
    };
    let r = store
        .query_read_only("SELECT symbol, ts FROM bars", small)
        .await
        .unwrap();
    assert!(r.truncated && r.rows.len() < 100 && !r.rows.is_empty());
    assert!(r.note.unwrap().contains("output limit of 200 bytes"));
    store.close().await;
}

#[tokio::test]
async fn introspection_and_ordinary_reads_work() {
    let (_dir, store) = seeded().await;
    let r = store
        .query_read_only("PRAGMA table_info(bars)", quick())
        .await
        .unwrap();
    assert!(
        r.rows
            .iter()
            .any(|row| row[1] == SqlValue::Text("source".into()))
    );
    let avg = store
        .query_read_only(
            "WITH f AS (SELECT volume FROM bars WHERE strftime('%w', ts, 'unixepoch') = '5') SELECT avg(volume), count(*) FROM f",
            quick(),
        )
        .await
        .unwrap();
    assert_eq!(avg.rows[0][1], SqlValue::Integer(14));
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM pragma_table_info('coverage')").await,
        5
    );
    assert_eq!(
        store
            .query_read_only("SELECT 1; SELECT 2", quick())
            .await
            .unwrap_err(),
        QueryError::MultipleStatements
    );
    assert_eq!(
        store
            .query_read_only("SELECT 1; -- trailing comment", quick())
            .await
            .unwrap()
            .rows
            .len(),
        1
    );
    assert_eq!(
        store
            .query_read_only(" -- nothing", quick())
            .await
            .unwrap_err(),
        QueryError::Empty
    );
    let err = store.query_read_only("SELEC 1", quick()).await.unwrap_err();
    assert!(
        matches!(&err, QueryError::Sql(m) if m.contains("syntax error")),
        "{err}"
    );
    store.close().await;
}

#[tokio::test]
async fn reads_see_committed_data_while_a_writer_holds_its_transaction() {
    let (dir, store) = seeded().await;
    let db = dir.path().join("t.db");
    let mut writer = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut writer)
        .await
        .unwrap();
    sqlx::query("INSERT INTO bars (symbol, interval, ts, open, high, low, close, adj_close, volume, fetched_at) VALUES ('TCS.NS', '1d', 1, 1, 1, 1, 1, 1, 1, 1)")
        .execute(&mut writer)
        .await
        .unwrap();
    // The write lock is held: the reader neither waits nor sees the row.
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bars").await, 100);
    sqlx::query("COMMIT").execute(&mut writer).await.unwrap();
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bars").await, 101);
    writer.close().await.unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_run_throughout_a_stream_of_writes() {
    let (dir, store) = seeded().await;
    let db = dir.path().join("t.db");
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..200 {
                write(&store, 20_000 + i * 10, 10).await;
            }
        })
    };
    let mut last = 0;
    let mut reads = 0;
    while !writer.is_finished() || reads == 0 {
        let n = count(&store, "SELECT COUNT(*) FROM bars").await;
        assert!(n >= last && n <= 2_100, "{n} after {last}");
        last = n;
        reads += 1;
        // The binary, too, reads beside the writer.
        if reads % 20 == 1 {
            let out = std::process::Command::new(BIN)
                .args([
                    "--db",
                    db.to_str().unwrap(),
                    "sql",
                    "SELECT COUNT(*) FROM bars",
                    "--format",
                    "csv",
                ])
                .env("TRADING_MCP_LOG", "warn")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    writer.await.unwrap();
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bars").await, 2_100);
    store.close().await;
}

#[tokio::test]
async fn the_sql_binary_prints_tables_csv_and_json() {
    let (dir, store) = seeded().await;
    store.close().await;
    let db = dir.path().join("t.db");
    let sql = |args: &[&str]| {
        let mut cmd = std::process::Command::new(BIN);
        cmd.args(["--db", db.to_str().unwrap(), "sql"])
            .args(args)
            .env("TRADING_MCP_LOG", "warn");
        cmd.stdin(Stdio::null());
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let q = "SELECT symbol, COUNT(*) AS n, 'a,\"b' AS odd FROM bars GROUP BY symbol";
    let (code, out, _) = sql(&[q]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "symbol |   n | odd\n-------+-----+-----\nTCS.NS | 100 | a,\"b\n(1 row)\n"
    );
    let (_, out, _) = sql(&[q, "--format", "csv"]);
    assert_eq!(out, "symbol,n,odd\nTCS.NS,100,\"a,\"\"b\"\n");
    let (_, out, _) = sql(&[q, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rows"], json!([["TCS.NS", 100, "a,\"b"]]));
    assert_eq!(v["truncated"], false);
    let (code, out, err) = sql(&["SELECT ts FROM bars", "--limit", "3", "--format", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 4);
    assert!(err.contains("row limit of 3"), "{err}");
    let (code, _, err) = sql(&["DELETE FROM bars"]);
    assert_eq!(code, 1);
    assert!(err.contains("DELETE from bars is not allowed"), "{err}");
    let missing = dir.path().join("none.db");
    let out = std::process::Command::new(BIN)
        .args(["--db", missing.to_str().unwrap(), "sql", "SELECT 1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database at"));
    assert!(!missing.exists(), "a read-only query creates no database");
}

/// (table, column, declared type) of every column in a migrated database.
async fn live_schema(db: &Path) -> Vec<(String, String, String)> {
    let limits = QueryLimits {
        max_rows: 10_000,
        ..QueryLimits::default()
    };
    let r = query_read_only(
        db,
        "SELECT m.name, p.name, p.type FROM sqlite_schema m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2",
        limits,
    )
    .await
    .unwrap();
    r.rows
        .iter()
        .map(|row| {
            let t = |v: &SqlValue| match v {
                SqlValue::Text(s) => s.clone(),
                other => panic!("{other:?}"),
            };
            (t(&row[0]), t(&row[1]), t(&row[2]))
        })
        .collect()
}

#[tokio::test]
async fn every_table_and_column_is_documented_and_nothing_else() {
    let (dir, store) = seeded().await;
    store.close().await;
    let live = live_schema(&dir.path().join("t.db")).await;
    let mut documented: Vec<(String, String, String)> = TABLES
        .iter()
        .flat_map(|t| {
            t.columns.iter().map(|c| {
                (
                    t.name.to_string(),
                    c.name.to_string(),
                    c.sql_type.to_string(),
                )
            })
        })
        .collect();
    documented.sort();
    let missing: Vec<_> = live.iter().filter(|c| !documented.contains(c)).collect();
    let stale: Vec<_> = documented.iter().filter(|c| !live.contains(c)).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "src/store/schema_doc.rs is out of date.\nundocumented (table, column, type): {missing:?}\ndocumented but absent: {stale:?}"
    );
}
