//! Trader indicators over ~1,000,000 real-shaped bars (the nse_daily_yahoo
//! files repeated), with synthetic 5-minute IST timestamps (75 bars per
//! session from 09:15) so that VWAP and intraday pivots reset each session.
//! Criterion reports time per call and bars/s (Throughput::Elements);
//! ns/bar = time / 1,000,000.

// mimalloc reuses freed memory instead of handing large blocks back to the
// kernel and faulting them in again on the next call (glibc's trim
// threshold does that for 2-3 outputs of 8 MB each).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/shared_data/mod.rs"]
mod shared_data;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trading_mcp::indicators::Ohlcv;
use trading_mcp::indicators::trader::{
    PivotMethod, SPECS, donchian, heikin_ashi, ichimoku, keltner, pivots, supertrend, vwap,
};

const BARS: usize = 1_000_000;
const IST: i32 = 19_800;

/// 75 five-minute bars per IST session, sessions a day apart, from
/// 2025-09-11 09:15 IST.
fn five_minute_ts(n: usize) -> Vec<i64> {
    let first = 1_757_548_800 + 33_300 - 19_800;
    (0..n as i64)
        .map(|i| first + (i / 75) * 86_400 + (i % 75) * 300)
        .collect()
}

fn bench(c: &mut Criterion) {
    let [o, h, l, cl, v] = shared_data::million_bars(BARS);
    let ts = five_minute_ts(o.len());
    let intraday = Ohlcv {
        open: &o,
        high: &h,
        low: &l,
        close: &cl,
        volume: &v,
        ts: &ts,
        utc_offset_secs: IST,
        intraday: true,
    };
    let mut g = c.benchmark_group("trader");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(o.len() as u64));

    g.bench_function("vwap_intraday", |b| b.iter(|| vwap(black_box(&intraday))));
    g.bench_function("vwap_daily", |b| {
        let daily = Ohlcv {
            intraday: false,
            ..intraday
        };
        b.iter(|| vwap(black_box(&daily)))
    });
    g.bench_function("supertrend", |b| {
        b.iter(|| supertrend(black_box(&h), &l, &cl, 10, 3.0))
    });
    g.bench_function("ichimoku", |b| {
        b.iter(|| ichimoku(black_box(&h), &l, &cl, 9, 26, 52, 26))
    });
    g.bench_function("keltner", |b| {
        b.iter(|| keltner(black_box(&h), &l, &cl, 20, 10, 2.0))
    });
    g.bench_function("donchian", |b| b.iter(|| donchian(black_box(&h), &l, 20)));
    g.bench_function("pivot_classic_daily", |b| {
        let daily = Ohlcv {
            intraday: false,
            ..intraday
        };
        b.iter(|| pivots(black_box(&daily), PivotMethod::Classic))
    });
    g.bench_function("pivot_camarilla_intraday", |b| {
        b.iter(|| pivots(black_box(&intraday), PivotMethod::Camarilla))
    });
    g.bench_function("heikin_ashi", |b| {
        b.iter(|| heikin_ashi(black_box(&o), &h, &l, &cl))
    });
    // The registry path (param validation + compute) for every spec.
    g.bench_function("all_specs_defaults", |b| {
        b.iter(|| {
            for s in SPECS {
                let params: Vec<f64> = s.params.iter().map(|p| p.default).collect();
                black_box((s.compute)(&intraday, &params).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
