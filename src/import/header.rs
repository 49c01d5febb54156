//! Which layout a bar file has, read from its header, and where each
//! column is.

use std::fmt;

/// The layouts `trading-mcp import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Yahoo's download: `Date,Open,High,Low,Close,Adj Close,Volume` (also
    /// any one-line header naming a date column and OHLCV, such as
    /// `trading-mcp export`'s CSV).
    YahooCsv,
    /// yfinance's three header lines: `Price,...` / `Ticker,...` / `Date,...`
    /// or `Datetime,...`.
    Yfinance,
    /// A broker's `timestamp,open,high,low,close,volume,oi`.
    Broker,
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layout::YahooCsv => "Yahoo CSV",
            Layout::Yfinance => "yfinance 3-line header",
            Layout::Broker => "broker CSV",
        })
    }
}

/// Most columns a file may have.
pub const MAX_COLUMNS: usize = 32;

/// What the header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub layout: Layout,
    /// Fields per data row.
    pub width: usize,
    pub date: usize,
    pub open: usize,
    pub high: usize,
    pub low: usize,
    pub close: usize,
    pub adj_close: Option<usize>,
    pub volume: usize,
    /// Columns read past, as named in the file (`oi`, `Dividends`...).
    pub ignored: Vec<String>,
    /// The ticker yfinance wrote in its second header line.
    pub ticker: Option<String>,
    /// Byte offset of the first data line.
    pub data_start: usize,
    /// Line number (1-based) of the first data line.
    pub data_line: usize,
}

const EXPECTED: &str = "expected a header such as Date,Open,High,Low,Close,Adj Close,Volume (Yahoo), \
    Price,... / Ticker,... / Datetime,... (yfinance) or timestamp,open,high,low,close,volume,oi (broker)";

/// Splits off the next line (without `\n` or `\r\n`), returning it and the rest.
pub fn next_line(text: &[u8]) -> (&[u8], &[u8]) {
    let (line, rest) = match text.iter().position(|&b| b == b'\n') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, &text[text.len()..]),
    };
    (line.strip_suffix(b"\r").unwrap_or(line), rest)
}

/// A header cell, trimmed, unquoted and lower-cased.
fn cell_name(cell: &[u8]) -> String {
    let s = String::from_utf8_lossy(cell);
    s.trim().trim_matches('"').trim().to_ascii_lowercase()
}

fn cells(line: &[u8]) -> Vec<&[u8]> {
    line.split(|&b| b == b',').collect()
}

