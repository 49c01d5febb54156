//! Every recorded Yahoo chart response in shared/data/yahoo_chart served
//! through the real binary and compared bar for bar with the recording:
//! exchange-local dates in eight zones (New York, Toronto, London, Oslo,
//! Copenhagen, Berlin, Jakarta, UTC), FX, futures, crypto, a fund, adjusted
//! closes, and the dividends and splits as stored.

mod shared_data;
mod support;

use chrono::{DateTime, Duration, NaiveDate};
use chrono_tz::Tz;
use serde_json::{Value, json};
use support::*;
use trading_mcp::model::date_key;

/// After every recording (the latest is 2025-02-01), so all are history.
const NOW: &str = "2025-03-01T12:00:00+00:00";

struct Recording {
    file: String,
    symbol: String,
    interval: String,
    period: (i64, i64),
    body: Value,
}

fn recordings() -> Vec<Recording> {
    shared_data::yahoo_chart_recordings()
        .into_iter()
        .map(|(file, rec)| {
            let url = rec["request"]["url"].as_str().unwrap();
            let query = |k: &str| {
                url.split(&format!("{k}="))
                    .nth(1)
                    .and_then(|s| s.split('&').next())
                    .map(str::to_string)
            };
            let body = rec["response"]["bodyJson"].clone();
            Recording {
                symbol: body["chart"]["result"][0]["meta"]["symbol"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                interval: query("interval").unwrap_or_else(|| "1d".into()),
                period: (
                    query("period1").unwrap().parse().unwrap(),
                    query("period2").unwrap().parse().unwrap(),
                ),
                file,
                body,
            }
        })
        .collect()
}

fn local_date(ts: i64, zone: Tz) -> NaiveDate {
    DateTime::from_timestamp(ts, 0)
        .unwrap()
        .with_timezone(&zone)
        .date_naive()
}

/// The bars a recording holds, as the tool must return them: keyed by
/// exchange-local date, null-priced bars left out, a repeated date keeping
/// its last bar, adj_close from `adjclose` (the close where there is none).
fn expected_bars(result: &Value) -> Vec<Value> {
    let zone: Tz = result["meta"]["exchangeTimezoneName"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let q = &result["indicators"]["quote"][0];
    let adj = &result["indicators"]["adjclose"][0]["adjclose"];
    let mut out: Vec<Value> = Vec::new();
    for (i, ts) in result["timestamp"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let price = |k: &str| q[k][i].as_f64().map(quoted);
        let (Some(o), Some(h), Some(l), Some(c)) =
            (price("open"), price("high"), price("low"), price("close"))
        else {
            continue;
        };
        let t = local_date(ts.as_i64().unwrap(), zone).to_string();
        let bar = json!({
            "t": t, "o": o, "h": h, "l": l, "c": c,
            "adj_close": adj[i].as_f64().map_or(c, quoted),
            "v": q["volume"][i].as_f64().unwrap_or(0.0) as i64,
        });
        match out.last_mut() {
            Some(last) if last["t"] == bar["t"] => *last = bar,
            _ => out.push(bar),
        }
    }
    out
}

/// The events of a recording as `corporate_actions` rows: (date key, kind,
/// amount, numerator, denominator), "NULL" where a column does not apply.
fn expected_actions(result: &Value) -> Vec<Vec<String>> {
    let zone: Tz = result["meta"]["exchangeTimezoneName"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let mut out = Vec::new();
    for (kind, event) in ["dividends", "splits"].iter().flat_map(|kind| {
        result["events"][*kind]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .map(move |e| (*kind, e))
    }) {
        let key = date_key(local_date(event["date"].as_i64().unwrap(), zone)).to_string();
        let num = |k: &str| event[k].as_f64().unwrap().to_string();
        out.push(match kind {
            "dividends" => vec![
                key,
                "dividend".into(),
                num("amount"),
                "NULL".into(),
                "NULL".into(),
            ],
            _ => vec![
                key,
                "split".into(),
                "NULL".into(),
                num("numerator"),
                num("denominator"),
            ],
        });
    }
    out.sort();
    out
}

/// Splits the recordings into rounds in which no symbol repeats: one pin
/// per symbol per fake.
fn rounds(all: Vec<Recording>) -> Vec<Vec<Recording>> {
    let mut rounds: Vec<Vec<Recording>> = Vec::new();
    for rec in all {
        match rounds
            .iter_mut()
            .find(|r| r.iter().all(|x| x.symbol != rec.symbol))
        {
            Some(round) => round.push(rec),
            None => rounds.push(vec![rec]),
        }
    }
    rounds
}

#[tokio::test]
async fn every_recorded_response_is_served_bar_for_bar_through_the_binary() {
    let all = recordings();
    assert_eq!(all.len(), 44);
    let (mut bars_checked, mut actions_checked, mut zones) = (0, 0, Vec::new());
    for round in rounds(all) {
        let yahoo = FakeYahoo::start().await;
        let mut env = Env::new(&yahoo.url());
        env.set("TRADING_MCP_NOW", NOW);
        env.set("TRADING_MCP_OUTPUT_BUDGET_TOKENS", "10000000");
        // Whole recordings in one answer: no paging at the output budget.
        env.set("TRADING_MCP_OUTPUT_BUDGET_TOKENS", "10000000");
        let client = env.stdio_client().await;
        for rec in &round {
            yahoo.pin(&rec.symbol, &rec.file);
            let result = &rec.body["chart"]["result"][0];
            let day = |ts: i64| DateTime::from_timestamp(ts, 0).unwrap().date_naive();
            let start = (day(rec.period.0) - Duration::days(1))
                .max(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap());
            let r = call(
                &client,
                "get_stock_chart_data",
                json!({"symbol": rec.symbol, "exchange": "US", "interval": rec.interval,
                       "start_date": start.to_string(), "end_date": day(rec.period.1).to_string(),
                       "max_points": 20000}),
            )
            .await;
            let out = ok(&r);
            let meta = &result["meta"];
            assert_eq!(out["yahoo_symbol"], meta["symbol"], "{}", rec.file);
            assert_eq!(out["currency"], meta["currency"], "{}", rec.file);
            assert_eq!(
                out["timezone"], meta["exchangeTimezoneName"],
                "{}",
                rec.file
            );
            zones.push(meta["exchangeTimezoneName"].as_str().unwrap().to_string());
            let want = expected_bars(result);
            let got = bars(&r);
            assert_eq!(got.len(), want.len(), "{}", rec.file);
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g, w, "{}", rec.file);
            }
            if want.is_empty() {
                let msg = out["message"].as_str().unwrap_or_default();
                assert!(msg.contains("no bars"), "{}: {msg}", rec.file);
            }
            bars_checked += want.len();
        }
        // Dividends and splits, as stored, against the recordings' events.
        for rec in &round {
            let want = expected_actions(&rec.body["chart"]["result"][0]);
            let sql: &'static str = Box::leak(
                format!(
                    "SELECT ts, kind, amount, numerator, denominator FROM corporate_actions
                     WHERE symbol = '{}' ORDER BY ts, kind",
                    rec.symbol
                )
                .into_boxed_str(),
            );
            let mut got = db_rows(&env.db(), sql).await;
            got.sort();
            assert_eq!(got, want, "{}", rec.file);
            actions_checked += want.len();
        }
        client.cancel().await.unwrap();
    }
    // The recordings hold 3,906 bars with prices (TSLA's 3,303 among them),
    // 4 MSFT dividends, AAPL's dividend and 4:1 split of 2020, and NVDA's
    // 4:1 split of July 2021.
    assert_eq!(bars_checked, 3_906);
    assert_eq!(actions_checked, 7);
    zones.sort();
    zones.dedup();
    assert_eq!(
        zones,
        [
            "America/New_York",
            "America/Toronto",
            "Asia/Jakarta",
            "Europe/Berlin",
            "Europe/Copenhagen",
            "Europe/London",
            "Europe/Oslo",
            "UTC"
        ]
    );
}

