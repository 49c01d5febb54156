//! `--auth-token`: HTTP calls need `Authorization: Bearer <token>`; a
//! missing or wrong one gets 401 with `WWW-Authenticate`, fetches nothing
//! and is not logged; a non-loopback bind without a token refuses to start.

mod shared_data;
mod support;

use std::process::Stdio;

use serde_json::json;
use support::*;

const TOKEN: &str = "s3cret-token-for-tests";

async fn post(url: &str, auth: Option<&str>) -> reqwest::Response {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "get_stock_chart_data",
        "arguments": {"symbol": "TCS", "start_date": "2024-01-01", "end_date": "2024-03-28"}
    }});
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18");
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    req.body(body.to_string()).send().await.unwrap()
}

#[tokio::test]
async fn calls_need_the_bearer_token() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let (_server, url) = env.http_server(&[("TRADING_MCP_AUTH_TOKEN", TOKEN)]).await;

    let wrong = format!("Bearer {TOKEN}x");
    for auth in [None, Some("Bearer nope"), Some(wrong.as_str()), Some(TOKEN)] {
        let r = post(&url, auth).await;
        assert_eq!(r.status().as_u16(), 401, "{auth:?}");
        assert_eq!(
            r.headers()["www-authenticate"],
            r#"Bearer realm="trading-mcp""#
        );
        assert!(r.text().await.unwrap().contains("Authorization: Bearer"));
    }
    assert_eq!(yahoo.count(), 0, "refused calls fetch nothing");

    let ok = post(&url, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(ok.status().as_u16(), 200);
    assert!(ok.text().await.unwrap().contains("TCS.NS"));
}

#[tokio::test]
async fn a_public_bind_without_a_token_refuses_to_start() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let out = env
        .command(&["serve", "--transport", "http", "--listen", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--auth-token") && err.contains("--allow-unauthenticated"),
        "{err}"
    );

    // With a token it starts, and the token appears nowhere in its logs.
    let mut cmd = env.command(&["serve", "--transport", "http", "--listen", "0.0.0.0:0"]);
    cmd.env("TRADING_MCP_AUTH_TOKEN", TOKEN)
        .env("TRADING_MCP_LOG", "debug")
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = String::new();
    let port = loop {
        let line = lines.next_line().await.unwrap().expect("server exited");
        log.push_str(&line);
        if let Some(url) = line.split("MCP streamable HTTP at http://").nth(1) {
            break url
                .split(':')
                .nth(1)
                .unwrap()
                .split('/')
                .next()
                .unwrap()
                .to_string();
        }
    };
    let url = format!("http://127.0.0.1:{port}/mcp");
    assert_eq!(
        post(&url, Some("Bearer wrong")).await.status().as_u16(),
        401
    );
    assert_eq!(
        post(&url, Some(&format!("Bearer {TOKEN}")))
            .await
            .status()
            .as_u16(),
        200
    );
    child.kill().await.unwrap();
    while let Ok(Some(line)) = lines.next_line().await {
        log.push_str(&line);
    }
    assert!(!log.contains(TOKEN), "the token was logged");
}
