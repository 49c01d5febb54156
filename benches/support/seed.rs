//! Shared by the service benches: RELIANCE's real daily history, and a
//! store seeded with it.

use trading_mcp::model::{Bar, Instrument, Interval};
use trading_mcp::store::{BarStore, FetchBatch};

#[path = "../../tests/shared_data/mod.rs"]
mod shared_data;

/// RELIANCE.NS daily bars from `shared/data/nse_daily_yahoo` (about 6,000).
pub fn reliance_bars() -> Vec<Bar> {
    shared_data::yahoo_daily("RELIANCE.NS")
        .expect("RELIANCE.NS.csv in ../shared")
        .bars()
}

/// An NSE instrument row for `symbol`.
pub fn nse_instrument(symbol: &str) -> Instrument {
    Instrument {
        yahoo_symbol: symbol.into(),
        exchange: "NSI".into(),
        currency: "INR".into(),
        timezone: "Asia/Kolkata".into(),
        ..Instrument::default()
    }
}

/// Stores `bars` as RELIANCE.NS daily history, covered end to end.
pub async fn seed_reliance(store: &BarStore, bars: &[Bar]) {
    let inst = nse_instrument("RELIANCE.NS");
    store
        .save_fetch(&FetchBatch {
            instrument: &inst,
            interval: Interval::D1,
            bars,
            actions: &[],
            covered: Some((bars[0].ts, bars.last().unwrap().ts + 86_400)),
            fetched_at: 1_711_900_000,
        })
        .await
        .unwrap();
}
