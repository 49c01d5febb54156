//! The store's hot paths on both backends, side by side in one run: the
//! range read of 6,000 daily bars, the bulk upsert of a fetch of 6,000
//! bars, and an import of 6,000 bars into an empty series. PostgreSQL is
//! a throwaway cluster on a Unix socket on the same machine (as the test
//! suite starts it), so both backends share the cores.

#[path = "../tests/support/postgres.rs"]
#[allow(dead_code)] // the tests' helper: the bench uses part of it
mod postgres;
#[path = "support/seed.rs"]
mod seed;

use seed::{nse_instrument, reliance_bars, seed_reliance};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trading_mcp::model::Interval;
use trading_mcp::store::{BarStore, FetchBatch, ImportBatch};

fn backends(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = postgres::Postgres::start();
    let dir = tempfile::tempdir().unwrap();
    let bars = reliance_bars();
    let (first, end) = (bars[0].ts, bars.last().unwrap().ts + 1);
    let stores: Vec<(&str, BarStore)> = rt.block_on(async {
        let sqlite = BarStore::open(&dir.path().join("bench.db")).await.unwrap();
        let url = server.database("bench").await;
        let pg = BarStore::connect_postgres(&url).await.unwrap();
        for store in [&sqlite, &pg] {
            seed_reliance(store, &bars).await;
        }
        vec![("sqlite", sqlite), ("postgres", pg)]
    });
    let mut g = c.benchmark_group("store");
    g.throughput(Throughput::Elements(bars.len() as u64));
    for (name, store) in &stores {
        g.bench_function(format!("{name}_read_{}_daily_bars", bars.len()), |b| {
            b.to_async(&rt).iter(|| async {
                let (read, _) = store
                    .read_bars("RELIANCE.NS", Interval::D1, first, end)
                    .await
                    .unwrap();
                assert_eq!(read.len(), bars.len());
            })
        });
    }
    let inst = nse_instrument("RELIANCE.NS");
    for (name, store) in &stores {
        g.bench_function(format!("{name}_upsert_{}_bars", bars.len()), |b| {
            b.to_async(&rt).iter(|| async {
                store
                    .save_fetch(&FetchBatch {
                        instrument: &inst,
                        interval: Interval::D1,
                        bars: &bars,
                        actions: &[],
                        covered: None,
                        fetched_at: 1_711_900_001,
                    })
                    .await
                    .unwrap();
            })
        });
    }
    // Each import goes to a series of its own, so every bar is new.
    let mut n = 0u64;
    for (name, store) in &stores {
        g.bench_function(format!("{name}_import_{}_new_bars", bars.len()), |b| {
            b.to_async(&rt).iter(|| {
                n += 1;
                let symbol = format!("IMP{n}.NS");
                let inst = nse_instrument(&symbol);
                let bars = &bars;
                async move {
                    let covered = [(first, end)];
                    let out = store
                        .import_bars(
                            &symbol,
                            &ImportBatch {
                                instrument: &inst,
                                interval: Interval::D1,
                                bars,
                                covered: &covered,
                                replace: false,
                                imported_at: 1,
                                basis_tolerance: 0.01,
                            },
                        )
                        .await
                        .unwrap();
                    assert_eq!(out.inserted, bars.len());
                }
            })
        });
    }
    g.finish();
    rt.block_on(async {
        for (_, store) in &stores {
            store.close().await;
        }
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = backends
}
criterion_main!(benches);
