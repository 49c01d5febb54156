//! The Spine, black-box: the real binary over stdio with rmcp's client, a
//! fake Yahoo on loopback, a real SQLite file.

mod shared_data;
mod support;

use serde_json::json;
use support::*;

/// Bars the fake serves for RELIANCE.NS with dates in [from, to].
fn expected_bars(from: &str, to: &str) -> usize {
    fake_yahoo::rows_for("RELIANCE.NS", "1d")
        .unwrap()
        .iter()
        .filter(|r| {
            let d = chrono::DateTime::from_timestamp(r.ts, 0)
                .unwrap()
                .date_naive()
                .to_string();
            d.as_str() >= from && d.as_str() <= to
        })
        .count()
}

#[tokio::test]
async fn cold_fetch_is_stored_then_served_from_memory_then_from_store() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let args = json!({"symbol": "RELIANCE", "start_date": "2024-01-01", "end_date": "2024-03-28"});
    let want = expected_bars("2024-01-01", "2024-03-28");
    assert!(want > 50);

    let client = env.stdio_client().await;
    let first = call(&client, "get_stock_chart_data", args.clone()).await;
    let out = ok(&first);
    assert_eq!(out["symbol"], "RELIANCE");
    assert_eq!(out["yahoo_symbol"], "RELIANCE.NS");
    assert_eq!(out["currency"], "INR");
    assert_eq!(out["timezone"], "Asia/Kolkata");
    assert_eq!(out["interval"], "1d");
    assert_eq!(source(&first), "upstream");
    assert_eq!(out["freshness"]["stale"], false);
    let b = bars(&first);
    assert_eq!(b.len(), want);
    assert_eq!(b[0]["t"], "2024-01-01");
    assert_eq!(b.last().unwrap()["t"], "2024-03-28");
    // Values are the upstream's float32, printed shortest.
    let csv = fake_yahoo::rows_for("RELIANCE.NS", "1d").unwrap();
    let last = csv
        .iter()
        .find(|r| r.ts == fake_yahoo::nse_open_ts("2024-03-28"))
        .unwrap();
    assert_eq!(
        b.last().unwrap()["c"].as_f64().unwrap() as f32,
        last.close as f32
    );
    assert_eq!(
        b.last().unwrap()["c"].to_string(),
        (last.close as f32).to_string()
    );
    assert_eq!(b.last().unwrap()["v"].as_i64().unwrap(), last.volume as i64);
    assert_eq!(yahoo.count(), 1);
    let text = text(&first);
    assert!(
        text.starts_with("RELIANCE (RELIANCE.NS) NSI INR 1d, dates in Asia/Kolkata:"),
        "{text}"
    );
    assert!(text.contains("\nt,o,h,l,c,v\n2024-01-01,"), "{text}");

    let (rows, coverage, calls) = db_counts(&env.db()).await;
    assert_eq!(rows as usize, want);
    assert_eq!(coverage, 1);
    assert_eq!(calls, 1);

    // A repeat is served from memory without an upstream call.
    let again = call(&client, "get_stock_chart_data", args.clone()).await;
    assert_eq!(source(&again), "memory");
    assert_eq!(bars(&again), b);
    assert_eq!(yahoo.count(), 1);
    client.cancel().await.unwrap();

    // A new process on the same file serves from the store.
    let client = env.stdio_client().await;
    let restarted = call(&client, "get_stock_chart_data", args).await;
    assert_eq!(source(&restarted), "store");
    assert_eq!(bars(&restarted), b);
    assert_eq!(yahoo.count(), 1);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn widening_the_range_fetches_only_the_gap() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    ok(&call(
        &client,
        "get_stock_chart_data",
        json!({"symbol": "TCS", "start_date": "2024-02-01", "end_date": "2024-02-29"}),
    )
    .await);
    assert_eq!(yahoo.count(), 1);

    let wide = call(
        &client,
        "get_stock_chart_data",
        json!({"symbol": "TCS", "start_date": "2024-01-01", "end_date": "2024-03-28"}),
    )
    .await;
    assert_eq!(source(&wide), "upstream");
    let seen = yahoo.seen();
    assert_eq!(seen.len(), 3, "one request per gap: {seen:?}");
    let feb1 = fake_yahoo::nse_open_ts("2024-02-01");
    let feb29 = fake_yahoo::nse_open_ts("2024-02-29");
    // Left gap ends at Feb 1 (plus a day of timezone padding); right gap starts after Feb 29.
    assert!(
        seen[1].period1 < feb1 && seen[1].period2 <= feb1 + 2 * 86_400,
        "{:?}",
        seen[1]
    );
    assert!(
        seen[2].period1 >= feb29 - 86_400 && seen[2].period2 > feb29,
        "{:?}",
        seen[2]
    );
    let all = bars(&wide);
    let tcs = fake_yahoo::rows_for("TCS.NS", "1d").unwrap();
    let want = tcs
        .iter()
        .filter(|r| {
            r.ts >= fake_yahoo::nse_open_ts("2024-01-01")
                && r.ts <= fake_yahoo::nse_open_ts("2024-03-28")
        })
        .count();
    assert_eq!(all.len(), want);
    // The merged coverage is one range.
    assert_eq!(db_counts(&env.db()).await.1, 1);

    // A range inside it: a slice of the one series L1 holds, no call at all.
    let again = call(
        &client,
        "get_stock_chart_data",
        json!({"symbol": "TCS", "start_date": "2024-01-15", "end_date": "2024-03-01"}),
    )
    .await;
    assert_eq!(source(&again), "memory");
    assert_eq!(yahoo.count(), 3);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_hundred_concurrent_cold_requests_make_one_upstream_call() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let args = json!({"symbol": "INFY", "start_date": "2023-01-01", "end_date": "2023-12-31"});
    let calls = (0..100).map(|_| call(&client, "get_stock_chart_data", args.clone()));
    let results = futures::future::join_all(calls).await;
    let first = bars(&results[0]);
    assert!(first.len() > 200);
    for r in &results {
        assert_eq!(bars(r), first);
    }
    assert_eq!(yahoo.count(), 1, "single flight");
    assert_eq!(db_counts(&env.db()).await.2, 1, "one upstream_calls row");
    client.cancel().await.unwrap();
}

