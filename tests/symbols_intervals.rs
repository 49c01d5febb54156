//! Listings beyond NSE stocks and intervals beyond 1d and 5m, through the
//! real binary: a BSE listing, BANKNIFTY and SENSEX, a crypto pair that
//! trades at weekends and an FX pair that does not, 15m/30m/1h bars with
//! Yahoo's history limits, 1wk/1mo bars, and an old range served because
//! the store already holds it. Each is served bar for bar as the fake
//! upstream sent it (see `support/fake_series.rs`), then again from the
//! store with no upstream call.

mod shared_data;
mod support;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use serde_json::{Value, json};
use support::fake_yahoo::{Row, rows_for};
use support::*;

const CHART: &str = "get_stock_chart_data";
/// A Friday evening after the two sessions of intraday data used here.
const AFTER_SEPT_12: &str = "2025-09-12T20:00:00+05:30";

/// The fake's rows for `symbol` at `interval` whose local date (in `zone`)
/// is in `[from, to]`.
fn sent(symbol: &str, interval: &str, zone: Tz, from: &str, to: &str) -> Vec<Row> {
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    rows_for(symbol, interval)
        .unwrap()
        .into_iter()
        .filter(|r| (day(from)..=day(to)).contains(&local(r.ts, zone).date_naive()))
        .collect()
}

fn local(ts: i64, zone: Tz) -> DateTime<Tz> {
    DateTime::from_timestamp(ts, 0)
        .unwrap()
        .with_timezone(&zone)
}

/// The answer's bars are `want`, stamped as `stamp` says, in the
/// upstream's float32 prices.
fn assert_bars(result: &rmcp::model::CallToolResult, want: &[Row], stamp: impl Fn(i64) -> String) {
    let got = bars(result);
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g["t"], stamp(w.ts), "{g}");
        for (k, x) in [("o", w.open), ("h", w.high), ("l", w.low), ("c", w.close)] {
            assert_eq!(g[k].as_f64().unwrap() as f32, x as f32, "{k} of {g}");
        }
        assert_eq!(g["v"].as_i64().unwrap(), w.volume as i64, "{g}");
    }
}

fn date_of(zone: Tz) -> impl Fn(i64) -> String {
    move |ts| local(ts, zone).date_naive().to_string()
}

fn instant_of(zone: Tz) -> impl Fn(i64) -> String {
    move |ts| local(ts, zone).to_rfc3339()
}

/// Calls the chart tool twice: the first answer from upstream with exactly
/// one request for `ticker` at `interval`, the second the same bars from
/// the store or memory with none.
async fn fetched_once(
    client: &Client,
    yahoo: &FakeYahoo,
    args: Value,
    ticker: &str,
    interval: &str,
) -> rmcp::model::CallToolResult {
    let before = yahoo.count();
    let first = call(client, CHART, args.clone()).await;
    assert_eq!(ok(&first)["yahoo_symbol"], ticker, "{args}");
    assert_eq!(source(&first), "upstream", "{args}");
    let seen = &yahoo.seen()[before..];
    assert_eq!(seen.len(), 1, "{args}: {seen:?}");
    assert_eq!(
        (seen[0].symbol.as_str(), seen[0].interval.as_str()),
        (ticker, interval)
    );
    let again = call(client, CHART, args.clone()).await;
    assert_eq!(yahoo.count(), before + 1, "{args} again");
    assert_eq!(bars(&again), bars(&first), "{args} again");
    first
}

