//! Several servers on one PostgreSQL store (#13): three `serve --transport
//! http` processes share a database on a throwaway PostgreSQL server, and
//! concurrent cold requests across them fetch each gap once.

mod shared_data;
mod support;

use std::time::Duration;

use rmcp::model::ProtocolVersion;
use serde_json::{Value, json};
use support::backends::postgres_url;
use support::*;

/// One stateless `tools/call` POST (protocol 2026-07-28: no session):
/// the JSON-RPC answer, or `None` when the instance is not answering.
async fn tool_over_http(
    client: &reqwest::Client,
    url: &str,
    id: u64,
    tool: &str,
    args: &Value,
) -> Option<Value> {
    let version = ProtocolVersion::V_2026_07_28.as_str();
    let body = json!({
        "jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {
            "name": tool, "arguments": args,
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": version,
                "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {}
            }
        }
    });
    let resp = client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", version)
        .header("mcp-method", "tools/call")
        .header("mcp-name", tool)
        .body(body.to_string())
        .send()
        .await
        .ok()?;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.ok()?;
    // A JSON body, or one SSE `data:` event.
    let json = text
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap_or(&text);
    Some(serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {text}")))
}

#[tokio::test]
async fn three_instances_with_300_cold_requests_make_one_upstream_call() {
    let yahoo = FakeYahoo::start().await;
    // The first fetch answers after a while, so the other instances' fetch
    // attempts overlap it and have to wait for its lock.
    yahoo.queue("RELIANCE.NS", [Fault::Hang(Duration::from_millis(800))]);
    let mut env = Env::new(&yahoo.url());
    let url = postgres_url().await;
    env.set("TRADING_MCP_DB", &url);
    let mut servers = Vec::new();
    for _ in 0..3 {
        servers.push(env.http_server(&[]).await);
    }
    let client = reqwest::Client::new();
    let args = json!({"symbol": "RELIANCE", "start_date": "2023-01-02", "end_date": "2023-12-29"});
    let calls = (0..300u64).map(|i| {
        let (client, args) = (client.clone(), args.clone());
        let mcp = servers[i as usize % 3].1.clone();
        async move {
            tool_over_http(&client, &mcp, i, "get_stock_chart_data", &args)
                .await
                .expect("an answer")
        }
    });
    let answers = futures::future::join_all(calls).await;
    let mut closes = std::collections::BTreeSet::new();
    for answer in &answers {
        let result = &answer["result"];
        assert_ne!(result["isError"], json!(true), "{answer}");
        let bars = rows(&result["structuredContent"]);
        assert!(bars.len() > 240, "{} bars", bars.len());
        closes.insert(bars.last().unwrap()["c"].to_string());
    }
    assert_eq!(closes.len(), 1, "every instance served the same series");
    assert_eq!(
        yahoo.count(),
        1,
        "one upstream call for the gap: {:?}",
        yahoo.seen().len()
    );
    let db = TestDb::Postgres(url);
    assert_eq!(
        db_scalar(&db, "SELECT COUNT(*) FROM upstream_calls").await,
        1
    );
    assert_eq!(db_scalar(&db, "SELECT COUNT(*) FROM coverage").await, 1);
}

/// `server_stats`' `warming.leader` as instance `url` reports it.
async fn leader_seen_by(client: &reqwest::Client, url: &str) -> Option<String> {
    let answer = tool_over_http(client, url, 1, "server_stats", &json!({})).await?;
    answer["result"]["structuredContent"]["warming"]["leader"]
        .as_str()
        .map(str::to_string)
}

#[tokio::test]
async fn kill_9_the_warming_leader_and_another_instance_leads() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_DB", &postgres_url().await);
    // TEST_NOW is mid-session on a Monday: the schedulers run.
    env.set("TRADING_MCP_NO_WARM", "false");
    let (mut first, first_url) = env.http_server(&[]).await;
    let client = reqwest::Client::new();
    let mut leader = None;
    for _ in 0..100 {
        leader = leader_seen_by(&client, &first_url).await;
        if leader.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first_pid = first.id().unwrap();
    let leader = leader.expect("the first instance leads");
    assert!(leader.starts_with(&format!("pid {first_pid} ")), "{leader}");
    let (second, second_url) = env.http_server(&[]).await;
    // The second stands by: it sees the first lead.
    assert_eq!(
        leader_seen_by(&client, &second_url).await.as_deref(),
        Some(leader.as_str())
    );
    first.start_kill().unwrap(); // SIGKILL: no release, no goodbye
    first.wait().await.unwrap();
    let second_pid = second.id().unwrap();
    let mut took_over = false;
    // Within one standby retry (and some slack for a loaded machine).
    for _ in 0..150 {
        let now = leader_seen_by(&client, &second_url).await;
        if now
            .as_deref()
            .is_some_and(|l| l.starts_with(&format!("pid {second_pid} ")))
        {
            took_over = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(took_over, "the second instance leads after the first died");
}