/// Overlapping ranges of one symbol at once: each answer is its own slice
/// of the source, the store holds each bar once, and no day is asked of
/// the upstream twice.
#[tokio::test]
async fn overlapping_ranges_at_once_fetch_each_day_once() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let ranges = [
        ("2023-01-01", "2023-06-30"),
        ("2023-03-01", "2023-09-30"),
        ("2023-05-01", "2023-12-31"),
        ("2023-01-01", "2023-12-31"),
        ("2023-08-01", "2023-10-31"),
        ("2022-11-01", "2023-02-28"),
    ];
    let calls = ranges.iter().map(|(from, to)| {
        call(
            &client,
            "get_stock_chart_data",
            json!({"symbol": "TCS", "start_date": from, "end_date": to, "max_points": 1000}),
        )
    });
    let results = futures::future::join_all(calls).await;
    let source = fake_yahoo::rows_for("TCS.NS", "1d").unwrap();
    for ((from, to), r) in ranges.iter().zip(&results) {
        let want: Vec<String> = source
            .iter()
            .map(|row| fake_yahoo::ist_date(row.ts).to_string())
            .filter(|d| d.as_str() >= *from && d.as_str() <= *to)
            .collect();
        let got: Vec<String> = bars(r)
            .iter()
            .map(|b| b["t"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, want, "{from}..{to}");
    }
    // Each upstream request covers days no other request asked for.
    let seen = yahoo.seen();
    let mut asked: Vec<(i64, i64)> = seen.iter().map(|s| (s.period1, s.period2)).collect();
    asked.sort();
    for pair in asked.windows(2) {
        assert!(
            pair[0].1 <= pair[1].0 + 2 * 86_400,
            "overlapping upstream requests: {asked:?}"
        );
    }
    let stored = db_scalar(
        &env.db(),
        "SELECT COUNT(*) FROM bars WHERE symbol = 'TCS.NS'",
    )
    .await;
    let distinct = db_scalar(
        &env.db(),
        "SELECT COUNT(DISTINCT ts) FROM bars WHERE symbol = 'TCS.NS'",
    )
    .await;
    assert_eq!(stored, distinct);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn truncation_keeps_the_most_recent_bars_and_says_how_to_get_the_rest() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let r = call(&client, "get_stock_chart_data", json!({"symbol": "RELIANCE", "start_date": "2023-01-01", "end_date": "2023-12-31", "max_points": 10})).await;
    let out = ok(&r);
    assert_eq!(out["truncated"], true);
    let b = bars(&r);
    assert_eq!(b.len(), 10);
    assert_eq!(b.last().unwrap()["t"], "2023-12-29");
    let total = out["total_bars"].as_u64().unwrap();
    let msg = out["message"].as_str().unwrap();
    assert!(msg.contains(&format!("{total} bars in range")), "{msg}");
    assert!(msg.contains("limited by max_points 10"), "{msg}");
    assert!(msg.contains("pass next_cursor as `cursor`"), "{msg}");
    assert!(out["next_cursor"].is_string(), "{out:?}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn symbols_resolve_through_aliases_and_suffixes() {
    let yahoo = FakeYahoo::start().await;
    yahoo.pin("^NSEI", "chart/chart-AAPL-2020-01-01-to-2020-01-03.json");
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let r = call(
        &client,
        "get_stock_chart_data",
        json!({"symbol": "  m&m ", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
    )
    .await;
    assert_eq!(ok(&r)["yahoo_symbol"], "M&M.NS");
    assert!(!bars(&r).is_empty());
    let r = call(
        &client,
        "get_stock_chart_data",
        json!({"symbol": "nifty", "start_date": "2020-01-01", "end_date": "2020-01-03"}),
    )
    .await;
    assert_eq!(ok(&r)["yahoo_symbol"], "^NSEI");
    let symbols: Vec<String> = yahoo.seen().iter().map(|s| s.symbol.clone()).collect();
    assert_eq!(symbols, ["M&M.NS", "^NSEI"]);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn global_tickers_dividends_and_splits_are_stored() {
    let yahoo = FakeYahoo::start().await;
    yahoo.pin("MSFT", "historical_via_chart/historical-via-chart-MSFT-dividends-2021-02-01-to-2022-01-31.csv.json");
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let r = call(&client, "get_stock_chart_data", json!({"symbol": "msft", "exchange": "US", "start_date": "2021-02-01", "end_date": "2022-01-31", "max_points": 1000})).await;
    let out = ok(&r);
    assert_eq!(out["yahoo_symbol"], "MSFT");
    assert_eq!(out["currency"], "USD");
    assert_eq!(out["timezone"], "America/New_York");
    let b = bars(&r);
    assert_eq!(b.len(), 252);
    assert_eq!(b[0]["t"], "2021-02-01");
    assert_eq!(yahoo.seen()[0].symbol, "MSFT");
    assert_eq!(
        db_scalar(
            &env.db(),
            "SELECT COUNT(*) FROM corporate_actions WHERE symbol = 'MSFT' AND kind = 'dividend'"
        )
        .await,
        4
    );
    client.cancel().await.unwrap();
}