#[tokio::test]
async fn splits_and_dividends_are_stored_as_recorded() {
    let yahoo = FakeYahoo::start().await;
    yahoo.pin("AAPL", "chart/chart-AAPL-2020-08-31-to-2020-11-07.json");
    yahoo.pin(
        "NVDA",
        "historical_via_chart/historical-via-chart-NVDA-split-2021-02-01-to-2022-01-31.csv.json",
    );
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_NOW", NOW);
    env.set("TRADING_MCP_OUTPUT_BUDGET_TOKENS", "10000000");
    let client = env.stdio_client().await;
    for (symbol, start, end) in [
        ("AAPL", "2020-08-31", "2020-11-06"),
        ("NVDA", "2021-02-01", "2022-01-28"),
    ] {
        ok(&call(
            &client,
            "get_stock_chart_data",
            json!({"symbol": symbol, "exchange": "US", "start_date": start, "end_date": end}),
        )
        .await);
    }
    let day = |d: &str| date_key(d.parse().unwrap()).to_string();
    assert_eq!(
        db_rows(
            &env.db(),
            "SELECT symbol, ts, kind, amount, numerator, denominator
             FROM corporate_actions ORDER BY symbol, ts"
        )
        .await,
        [
            ["AAPL", &day("2020-08-31"), "split", "NULL", "4", "1"],
            [
                "AAPL",
                &day("2020-11-06"),
                "dividend",
                "0.205",
                "NULL",
                "NULL"
            ],
            ["NVDA", &day("2021-07-20"), "split", "NULL", "4", "1"],
        ]
        .map(|r| r.map(str::to_string).to_vec())
    );
    client.cancel().await.unwrap();
}

