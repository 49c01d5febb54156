//! Hot paths of the read-through service: an L1 hit, a SQLite range read, a
//! bulk upsert, whole in-process tool calls (answered from the result
//! cache, and cold: the first call with its parameters on bars already in
//! L1), and process start to `initialize` answered on stdio.

// mimalloc reuses freed memory instead of handing large blocks back to the
// kernel and faulting them in again on the next call (glibc's trim
// threshold does that for 2-3 outputs of 8 MB each).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/seed.rs"]
mod seed;

use seed::{nse_instrument, reliance_bars, seed_reliance};

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Map, Value, json};
use trading_mcp::app::App;
use trading_mcp::config::Settings;
use trading_mcp::mcp::{Calls, Shape};
use trading_mcp::model::{Bar, Interval};
use trading_mcp::service::{BarQuery, Bound};
use trading_mcp::store::{BarStore, FetchBatch};
use trading_mcp::symbol;
use trading_mcp::tools::{CallContext, registry};

async fn seeded_app(dir: &std::path::Path, bars: &[Bar]) -> App {
    let config = Settings {
        db: dir.join("bench.db"),
        offline: true,
        now: Some("2024-04-01T12:00:00+05:30".into()),
        ..Settings::default()
    }
    .into_config()
    .unwrap();
    let app = App::start(config).await.unwrap();
    seed_reliance(app.chart.store(), bars).await;
    app
}

fn service(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bars = reliance_bars();
    let app = rt.block_on(seeded_app(dir.path(), &bars));
    let sym = symbol::resolve("RELIANCE", None).unwrap();
    let d = |s: &str| {
        Some(Bound::Date(
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap(),
        ))
    };
    let query = BarQuery {
        symbol: sym,
        interval: Interval::D1,
        start: d("2023-03-29"),
        end: d("2024-03-28"),
        adjust: Default::default(),
        max_age_secs: None,
    };
    let n = rt.block_on(app.chart.get(&query)).unwrap().in_range().len();
    assert!((245..=255).contains(&n), "{n}");

    let mut g = c.benchmark_group("service");
    g.sample_size(50).measurement_time(Duration::from_secs(3));
    g.bench_function("l1_hit_250_daily_bars", |b| {
        b.to_async(&rt)
            .iter(|| async { app.chart.get(&query).await.unwrap() })
    });
    let store = app.chart.store().clone();
    let (first, last) = (bars[0].ts, bars.last().unwrap().ts + 1);
    g.throughput(Throughput::Elements(bars.len() as u64));
    g.bench_function("sqlite_read_6000_daily_bars", |b| {
        b.to_async(&rt).iter(|| async {
            store
                .read_bars("RELIANCE.NS", Interval::D1, first, last)
                .await
                .unwrap()
        })
    });
    let inst = nse_instrument("BENCH.NS");
    g.bench_function("bulk_upsert_6000_bars", |b| {
        b.to_async(&rt).iter(|| async {
            store
                .save_fetch(&FetchBatch {
                    instrument: &inst,
                    interval: Interval::D1,
                    bars: &bars,
                    actions: &[],
                    covered: None,
                    fetched_at: 1,
                })
                .await
                .unwrap()
        })
    });
    g.throughput(Throughput::Elements(1));
    let calls = Calls::new(app.clone());
    let year = |extra: Value| -> Map<String, Value> {
        let mut args =
            json!({"symbol": "RELIANCE", "start_date": "2023-03-29", "end_date": "2024-03-28"});
        for (k, v) in extra.as_object().unwrap() {
            args[k] = v.clone();
        }
        args.as_object().unwrap().clone()
    };
    let chart = year(json!({}));
    g.bench_function("tool_call_250_bars_from_result_cache", |b| {
        b.to_async(&rt).iter(|| async {
            let a = calls
                .call("get_stock_chart_data", chart.clone())
                .await
                .unwrap();
            a.encoded(Shape::Current).len()
        })
    });
    // The chart image (250 daily bars, 1200x700, volume pane, 2 overlays):
    // repeated, from the result cache; the cold draw is in the list below.
    let image = year(json!({"overlays": ["sma(20)", "sma(50)"]}));
    g.bench_function("tool_call_chart_image_from_result_cache", |b| {
        b.to_async(&rt).iter(|| async {
            let a = calls
                .call("get_stock_chart_image", image.clone())
                .await
                .unwrap();
            a.encoded(Shape::Current).len()
        })
    });
    // Cold: the registry entry run and encoded as the call path does on a
    // result-cache miss, on bars already in L1.
    let cold = [
        ("get_stock_chart_data", "chart_250_bars", year(json!({}))),
        (
            "calculate_technical_indicator",
            "rsi_1y",
            year(json!({"indicator": "RSI"})),
        ),
        (
            "calculate_technical_indicator",
            "macd_1y",
            year(json!({"indicator": "MACD"})),
        ),
        (
            "calculate_technical_indicator",
            "bbands_1y",
            year(json!({"indicator": "BBANDS"})),
        ),
        (
            "detect_candlestick_patterns",
            "patterns_all_61_1y",
            year(json!({})),
        ),
        (
            "get_stock_chart_image",
            "chart_image_250_bars_2_overlays",
            image.clone(),
        ),
    ];
    for (tool, label, args) in cold {
        let entry = registry().get(tool).unwrap();
        rt.block_on(async {
            let mut ctx = CallContext::new();
            entry.run(&app, args.clone(), &mut ctx).await.unwrap()
        });
        g.bench_function(format!("cold_call_{label}"), |b| {
            b.to_async(&rt).iter(|| async {
                let mut ctx = CallContext::new();
                let out = entry.run(&app, args.clone(), &mut ctx).await.unwrap();
                serde_json::to_vec(&out.structured).unwrap().len() + out.text.len()
            })
        });
    }
    g.finish();
    let _: &BarStore = &store;
}

fn startup(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("startup.db");
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#;
    let mut g = c.benchmark_group("process");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("start_to_initialize_answered_stdio", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                let mut child = Command::new(env!("CARGO_BIN_EXE_trading-mcp"))
                    .args(["serve", "--offline", "--db"])
                    .arg(&db)
                    .env("TRADING_MCP_LOG", "error")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                let mut stdin = child.stdin.take().unwrap();
                writeln!(stdin, "{init}").unwrap();
                let mut line = String::new();
                BufReader::new(child.stdout.take().unwrap())
                    .read_line(&mut line)
                    .unwrap();
                total += started.elapsed();
                assert!(line.contains("\"result\""), "{line}");
                drop(stdin);
                child.wait().unwrap();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, service, startup);
criterion_main!(benches);
