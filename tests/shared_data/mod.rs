//! Locating and reading the third-party data in `../shared` (read in place, never copied).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `shared/` folder beside the checkout: the first ancestor of the crate
/// directory that holds `shared/data/SOURCES.md`. `TRADING_MCP_SHARED` overrides.
pub fn shared_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("TRADING_MCP_SHARED") {
        return PathBuf::from(dir);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in manifest.ancestors() {
        let candidate = dir.join("shared");
        if candidate.join("data/SOURCES.md").is_file() {
            return candidate;
        }
    }
    panic!(
        "cannot find shared/data/SOURCES.md above {}; set TRADING_MCP_SHARED",
        manifest.display()
    )
}

/// A CSV file split into a header and rows of string cells (CRLF tolerated).
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn read(path: &Path) -> Csv {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
        let header = lines
            .next()
            .expect("empty csv")
            .split(',')
            .map(str::to_string)
            .collect();
        let rows = lines
            .filter(|l| !l.is_empty())
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        Csv { header, rows }
    }

    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    /// A numeric column; empty cells and `null` become NaN.
    pub fn f64s(&self, name: &str) -> Vec<f64> {
        let c = self.col(name);
        self.rows
            .iter()
            .map(|r| match r[c].as_str() {
                "" | "null" => f64::NAN,
                s => s
                    .parse()
                    .unwrap_or_else(|_| panic!("bad number {s:?} in {name}")),
            })
            .collect()
    }

    pub fn strings(&self, name: &str) -> Vec<String> {
        let c = self.col(name);
        self.rows.iter().map(|r| r[c].clone()).collect()
    }
}

/// OHLCV columns of one reference file `shared/reference/talib/<SYM>.csv`.
pub struct Reference {
    pub symbol: String,
    pub csv: Csv,
    pub dates: Vec<String>,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Vec<f64>,
}

/// A `nse_daily_yahoo` file (`Date,Open,High,Low,Close,Adj Close,Volume`) as columns.
pub struct YahooDaily {
    pub dates: Vec<String>,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub adj_close: Vec<f64>,
    pub volume: Vec<f64>,
}

impl YahooDaily {
    /// The rows as the project's bars, keyed by trading date.
    pub fn bars(&self) -> Vec<trading_mcp::model::Bar> {
        (0..self.dates.len())
            .map(|i| trading_mcp::model::Bar {
                ts: trading_mcp::model::date_key(
                    chrono::NaiveDate::parse_from_str(&self.dates[i], "%Y-%m-%d")
                        .unwrap_or_else(|e| panic!("bad date {:?}: {e}", self.dates[i])),
                ),
                open: self.open[i],
                high: self.high[i],
                low: self.low[i],
                close: self.close[i],
                adj_close: self.adj_close[i],
                volume: self.volume[i] as i64,
            })
            .collect()
    }
}

/// `shared/data/nse_daily_yahoo/<symbol>.csv` (e.g. `RELIANCE.NS`), if it
/// exists; `^NSEI` is the NIFTY 50 index from `shared/data/nse_index/`
/// (2013-2023, same layout).
pub fn yahoo_daily(symbol: &str) -> Option<YahooDaily> {
    let path = match symbol {
        "^NSEI" => shared_dir().join("data/nse_index/NSEI_2013_2023.csv"),
        _ => shared_dir().join(format!("data/nse_daily_yahoo/{symbol}.csv")),
    };
    if !path.is_file() {
        return None;
    }
    let csv = Csv::read(&path);
    Some(YahooDaily {
        dates: csv.strings("Date"),
        open: csv.f64s("Open"),
        high: csv.f64s("High"),
        low: csv.f64s("Low"),
        close: csv.f64s("Close"),
        adj_close: csv.f64s("Adj Close"),
        volume: csv.f64s("Volume"),
    })
}

/// Every recorded chart response in `shared/data/yahoo_chart/{chart,
/// historical_via_chart}`, as (`sub/file name`, the whole recording), in
/// file order.
pub fn yahoo_chart_recordings() -> Vec<(String, serde_json::Value)> {
    let dir = shared_dir().join("data/yahoo_chart");
    let mut out = Vec::new();
    for sub in ["chart", "historical_via_chart"] {
        let mut files: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|f| f.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let name = format!("{sub}/{}", f.file_name().unwrap().to_string_lossy());
            out.push((name, serde_json::from_str(&text).unwrap()));
        }
    }
    out
}

pub const REFERENCE_SYMBOLS: [&str; 3] = ["RELIANCE.NS", "TCS.NS", "INFY.NS"];

pub fn talib_reference(symbol: &str) -> Reference {
    let path = shared_dir().join(format!("reference/talib/{symbol}.csv"));
    let csv = Csv::read(&path);
    Reference {
        symbol: symbol.to_string(),
        dates: csv.strings("Date"),
        open: csv.f64s("Open"),
        high: csv.f64s("High"),
        low: csv.f64s("Low"),
        close: csv.f64s("Close"),
        volume: csv.f64s("Volume"),
        csv,
    }
}

/// About `target` bars of real-shaped daily data: the `nse_daily_yahoo` CSVs
/// concatenated (rows with null prices dropped), repeated as needed.
pub fn million_bars(target: usize) -> [Vec<f64>; 5] {
    let dir = shared_dir().join("data/nse_daily_yahoo");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("nse_daily_yahoo")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut cols: [Vec<f64>; 5] = Default::default();
    'outer: loop {
        for f in &files {
            let csv = Csv::read(f);
            let (o, h, l, c, v) = (
                csv.f64s("Open"),
                csv.f64s("High"),
                csv.f64s("Low"),
                csv.f64s("Close"),
                csv.f64s("Volume"),
            );
            for i in 0..o.len() {
                if [o[i], h[i], l[i], c[i], v[i]].iter().any(|x| x.is_nan()) {
                    continue;
                }
                for (col, x) in cols.iter_mut().zip([o[i], h[i], l[i], c[i], v[i]]) {
                    col.push(x);
                }
                if cols[0].len() >= target {
                    break 'outer;
                }
            }
        }
    }
    cols
}
