//! Every read tool end to end over streamable HTTP, on cached data.
//!
//! Seeds a temp store with RELIANCE's daily history, starts the release
//! server (`--offline`, HTTP), checks each call once, then drives it with
//! `wrk` (2 threads, 32 connections) in the request shapes real clients
//! send: a 2025-06-18 call, a session-less 2026-07-28 call with `_meta` and
//! the SEP-2243 headers, and the fast path switched off for comparison;
//! then 1,000 connections. Needs `wrk` (`apt-get install wrk`).
//! Run: `cargo bench --bench http_e2e` (`BENCH_SECS` sets each run's length).

#[path = "support/requests.rs"]
mod requests;
#[path = "support/seed.rs"]
mod seed;
#[path = "support/server.rs"]
mod server;

use std::io::Write;
use std::process::Command;

use requests::{Shape, body, check, headers};
use serde_json::{Value, json};
use trading_mcp::store::BarStore;

/// What one wrk run measured.
struct Run {
    rps: f64,
    p50: String,
    p99: String,
    errors: u64,
}

fn wrk(
    dir: &std::path::Path,
    url: &str,
    tool: &str,
    args: &Value,
    shape: Shape,
    connections: u32,
) -> Run {
    let secs = std::env::var("BENCH_SECS").unwrap_or_else(|_| "10".into());
    let script = dir.join("call.lua");
    let mut f = std::fs::File::create(&script).unwrap();
    writeln!(f, "wrk.method = \"POST\"").unwrap();
    for (k, v) in headers(tool, shape) {
        writeln!(f, "wrk.headers[\"{k}\"] = \"{v}\"").unwrap();
    }
    writeln!(f, "wrk.body = [[{}]]", body(tool, args, shape)).unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 65536 2>/dev/null || ulimit -n 4096; exec wrk -t2 -c{connections} -d{secs}s --timeout 10s --latency -s {} {url}",
            script.display()
        ))
        .output()
        .expect("wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let pick = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_string()
    };
    let mut errors = 0;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Socket errors:") {
            errors += rest
                .split(',')
                .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>();
        }
        if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += n.trim().parse::<u64>().unwrap_or(0);
        }
    }
    Run {
        rps: pick("Requests/sec:").parse().unwrap_or(0.0),
        p50: pick("50%"),
        p99: pick("99%"),
        errors,
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.db");
    let bars = seed::reliance_bars();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = BarStore::open(&db).await.unwrap();
        seed::seed_reliance(&store, &bars).await;
        store.close().await;
    });
    let year = |extra: Value| {
        let mut a =
            json!({"symbol": "RELIANCE", "start_date": "2023-03-29", "end_date": "2024-03-28"});
        for (k, v) in extra.as_object().unwrap() {
            a[k] = v.clone();
        }
        a
    };
    let cases = [
        ("get_stock_chart_data", "chart, 250 bars", year(json!({}))),
        (
            "calculate_technical_indicator",
            "RSI, 1 year",
            year(json!({"indicator": "RSI"})),
        ),
        (
            "calculate_technical_indicator",
            "MACD, 1 year",
            year(json!({"indicator": "MACD"})),
        ),
        (
            "calculate_technical_indicator",
            "BBANDS, 1 year",
            year(json!({"indicator": "BBANDS"})),
        ),
        (
            "detect_candlestick_patterns",
            "patterns, all 61, 1 year",
            year(json!({})),
        ),
        ("list_indicators", "list_indicators", json!({})),
    ];
    let (fast, url) = server::http(&db, &[]);
    let (slow, slow_url) = server::http(&db, &[("TRADING_MCP_HTTP_FAST_PATH", "false")]);
    let mut rows = Vec::new();
    for (tool, label, args) in &cases {
        for (shape, shape_label) in [
            (Shape::V2025, "2025-06-18"),
            (Shape::Stateless2026, "2026-07-28 stateless"),
        ] {
            rt.block_on(check(&url, tool, args, shape));
            let r = wrk(dir.path(), &url, tool, args, shape, 32);
            rows.push((format!("{label} ({shape_label})"), 32, r));
        }
    }
    let (tool, label, args) = &cases[0];
    rt.block_on(check(&slow_url, tool, args, Shape::V2025));
    let r = wrk(dir.path(), &slow_url, tool, args, Shape::V2025, 32);
    rows.push((format!("{label}, TRADING_MCP_HTTP_FAST_PATH=false"), 32, r));
    for (tool, label, args) in [&cases[0], &cases[1], &cases[4]] {
        let r = wrk(dir.path(), &url, tool, args, Shape::Stateless2026, 1000);
        rows.push((format!("{label} (2026-07-28 stateless)"), 1000, r));
    }
    let (rss, peak) = fast.rss_kib();
    println!("\n| call | connections | calls/s | p50 | p99 | errors |");
    println!("|---|---|---|---|---|---|");
    for (label, c, r) in &rows {
        println!(
            "| {label} | {c} | {:.0} | {} | {} | {} |",
            r.rps, r.p50, r.p99, r.errors
        );
    }
    println!(
        "\nserver RSS after the runs: {} MiB (peak {} MiB)",
        rss / 1024,
        peak / 1024
    );
    drop(slow);
}
