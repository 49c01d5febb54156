//! Load over streamable HTTP (#12): 1,000 connections calling a mix of
//! tools on cached data, then a burst of cold requests for 50 symbols
//! through the rate limiter to a fake Yahoo on loopback.
//!
//! 1. Mixed, cached: the 49 shared NSE daily histories imported into a temp
//!    store, the release server `--offline` on it, and `wrk` (2 threads,
//!    1,000 connections, `LOAD_SECS`, default 30) cycling through charts of
//!    ten symbols, RSI, MACD, patterns, quotes, market status, a
//!    three-symbol comparison and the indicator list. A call counts as an
//!    error when the HTTP status is not 200 or the body is a tool or
//!    JSON-RPC error.
//! 2. Cold burst: a second server on an empty store, online, pointed at the
//!    test suite's fake Yahoo, with the default rate limit (2 requests/s,
//!    burst 2). 1,000 concurrent chart calls, 20 for each of 50 symbols, all
//!    at once: each symbol's calls coalesce on one fetch, and the fetches
//!    queue at the limiter.
//!
//! Prints errors, p50/p99 and each server's peak RSS. Needs `wrk`
//! (`apt-get install wrk`). Run: `cargo bench --bench http_load`.

#[path = "support/requests.rs"]
mod requests;
#[path = "support/server.rs"]
mod server;
#[path = "../tests/shared_data/mod.rs"]
mod shared_data;
#[allow(dead_code)] // the benches use a part of the test support
mod support {
    #[path = "../../tests/support/fake_series.rs"]
    pub mod fake_series;
    #[path = "../../tests/support/fake_yahoo.rs"]
    pub mod fake_yahoo;
}

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use requests::{Shape, body, check, headers, send};
use serde_json::{Value, json};

const CHARTED: [&str; 10] = [
    "RELIANCE",
    "TCS",
    "INFY",
    "HDFCBANK",
    "ICICIBANK",
    "SBIN",
    "ITC",
    "LT",
    "WIPRO",
    "TITAN",
];