/// Reads the header of `text` (the whole file).
pub fn read(text: &[u8]) -> Result<Header, String> {
    let body = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let (first, rest) = next_line(body);
    if first.iter().all(u8::is_ascii_whitespace) {
        return Err(format!(
            "the file is empty or starts with a blank line; {EXPECTED}"
        ));
    }
    let names: Vec<String> = cells(first).into_iter().map(cell_name).collect();
    if names.len() > MAX_COLUMNS {
        return Err(format!(
            "the header has {} columns; at most {MAX_COLUMNS} are read",
            names.len()
        ));
    }
    if names[0] == "price" {
        let (second, rest2) = next_line(rest);
        let (third, rest3) = next_line(rest2);
        let second_cells = cells(second);
        let third_cells = cells(third);
        if cell_name(second_cells[0]) != "ticker"
            || !matches!(cell_name(third_cells[0]).as_str(), "date" | "datetime")
        {
            return Err(format!(
                "line 1 starts with Price but lines 2-3 are not Ticker,... and Date,... / Datetime,...; {EXPECTED}"
            ));
        }
        let mut tickers: Vec<String> = second_cells[1..]
            .iter()
            .map(|c| String::from_utf8_lossy(c).trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        tickers.sort();
        tickers.dedup();
        if tickers.len() > 1 {
            return Err(format!(
                "the file holds {} tickers ({}); import one ticker per file",
                tickers.len(),
                tickers.join(", ")
            ));
        }
        // Row 1 names the price columns; its first cell stands over the dates.
        let mut roles = names;
        roles[0] = "date".into();
        let data_start = text.len() - rest3.len();
        return assign(Layout::Yfinance, &roles, tickers.pop(), data_start, 4);
    }
    let layout = if names[0] == "timestamp" {
        Layout::Broker
    } else {
        Layout::YahooCsv
    };
    assign(layout, &names, None, text.len() - rest.len(), 2)
}

/// Maps column names to roles.
fn assign(
    layout: Layout,
    names: &[String],
    ticker: Option<String>,
    data_start: usize,
    data_line: usize,
) -> Result<Header, String> {
    let mut date = None;
    let (mut open, mut high, mut low, mut close, mut adj, mut volume) =
        (None, None, None, None, None, None);
    let mut ignored = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let slot = match name.as_str() {
            "date" | "datetime" | "timestamp" | "time" => &mut date,
            "open" => &mut open,
            "high" => &mut high,
            "low" => &mut low,
            "close" => &mut close,
            "adj close" | "adj_close" | "adjclose" => &mut adj,
            "volume" => &mut volume,
            _ => {
                ignored.push(name.clone());
                continue;
            }
        };
        if slot.replace(i).is_some() {
            return Err(format!("the header names {name:?} twice"));
        }
    }
    let need = |v: Option<usize>, what: &str| {
        v.ok_or_else(|| format!("the header has no {what} column; {EXPECTED}"))
    };
    Ok(Header {
        layout,
        width: names.len(),
        date: need(date, "Date")?,
        open: need(open, "Open")?,
        high: need(high, "High")?,
        low: need(low, "Low")?,
        close: need(close, "Close")?,
        adj_close: adj,
        volume: need(volume, "Volume")?,
        ignored,
        ticker,
        data_start,
        data_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yahoo_csv_with_crlf() {
        let h =
            read(b"Date,Open,High,Low,Close,Adj Close,Volume\r\n2000-01-03,1,2,0.5,1.5,1.4,10\r\n")
                .unwrap();
        assert_eq!(h.layout, Layout::YahooCsv);
        assert_eq!(
            (h.date, h.open, h.close, h.adj_close, h.volume),
            (0, 1, 4, Some(5), 6)
        );
        assert_eq!(h.data_start, 43);
        assert_eq!(h.data_line, 2);
    }

    #[test]
    fn yfinance_three_lines() {
        let text = b"Price,Close,High,Low,Open,Volume\nTicker,RELIANCE.NS,RELIANCE.NS,RELIANCE.NS,RELIANCE.NS,RELIANCE.NS\nDatetime,,,,,\n2025-09-11 09:15:00+05:30,1,2,0.5,1.5,0\n";
        let h = read(text).unwrap();
        assert_eq!(h.layout, Layout::Yfinance);
        assert_eq!(h.ticker.as_deref(), Some("RELIANCE.NS"));
        assert_eq!((h.close, h.high, h.low, h.open, h.volume), (1, 2, 3, 4, 5));
        assert!(text[h.data_start..].starts_with(b"2025-09-11"));
        assert_eq!(h.data_line, 4);
    }

    #[test]
    fn broker_layout_ignores_open_interest() {
        let h = read(b"timestamp,open,high,low,close,volume,oi\n").unwrap();
        assert_eq!(h.layout, Layout::Broker);
        assert_eq!(h.adj_close, None);
        assert_eq!(h.ignored, vec!["oi".to_string()]);
    }

    #[test]
    fn bom_is_skipped() {
        let h = read(b"\xEF\xBB\xBFDate,Open,High,Low,Close,Volume\n2000-01-03,1,1,1,1,1").unwrap();
        assert_eq!(h.date, 0);
        assert_eq!(h.data_start, 3 + 32);
    }

    #[test]
    fn bad_headers_say_what_is_expected() {
        let err = read(b"Date,Open,High,Low,Volume\n").unwrap_err();
        assert!(err.contains("no Close column"), "{err}");
        assert!(
            err.contains("timestamp,open,high,low,close,volume,oi"),
            "{err}"
        );
        assert!(read(b"").unwrap_err().contains("empty"));
        let multi = read(b"Price,Close,Close\nTicker,A.NS,B.NS\nDate,,\n").unwrap_err();
        assert!(multi.contains("2 tickers (A.NS, B.NS)"), "{multi}");
        assert!(
            read(b"Date,Close,Close,Open,High,Low,Volume\n")
                .unwrap_err()
                .contains("twice")
        );
    }
}
