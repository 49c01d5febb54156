//! Crash safety and concurrent writers, through the real binary: `kill -9`
//! during a large multi-symbol fill leaves an intact store whose every
//! coverage range holds exactly the source's bars, and a restart serves
//! them without the upstream; two processes filling one store at once both
//! answer, and the store holds each bar once.

mod shared_data;
mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;
use support::*;
use trading_mcp::model::date_key;

/// Daily bars the fake serves for `symbol`, by key (rows with a price missing are not bars).
fn source_keys(symbol: &str) -> Vec<i64> {
    let d = shared_data::yahoo_daily(symbol).unwrap();
    (0..d.dates.len())
        .filter(|&i| {
            [d.open[i], d.high[i], d.low[i], d.close[i]]
                .iter()
                .all(|p| p.is_finite())
        })
        .map(|i| date_key(d.dates[i].parse().unwrap()))
        .collect()
}

/// Every coverage row of the store holds exactly the source's bars.
async fn check_store(env: &Env) -> usize {
    let db = env.db();
    assert_store_intact(&db).await;
    // Killed before the first migration committed: an empty, valid file
    // that the next start migrates.
    let migrated = match &db {
        TestDb::Sqlite(_) => "SELECT COUNT(*) FROM sqlite_master WHERE name = 'coverage'",
        TestDb::Postgres(_) => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'coverage'"
        }
    };
    let migrated = db_scalar(&db, migrated).await;
    if migrated == 0 {
        return 0;
    }
    let spans = db_rows(
        &db,
        "SELECT symbol, start_ts, end_ts FROM coverage WHERE interval = '1d' ORDER BY symbol, start_ts",
    )
    .await;
    let stored = db_rows(&db, "SELECT symbol, ts FROM bars WHERE interval = '1d'").await;
    let mut by_symbol: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in stored {
        by_symbol
            .entry(row[0].clone())
            .or_default()
            .push(row[1].parse().unwrap());
    }
    for span in &spans {
        let (symbol, start, end): (&str, i64, i64) =
            (&span[0], span[1].parse().unwrap(), span[2].parse().unwrap());
        let want: Vec<i64> = source_keys(symbol)
            .into_iter()
            .filter(|k| (start..end).contains(k))
            .collect();
        let mut have: Vec<i64> = by_symbol
            .get(symbol)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|k| (start..end).contains(k))
                    .collect()
            })
            .unwrap_or_default();
        have.sort();
        assert_eq!(have, want, "{symbol} coverage {start}..{end}");
    }
    spans.len()
}

const SYMBOLS: [&str; 12] = [
    "RELIANCE",
    "TCS",
    "INFY",
    "ITC",
    "SBIN",
    "WIPRO",
    "HDFCBANK",
    "ICICIBANK",
    "LT",
    "MARUTI",
    "TITAN",
    "NTPC",
];

#[tokio::test]
async fn kill_9_during_a_fill_leaves_whole_coverage_and_a_restart_needs_no_upstream() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    // OBV needs each symbol's whole history: a large fill, symbol by symbol.
    let screen = json!({"universe": SYMBOLS, "conditions": "obv > 0", "as_of": "2024-03-28"});
    for (round, delay_ms) in [40u64, 150, 400].into_iter().enumerate() {
        let mut child = env
            .command(&["call", "screen_stocks", &screen.to_string()])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        // SIGKILL: no destructor, no checkpoint, no rollback by us.
        child.start_kill().unwrap();
        let _ = child.wait().await;
        let spans = if env.db().exists() {
            check_store(&env).await
        } else {
            0
        };
        eprintln!("round {round}: killed after {delay_ms} ms with {spans} coverage ranges");
    }
    // A full run finishes the fill; then the store is complete and a new
    // process serves every symbol without the upstream.
    let (code, _, err) = env.cli_call("screen_stocks", &screen).await;
    assert_eq!(code, 0, "{err}");
    let spans = check_store(&env).await;
    assert!(spans >= SYMBOLS.len(), "{spans}");
    let calls = yahoo.count();
    let (code, out, err) = env
        .cli_call("get_stock_chart_data", &json!({"symbol": "NTPC", "start_date": "2005-01-01", "end_date": "2024-03-28", "max_points": 1}))
        .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"source\": \"store\""), "{out}");
    assert_eq!(
        yahoo.count(),
        calls,
        "served from the store after the crashes"
    );
}

#[tokio::test]
async fn two_processes_fill_one_store_at_once() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    // Create the store first, so both processes open a migrated file.
    let (code, _, err) = env
        .cli_call(
            "get_stock_chart_data",
            &json!({"symbol": "TCS", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
        )
        .await;
    assert_eq!(code, 0, "{err}");
    let first = json!({"universe": &SYMBOLS[..8], "conditions": "obv > 0", "as_of": "2024-03-28"});
    let second = json!({"universe": &SYMBOLS[4..], "conditions": "sma(close, 200) > 0", "as_of": "2023-06-30"});
    let (a, b) = tokio::join!(
        env.cli_call("screen_stocks", &first),
        env.cli_call("screen_stocks", &second)
    );
    for (code, out, err) in [&a, &b] {
        assert_eq!(*code, 0, "{err}");
        let out: serde_json::Value = serde_json::from_str(out).unwrap();
        assert_eq!(out["not_evaluated"], json!([]), "{out}");
        assert!(!err.contains("database is locked"), "{err}");
    }
    check_store(&env).await;
    let duplicated = db_scalar(
        &env.db(),
        "SELECT COUNT(*) FROM (SELECT symbol, interval, ts FROM bars GROUP BY 1, 2, 3 HAVING COUNT(*) > 1) AS twice",
    )
    .await;
    assert_eq!(duplicated, 0);
}
