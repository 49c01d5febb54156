//! Chart rendering in process: 250 daily RELIANCE.NS bars at 1200x700 with
//! a volume pane and SMA(20)/SMA(50) overlays (target: under 20 ms, PNG
//! under 150 KB), and the parts: drawing plus encoding at the largest size.
//!
//! `cargo bench --bench chart_image`

#[path = "../tests/chart_support/mod.rs"]
mod chart_support;

use criterion::{Criterion, criterion_group, criterion_main};
use trading_mcp::chart_image::{MAX_HEIGHT, MAX_WIDTH, render};

fn bench(c: &mut Criterion) {
    let plain = chart_support::Extras { rsi_pane: false };
    let spec = chart_support::daily_spec("RELIANCE.NS", "Reliance Industries Limited", 250, plain);
    let size = render(&spec).expect("renders").png.len();
    eprintln!("chart_image: 250 bars, 1200x700, volume + 2 overlays: PNG {size} bytes");
    c.bench_function("chart_image/250d_1200x700_volume_2_overlays", |b| {
        b.iter(|| render(std::hint::black_box(&spec)).expect("renders"))
    });

    let with_rsi = chart_support::Extras { rsi_pane: true };
    let mut big =
        chart_support::daily_spec("RELIANCE.NS", "Reliance Industries Limited", 2000, with_rsi);
    (big.width, big.height) = (MAX_WIDTH, MAX_HEIGHT);
    let size = render(&big).expect("renders").png.len();
    eprintln!("chart_image: 2000 bars, 2000x1400, volume + rsi + 2 overlays: PNG {size} bytes");
    c.bench_function("chart_image/2000d_2000x1400_volume_rsi_2_overlays", |b| {
        b.iter(|| render(std::hint::black_box(&big)).expect("renders"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
