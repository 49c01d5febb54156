//! Shutdown through the real binary: on SIGTERM or SIGINT the HTTP server
//! stops taking requests, lets the ones in flight finish (up to
//! `--drain-secs`), checkpoints the WAL and exits 0.

mod shared_data;
mod support;

use std::time::Duration;

use serde_json::json;
use support::*;

async fn post_call(url: &str) -> (u16, String) {
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "get_stock_chart_data",
                   "arguments": {"symbol": "TCS", "start_date": "2023-01-01", "end_date": "2023-12-29", "max_points": 2}}});
    let res = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn signal_mid_call(signal: &str) {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    // The upstream takes a while: the call is in flight when the signal comes.
    yahoo.queue("TCS.NS", [Fault::Hang(Duration::from_millis(800))]);
    let (mut server, url) = env.http_server(&[]).await;
    let call = tokio::spawn({
        let url = url.clone();
        async move { post_call(&url).await }
    });
    while yahoo.count() < 1 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pid = server.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let (status, body) = call.await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"result\""),
        "the call in flight finished: {body}"
    );
    let exit = tokio::time::timeout(Duration::from_secs(20), server.wait())
        .await
        .expect("exits after draining")
        .unwrap();
    assert_eq!(exit.code(), Some(0), "{signal}");
    if let TestDb::Sqlite(path) = env.db() {
        let wal = path.with_extension("db-wal");
        let wal_bytes = std::fs::metadata(&wal).map_or(0, |m| m.len());
        assert_eq!(wal_bytes, 0, "the WAL is checkpointed on exit");
    }
    // The bars the drained call fetched are in the store.
    assert!(db_scalar(&env.db(), "SELECT COUNT(*) FROM bars").await > 200);
}

#[tokio::test]
async fn sigterm_drains_the_call_in_flight() {
    signal_mid_call("-TERM").await;
}

#[tokio::test]
async fn sigint_drains_the_call_in_flight() {
    signal_mid_call("-INT").await;
}

#[tokio::test]
async fn a_call_still_hung_at_the_drain_deadline_does_not_hold_the_exit() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    yahoo.queue("TCS.NS", [Fault::Hang(Duration::from_secs(600))]);
    let (mut server, url) = env
        .http_server(&[
            ("TRADING_MCP_DRAIN_SECS", "1"),
            ("TRADING_MCP_REQUEST_TIMEOUT_MS", "600000"),
        ])
        .await;
    let call = tokio::spawn(async move {
        reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_stock_chart_data","arguments":{"symbol":"TCS"}}}"#)
            .send()
            .await
    });
    while yahoo.count() < 1 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pid = server.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let exit = tokio::time::timeout(Duration::from_secs(30), server.wait())
        .await
        .expect("exits once the drain deadline passes, not after the upstream's 600 s")
        .unwrap();
    assert_eq!(exit.code(), Some(0));
    assert!(
        call.await.unwrap().is_err(),
        "the hung call was dropped, not answered"
    );
    assert_store_intact(&env.db()).await;
}
