//! Shared by the service benches: RELIANCE's real daily history as bars.

use trading_mcp::model::{Bar, Instrument, date_key};

#[path = "../../tests/shared_data/mod.rs"]
mod shared_data;

/// RELIANCE.NS daily bars from `shared/data/nse_daily_yahoo` (about 6,000).
pub fn reliance_bars() -> Vec<Bar> {
    let csv = shared_data::Csv::read(
        &shared_data::shared_dir().join("data/nse_daily_yahoo/RELIANCE.NS.csv"),
    );
    let dates = csv.strings("Date");
    let (o, h, l, c, a, v) = (
        csv.f64s("Open"),
        csv.f64s("High"),
        csv.f64s("Low"),
        csv.f64s("Close"),
        csv.f64s("Adj Close"),
        csv.f64s("Volume"),
    );
    (0..dates.len())
        .map(|i| Bar {
            ts: date_key(chrono::NaiveDate::parse_from_str(&dates[i], "%Y-%m-%d").unwrap()),
            open: o[i],
            high: h[i],
            low: l[i],
            close: c[i],
            adj_close: a[i],
            volume: v[i] as i64,
        })
        .collect()
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
