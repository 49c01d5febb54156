//! A cancelled tool call stops its work: a cold 1m fetch in three 7-day
//! windows, cancelled while the second window hangs upstream, leaves the
//! first window stored whole and nothing of the second; the next call for
//! the same bars is not stuck behind the abandoned load (single flight
//! passes it on) and fetches the rest.

mod shared_data;
mod support;

use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::model::{CallToolRequest, CallToolRequestParams, ClientRequest};
use rmcp::service::PeerRequestOptions;
use serde_json::{Value, json};
use support::notifications::stdio_recorder;
use support::*;

fn three_weeks() -> CallToolRequestParams {
    let Value::Object(args) = json!({"symbol": "RELIANCE", "interval": "1m", "start_date": "2025-11-15", "end_date": "2025-12-05", "max_points": 10})
    else {
        panic!()
    };
    CallToolRequestParams::new("get_stock_chart_data").with_arguments(args)
}

/// December 2025, when the shared 5m bars (and the 1m bars made from them)
/// are recent: the first 7-day window answers, the second hangs far past
/// the test, and the request timeout is longer still, so only the
/// cancellation can end the hung request in time.
async fn second_window_hangs() -> (FakeYahoo, Env) {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_NOW", "2025-12-06T12:00:00+05:30");
    env.set("TRADING_MCP_REQUEST_TIMEOUT_MS", "600000");
    yahoo.queue(
        "RELIANCE.NS",
        [
            Fault::Hang(Duration::ZERO),
            Fault::Hang(Duration::from_secs(600)),
        ],
    );
    (yahoo, env)
}

#[tokio::test]
async fn a_cancelled_fetch_keeps_whole_windows_and_frees_the_load() {
    let (yahoo, env) = second_window_hangs().await;
    let (client, recorder) = stdio_recorder(&env).await;

    let request = ClientRequest::CallToolRequest(CallToolRequest::new(three_weeks()));
    let handle = client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    recorder.progressed.notified().await;
    // The second window's request is out and hanging.
    while yahoo.count() < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    handle
        .cancel(Some("the user moved on".into()))
        .await
        .unwrap();

    // Only the first window is stored, whole: one coverage span, and every
    // stored bar inside it.
    let db = env.db();
    let spans = db_rows(
        &db,
        "SELECT start_ts, end_ts FROM coverage WHERE interval = '1m'",
    )
    .await;
    assert_eq!(spans.len(), 1, "{spans:?}");
    let (start, end): (i64, i64) = (spans[0][0].parse().unwrap(), spans[0][1].parse().unwrap());
    assert_eq!(end - start, 7 * 86_400, "one whole 7-day window");
    let outside = db_scalar(
        &db,
        "SELECT COUNT(*) FROM bars b JOIN coverage c ON c.symbol = b.symbol AND c.interval = b.interval
         WHERE b.interval = '1m' AND (b.ts < c.start_ts OR b.ts >= c.end_ts)",
    )
    .await;
    assert_eq!(outside, 0, "no bar of the cancelled window was written");
    let stored = db_scalar(&db, "SELECT COUNT(*) FROM bars WHERE interval = '1m'").await;
    assert!(stored > 1_000, "{stored} bars of the first window");

    // The same bars again: the abandoned load does not hold this call; it
    // fetches the two missing windows (the hang was used up) and answers.
    let before = yahoo.count();
    let answer = tokio::time::timeout(Duration::from_secs(30), client.call_tool(three_weeks()))
        .await
        .expect("not stuck behind the cancelled load")
        .unwrap();
    assert_ne!(answer.is_error, Some(true), "{answer:?}");
    assert_eq!(yahoo.count() - before, 2, "windows two and three");
    let spans = db_scalar(&db, "SELECT COUNT(*) FROM coverage WHERE interval = '1m'").await;
    assert!(spans >= 1);
    let all = db_scalar(&db, "SELECT COUNT(*) FROM bars WHERE interval = '1m'").await;
    assert!(all > stored);
}

#[tokio::test]
async fn a_closed_http_connection_stops_its_call() {
    use tokio::io::AsyncWriteExt;
    let (yahoo, env) = second_window_hangs().await;
    let (_server, url) = env.http_server(&[]).await;
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches("/mcp")
        .to_string();
    let Value::Object(args) = json!({"symbol": "RELIANCE", "interval": "1m", "start_date": "2025-11-15", "end_date": "2025-12-05", "max_points": 10})
    else {
        panic!()
    };
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                      "params": {"name": "get_stock_chart_data", "arguments": args}})
    .to_string();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-06-18\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    socket.write_all(request.as_bytes()).await.unwrap();
    while yahoo.count() < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The client goes away while the second window hangs.
    drop(socket);

    let client = ()
        .serve(rmcp::transport::StreamableHttpClientTransport::from_uri(
            url,
        ))
        .await
        .unwrap();
    let before = yahoo.count();
    let answer = tokio::time::timeout(Duration::from_secs(30), client.call_tool(three_weeks()))
        .await
        .expect("not stuck behind the abandoned call")
        .unwrap();
    assert_ne!(answer.is_error, Some(true), "{answer:?}");
    assert_eq!(yahoo.count() - before, 2, "windows two and three");
}
