//! Throughput of every TA-Lib indicator (default parameters) over ~1M bars,
//! through the registry. Reported per element, so time/elem is ns per bar.

// mimalloc reuses freed memory instead of handing large blocks back to the
// kernel and faulting them in again on the next call (glibc's trim
// threshold does that for 2-3 outputs of 8 MB each).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/shared_data/mod.rs"]
mod shared_data;

use std::time::Duration;

use criterion::{Criterion, Throughput};
use trading_mcp::indicators::{Ohlcv, compute, registry, resolve_params};

fn main() {
    let [open, high, low, close, volume] = shared_data::million_bars(1_000_000);
    let ohlcv = Ohlcv {
        open: &open,
        high: &high,
        low: &low,
        close: &close,
        volume: &volume,
        ts: &[],
        utc_offset_secs: 19_800,
        intraday: false,
    };
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    let mut group = c.benchmark_group("indicators");
    group.throughput(Throughput::Elements(close.len() as u64));
    for spec in registry().iter().filter(|s| s.group != "trader") {
        let params = resolve_params(spec, &[]).expect("defaults are valid");
        group.bench_function(spec.name, |b| {
            b.iter(|| compute(spec, std::hint::black_box(&ohlcv), &params).expect("computes"))
        });
    }
    group.finish();
    c.final_summary();
}
