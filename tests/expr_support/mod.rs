//! Bars for the expression-language tests: real NSE history read in place
//! from `shared/`, or small hand-made series.
#![allow(dead_code)]

use trading_mcp::expr::{Program, Root};
use trading_mcp::indicators::Ohlcv;
use trading_mcp::model::date_key;

#[path = "../shared_data/mod.rs"]
mod shared_data;

/// Owned columns, oldest first.
pub struct Bars {
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Vec<f64>,
    pub ts: Vec<i64>,
}

impl Bars {
    pub fn ohlcv(&self) -> Ohlcv<'_> {
        Ohlcv {
            open: &self.open,
            high: &self.high,
            low: &self.low,
            close: &self.close,
            volume: &self.volume,
            ts: &self.ts,
            utc_offset_secs: 19_800,
            intraday: false,
        }
    }

    /// `shared/data/nse_daily_yahoo/<symbol>.csv`, rows with a null price
    /// dropped, the last `last` rows.
    pub fn real(symbol: &str, last: usize) -> Bars {
        let d = shared_data::yahoo_daily(symbol)
            .unwrap_or_else(|| panic!("{symbol}.csv in shared/data/nse_daily_yahoo"));
        let mut bars = Bars::empty();
        for i in 0..d.dates.len() {
            let row = [d.open[i], d.high[i], d.low[i], d.close[i], d.volume[i]];
            if row.iter().any(|x| !x.is_finite()) {
                continue;
            }
            let date = chrono::NaiveDate::parse_from_str(&d.dates[i], "%Y-%m-%d").unwrap();
            bars.push(row, date_key(date));
        }
        let skip = bars.close.len().saturating_sub(last);
        bars.skip(skip)
    }

    /// The symbols of `shared/data/nse_daily_yahoo`, sorted.
    pub fn real_symbols() -> Vec<String> {
        let dir = shared_data::shared_dir().join("data/nse_daily_yahoo");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("nse_daily_yahoo")
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                name.strip_suffix(".csv").map(str::to_string)
            })
            .collect();
        names.sort();
        names
    }

    /// Hand-made bars around `close`: open = close, high = close + 1,
    /// low = close - 1, volume 1000, one day apart.
    pub fn from_close(close: &[f64]) -> Bars {
        let mut bars = Bars::empty();
        for (i, &c) in close.iter().enumerate() {
            bars.push(
                [c, c + 1.0, c - 1.0, c, 1000.0],
                1_700_000_000 + 86_400 * i as i64,
            );
        }
        bars
    }

    fn empty() -> Bars {
        Bars {
            open: vec![],
            high: vec![],
            low: vec![],
            close: vec![],
            volume: vec![],
            ts: vec![],
        }
    }

    fn push(&mut self, [o, h, l, c, v]: [f64; 5], ts: i64) {
        self.open.push(o);
        self.high.push(h);
        self.low.push(l);
        self.close.push(c);
        self.volume.push(v);
        self.ts.push(ts);
    }

    /// The bars after the first `skip`.
    pub fn skip(&self, skip: usize) -> Bars {
        Bars {
            open: self.open[skip..].to_vec(),
            high: self.high[skip..].to_vec(),
            low: self.low[skip..].to_vec(),
            close: self.close[skip..].to_vec(),
            volume: self.volume[skip..].to_vec(),
            ts: self.ts[skip..].to_vec(),
        }
    }
}

/// Equal element by element and bit for bit, NaN matching NaN.
pub fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

/// Compiles `text` alone, panicking with the error message.
pub fn compile(text: &str) -> (Program, Root) {
    trading_mcp::expr::compile(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The whole-series values of `text` on `bars`.
pub fn values(text: &str, bars: &Bars) -> Vec<f64> {
    let (p, r) = compile(text);
    let ev = p
        .evaluate(&bars.ohlcv())
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    ev.series_of(r).to_vec()
}

/// The compile error message of `text`.
pub fn error(text: &str) -> String {
    match trading_mcp::expr::compile(text) {
        Ok((p, r)) => panic!("{text:?} compiled to {}", p.label(r)),
        Err(e) => e.message,
    }
}
