//! End-to-end `get_stock_chart_data` over streamable HTTP on cached data.
//!
//! Seeds a temp store with RELIANCE's daily history, starts the release
//! server (`--offline`, HTTP), checks one call, then drives it with `wrk`
//! (32 connections, 2 threads, 10 s) if `wrk` is installed
//! (`apt-get install wrk`) and prints calls/s. Run: `cargo bench --bench http_e2e`.

#[path = "support/seed.rs"]
mod seed;

use seed::{reliance_bars, seed_reliance};

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use trading_mcp::store::BarStore;

const CALL: &str = r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_stock_chart_data","arguments":{"symbol":"RELIANCE","start_date":"2023-03-22","end_date":"2024-03-28"}}}"#;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.db");
    let bars = reliance_bars();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = BarStore::open(&db).await.unwrap();
        seed_reliance(&store, &bars).await;
        store.close().await;
    });

    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_trading-mcp"))
            .arg("--offline")
            .arg("--db")
            .arg(&db)
            .args([
                "--now",
                "2024-04-01T12:00:00+05:30",
                "--log",
                "warn",
                "serve",
                "--transport",
                "http",
                "--listen",
                "127.0.0.1:0",
            ])
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(server.0.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("server exited").unwrap();
        if let Some(u) = line.split("MCP streamable HTTP at ").nth(1) {
            break u.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let _server = server;

    let body = rt.block_on(post(&url));
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON response");
    let n = v["result"]["structuredContent"]["bars"]
        .as_array()
        .map(|b| b.len())
        .unwrap_or(0);
    println!(
        "one call: {} bytes, {n} bars, source {}",
        body.len(),
        v["result"]["structuredContent"]["freshness"]["source"]
    );
    assert_eq!(n, 250, "{body:.400}");

    let script = dir.path().join("call.lua");
    let mut f = std::fs::File::create(&script).unwrap();
    writeln!(
        f,
        "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Accept\"] = \"application/json, text/event-stream\"\nwrk.body = [[{CALL}]]"
    )
    .unwrap();
    match Command::new("wrk")
        .args(["-t2", "-c32", "-d10s", "--latency", "-s"])
        .arg(&script)
        .arg(&url)
        .output()
    {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            println!("{text}");
            if let Some(line) = text.lines().find(|l| l.starts_with("Requests/sec")) {
                println!(
                    "get_stock_chart_data over streamable HTTP, 250 bars, 32 connections: {line}"
                );
            }
        }
        Err(_) => println!("wrk not found: apt-get install wrk, then run again"),
    }
}

/// Kills the server however the bench ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

async fn post(url: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://").trim_end_matches("/mcp");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{CALL}",
        CALL.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).await.unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap();
    println!("{head}");
    body.to_string()
}
