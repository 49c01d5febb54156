//! Pipelined `get_stock_chart_data` calls from one client over stdio, on
//! cached data: a writer thread sends N requests without waiting, the
//! reader counts the answers. Run: `cargo bench --bench stdio_pipelined`
//! (`BENCH_CALLS` sets N, default 20,000).

#[path = "support/seed.rs"]
mod seed;
#[path = "support/server.rs"]
mod server;

use std::io::{BufRead, Write};
use std::time::Instant;

use serde_json::json;
use trading_mcp::store::BarStore;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: u64 = std::env::var("BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("stdio.db");
    let bars = seed::reliance_bars();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = BarStore::open(&db).await.unwrap();
        seed::seed_reliance(&store, &bars).await;
        store.close().await;
    });
    let (server, mut stdin, mut stdout) = server::stdio(&db);
    let args = json!({"symbol": "RELIANCE", "start_date": "2023-03-29", "end_date": "2024-03-28"});
    // Warm L1 and the result cache with one call.
    writeln!(
        stdin,
        "{}",
        server::call_line(1, "get_stock_chart_data", &args)
    )
    .unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("\"bars\""), "{line:.300}");
    let bytes_per_answer = line.len();

    let started = Instant::now();
    let writer = std::thread::spawn(move || {
        let mut out = std::io::BufWriter::new(stdin);
        for id in 0..n {
            writeln!(
                out,
                "{}",
                server::call_line(id + 2, "get_stock_chart_data", &args)
            )
            .unwrap();
        }
        out.flush().unwrap();
        out
    });
    let mut answered = 0;
    while answered < n {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            panic!("server closed stdout after {answered} answers");
        }
        if line.contains("\"result\"") {
            answered += 1;
        }
    }
    let elapsed = started.elapsed();
    let _stdin = writer.join().unwrap();
    let (rss, peak) = server.rss_kib();
    println!(
        "stdio, {n} pipelined get_stock_chart_data calls (250 bars, {bytes_per_answer} bytes each): {:.0} calls/s ({:.2} s); server RSS {} MiB, peak {} MiB",
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        rss / 1024,
        peak / 1024
    );
}
