//! The warming scheduler over whole simulated trading days, in process:
//! the real service, a real SQLite file and the fake Yahoo on loopback.
//!
//! Time is simulated, not paused: the server runs on a manual clock, and the
//! test calls the scheduler's `step` and moves the clock by the wait it
//! returns, as its own loop would sleep. Every request happens at a known
//! simulated instant, and the real IO (SQLite's thread, loopback HTTP) runs
//! at its own speed. (tokio's paused time would jump to the next timer
//! whenever the runtime waits for SQLite's thread, so timeouts fire early.)

mod shared_data;
mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use support::fake_yahoo::Seen;
use support::*;
use trading_mcp::app::App;
use trading_mcp::clock::{Clock, ManualClock};
use trading_mcp::config::Settings;
use trading_mcp::mcp::calls::Calls;
use trading_mcp::scheduler::Scheduler;

fn ist(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Kolkata
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// One server process: its app, clock and scheduler (stepped by the test).
struct Server {
    app: App,
    clock: Arc<ManualClock>,
    scheduler: Option<Scheduler>,
}

impl Server {
    async fn start(
        db: &std::path::Path,
        yahoo: &FakeYahoo,
        at: DateTime<Utc>,
        tweak: impl FnOnce(&mut Settings),
    ) -> Server {
        let mut settings = Settings {
            db: db.to_path_buf(),
            yahoo_url: yahoo.url(),
            rate_limit: 1000.0,
            rate_burst: 1000,
            retry_base_ms: 20,
            retry_max_ms: 100,
            news_yahoo_url: yahoo.url(),
            news_google_url: yahoo.url(),
            news_nse_url: yahoo.url(),
            news_bse_url: yahoo.url(),
            ..Settings::default()
        };
        tweak(&mut settings);
        let config = settings.into_config().unwrap();
        let warm = config.warm.clone();
        let clock = ManualClock::new(at);
        let app = App::start_with_clock(config, clock.clone()).await.unwrap();
        let scheduler = warm.map(|w| Scheduler::new(app.clone(), w));
        Server {
            app,
            clock,
            scheduler,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Steps the scheduler until the clock reads `until`, noting each
    /// upstream request at the simulated instant it was made.
    async fn run_until(&mut self, yahoo: &FakeYahoo, log: &mut Log, until: DateTime<Utc>) {
        while self.now() < until {
            let wait = self.scheduler.as_mut().unwrap().step().await;
            log.note(self.now(), yahoo);
            let wait = chrono::Duration::from_std(wait).unwrap();
            if wait > chrono::Duration::zero() {
                self.clock.set((self.now() + wait).min(until));
            }
        }
    }

    async fn stop(self) {
        self.app.shutdown().await;
    }
}

/// Upstream requests with the simulated time they were made.
#[derive(Default)]
struct Log(Vec<(DateTime<Utc>, Seen)>);

impl Log {
    fn note(&mut self, now: DateTime<Utc>, yahoo: &FakeYahoo) {
        if yahoo.count() > self.0.len() {
            let seen = yahoo.seen();
            self.0
                .extend(seen[self.0.len()..].iter().cloned().map(|s| (now, s)));
        }
    }

    fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<&(DateTime<Utc>, Seen)> {
        self.0
            .iter()
            .filter(|(t, _)| *t >= from && *t < to)
            .collect()
    }
}

fn keys(requests: &[&(DateTime<Utc>, Seen)]) -> Vec<String> {
    let mut k: Vec<String> = requests
        .iter()
        .map(|(_, s)| format!("{} {}", s.symbol, s.interval))
        .collect();
    k.sort();
    k
}

const WATCHED: [&str; 6] = [
    "INFY.NS 1d",
    "INFY.NS 5m",
    "RELIANCE.NS 1d",
    "RELIANCE.NS 5m",
    "TCS.NS 1d",
    "TCS.NS 5m",
];

async fn chart(server: &Server, symbol: &str) -> Value {
    let calls = Calls::new(server.app.clone());
    let mut args = serde_json::Map::new();
    args.insert("symbol".into(), json!(symbol));
    let answer = calls.call("get_stock_chart_data", args).await.unwrap();
    assert!(!answer.is_error(), "{:?}", answer.result());
    Value::Object(
        answer
            .result()
            .structured_content
            .clone()
            .unwrap()
            .as_object()
            .unwrap()
            .clone(),
    )
}

async fn warm_runs(server: &Server) -> Vec<trading_mcp::store::WarmRunRow> {
    let mut runs = server
        .app
        .chart
        .store()
        .recent_warm_runs(10_000)
        .await
        .unwrap();
    runs.reverse();
    runs
}

/// Monday 2026-11-23, a normal session; Tuesday 24th, Guru Nanak Jayanti;
/// Wednesday's pre-open and first minutes.
#[tokio::test]
async fn a_simulated_trading_day_a_holiday_and_the_next_open() {
    let yahoo = FakeYahoo::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(
        &dir.path().join("t.db"),
        &yahoo,
        ist(2026, 11, 23, 8, 30),
        |_| {},
    )
    .await;
    let mut log = Log::default();

    server
        .run_until(&yahoo, &mut log, ist(2026, 11, 23, 9, 0))
        .await;
    // Start-up: the backfill, two years of daily bars, and nothing else.
    let early = log.between(ist(2026, 11, 23, 8, 30), ist(2026, 11, 23, 9, 0));
    assert_eq!(keys(&early), ["INFY.NS 1d", "RELIANCE.NS 1d", "TCS.NS 1d"]);
    for (_, s) in &early {
        let from = Utc.timestamp_opt(s.period1, 0).unwrap();
        assert!(from <= ist(2024, 11, 23, 0, 0), "backfill from {from}");
    }

    // Mid-session, a watchlist symbol comes from memory and is fresh.
    server
        .run_until(&yahoo, &mut log, ist(2026, 11, 23, 11, 0))
        .await;
    let before = yahoo.count();
    let answer = chart(&server, "RELIANCE").await;
    assert_eq!(
        answer["freshness"]["source"], "memory",
        "{}",
        answer["freshness"]
    );
    assert_eq!(answer["freshness"]["market_open"], true);
    assert_eq!(yahoo.count(), before, "no upstream call for a warm symbol");
    // A symbol nobody warms goes upstream: the fake does count.
    chart(&server, "ITC").await;
    assert_eq!(yahoo.count(), before + 1);

    server
        .run_until(&yahoo, &mut log, ist(2026, 11, 23, 16, 0))
        .await;
    // 09:10: the pre-open run, daily and intraday for each symbol.
    let pre_open = log.between(ist(2026, 11, 23, 9, 0), ist(2026, 11, 23, 9, 15));
    assert_eq!(keys(&pre_open), WATCHED);
    assert!(
        pre_open
            .iter()
            .all(|(t, _)| *t >= ist(2026, 11, 23, 9, 10) && *t < ist(2026, 11, 23, 9, 11))
    );
    // 09:15-15:30: about once a minute per series (up to 10 % early).
    let session: Vec<_> = log
        .between(ist(2026, 11, 23, 9, 15), ist(2026, 11, 23, 15, 30))
        .into_iter()
        .filter(|(_, s)| s.symbol != "ITC.NS")
        .collect();
    for key in WATCHED {
        let times: Vec<DateTime<Utc>> = session
            .iter()
            .filter(|(_, s)| format!("{} {}", s.symbol, s.interval) == key)
            .map(|(t, _)| *t)
            .collect();
        assert!(
            (375..=420).contains(&times.len()),
            "{key}: {} live requests",
            times.len()
        );
        assert!(
            times[0] < ist(2026, 11, 23, 9, 16),
            "{key} first at {}",
            times[0]
        );
        for w in times.windows(2) {
            let gap = (w[1] - w[0]).num_milliseconds();
            assert!(
                (53_000..=61_000).contains(&gap),
                "{key}: {gap} ms at {}",
                w[1]
            );
        }
    }
    // Nothing between the close and the settle time, then the post-close run.
    assert!(
        log.between(ist(2026, 11, 23, 15, 30), ist(2026, 11, 23, 15, 45))
            .is_empty()
    );
    let post_close = log.between(ist(2026, 11, 23, 15, 45), ist(2026, 11, 23, 16, 0));
    assert_eq!(keys(&post_close), WATCHED);
    assert!(
        post_close
            .iter()
            .all(|(t, _)| *t < ist(2026, 11, 23, 15, 46))
    );

    // After the post-close run the day is final: no upstream call, now or
    // at 20:00.
    let before = yahoo.count();
    let answer = chart(&server, "RELIANCE").await;
    assert_ne!(answer["freshness"]["source"], "upstream");
    server
        .run_until(&yahoo, &mut log, ist(2026, 11, 23, 20, 0))
        .await;
    let answer = chart(&server, "TCS").await;
    assert_ne!(answer["freshness"]["source"], "upstream");
    assert_eq!(yahoo.count(), before);

    // The holiday: nothing at all.
    server
        .run_until(&yahoo, &mut log, ist(2026, 11, 25, 9, 0))
        .await;
    assert!(
        log.between(ist(2026, 11, 23, 16, 0), ist(2026, 11, 25, 9, 0))
            .is_empty()
    );
    // Wednesday: the pre-open run, then live runs.
    server
        .run_until(&yahoo, &mut log, ist(2026, 11, 25, 9, 20))
        .await;
    assert_eq!(
        keys(&log.between(ist(2026, 11, 25, 9, 10), ist(2026, 11, 25, 9, 11))),
        WATCHED
    );
    assert!(
        log.between(ist(2026, 11, 25, 9, 15), ist(2026, 11, 25, 9, 20))
            .len()
            >= 4 * 6
    );

    // Every run is logged, with the requests it made.
    let runs = warm_runs(&server).await;
    let kinds: Vec<&str> = runs.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds[0], "backfill");
    assert_eq!(kinds[1], "pre_open");
    assert_eq!(kinds.iter().filter(|k| **k == "pre_open").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "post_close").count(), 1);
    let warm_requests: u64 = runs.iter().map(|r| r.upstream_calls).sum();
    let itc = log.0.iter().filter(|(_, s)| s.symbol == "ITC.NS").count() as u64;
    assert_eq!(
        warm_requests,
        yahoo.count() as u64 - itc,
        "each request tallied to its run"
    );
    assert!(runs.iter().all(|r| r.errors == 0), "{runs:?}");
    assert_eq!(runs[1].symbols, ["RELIANCE.NS", "TCS.NS", "INFY.NS"]);
    server.stop().await;
}

/// The breaker opens mid-session: cycles are skipped, not queued, and
/// warming resumes once the upstream recovers.
#[tokio::test]
async fn an_open_breaker_skips_cycles_instead_of_piling_up() {
    let yahoo = FakeYahoo::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(
        &dir.path().join("t.db"),
        &yahoo,
        ist(2026, 11, 23, 10, 0),
        |s| {
            s.breaker_failures = 2;
            s.breaker_cooldown_ms = 300_000;
            s.retries = 0;
        },
    )
    .await;
    let mut log = Log::default();
    server
        .run_until(&yahoo, &mut log, ist(2026, 11, 23, 10, 5))
        .await;
    let healthy = log
        .between(ist(2026, 11, 23, 10, 1), ist(2026, 11, 23, 10, 5))
        .len();
    assert!(
        healthy >= 3 * 6,
        "{healthy} requests in four healthy minutes"
    );

    yahoo.always(Some(Fault::Status(503)));
    server
        .run_until(&yahoo, &mut log, ist(2026, 11, 23, 10, 20))
        .await;
    let outage = log
        .between(ist(2026, 11, 23, 10, 5), ist(2026, 11, 23, 10, 20))
        .len();
    // One failing run (its six reads in flight together), then a probe
    // each five-minute cool-down: never a run a minute.
    assert!(
        (2..=12).contains(&outage),
        "{outage} requests in a 15-minute outage"
    );
    let runs = warm_runs(&server).await;
    let during = runs
        .iter()
        .filter(|r| r.started_at >= ist(2026, 11, 23, 10, 5).timestamp())
        .count();
    assert!(during <= 5, "{during} runs while the breaker was open");

    yahoo.always(None);
    server
        .run_until(&yahoo, &mut log, ist(2026, 11, 23, 10, 30))
        .await;
    let recovered = log
        .between(ist(2026, 11, 23, 10, 26), ist(2026, 11, 23, 10, 30))
        .len();
    assert!(recovered >= 3 * 6, "{recovered} requests after recovery");
    server.stop().await;
}

/// With warming saturating the rate limiter, a tool call's request goes
/// out next, ahead of the queued warm requests. (Real time: the limiter
/// paces on tokio's clock; only the order is asserted.)
#[tokio::test]
async fn a_tool_call_goes_ahead_of_queued_warm_requests() {
    let yahoo = FakeYahoo::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(
        &dir.path().join("t.db"),
        &yahoo,
        ist(2026, 11, 23, 10, 0),
        |s| {
            s.rate_limit = 4.0;
            s.rate_burst = 1;
            s.watchlist = [
                "SBIN",
                "WIPRO",
                "LT",
                "HDFCBANK",
                "ICICIBANK",
                "AXISBANK",
                "TITAN",
                "NTPC",
                "ONGC",
                "CIPLA",
            ]
            .map(String::from)
            .to_vec();
        },
    )
    .await;
    // The start-up backfill of 13 symbols, at four requests a second.
    let mut scheduler = server.scheduler.take().unwrap();
    let backfill = tokio::spawn(async move {
        scheduler.step().await;
        scheduler
    });
    while yahoo.count() < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let sent = yahoo.count();
    let calls = Calls::new(server.app.clone());
    let mut args = serde_json::Map::new();
    args.insert("symbol".into(), json!("ITC"));
    assert!(
        !calls
            .call("get_stock_chart_data", args)
            .await
            .unwrap()
            .is_error()
    );
    let scheduler = backfill.await.unwrap();
    let order: Vec<String> = yahoo.seen().iter().map(|s| s.symbol.clone()).collect();
    assert_eq!(order.len(), 14, "{order:?}");
    let itc = order.iter().position(|s| s == "ITC.NS").unwrap();
    assert!(
        itc <= sent + 1,
        "ITC went out {}th, after {sent} warm requests: {order:?}",
        itc + 1
    );
    assert!(
        order.len() - itc > 9,
        "warm requests still queued behind it: {order:?}"
    );
    scheduler.stop().await;
    server.stop().await;
}

/// Requests counted one day put a symbol on the next trading day's
/// watchlist, across a restart; hostile input never does.
#[tokio::test]
async fn popularity_moves_the_next_days_watchlist_across_a_restart() {
    let yahoo = FakeYahoo::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let top_one = |s: &mut Settings| s.warm_top_n = 1;
    let server = Server::start(&db, &yahoo, ist(2026, 11, 23, 12, 0), top_one).await;
    for _ in 0..3 {
        chart(&server, "ITC").await;
    }
    chart(&server, "HDFCBANK").await;
    let calls = Calls::new(server.app.clone());
    for hostile in ["NOPE'; DROP TABLE bars;--", "ZZZZ"] {
        let mut args = serde_json::Map::new();
        args.insert("symbol".into(), json!(hostile));
        let answer = calls.call("get_stock_chart_data", args).await.unwrap();
        assert!(answer.is_error());
    }
    server.stop().await;
    let rows = db_rows(
        &TestDb::Sqlite(db.clone()),
        "SELECT day, symbol, requests FROM symbol_requests ORDER BY symbol",
    )
    .await;
    assert_eq!(
        rows,
        [
            ["2026-11-23", "HDFCBANK.NS", "1"]
                .map(String::from)
                .to_vec(),
            ["2026-11-23", "ITC.NS", "3"].map(String::from).to_vec(),
        ]
    );

    // Wednesday (Tuesday is a holiday): ITC joins the defaults.
    let seen_before = yahoo.count();
    let mut server = Server::start(&db, &yahoo, ist(2026, 11, 25, 9, 0), top_one).await;
    let mut log = Log(yahoo.seen()[..seen_before]
        .iter()
        .cloned()
        .map(|s| (ist(2026, 11, 23, 12, 0), s))
        .collect());
    server
        .run_until(&yahoo, &mut log, ist(2026, 11, 25, 9, 12))
        .await;
    let pre_open = log.between(ist(2026, 11, 25, 9, 10), ist(2026, 11, 25, 9, 11));
    let mut expected: Vec<String> = WATCHED.iter().map(|s| s.to_string()).collect();
    expected.extend(["ITC.NS 1d".to_string(), "ITC.NS 5m".to_string()]);
    expected.sort();
    assert_eq!(keys(&pre_open), expected);
    server.stop().await;
}

/// One process per store warms; the other stands by and takes over when
/// the first stops.
#[tokio::test]
async fn one_process_per_store_warms() {
    let yahoo = FakeYahoo::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut first = Server::start(&db, &yahoo, ist(2026, 11, 23, 10, 0), |_| {}).await;
    let mut second = Server::start(&db, &yahoo, ist(2026, 11, 23, 10, 0), |_| {}).await;
    let mut log = Log::default();
    // Both step on one simulated timeline.
    while first.now() < ist(2026, 11, 23, 10, 10) {
        let a = first.scheduler.as_mut().unwrap().step().await;
        let b = second.scheduler.as_mut().unwrap().step().await;
        log.note(first.now(), &yahoo);
        let wait = chrono::Duration::from_std(a.min(b)).unwrap();
        if wait > chrono::Duration::zero() {
            let to = first.now() + wait;
            first.clock.set(to);
            second.clock.set(to);
        }
    }
    let runs = warm_runs(&first).await;
    assert_eq!(
        runs.iter().filter(|r| r.kind == "backfill").count(),
        1,
        "{runs:?}"
    );
    let live = runs.iter().filter(|r| r.kind == "live").count();
    assert!(
        (10..=12).contains(&live),
        "{live} live runs in ten minutes by two processes"
    );

    first.scheduler.take().unwrap().stop().await;
    first.stop().await;
    second
        .run_until(&yahoo, &mut log, ist(2026, 11, 23, 10, 14))
        .await;
    let runs = warm_runs(&second).await;
    assert_eq!(
        runs.iter().filter(|r| r.kind == "backfill").count(),
        2,
        "the second took over"
    );
    assert!(
        log.between(ist(2026, 11, 23, 10, 10), ist(2026, 11, 23, 10, 14))
            .len()
            >= 3 * 6
    );
    second.stop().await;
}
