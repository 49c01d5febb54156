//! The upstream's promises under real faults, black-box: the real binary
//! over stdio against a fake Yahoo that hangs, drips, cuts connections,
//! refuses them, throttles and refuses requests. Timing is never asserted:
//! every test tells the outcomes apart by what the server did (answers,
//! error texts, upstream request counts, rows in the store).

mod shared_data;
mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::*;

const CHART: &str = "get_stock_chart_data";
/// What every "nothing stored" error ends with, after the upstream's reason.
const NOTHING_STORED: &str = ". Nothing is stored for it yet; try again in a minute, or ask for a range that was fetched before";
/// Long enough that an answer after it means the timeout was not applied.
const HANG: Duration = Duration::from_secs(8);

fn march(symbol: &str) -> Value {
    json!({"symbol": symbol, "start_date": "2024-03-01", "end_date": "2024-03-28"})
}

/// The tool error for a symbol with nothing stored whose fetch failed.
fn unavailable(yahoo_symbol: &str, reason: &str) -> String {
    format!("no data for {yahoo_symbol} 1d in the requested range: {reason}{NOTHING_STORED}")
}

async fn calls_log(env: &Env) -> Vec<Vec<String>> {
    db_rows(
        &env.db(),
        "SELECT symbol, status, error FROM upstream_calls ORDER BY id",
    )
    .await
}

