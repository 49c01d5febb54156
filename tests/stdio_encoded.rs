//! The stdio transport writes tool answers from their encoded bytes: the
//! same bytes, line for line, as rmcp's own transport writes
//! (`TRADING_MCP_STDIO_FAST_PATH=false`), for every tool, for successes,
//! tool errors and protocol errors, on both protocol shapes.

mod shared_data;
mod support;

use std::process::Stdio;

use serde_json::{Value, json};
use support::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

struct Raw {
    _child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

async fn raw_server(env: &Env, fast: bool) -> Raw {
    let mut cmd = env.command(&["serve"]);
    cmd.env("TRADING_MCP_STDIO_FAST_PATH", fast.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    Raw {
        _child: child,
        stdin,
        stdout,
    }
}

impl Raw {
    async fn send(&mut self, message: &Value) {
        self.stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }

    async fn line(&mut self) -> String {
        self.stdout.next_line().await.unwrap().expect("an answer")
    }
}

fn calls() -> Vec<(&'static str, Value)> {
    let range = json!({"symbol": "INFY", "start_date": "2023-06-01", "end_date": "2024-03-28"});
    let with = |k: &str, v: Value| {
        let mut a = range.clone();
        a[k] = v;
        a
    };
    vec![
        ("get_stock_chart_data", range.clone()),
        (
            "calculate_technical_indicator",
            with("indicator", json!("BBANDS")),
        ),
        ("detect_candlestick_patterns", range.clone()),
        ("list_indicators", json!({})),
        ("get_stock_chart_data", with("interval", json!("7m"))),
        (
            "calculate_technical_indicator",
            with("indicator", json!("NOPE")),
        ),
        ("get_stock_chart_data", with("colour", json!("red"))),
        ("no_such_tool", json!({})),
    ]
}

#[tokio::test]
async fn encoded_answers_are_the_bytes_rmcp_writes() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    for (tool, args) in calls().into_iter().take(3) {
        let (code, _, err) = env.cli_call(tool, &args).await;
        assert_eq!(code, 0, "{err}");
    }
    for version in ["2025-06-18", "2026-07-28"] {
        let mut fast = raw_server(&env, true).await;
        let mut slow = raw_server(&env, false).await;
        let stateless = version >= "2026-07-28";
        if !stateless {
            let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
            let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
            for s in [&mut fast, &mut slow] {
                s.send(&init).await;
                s.line().await;
                s.send(&initialized).await;
            }
        }
        let mut id = 0;
        for round in 0..2 {
            for (tool, args) in calls() {
                id += 1;
                let mut params = json!({"name": tool, "arguments": args});
                if stateless {
                    params["_meta"] = json!({
                        "io.modelcontextprotocol/protocolVersion": version,
                        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
                        "io.modelcontextprotocol/clientCapabilities": {}
                    });
                }
                let request =
                    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params});
                fast.send(&request).await;
                slow.send(&request).await;
                let (a, b) = (fast.line().await, slow.line().await);
                assert_eq!(a, b, "{version}, round {round}: {request}");
                assert!(a.contains(&format!("\"id\":{id}")), "{a:.200}");
            }
        }
    }
}

#[tokio::test]
async fn pipelined_calls_are_all_answered_in_bounded_memory() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let args = json!({"symbol": "TCS", "start_date": "2023-06-01", "end_date": "2024-03-28"});
    let (code, _, err) = env.cli_call("get_stock_chart_data", &args).await;
    assert_eq!(code, 0, "{err}");
    let mut s = raw_server(&env, true).await;
    s.send(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}))
        .await;
    s.line().await;
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    // Far more than the in-flight bound, written before any answer is read.
    let n = 500;
    let mut batch = String::new();
    for id in 1..=n {
        batch.push_str(
            &json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "get_stock_chart_data", "arguments": args}})
                .to_string(),
        );
        batch.push('\n');
    }
    let Raw {
        _child,
        mut stdin,
        mut stdout,
    } = s;
    let writer = tokio::spawn(async move {
        stdin.write_all(batch.as_bytes()).await.unwrap();
        stdin
    });
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..n {
        let line = stdout.next_line().await.unwrap().expect("an answer");
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["result"]["structuredContent"]["yahoo_symbol"], "TCS.NS");
        seen.insert(v["id"].as_i64().unwrap());
    }
    let _stdin = writer.await.unwrap();
    assert_eq!(seen.len(), n as usize, "every request answered once");
    assert_eq!(yahoo.count(), 1);
}
