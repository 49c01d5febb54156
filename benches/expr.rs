//! The screener's inner loop: `rsi(14) < 30 and close > sma(200)` compiled
//! once, then evaluated at the last bar of each of the 50 NIFTY 50 stocks'
//! last 500 daily bars (`shared/data/nse_daily_upstox`), with the values of
//! every term, in process. The target is under 5 ms for NIFTY 50.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/shared_data/mod.rs"]
mod shared_data;

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use trading_mcp::expr::{self, Program};
use trading_mcp::indicators::Ohlcv;

const CONDITION: &str = "rsi(14) < 30 and close > sma(200)";
const BARS: usize = 500;

/// Columns open, high, low, close, volume of one stock's last `BARS` rows.
fn nifty50() -> Vec<[Vec<f64>; 5]> {
    let dir = shared_data::shared_dir().join("data/nse_daily_upstox");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("nse_daily_upstox")
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let csv = shared_data::Csv::read(f);
            ["open", "high", "low", "close", "volume"].map(|c| {
                let col = csv.f64s(c);
                col[col.len().saturating_sub(BARS)..].to_vec()
            })
        })
        .collect()
}

fn ohlcv(cols: &[Vec<f64>; 5]) -> Ohlcv<'_> {
    Ohlcv {
        open: &cols[0],
        high: &cols[1],
        low: &cols[2],
        close: &cols[3],
        volume: &cols[4],
        ts: &[],
        utc_offset_secs: 19_800,
        intraday: false,
    }
}

/// Evaluates the screen on every stock; returns how many matched.
fn screen(program: &Program, cond: expr::Root, stocks: &[[Vec<f64>; 5]]) -> usize {
    let mut matched = 0;
    for cols in stocks {
        let bars = ohlcv(cols);
        let ev = program
            .evaluate_at(&bars, bars.len() - 1)
            .expect("evaluates");
        black_box(ev.terms(cond, bars.len() - 1));
        matched += usize::from(expr::truth(ev.latest(cond)) == Some(true));
    }
    matched
}

fn main() {
    let stocks = nifty50();
    assert_eq!(stocks.len(), 50);
    let (program, cond) = expr::compile(CONDITION).expect("compiles");
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut group = c.benchmark_group("expr");
    group.bench_function("compile", |b| {
        b.iter(|| expr::compile(black_box(CONDITION)).expect("compiles"))
    });
    group.bench_function("screen_50x500", |b| {
        b.iter(|| screen(&program, cond, black_box(&stocks)))
    });
    group.finish();
    c.final_summary();
}