async fn transitions(env: &Env) -> Vec<Vec<String>> {
    db_rows(
        &env.db(),
        "SELECT from_state, to_state, reason FROM breaker_transitions ORDER BY id",
    )
    .await
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// The transitions of a breaker that opened once, for `reason`.
fn opened_once(reason: &str) -> Vec<Vec<String>> {
    vec![row(&["closed", "open", reason])]
}

#[tokio::test]
async fn request_timeout_flag_ends_a_hung_answer() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    yahoo.queue("TCS.NS", [Fault::Hang(HANG)]);
    let client = env
        .stdio_client_with(&["--request-timeout-ms", "300", "--retries", "0"])
        .await;
    // Had the 20 s default applied, the fake's answer after 8 s would be served.
    let msg = tool_error(&call(&client, CHART, march("TCS")).await);
    assert_eq!(
        msg,
        unavailable("TCS.NS", &format!("{} did not answer in time", yahoo.addr))
    );
    assert_eq!(calls_log(&env).await, [row(&["TCS.NS", "NULL", "Timeout"])]);
    assert_eq!(db_counts(&env.db()).await.0, 0, "no bars stored");
    // The fault is spent: the next call is answered.
    assert!(!bars(&call(&client, CHART, march("TCS")).await).is_empty());
    assert_eq!(yahoo.count(), 2);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn connect_timeout_flag_bounds_the_handshake() {
    let hole = Blackhole::new();
    let env = Env::new(&hole.url());
    // A request timeout shorter than the 5 s connect default: had the flag
    // been ignored, this would end as "did not answer in time".
    let client = env
        .stdio_client_with(&[
            "--connect-timeout-ms",
            "200",
            "--request-timeout-ms",
            "3000",
            "--retries",
            "0",
        ])
        .await;
    let host = hole.url().trim_start_matches("http://").to_string();
    let msg = tool_error(&call(&client, CHART, march("INFY")).await);
    assert_eq!(
        msg,
        unavailable(
            "INFY.NS",
            &format!("cannot connect to {host}: the connection was not accepted in time")
        )
    );
    assert_eq!(
        calls_log(&env).await,
        [row(&["INFY.NS", "NULL", "Connect"])]
    );
    // Once the port accepts, the same server fetches from it.
    let yahoo = hole.open();
    assert!(!bars(&call(&client, CHART, march("INFY")).await).is_empty());
    assert_eq!(yahoo.count(), 1);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn hung_answers_are_retried_and_open_the_breaker() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    yahoo.always(Some(Fault::Hang(HANG)));
    let client = env
        .stdio_client_with(&[
            "--request-timeout-ms",
            "200",
            "--retries",
            "2",
            "--breaker-failures",
            "3",
            "--breaker-cooldown-ms",
            "600000",
        ])
        .await;
    let msg = tool_error(&call(&client, CHART, march("TCS")).await);
    assert_eq!(
        msg,
        unavailable(
            "TCS.NS",
            &format!("{} did not answer in time (3 attempts)", yahoo.addr)
        )
    );
    assert_eq!(yahoo.count(), 3, "1 try + 2 retries");
    assert_eq!(
        transitions(&env).await,
        opened_once("3 consecutive failures, last: timeout")
    );
    // Open: rejected without a request.
    let msg = tool_error(&call(&client, CHART, march("INFY")).await);
    assert!(
        msg.contains(&format!("the circuit breaker for {} is open", yahoo.addr)),
        "{msg}"
    );
    assert_eq!(yahoo.count(), 3);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn answers_cut_mid_body_are_retried_then_open_the_breaker() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    yahoo.queue("WIPRO.NS", [Fault::Reset, Fault::Reset]);
    let client = env
        .stdio_client_with(&["--retries", "2", "--breaker-failures", "3"])
        .await;
    // Two cut answers, then a whole one: served, and only the whole one stored.
    let r = call(&client, CHART, march("WIPRO")).await;
    let served = bars(&r);
    let want = fake_yahoo::rows_for("WIPRO.NS", "1d")
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.ts >= fake_yahoo::nse_open_ts("2024-03-01")
                && r.ts <= fake_yahoo::nse_open_ts("2024-03-28")
        })
        .count();
    assert_eq!(served.len(), want);
    assert_eq!(
        calls_log(&env).await,
        [
            row(&["WIPRO.NS", "200", "Interrupted"]),
            row(&["WIPRO.NS", "200", "Interrupted"]),
            row(&["WIPRO.NS", "200", "NULL"]),
        ]
    );
    assert!(
        transitions(&env).await.is_empty(),
        "2 failures, then success"
    );

    yahoo.always(Some(Fault::Reset));
    let msg = tool_error(&call(&client, CHART, march("ITC")).await);
    assert_eq!(
        msg,
        unavailable(
            "ITC.NS",
            &format!(
                "the connection to {} broke before the answer was complete (3 attempts)",
                yahoo.addr
            )
        )
    );
    assert_eq!(
        transitions(&env).await,
        opened_once("3 consecutive failures, last: connection broke mid-answer")
    );
    assert_eq!(yahoo.count(), 6);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn refused_connections_are_retried_and_open_the_breaker() {
    let url = refused_url();
    let host = url.trim_start_matches("http://").to_string();
    let env = Env::new(&url);
    let client = env
        .stdio_client_with(&["--retries", "1", "--breaker-failures", "2"])
        .await;
    let msg = tool_error(&call(&client, CHART, march("SBIN")).await);
    assert_eq!(
        msg,
        unavailable(
            "SBIN.NS",
            &format!("cannot connect to {host}: connection refused (2 attempts)")
        )
    );
    assert_eq!(
        calls_log(&env).await,
        [
            row(&["SBIN.NS", "NULL", "Connect"]),
            row(&["SBIN.NS", "NULL", "Connect"]),
        ]
    );
    assert_eq!(
        transitions(&env).await,
        opened_once("2 consecutive failures, last: connection error")
    );
    let msg = tool_error(&call(&client, CHART, march("ITC")).await);
    assert!(msg.contains("circuit breaker"), "{msg}");
    assert_eq!(calls_log(&env).await.len(), 2, "no attempt while open");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_slow_drip_is_read_within_the_timeout_and_cut_beyond_it() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    // 4 pieces 20 ms apart: slow, but whole well within the second.
    yahoo.queue(
        "LT.NS",
        [Fault::Drip {
            pieces: 4,
            every: Duration::from_millis(20),
        }],
    );
    // 100 pieces 50 ms apart: 5 s, past the timeout.
    yahoo.queue(
        "ONGC.NS",
        [Fault::Drip {
            pieces: 100,
            every: Duration::from_millis(50),
        }],
    );
    let client = env
        .stdio_client_with(&["--request-timeout-ms", "1000", "--retries", "0"])
        .await;
    let dripped = bars(&call(&client, CHART, march("LT")).await);
    assert!(!dripped.is_empty());
    let msg = tool_error(&call(&client, CHART, march("ONGC")).await);
    assert_eq!(
        msg,
        unavailable("ONGC.NS", &format!("{} did not answer in time", yahoo.addr))
    );
    // Headers arrived (status 200), the body did not in time.
    assert_eq!(
        calls_log(&env).await,
        [
            row(&["LT.NS", "200", "NULL"]),
            row(&["ONGC.NS", "200", "Timeout"])
        ]
    );
    client.cancel().await.unwrap();
}