/// A pinned recording answers only the requested period, as Yahoo does, so
/// widening a stored range fetches just its edges.
#[tokio::test]
async fn widening_a_pinned_range_fetches_only_the_edges() {
    let file = "historical_via_chart/historical-via-chart-dividends-TSLA-no-dividends.json";
    let rec = recordings().into_iter().find(|r| r.file == file).unwrap();
    let all = expected_bars(&rec.body["chart"]["result"][0]);
    let between = |a: &str, b: &str| -> Vec<Value> {
        all.iter()
            .filter(|bar| bar["t"].as_str().unwrap() >= a && bar["t"].as_str().unwrap() <= b)
            .cloned()
            .collect()
    };
    let yahoo = FakeYahoo::start().await;
    yahoo.pin("TSLA", file);
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_NOW", NOW);
    env.set("TRADING_MCP_OUTPUT_BUDGET_TOKENS", "10000000");
    let client = env.stdio_client().await;
    let ask = |start: &str, end: &str| json!({"symbol": "TSLA", "exchange": "US", "start_date": start, "end_date": end, "max_points": 2000});
    let r = call(
        &client,
        "get_stock_chart_data",
        ask("2015-01-01", "2015-12-31"),
    )
    .await;
    assert_eq!(bars(&r), between("2015-01-01", "2015-12-31"));
    assert_eq!(source(&r), "upstream");
    let stored = db_counts(&env.db()).await.0;
    assert!(
        (252..=254).contains(&stored),
        "2015's 252 bars and at most the two neighbours the padding reaches: {stored}"
    );
    let r = call(
        &client,
        "get_stock_chart_data",
        ask("2014-01-01", "2016-12-31"),
    )
    .await;
    assert_eq!(bars(&r), between("2014-01-01", "2016-12-31"));
    let seen = yahoo.seen();
    assert_eq!(seen.len(), 3, "one fetch, then one per edge");
    let key = |d: &str| date_key(d.parse().unwrap());
    // The edges stop at (a day's padding into) the stored year.
    assert!(
        seen[1].period2 <= key("2015-01-02") + 86_400,
        "{:?}",
        seen[1]
    );
    assert!(
        seen[2].period1 >= key("2015-12-31") - 86_400,
        "{:?}",
        seen[2]
    );
    client.cancel().await.unwrap();
}
