//! Candlestick pattern throughput over ~1,000,000 real-shaped daily bars.
//!
//! `all_61` is the whole registry into one caller-owned buffer (input
//! validation included); the element throughput is bars, so ns/bar =
//! 1000 / (Melem/s).
//!
//! TA-Lib C for comparison, on the same bars (the `nse_daily_yahoo` CSVs
//! concatenated as `million_bars` does): in python, call all 61
//! `talib.CDL*(o, h, l, c)` in a loop, timed with `time.perf_counter`, best of
//! 5. On the 2-core development VM: TA-Lib C ~640 ns/bar, this crate ~500 ns/bar.

// mimalloc reuses freed memory instead of handing large blocks back to the
// kernel and faulting them in again on the next call (glibc's trim
// threshold does that for 2-3 outputs of 8 MB each).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/shared_data/mod.rs"]
mod shared_data;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trading_mcp::indicators::Ohlcv;
use trading_mcp::patterns::{detect_all_into, detect_into, find, registry};

fn bench(c: &mut Criterion) {
    let [o, h, l, cl, v] = shared_data::million_bars(1_000_000);
    let n = cl.len();
    let d = Ohlcv {
        open: &o,
        high: &h,
        low: &l,
        close: &cl,
        volume: &v,
        ts: &[],
        utc_offset_secs: 0,
        intraday: false,
    };
    let mut all = vec![0; n * registry().len()];

    // One plain timing up front so the headline figure is printed as ns/bar.
    detect_all_into(&d, &mut all).unwrap();
    let best = (0..3)
        .map(|_| {
            let t = Instant::now();
            detect_all_into(&d, black_box(&mut all)).unwrap();
            t.elapsed()
        })
        .min()
        .unwrap();
    println!(
        "all 61 patterns: {:.1} ns/bar ({} bars, best of 3: {:.1} ms)",
        best.as_nanos() as f64 / n as f64,
        n,
        best.as_secs_f64() * 1e3
    );

    let mut g = c.benchmark_group("patterns");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("all_61", |b| {
        b.iter(|| detect_all_into(black_box(&d), &mut all).unwrap())
    });
    let mut one = vec![0; n];
    for name in [
        "CDLDOJI",
        "CDLENGULFING",
        "CDLHAMMER",
        "CDLMORNINGSTAR",
        "CDL3WHITESOLDIERS",
        "CDLADVANCEBLOCK",
        "CDLHIKKAKE",
    ] {
        let spec = find(name).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| detect_into(spec, black_box(&d), None, &mut one).unwrap())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