/// The mixed load: one request body per entry, cycled through in order.
fn mix() -> Vec<(&'static str, Value)> {
    let year = json!({"start_date": "2023-03-29", "end_date": "2024-03-28"});
    let with = |extra: Value| {
        let mut a = year.clone();
        for (k, v) in extra.as_object().unwrap() {
            a[k] = v.clone();
        }
        a
    };
    let mut calls: Vec<(&'static str, Value)> = CHARTED
        .iter()
        .map(|s| ("get_stock_chart_data", with(json!({"symbol": s}))))
        .collect();
    calls.extend([
        (
            "calculate_technical_indicator",
            with(json!({"symbol": "TCS", "indicator": "RSI"})),
        ),
        (
            "calculate_technical_indicator",
            with(json!({"symbol": "INFY", "indicator": "MACD"})),
        ),
        (
            "detect_candlestick_patterns",
            with(json!({"symbol": "RELIANCE"})),
        ),
        ("get_quote", json!({"symbols": ["SBIN", "ITC", "LT"]})),
        ("get_market_status", json!({})),
        (
            "compare_symbols",
            with(json!({"symbols": ["TCS", "INFY", "WIPRO"], "benchmark": "RELIANCE"})),
        ),
        ("list_indicators", json!({})),
    ]);
    calls
}

/// The wrk script: cycles through `calls` and counts error answers.
fn script(calls: &[(&'static str, Value)]) -> String {
    let mut s = String::from("wrk.method = \"POST\"\n");
    // Every call in the mix has the same 2025-06-18 headers.
    for (k, v) in headers("", Shape::V2025) {
        s += &format!("wrk.headers[\"{k}\"] = \"{v}\"\n");
    }
    s += "local bodies = {\n";
    for (tool, args) in calls {
        s += &format!("  [[{}]],\n", body(tool, args, Shape::V2025));
    }
    s += r#"}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) i = 0; bad = 0 end
function request()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
function response(status, headers, body)
  if status ~= 200 or body:find('"isError":true', 1, true) or body:find('"error":{', 1, true) then
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("Tool errors: %d\n", total))
end
"#;
    s
}

fn mixed_cached(dir: &std::path::Path, rt: &tokio::runtime::Runtime) {
    let db = dir.join("cached.db");
    let csvs: Vec<_> = std::fs::read_dir(shared_data::shared_dir().join("data/nse_daily_yahoo"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    let status = Command::new(server::binary())
        .arg("--db")
        .arg(&db)
        .args(["--log", "warn", "import"])
        .args(&csvs)
        .status()
        .unwrap();
    assert!(status.success());
    let (srv, url) = server::http(&db, &[]);
    let calls = mix();
    // Each call once, so the load measures cached answers, and each is a success.
    rt.block_on(async {
        for (tool, args) in &calls {
            check(&url, tool, args, Shape::V2025).await;
        }
    });
    let path = dir.join("mixed.lua");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(script(&calls).as_bytes())
        .unwrap();
    let secs = std::env::var("LOAD_SECS").unwrap_or_else(|_| "30".into());
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 65536 2>/dev/null || ulimit -n 4096; exec wrk -t2 -c1000 -d{secs}s --timeout 10s --latency -s {} {url}",
            path.display()
        ))
        .output()
        .expect("wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout);
    let (rss, peak) = srv.rss_kib();
    println!(
        "## Mixed tools on cached data: 1,000 connections, {secs} s, {} calls in the cycle\n",
        calls.len()
    );
    for line in text.lines().map(str::trim) {
        if [
            "Requests/sec",
            "50%",
            "90%",
            "99%",
            "Socket errors",
            "Non-2xx",
            "Tool errors",
        ]
        .iter()
        .any(|p| line.starts_with(p))
            || line.contains("requests in")
        {
            println!("    {line}");
        }
    }
    println!(
        "    server RSS after: {} MiB, peak {} MiB\n",
        rss / 1024,
        peak / 1024
    );
}

fn cold_burst(dir: &std::path::Path, rt: &tokio::runtime::Runtime) {
    let fake = rt.block_on(support::fake_yahoo::FakeYahoo::start());
    let mut symbols: Vec<String> =
        std::fs::read_dir(shared_data::shared_dir().join("data/nse_daily_yahoo"))
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                Some(name.strip_suffix(".NS.csv")?.to_string())
            })
            .collect();
    symbols.sort();
    symbols.push("^NSEI".into());
    assert_eq!(symbols.len(), 50);
    let db = dir.join("cold.db");
    let yahoo_url = fake.url();
    let (srv, url) = server::http_online(&db, &[("TRADING_MCP_YAHOO_URL", yahoo_url.as_str())]);
    const PER_SYMBOL: usize = 20;
    let started = Instant::now();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut errors = Vec::new();
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let calls = symbols.iter().flat_map(|s| std::iter::repeat_n(s.clone(), PER_SYMBOL));
        let tasks: Vec<_> = calls
            .map(|symbol| {
                let client = client.clone();
                let url = url.clone();
                tokio::spawn(async move {
                    let args = json!({"symbol": symbol, "start_date": "2023-03-29", "end_date": "2024-03-28"});
                    let t = Instant::now();
                    let result =
                        send(&client, &url, "get_stock_chart_data", &args, Shape::V2025).await;
                    (t.elapsed(), result.map_err(|e| format!("{symbol}: {e}")))
                })
            })
            .collect();
        for task in tasks {
            let (took, result) = task.await.unwrap();
            latencies.push(took);
            if let Err(e) = result {
                errors.push(e);
            }
        }
    });
    let wall = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let (rss, peak) = srv.rss_kib();
    println!(
        "## Cold burst: {} chart calls at once, {PER_SYMBOL} for each of 50 symbols, rate limit 2/s burst 2\n",
        latencies.len()
    );
    println!("    upstream requests: {}", fake.count());
    println!("    errors: {}", errors.len());
    for e in errors.iter().take(5) {
        println!("      {e:.200}");
    }
    println!(
        "    p50 {:.2} s, p99 {:.2} s, max {:.2} s, all done in {:.2} s",
        pct(0.50).as_secs_f64(),
        pct(0.99).as_secs_f64(),
        latencies.last().unwrap().as_secs_f64(),
        wall.as_secs_f64()
    );
    println!(
        "    server RSS after: {} MiB, peak {} MiB",
        rss / 1024,
        peak / 1024
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    mixed_cached(dir.path(), &rt);
    cold_burst(dir.path(), &rt);
}
