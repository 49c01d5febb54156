//! Memory of a server after 1,000 distinct, overlapping one-year ranges of
//! one symbol (each starting a day after the last), over stdio on cached
//! data. With one L1 series per (symbol, interval) sliced per request they
//! share one copy of the bars. Run: `cargo bench --bench l1_memory`;
//! `TRADING_MCP_BIN=path/to/other/trading-mcp` measures another build.

#[path = "support/seed.rs"]
mod seed;
#[path = "support/server.rs"]
mod server;

use std::io::{BufRead, Write};

use chrono::NaiveDate;
use serde_json::{Value, json};
use trading_mcp::store::BarStore;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mem.db");
    let bars = seed::reliance_bars();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = BarStore::open(&db).await.unwrap();
        seed::seed_reliance(&store, &bars).await;
        store.close().await;
    });
    let (server, mut stdin, mut stdout) = server::stdio(&db);
    let (rss_start, _) = server.rss_kib();
    let first = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
    let mut line = String::new();
    for i in 0..1_000 {
        let start = first + chrono::Duration::days(i);
        let end = start + chrono::Duration::days(365);
        let args = json!({"symbol": "RELIANCE", "start_date": start.to_string(), "end_date": end.to_string()});
        writeln!(
            stdin,
            "{}",
            server::call_line(i as u64 + 1, "get_stock_chart_data", &args)
        )
        .unwrap();
        line.clear();
        stdout.read_line(&mut line).unwrap();
        assert!(line.contains("\"bars\""), "{line:.300}");
    }
    writeln!(
        stdin,
        "{}",
        server::call_line(5_000, "server_stats", &json!({}))
    )
    .unwrap();
    line.clear();
    stdout.read_line(&mut line).unwrap();
    let stats: Value = serde_json::from_str(&line).unwrap();
    let cache = &stats["result"]["structuredContent"]["cache"];
    let (rss, peak) = server.rss_kib();
    println!(
        "after 1,000 overlapping 1-year ranges of RELIANCE: RSS {} MiB (peak {} MiB, {} MiB at start); L1 {} entries, {} KiB weighed",
        rss / 1024,
        peak / 1024,
        rss_start / 1024,
        cache["entries"],
        cache["bytes"].as_u64().unwrap_or(0) / 1024
    );
}