/// closed -> open -> half_open -> closed, then open -> half_open -> open
/// with a full cool-down. Waits are sleeps of at least the cool-down (the
/// server's clock runs at real speed); nothing asserts how long anything took.
#[tokio::test]
async fn breaker_cycles_through_half_open_and_a_failed_probe_waits_a_full_cool_down() {
    const COOL_DOWN: Duration = Duration::from_millis(2_000);
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env
        .stdio_client_with(&[
            "--retries",
            "0",
            "--breaker-failures",
            "2",
            "--breaker-cooldown-ms",
            "2000",
        ])
        .await;
    let host = yahoo.addr.to_string();
    yahoo.always(Some(Fault::Status(500)));
    for sym in ["TCS", "INFY"] {
        tool_error(&call(&client, CHART, march(sym)).await);
    }
    assert_eq!(yahoo.count(), 2);
    // Open: no request, and the wait is the cool-down, rounded up.
    let msg = tool_error(&call(&client, CHART, march("ITC")).await);
    assert_eq!(
        msg,
        format!(
            "no data for ITC.NS 1d in the requested range: the circuit breaker for {host} is open after repeated failures; the next attempt is allowed in 2 s. Nothing is stored for it yet; try again in 2 s"
        )
    );
    assert_eq!(yahoo.count(), 2);

    // After the cool-down one probe goes through; it succeeds: closed.
    tokio::time::sleep(COOL_DOWN + Duration::from_millis(100)).await;
    yahoo.always(None);
    assert!(!bars(&call(&client, CHART, march("ITC")).await).is_empty());
    assert_eq!(yahoo.count(), 3);
    assert!(!bars(&call(&client, CHART, march("SBIN")).await).is_empty());
    assert_eq!(yahoo.count(), 4, "closed again: calls flow");

    // Open it again; after the cool-down the probe fails: open again, for
    // a whole new cool-down from the probe's failure.
    yahoo.always(Some(Fault::Status(503)));
    for sym in ["LT", "ONGC"] {
        tool_error(&call(&client, CHART, march(sym)).await);
    }
    tokio::time::sleep(COOL_DOWN + Duration::from_millis(100)).await;
    tool_error(&call(&client, CHART, march("TITAN")).await);
    assert_eq!(yahoo.count(), 7, "the probe");
    let msg = tool_error(&call(&client, CHART, march("WIPRO")).await);
    assert!(
        msg.contains("the next attempt is allowed in 2 s"),
        "a full cool-down after the failed probe: {msg}"
    );
    assert_eq!(yahoo.count(), 7, "rejected without a request");
    assert_eq!(
        transitions(&env).await,
        [
            row(&["closed", "open", "2 consecutive failures, last: HTTP 500"]),
            row(&[
                "open",
                "half_open",
                "cool-down elapsed; letting one probe through"
            ]),
            row(&["half_open", "closed", "call succeeded"]),
            row(&["closed", "open", "2 consecutive failures, last: HTTP 503"]),
            row(&[
                "open",
                "half_open",
                "cool-down elapsed; letting one probe through"
            ]),
            row(&["half_open", "open", "probe failed: HTTP 503"]),
        ]
    );
    // The reopening is stamped at the probe's failure, after the cool-down
    // that let the probe through.
    let at = db_rows(
        &env.db(),
        "SELECT at_ms FROM breaker_transitions ORDER BY id",
    )
    .await;
    let at: Vec<i64> = at.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] <= w[1]), "{at:?}");
    assert!(at[4] - at[3] >= COOL_DOWN.as_millis() as i64, "{at:?}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn negative_ttl_zero_asks_the_upstream_again() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client_with(&["--negative-ttl-secs", "0"]).await;
    for _ in 0..2 {
        let msg = tool_error(&call(&client, CHART, json!({"symbol": "NOSUCHCO"})).await);
        assert!(
            msg.starts_with("NOSUCHCO.NS is not a symbol Yahoo Finance knows"),
            "{msg}"
        );
    }
    assert_eq!(yahoo.count(), 2, "not remembered with a zero TTL");
    client.cancel().await.unwrap();

    // The default remembers it.
    let client = env.stdio_client().await;
    for _ in 0..2 {
        tool_error(&call(&client, CHART, json!({"symbol": "NOSUCHCO"})).await);
    }
    assert_eq!(yahoo.count(), 3);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_retry_after_above_the_limit_stops_at_once_with_a_clear_error() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    yahoo.queue("TCS.NS", [Fault::RetryAfter(429, 30)]);
    yahoo.queue("INFY.NS", [Fault::RetryAfterDate(429, 30)]);
    yahoo.queue("SBIN.NS", [Fault::RetryAfter(503, 30)]);
    let client = env
        .stdio_client_with(&["--retry-after-max-ms", "1000", "--retries", "3"])
        .await;
    let tail = " s before trying again (Retry-After), longer than the 1000 ms this server waits (--retry-after-max-ms); try again after that";
    let msg = tool_error(&call(&client, CHART, march("TCS")).await);
    assert_eq!(
        msg,
        unavailable(
            "TCS.NS",
            &format!("{} asks us to wait 30{tail}", yahoo.addr)
        )
    );
    // An HTTP date 30 s ahead, to the second: 29 or 30 s by the time it is read.
    let msg = tool_error(&call(&client, CHART, march("INFY")).await);
    let asked = msg
        .split(" asks us to wait ")
        .nth(1)
        .and_then(|rest| rest.split(tail).next())
        .unwrap_or_else(|| panic!("{msg}"));
    assert!(asked == "29" || asked == "30", "{msg}");
    assert!(msg.contains(tail), "{msg}");
    // Any retryable status with Retry-After is bounded the same way.
    let msg = tool_error(&call(&client, CHART, march("SBIN")).await);
    assert!(msg.contains(&format!("asks us to wait 30{tail}")), "{msg}");
    assert_eq!(yahoo.count(), 3, "no retry for any of them");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_retry_after_below_the_limit_gives_exactly_one_retry() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    yahoo.queue("HDFCBANK.NS", [Fault::RetryAfter(429, 1)]);
    yahoo.queue("ITC.NS", [Fault::RetryAfterDate(429, 1)]);
    let client = env
        .stdio_client_with(&["--retry-after-max-ms", "5000", "--retries", "3"])
        .await;
    for sym in ["HDFCBANK", "ITC"] {
        let r = call(&client, CHART, march(sym)).await;
        assert_eq!(ok(&r)["freshness"]["stale"], false);
        assert!(!bars(&r).is_empty());
    }
    let seen = yahoo.seen();
    let order: Vec<&str> = seen.iter().map(|s| s.symbol.as_str()).collect();
    assert_eq!(
        order,
        ["HDFCBANK.NS", "HDFCBANK.NS", "ITC.NS", "ITC.NS"],
        "one retry each"
    );
    assert!(seen.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(
        calls_log(&env).await,
        [
            row(&["HDFCBANK.NS", "429", "Status(429)"]),
            row(&["HDFCBANK.NS", "200", "NULL"]),
            row(&["ITC.NS", "429", "Status(429)"]),
            row(&["ITC.NS", "200", "NULL"]),
        ]
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_and_counts_against_the_breaker() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    yahoo.always(Some(Fault::Status(429)));
    let client = env
        .stdio_client_with(&["--retries", "2", "--breaker-failures", "3"])
        .await;
    let msg = tool_error(&call(&client, CHART, march("TCS")).await);
    assert_eq!(
        msg,
        unavailable(
            "TCS.NS",
            &format!("{} answered HTTP 429 (3 attempts)", yahoo.addr)
        )
    );
    assert_eq!(yahoo.count(), 3);
    assert_eq!(
        transitions(&env).await,
        opened_once("3 consecutive failures, last: HTTP 429")
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_truncated_200_is_not_stored_and_the_next_answer_is() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    yahoo.queue("TITAN.NS", [Fault::Truncated]);
    let client = env.stdio_client_with(&["--retries", "3"]).await;
    let msg = tool_error(&call(&client, CHART, march("TITAN")).await);
    let reason = format!(
        "{} sent a response we cannot read: EOF while parsing",
        yahoo.addr
    );
    assert!(
        msg.starts_with(&format!(
            "no data for TITAN.NS 1d in the requested range: {reason}"
        )) && msg.ends_with(NOTHING_STORED),
        "{msg}"
    );
    assert_eq!(yahoo.count(), 1, "garbage is not retried");
    assert_eq!(db_counts(&env.db()).await, (0, 0, 1));
    assert!(!bars(&call(&client, CHART, march("TITAN")).await).is_empty());
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn yahoo_refusals_other_than_404_say_what_yahoo_said() {
    const TOO_OLD: &str = "1m data not available for startTime=1704067200 and endTime=1711929600. Only 7 days worth of 1m granularity data are allowed to be fetched per request.";
    const BAD: &str = "Invalid input - start date cannot be after end date. startDate = 1711929600, endDate = 1704067200";
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    yahoo.queue(
        "TCS.NS",
        [Fault::ChartError(422, "Unprocessable Entity", TOO_OLD)],
    );
    yahoo.queue("INFY.NS", [Fault::ChartError(400, "Bad Request", BAD)]);
    let client = env.stdio_client_with(&["--retries", "3"]).await;
    let msg = tool_error(&call(&client, CHART, march("TCS")).await);
    assert_eq!(
        msg,
        unavailable(
            "TCS.NS",
            &format!(
                "{} refused the request (HTTP 422): Unprocessable Entity: {TOO_OLD}",
                yahoo.addr
            )
        )
    );
    let msg = tool_error(&call(&client, CHART, march("INFY")).await);
    assert_eq!(
        msg,
        unavailable(
            "INFY.NS",
            &format!(
                "{} refused the request (HTTP 400): Bad Request: {BAD}",
                yahoo.addr
            )
        )
    );
    assert_eq!(yahoo.count(), 2, "refusals are not retried");
    assert!(
        transitions(&env).await.is_empty(),
        "nor held against the host"
    );
    // Not taken for an unknown symbol: asked again, and served.
    assert!(!bars(&call(&client, CHART, march("TCS")).await).is_empty());
    assert_eq!(yahoo.count(), 3);
    client.cancel().await.unwrap();
}