#[tokio::test]
async fn a_bse_listing_banknifty_and_sensex_go_to_their_yahoo_tickers() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let ist = chrono_tz::Asia::Kolkata;

    let args = json!({"symbol": "RELIANCE", "exchange": "BSE", "start_date": "2024-03-01", "end_date": "2024-03-28"});
    let r = fetched_once(&client, &yahoo, args, "RELIANCE.BO", "1d").await;
    let want = sent("RELIANCE.BO", "1d", ist, "2024-03-01", "2024-03-28");
    assert_eq!(want.len(), 18, "March 2024 sessions to the 28th");
    assert_bars(&r, &want, date_of(ist));
    assert_eq!(ok(&r)["exchange"], "BSE");

    for (name, ticker) in [("SENSEX", "^BSESN"), ("BANKNIFTY", "^NSEBANK")] {
        let args = json!({"symbol": name, "start_date": "2023-10-01", "end_date": "2023-10-31"});
        let r = fetched_once(&client, &yahoo, args, ticker, "1d").await;
        let want = sent(ticker, "1d", ist, "2023-10-01", "2023-10-31");
        assert_eq!(want.len(), 20, "{name}: October 2023 sessions");
        assert_bars(&r, &want, date_of(ist));
    }
    // The stock's NSE listing is a series of its own.
    let nse = call(
        &client,
        CHART,
        json!({"symbol": "RELIANCE", "start_date": "2024-03-01", "end_date": "2024-03-28"}),
    )
    .await;
    assert_eq!(ok(&nse)["yahoo_symbol"], "RELIANCE.NS");
    assert_eq!(yahoo.seen().last().unwrap().symbol, "RELIANCE.NS");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn crypto_trades_every_day_and_fx_every_weekday() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let (from, to) = ("2024-03-01", "2024-03-14");

    let args = json!({"symbol": "BTC-USD", "start_date": from, "end_date": to});
    let r = fetched_once(&client, &yahoo, args, "BTC-USD", "1d").await;
    let utc: Tz = chrono_tz::UTC;
    let want = sent("BTC-USD", "1d", utc, from, to);
    assert_eq!(want.len(), 14, "two weeks, weekends included");
    assert_bars(&r, &want, date_of(utc));
    let days: Vec<Value> = bars(&r).iter().map(|b| b["t"].clone()).collect();
    assert!(
        days.contains(&json!("2024-03-02")) && days.contains(&json!("2024-03-03")),
        "a weekend: {days:?}"
    );
    assert_eq!(ok(&r)["timezone"], "UTC");

    let args = json!({"symbol": "INR=X", "start_date": from, "end_date": to});
    let r = fetched_once(&client, &yahoo, args, "INR=X", "1d").await;
    let london = chrono_tz::Europe::London;
    let want = sent("INR=X", "1d", london, from, to);
    assert_eq!(want.len(), 10, "two weeks of weekdays");
    assert_bars(&r, &want, date_of(london));
    assert_eq!(ok(&r)["timezone"], "Europe/London");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn intraday_intervals_are_served_within_their_history_limits() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_NOW", AFTER_SEPT_12);
    let client = env.stdio_client().await;
    let ist = chrono_tz::Asia::Kolkata;

    // Bars start at the 09:15 open; a session is 375 minutes, so the last
    // 30m and 1h bars (15:15) are short.
    for (interval, per_session) in [("15m", 25), ("30m", 13), ("1h", 7)] {
        let args = json!({"symbol": "RELIANCE", "interval": interval, "start_date": "2025-09-11", "end_date": "2025-09-12"});
        let r = fetched_once(&client, &yahoo, args, "RELIANCE.NS", interval).await;
        let want = sent("RELIANCE.NS", interval, ist, "2025-09-11", "2025-09-12");
        assert_eq!(want.len(), 2 * per_session, "{interval}");
        assert_bars(&r, &want, instant_of(ist));
        let b = bars(&r);
        assert_eq!(b[0]["t"], "2025-09-11T09:15:00+05:30");
        assert_eq!(
            b[per_session - 1]["t"],
            "2025-09-11T15:15:00+05:30",
            "{interval}"
        );
    }

    // Older than Yahoo keeps, with nothing stored: refused before any fetch,
    // naming the first date that can be asked for.
    let before = yahoo.count();
    for (interval, start, days, first) in [
        ("15m", "2025-06-01", 60, "2025-07-15"),
        ("30m", "2025-06-01", 60, "2025-07-15"),
        ("1h", "2023-01-01", 730, "2023-09-14"),
    ] {
        let e = tool_error(&call(&client, CHART, json!({"symbol": "RELIANCE", "interval": interval, "start_date": start, "end_date": "2025-09-12"})).await);
        assert!(
            e.contains(&format!(
                "Yahoo keeps {interval} bars for the last {days} days only"
            )) && e.contains(&format!("use start_date {first} or later")),
            "{interval}: {e}"
        );
    }
    assert_eq!(yahoo.count(), before, "no fetch for a refused range");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn weekly_and_monthly_bars_are_stamped_on_their_first_day() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let ist = chrono_tz::Asia::Kolkata;

    let args = json!({"symbol": "TCS", "interval": "1wk", "start_date": "2024-01-01", "end_date": "2024-03-28"});
    let r = fetched_once(&client, &yahoo, args, "TCS.NS", "1wk").await;
    let want = sent("TCS.NS", "1wk", ist, "2024-01-01", "2024-03-28");
    assert_eq!(want.len(), 13, "the weeks of 2024's first quarter");
    assert_bars(&r, &want, date_of(ist));
    assert_eq!(bars(&r)[1]["t"], "2024-01-08");

    let args = json!({"symbol": "TCS", "interval": "1mo", "start_date": "2023-01-01", "end_date": "2023-12-31"});
    let r = fetched_once(&client, &yahoo, args, "TCS.NS", "1mo").await;
    let want = sent("TCS.NS", "1mo", ist, "2023-01-01", "2023-12-31");
    assert_eq!(want.len(), 12);
    assert_bars(&r, &want, date_of(ist));
    assert_eq!(bars(&r)[11]["t"], "2023-12-01");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn an_old_intraday_range_is_served_when_the_store_holds_it() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_NOW", AFTER_SEPT_12);
    let ist = chrono_tz::Asia::Kolkata;
    let stored = json!({"symbol": "RELIANCE", "interval": "5m", "start_date": "2025-09-11", "end_date": "2025-09-12"});
    let client = env.stdio_client().await;
    let first = call(&client, CHART, stored.clone()).await;
    assert_eq!(bars(&first).len(), 150);
    client.cancel().await.unwrap();

    // Three months on, those days are beyond Yahoo's 60 days of 5m bars.
    env.set("TRADING_MCP_NOW", "2025-12-20T12:00:00+05:30");
    let client = env.stdio_client().await;
    let before = yahoo.count();
    let again = call(&client, CHART, stored).await;
    assert_eq!(source(&again), "store");
    let want = sent("RELIANCE.NS", "5m", ist, "2025-09-11", "2025-09-12");
    assert_bars(&again, &want, instant_of(ist));
    // A range that reaches unstored old days is still refused.
    let e = tool_error(&call(&client, CHART, json!({"symbol": "RELIANCE", "interval": "5m", "start_date": "2025-09-01", "end_date": "2025-09-12"})).await);
    assert!(e.contains("for the last 60 days only"), "{e}");
    assert_eq!(yahoo.count(), before, "no upstream call");
    client.cancel().await.unwrap();
}
