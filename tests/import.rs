//! `trading-mcp import`, black-box: the real binary on the shared files and
//! on small files written here, checked through the database it writes.

mod shared_data;
mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use chrono::NaiveDate;
use serde_json::json;
use shared_data::shared_dir;
use support::*;
use trading_mcp::model::{Bar, BarSource, Instrument, Interval, date_key};
use trading_mcp::store::{BarStore, FetchBatch};

fn data(rel: &str) -> PathBuf {
    shared_dir().join("data").join(rel)
}

const RELIANCE: &str = "nse_daily_yahoo/RELIANCE.NS.csv";
const ADANIENT: &str = "nse_daily_upstox/ADANIENT_2020-10-01_to_2025-09-30.csv";
const INTRADAY: &str = "nse_intraday/RELIANCE.NS_5m_2025-09-11_to_2025-12-05.csv";

/// An environment whose upstream is a closed loopback port: nothing here
/// may reach Yahoo.
fn env() -> Env {
    Env::new("http://127.0.0.1:9")
}

/// Runs `trading-mcp import ARGS`: (exit code, stdout, stderr).
async fn import(env: &Env, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    let out = env
        .command(&all)
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

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Lines of data rows in a shared CSV (everything after the header lines).
fn data_rows(file: &Path, header_lines: usize) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .skip(header_lines)
        .filter(|l| !l.trim().is_empty())
        .count()
}

async fn open(env: &Env) -> BarStore {
    env.db().store().await
}

fn day(s: &str) -> i64 {
    date_key(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

/// Every row of the tables an import writes, as text, for before/after comparisons.
async fn dump(db: &TestDb) -> Vec<String> {
    let store = db.store().await;
    let mut rows = Vec::new();
    for sql in [
        "SELECT symbol, interval, ts, open, high, low, close, adj_close, volume, fetched_at, source FROM bars ORDER BY 1, 2, 3",
        "SELECT symbol, interval, start_ts, end_ts, fetched_at FROM coverage ORDER BY 1, 2, 3",
        "SELECT * FROM instruments ORDER BY symbol",
    ] {
        let limits = trading_mcp::store::QueryLimits {
            max_rows: 1_000_000,
            max_bytes: usize::MAX,
            ..Default::default()
        };
        let r = store.query_read_only(sql, limits).await.unwrap();
        assert!(!r.truncated);
        rows.extend(r.rows.iter().map(|row| format!("{row:?}")));
    }
    store.close().await;
    rows
}

#[tokio::test]
async fn each_shared_layout_imports_every_row() {
    let env = env();
    let files = [data(RELIANCE), data(ADANIENT), data(INTRADAY)];
    let (code, out, err) = import(&env, &files.iter().map(|p| path(p)).collect::<Vec<_>>()).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(data_rows(&data(RELIANCE), 1), 6_050);
    assert_eq!(data_rows(&data(INTRADAY), 3), 4_354);
    let adanient_rows = data_rows(&data(ADANIENT), 1);

    let store = open(&env).await;
    let all = |s: &'static str, i| {
        let store = store.clone();
        async move {
            store
                .read_stored_bars(s, i, i64::MIN, i64::MAX)
                .await
                .unwrap()
        }
    };
    let reliance = all("RELIANCE.NS", Interval::D1).await;
    assert_eq!(reliance.len(), 6_050);
    assert_eq!(reliance[0].bar.ts, day("2000-01-03"));
    assert_eq!(reliance.last().unwrap().bar.ts, day("2024-03-28"));
    assert!(reliance.iter().all(|r| r.source == BarSource::Import));
    let yahoo = shared_data::yahoo_daily("RELIANCE.NS").unwrap();
    for (stored, i) in reliance.iter().zip(0..) {
        assert_eq!(
            stored.bar.close, yahoo.close[i],
            "close on {}",
            yahoo.dates[i]
        );
        assert_eq!(stored.bar.adj_close, yahoo.adj_close[i]);
        assert_eq!(stored.bar.volume as f64, yahoo.volume[i]);
    }

    let adanient = all("ADANIENT.NS", Interval::D1).await;
    assert_eq!(adanient.len(), adanient_rows);
    assert_eq!(adanient[0].bar.ts, day("2020-10-01"));
    assert_eq!(adanient[0].bar.close, 308.15);
    assert_eq!(
        adanient[0].bar.adj_close, 308.15,
        "no Adj Close column: the close"
    );

    let intraday = all("RELIANCE.NS", Interval::M5).await;
    assert_eq!(intraday.len(), 4_354);
    let first = chrono::DateTime::parse_from_rfc3339("2025-09-11T09:15:00+05:30").unwrap();
    assert_eq!(intraday[0].bar.ts, first.timestamp());
    assert_eq!(intraday[0].bar.close, 1380.9000244140625);

    let i = store.instrument("ADANIENT.NS").await.unwrap().unwrap();
    assert_eq!(
        (
            i.exchange.as_str(),
            i.currency.as_str(),
            i.timezone.as_str()
        ),
        ("NSI", "INR", "Asia/Kolkata")
    );
    store.close().await;

    assert!(out.contains("RELIANCE.NS.csv: RELIANCE.NS 1d (Yahoo CSV): 6050 rows read, 6050 stored (6050 new), 0 skipped; bars 2000-01-03..2024-03-28"), "{out}");
    assert!(out.contains("ADANIENT.NS 1d (broker CSV)"), "{out}");
    assert!(
        out.contains("RELIANCE.NS 5m (yfinance 3-line header): 4354 rows read, 4354 stored"),
        "{out}"
    );
}

#[tokio::test]
async fn null_rows_are_skipped_and_counted() {
    let env = env();
    let aapl = data("us_daily/AAPL.csv");
    let (code, out, err) =
        import(&env, &["--symbol", "AAPL", "--exchange", "US", path(&aapl)]).await;
    assert_eq!(code, 0, "{out}\n{err}");
    let rows = data_rows(&aapl, 1);
    assert!(
        out.contains(&format!(
            "{rows} rows read, {} stored ({} new), 1 skipped (1 null)",
            rows - 1,
            rows - 1
        )),
        "{out}"
    );
    let store = open(&env).await;
    let i = store.instrument("AAPL").await.unwrap().unwrap();
    assert_eq!(
        (i.currency.as_str(), i.timezone.as_str()),
        ("USD", "America/New_York")
    );
    let bars = store
        .read_stored_bars("AAPL", Interval::D1, i64::MIN, i64::MAX)
        .await
        .unwrap();
    assert_eq!(bars.len(), rows - 1);
    assert!(
        !bars.iter().any(|b| b.bar.ts == day("1981-08-10")),
        "the null row is not stored"
    );
    store.close().await;
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing() {
    let mut env = env();
    env.set("TRADING_MCP_NOW", "2026-02-01T12:00:00+05:30");
    let files = [data(RELIANCE), data(INTRADAY)];
    let args: Vec<&str> = files.iter().map(|p| path(p)).collect();
    assert_eq!(import(&env, &args).await.0, 0);
    let before = dump(&env.db()).await;
    // A later import time: any rewritten row would show it.
    env.set("TRADING_MCP_NOW", "2026-02-02T12:00:00+05:30");
    let (code, out, _) = import(&env, &args).await;
    assert_eq!(code, 0);
    assert!(
        out.contains("6050 rows read, 0 stored, 6050 skipped (6050 already stored)"),
        "{out}"
    );
    assert!(
        out.contains("4354 rows read, 0 stored, 4354 skipped (4354 already stored)"),
        "{out}"
    );
    let after = dump(&env.db()).await;
    assert_eq!(before.len(), after.len());
    let changed = before.iter().zip(&after).find(|(a, b)| a != b);
    assert!(changed.is_none(), "first changed row: {changed:?}");
}

/// Writes `rows` under a Yahoo CSV header into `dir/name`.
fn write_csv(dir: &Path, name: &str, rows: &[&str]) -> PathBuf {
    let p = dir.join(name);
    let mut text = String::from("Date,Open,High,Low,Close,Adj Close,Volume\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&p, text).unwrap();
    p
}

fn bar(date: &str, close: f64) -> Bar {
    Bar {
        ts: day(date),
        open: close,
        high: close,
        low: close,
        close,
        adj_close: close,
        volume: 1_000,
    }
}

#[tokio::test]
async fn yahoo_bars_are_kept_unless_replace() {
    let env = env();
    let store = open(&env).await;
    let instrument = Instrument {
        yahoo_symbol: "TCS.NS".into(),
        exchange: "NSI".into(),
        full_exchange_name: Some("NSE".into()),
        currency: "INR".into(),
        timezone: "Asia/Kolkata".into(),
        ..Default::default()
    };
    // Yahoo's bars for 4-5 March 2024, on a basis 2x the file's.
    let yahoo_bars = [bar("2024-03-04", 200.0), bar("2024-03-05", 202.0)];
    store
        .save_fetch(&FetchBatch {
            instrument: &instrument,
            interval: Interval::D1,
            bars: &yahoo_bars,
            actions: &[],
            covered: Some((day("2024-03-04"), day("2024-03-06"))),
            fetched_at: 1_700_000_000,
        })
        .await
        .unwrap();
    store.close().await;
    let file = write_csv(
        env.dir.path(),
        "TCS.NS.csv",
        &[
            "2024-03-04,100,100,100,100,100,10",
            "2024-03-05,101,101,101,101,101,10",
            "2024-03-06,102,102,102,102,102,10",
            "2024-03-07,103,103,103,103,103,10",
        ],
    );
    let (code, out, _) = import(&env, &[path(&file)]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("4 rows read, 2 stored (2 new), 2 skipped (2 Yahoo's bar kept)"),
        "{out}"
    );
    assert!(
        out.contains("warning: 2 of 2 bars already stored differ from the file's by more than 1 %"),
        "{out}"
    );
    assert!(out.contains("stored close 200, file 100"), "{out}");
    assert!(out.contains("pass --replace"), "{out}");
    let store = open(&env).await;
    let rows = store
        .read_stored_bars("TCS.NS", Interval::D1, i64::MIN, i64::MAX)
        .await
        .unwrap();
    let got: Vec<(f64, BarSource)> = rows.iter().map(|r| (r.bar.close, r.source)).collect();
    assert_eq!(
        got,
        vec![
            (200.0, BarSource::Yahoo),
            (202.0, BarSource::Yahoo),
            (102.0, BarSource::Import),
            (103.0, BarSource::Import)
        ]
    );
    assert_eq!(
        store.instrument("TCS.NS").await.unwrap().unwrap(),
        instrument,
        "Yahoo's instrument row is left alone"
    );
    store.close().await;

    let (code, out, _) = import(&env, &["--replace", path(&file)]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("4 rows read, 2 stored (2 replacing Yahoo's), 2 skipped (2 already stored)"),
        "{out}"
    );
    let store = open(&env).await;
    let rows = store
        .read_stored_bars("TCS.NS", Interval::D1, i64::MIN, i64::MAX)
        .await
        .unwrap();
    assert!(rows.iter().all(|r| r.source == BarSource::Import));
    assert_eq!(rows[0].bar.close, 100.0);
    let coverage = store
        .coverage("TCS.NS", Interval::D1, i64::MIN, i64::MAX)
        .await
        .unwrap();
    // The file's 4-7 March, stretched back over Sunday (Saturday the 2nd had
    // a special session) and forward over Mahashivratri (Friday the 8th) and
    // the weekend, merged with Yahoo's 4-5 March.
    assert_eq!(coverage, vec![(day("2024-03-03"), day("2024-03-11"))]);
    store.close().await;
}

#[tokio::test]
async fn coverage_splits_at_a_missing_session_but_not_at_a_holiday() {
    let env = env();
    // 2024-03-08 (Fri) was Mahashivratri; 2024-03-13 (Wed) traded but is missing.
    let file = write_csv(
        env.dir.path(),
        "INFY.NS.csv",
        &[
            "2024-03-06,1,1,1,1,1,1",
            "2024-03-07,1,1,1,1,1,1",
            "2024-03-11,1,1,1,1,1,1",
            "2024-03-12,1,1,1,1,1,1",
            "2024-03-14,1,1,1,1,1,1",
            "2024-03-15,1,1,1,1,1,1",
        ],
    );
    let (code, out, _) = import(&env, &[path(&file)]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("coverage in 2 span(s)"), "{out}");
    let store = open(&env).await;
    let coverage = store
        .coverage("INFY.NS", Interval::D1, i64::MIN, i64::MAX)
        .await
        .unwrap();
    assert_eq!(
        coverage,
        vec![
            (day("2024-03-06"), day("2024-03-13")),
            (day("2024-03-14"), day("2024-03-18")),
        ],
        "the holiday and weekends are covered, the missing Wednesday is not"
    );
    assert_eq!(
        store
            .read_stored_bars("INFY.NS", Interval::D1, i64::MIN, i64::MAX)
            .await
            .unwrap()
            .len(),
        6
    );
    store.close().await;
}

#[tokio::test]
async fn bad_rows_are_reported_by_line_and_the_rest_is_imported() {
    let env = env();
    let file = write_csv(
        env.dir.path(),
        "WIPRO.NS.csv",
        &[
            "2024-03-04,10,11,9,10,10,100",
            "2024-03-05,10,11,9,ten,10,100",
            "2024-03-06,10,11,9,10,10,100",
            "2024-03-07,10,8,9,10,10,100",
            "2024-03-11,10,11,9,10,10,100",
        ],
    );
    let (code, out, _) = import(&env, &[path(&file)]).await;
    assert_eq!(code, 1, "bad rows make the exit code 1: {out}");
    assert!(
        out.contains("5 rows read, 3 stored (3 new), 2 skipped (2 bad)"),
        "{out}"
    );
    assert!(
        out.contains("  line 3: close \"ten\" is not a number"),
        "{out}"
    );
    assert!(out.contains("  line 5: low 9 is above high 8"), "{out}");
    let store = open(&env).await;
    let stored: Vec<i64> = store
        .read_stored_bars("WIPRO.NS", Interval::D1, i64::MIN, i64::MAX)
        .await
        .unwrap()
        .iter()
        .map(|r| r.bar.ts)
        .collect();
    assert_eq!(
        stored,
        vec![day("2024-03-04"), day("2024-03-06"), day("2024-03-11")]
    );
    // The bad rows' sessions are gaps: nothing claims them. Each span
    // stretches over its neighbouring days without a session: Sunday the
    // 3rd (Saturday the 2nd had a special session), and Mahashivratri (the
    // 8th) with the weekend before the 11th.
    let coverage = store
        .coverage("WIPRO.NS", Interval::D1, i64::MIN, i64::MAX)
        .await
        .unwrap();
    assert_eq!(
        coverage,
        vec![
            (day("2024-03-03"), day("2024-03-05")),
            (day("2024-03-06"), day("2024-03-07")),
            (day("2024-03-08"), day("2024-03-12")),
        ]
    );
    store.close().await;
}

#[tokio::test]
async fn intraday_files_are_refused_as_daily_and_nothing_is_stored() {
    let env = env();
    let (code, out, _) = import(&env, &["--interval", "1d", path(&data(INTRADAY))]).await;
    assert_eq!(code, 1);
    assert!(out.contains("not imported: the file has intraday stamps (line 4: 2025-09-11 09:15:00+05:30) but --interval 1d was given"), "{out}");
    let (bars, coverage, calls) = db_counts(&env.db()).await;
    assert_eq!((bars, coverage, calls), (0, 0, 0));
}

#[tokio::test]
async fn unreadable_and_unknown_files_fail_alone() {
    let env = env();
    let garbage = env.dir.path().join("X.NS.csv");
    std::fs::write(&garbage, "hello,world\n1,2\n").unwrap();
    let missing = env.dir.path().join("MISSING.NS.csv");
    let (code, out, _) = import(
        &env,
        &[path(&garbage), path(&missing), path(&data(RELIANCE))],
    )
    .await;
    assert_eq!(code, 1);
    assert!(
        out.contains("X.NS.csv: not imported: the header has no Date column"),
        "{out}"
    );
    assert!(
        out.contains("MISSING.NS.csv: not imported: cannot read"),
        "{out}"
    );
    assert!(
        out.contains("RELIANCE.NS.csv: RELIANCE.NS 1d (Yahoo CSV): 6050 rows read, 6050 stored"),
        "{out}"
    );
    assert!(
        out.contains("3 file(s): 6050 rows read, 6050 stored, 0 skipped; 2 file(s) not imported"),
        "{out}"
    );
}

#[tokio::test]
async fn a_bad_symbol_is_refused_before_anything_is_opened() {
    let env = env();
    let (code, _, err) = import(&env, &["--symbol", "RELI ANCE", path(&data(RELIANCE))]).await;
    assert_eq!(code, 1);
    assert!(err.contains("--symbol: symbol contains ' '"), "{err}");
    assert!(
        env.db().is_untouched().await,
        "no database is created for a refused command"
    );
}

/// `trading-mcp call get_stock_chart_data` for RELIANCE's daily bars.
async fn chart(env: &Env, from: &str, to: &str) -> serde_json::Value {
    let args = json!({"symbol": "RELIANCE", "start_date": from, "end_date": to});
    let (code, stdout, stderr) = env.cli_call("get_stock_chart_data", &args).await;
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[tokio::test]
async fn the_server_serves_imported_bars_offline_without_upstream() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    let (code, out, _) = import(&env, &[path(&data(RELIANCE))]).await;
    assert_eq!(code, 0, "{out}");
    let in_file = |from: &str, to: &str| {
        shared_data::yahoo_daily("RELIANCE.NS")
            .unwrap()
            .dates
            .iter()
            .filter(|d| d.as_str() >= from && d.as_str() <= to)
            .count()
    };

    // Online, inside the file's coverage: the upstream is never asked.
    let out = chart(&env, "2024-03-04", "2024-03-28").await;
    assert_eq!(out["freshness"]["source"], "store");
    assert_eq!(out["freshness"]["stale"], false);
    assert_eq!(rows(&out).len(), in_file("2024-03-04", "2024-03-28"));
    assert_eq!(yahoo.count(), 0, "imported coverage needs no upstream call");

    // The file lacks the special Saturday session of 2024-01-20: that gap,
    // and only it, is fetched.
    let out = chart(&env, "2024-01-15", "2024-01-25").await;
    assert_eq!(out["freshness"]["source"], "upstream");
    let seen = yahoo.seen();
    assert_eq!(seen.len(), 1);
    let jan20 = day("2024-01-20");
    assert!(
        seen[0].period1 <= jan20 && seen[0].period2 >= jan20 + 86_400,
        "{:?}",
        seen[0]
    );
    assert!(
        seen[0].period2 - seen[0].period1 <= 3 * 86_400,
        "only the gap: {:?}",
        seen[0]
    );

    env.set("TRADING_MCP_OFFLINE", "true");
    let out = chart(&env, "2024-03-04", "2024-03-28").await;
    assert_eq!(out["freshness"]["source"], "store");
    assert_eq!(out["freshness"]["stale"], false, "{out}");
    assert_eq!(
        out["message"],
        serde_json::Value::Null,
        "no missing-coverage note: {out}"
    );
    let bars = rows(&out);
    assert_eq!(bars.len(), in_file("2024-03-04", "2024-03-28"));
    assert_eq!(bars[0]["t"], "2024-03-04");
    assert_eq!(bars.last().unwrap()["t"], "2024-03-28");
    // The 2 March special session is missing from the file: offline says so.
    let out = chart(&env, "2024-02-26", "2024-03-08").await;
    assert_eq!(out["freshness"]["stale"], true, "{out}");
    assert!(out.to_string().contains("2024-03-02"), "{out}");
    assert_eq!(yahoo.count(), 1);
}

#[tokio::test]
async fn imported_intraday_bars_are_served_offline() {
    let mut env = env();
    env.set("TRADING_MCP_NOW", "2025-12-08T12:00:00+05:30");
    let (code, out, _) = import(&env, &[path(&data(INTRADAY))]).await;
    assert_eq!(code, 0, "{out}");
    env.set("TRADING_MCP_OFFLINE", "true");
    let args = json!({"symbol": "RELIANCE", "interval": "5m", "start_date": "2025-10-20", "end_date": "2025-10-21", "max_points": 1000});
    let (code, stdout, stderr) = env.cli_call("get_stock_chart_data", &args).await;
    assert_eq!(code, 0, "{stderr}");
    let out: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(out["freshness"]["stale"], false, "{out}");
    // 75 bars on the 20th, the 14-bar Muhurat session on the 21st.
    assert_eq!(rows(&out).len(), 75 + 14, "{out}");
}

#[tokio::test]
async fn bars_of_a_session_still_open_are_stored_but_not_covered() {
    let mut env = env();
    // Friday 5 December 2025, mid-session: the file's last day is not final.
    env.set("TRADING_MCP_NOW", "2025-12-05T12:00:00+05:30");
    let (code, out, _) = import(&env, &[path(&data(INTRADAY))]).await;
    assert_eq!(code, 0, "{out}");
    let on_dec5 = data_rows(&data(INTRADAY), 3)
        - std::fs::read_to_string(data(INTRADAY))
            .unwrap()
            .lines()
            .skip(3)
            .filter(|l| !l.starts_with("2025-12-05"))
            .count();
    assert!(
        out.contains(&format!("note: {on_dec5} bar(s) of sessions not settled yet (at 2025-12-05 12:00+05:30) are stored but not marked covered")),
        "{out}"
    );
    let store = open(&env).await;
    let coverage = store
        .coverage("RELIANCE.NS", Interval::M5, i64::MIN, i64::MAX)
        .await
        .unwrap();
    let dec5 = chrono::DateTime::parse_from_rfc3339("2025-12-05T00:00:00+05:30")
        .unwrap()
        .timestamp();
    assert_eq!(
        coverage.last().unwrap().1,
        dec5,
        "coverage ends at the start of the open session"
    );
    assert_eq!(
        store
            .read_stored_bars("RELIANCE.NS", Interval::M5, i64::MIN, i64::MAX)
            .await
            .unwrap()
            .len(),
        4_354
    );
    store.close().await;
}
