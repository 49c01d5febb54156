//! The data rows of a bar file, parsed in one pass without allocating per
//! row: fields are slices of the file, numbers parse in place.

use chrono::{TimeZone, Timelike};
use chrono_tz::Tz;

use super::header::{Header, MAX_COLUMNS};
use super::stamp::{self, Stamp};
use crate::model::{Bar, date_key};

/// A row that could not be used, with its line number (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

/// What kind of stamps a file has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StampKinds {
    /// Bare dates.
    pub dates: usize,
    /// Times at the exchange's local midnight (daily bars written with a time).
    pub midnights: usize,
    /// Other times of day: intraday bars.
    pub timed: usize,
    /// The first intraday stamp, for messages: (line, text).
    pub first_timed: Option<(usize, String)>,
}

/// Rows as read, in file order.
#[derive(Debug, Default)]
pub struct Rows {
    /// `ts` is the date key for bare dates and the instant otherwise.
    pub bars: Vec<Bar>,
    /// Line number of each bar.
    pub lines: Vec<u32>,
    /// Each bar's date key when its stamp is a date or a local midnight,
    /// else `i64::MIN`.
    pub day_keys: Vec<i64>,
    /// Non-blank data lines.
    pub read: usize,
    /// Rows whose prices are `null` or empty (Yahoo's placeholder for a
    /// day without data).
    pub null_rows: usize,
    pub bad: Vec<BadRow>,
    pub kinds: StampKinds,
}

/// Tolerance for open/close outside [low, high]: printing rounding only.
const OHLC_SLACK: f64 = 1e-6;

fn trim(f: &[u8]) -> &[u8] {
    let f = f.trim_ascii();
    f.strip_prefix(b"\"")
        .and_then(|g| g.strip_suffix(b"\""))
        .map_or(f, <[u8]>::trim_ascii)
}

fn is_missing(f: &[u8]) -> bool {
    f.is_empty()
        || f.eq_ignore_ascii_case(b"null")
        || f.eq_ignore_ascii_case(b"nan")
        || f.eq_ignore_ascii_case(b"none")
}

fn number(f: &[u8]) -> Option<f64> {
    std::str::from_utf8(f)
        .ok()?
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

/// A volume: an integer, or a float with no fraction (`1234.0`, yfinance).
fn volume(f: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(f).ok()?;
    s.parse::<i64>().ok().or_else(|| {
        let x = s.parse::<f64>().ok()?;
        // 2^63 as f64: the exclusive upper bound of i64.
        (x.fract() == 0.0 && (0.0..9.223_372_036_854_776e18).contains(&x)).then_some(x as i64)
    })
}

/// The reason a row's values are unusable, if they are.
fn implausible(b: &Bar) -> Option<String> {
    for (name, v) in [
        ("open", b.open),
        ("high", b.high),
        ("low", b.low),
        ("close", b.close),
        ("adj close", b.adj_close),
    ] {
        if v <= 0.0 {
            return Some(format!("{name} {v} is not a positive price"));
        }
    }
    if b.low > b.high {
        return Some(format!("low {} is above high {}", b.low, b.high));
    }
    for (name, v) in [("open", b.open), ("close", b.close)] {
        if v > b.high * (1.0 + OHLC_SLACK) || v < b.low * (1.0 - OHLC_SLACK) {
            return Some(format!(
                "{name} {v} is outside the bar's range {}..{}",
                b.low, b.high
            ));
        }
    }
    if b.volume < 0 {
        return Some(format!("volume {} is negative", b.volume));
    }
    None
}

/// One row's outcome.
enum Parsed {
    Bar(Bar, i64),
    Null,
    Bad(String),
}

/// Parses every data row of `text` per `header`; stamps without offset are
/// read in `zone`, and local midnights tell daily bars from intraday ones.
pub fn parse(text: &[u8], header: &Header, zone: Tz) -> Rows {
    let mut rows = Rows::default();
    let data = &text[header.data_start..];
    let estimate = data.len() / 64;
    rows.bars.reserve(estimate);
    rows.lines.reserve(estimate);
    rows.day_keys.reserve(estimate);
    let mut line_no = header.data_line;
    let mut fields: [&[u8]; MAX_COLUMNS] = [&[]; MAX_COLUMNS];
    let mut n = 0;
    let mut start = 0;
    // Every comma and line end, found with SIMD; the end of the text ends
    // the last line when it has no newline.
    let ends = memchr::memchr2_iter(b',', b'\n', data).chain(std::iter::once(data.len()));
    for pos in ends {
        if n < MAX_COLUMNS {
            fields[n] = trim(&data[start..pos]);
        }
        n += 1;
        start = pos + 1;
        if pos < data.len() && data[pos] == b',' {
            continue;
        }
        let (width, this_line) = (n, line_no);
        n = 0;
        line_no += 1;
        if width == 1 && fields[0].is_empty() {
            continue;
        }
        rows.read += 1;
        let outcome = if width != header.width {
            Parsed::Bad(format!(
                "{width} fields where the header has {}",
                header.width
            ))
        } else {
            row(&fields[..width], header, zone, this_line, &mut rows.kinds)
        };
        match outcome {
            Parsed::Bar(bar, day_key) => {
                rows.bars.push(bar);
                rows.lines
                    .push(u32::try_from(this_line).unwrap_or(u32::MAX));
                rows.day_keys.push(day_key);
            }
            Parsed::Null => rows.null_rows += 1,
            Parsed::Bad(reason) => rows.bad.push(BadRow {
                line: this_line,
                reason,
            }),
        }
    }
    rows
}

fn row(fields: &[&[u8]], h: &Header, zone: Tz, line: usize, kinds: &mut StampKinds) -> Parsed {
    let raw_stamp = fields[h.date];
    let Some(stamp) = stamp::parse(raw_stamp) else {
        return Parsed::Bad(format!(
            "{:?} is not a date or time ({})",
            String::from_utf8_lossy(raw_stamp),
            stamp::FORMATS
        ));
    };
    let cells = [h.open, h.high, h.low, h.close];
    let adj = h.adj_close.map(|i| fields[i]);
    if cells.iter().any(|&i| is_missing(fields[i]))
        || adj.is_some_and(is_missing)
        || is_missing(fields[h.volume])
    {
        return Parsed::Null;
    }
    let mut prices = [0.0; 4];
    for (p, &i) in prices.iter_mut().zip(&cells) {
        match number(fields[i]) {
            Some(x) => *p = x,
            None => return bad_number(fields[i], i, h),
        }
    }
    let [open, high, low, close] = prices;
    let adj_close = match adj {
        Some(f) => match number(f) {
            Some(x) => x,
            None => return bad_number(f, h.adj_close.unwrap_or(0), h),
        },
        None => close,
    };
    let Some(volume) = volume(fields[h.volume]) else {
        return Parsed::Bad(format!(
            "volume {:?} is not a whole number",
            String::from_utf8_lossy(fields[h.volume])
        ));
    };
    let (ts, day_key) = match stamp {
        Stamp::Date(d) => {
            kinds.dates += 1;
            (date_key(d), date_key(d))
        }
        Stamp::Local(dt) => {
            let Some(at) = zone.from_local_datetime(&dt).earliest() else {
                return Parsed::Bad(format!("{dt} does not exist in {zone} (a clock change)"));
            };
            timed(at.timestamp(), dt, line, raw_stamp, kinds)
        }
        Stamp::Instant(t) => {
            let Some(local) = zone.timestamp_opt(t, 0).single() else {
                return Parsed::Bad("the time is out of range".into());
            };
            timed(t, local.naive_local(), line, raw_stamp, kinds)
        }
    };
    let bar = Bar {
        ts,
        open,
        high,
        low,
        close,
        adj_close,
        volume,
    };
    match implausible(&bar) {
        Some(reason) => Parsed::Bad(reason),
        None => Parsed::Bar(bar, day_key),
    }
}

/// Classifies a stamp with a time of day; returns (instant, day key).
fn timed(
    instant: i64,
    local: chrono::NaiveDateTime,
    line: usize,
    raw: &[u8],
    kinds: &mut StampKinds,
) -> (i64, i64) {
    if local.num_seconds_from_midnight() == 0 {
        kinds.midnights += 1;
        (instant, date_key(local.date()))
    } else {
        kinds.timed += 1;
        if kinds.first_timed.is_none() {
            kinds.first_timed = Some((line, String::from_utf8_lossy(raw).into_owned()));
        }
        (instant, i64::MIN)
    }
}

fn bad_number(field: &[u8], column: usize, h: &Header) -> Parsed {
    let name = match column {
        c if c == h.open => "open",
        c if c == h.high => "high",
        c if c == h.low => "low",
        c if c == h.close => "close",
        _ => "adj close",
    };
    Parsed::Bad(format!(
        "{name} {:?} is not a number",
        String::from_utf8_lossy(field)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::header;

    const IST: Tz = chrono_tz::Asia::Kolkata;

    fn parse_all(text: &str) -> Rows {
        let h = header::read(text.as_bytes()).unwrap();
        parse(text.as_bytes(), &h, IST)
    }

    #[test]
    fn good_rows_and_null_rows() {
        let rows = parse_all(
            "Date,Open,High,Low,Close,Adj Close,Volume\r\n\
             2000-01-03,10,12,9,11,10.5,100\r\n\
             2000-01-04,null,null,null,null,null,null\r\n\
             \r\n\
             2000-01-05,11,11.5,10,10.2,10.1,0",
        );
        assert_eq!(rows.read, 3);
        assert_eq!(rows.null_rows, 1);
        assert!(rows.bad.is_empty(), "{:?}", rows.bad);
        assert_eq!(rows.bars.len(), 2);
        assert_eq!(rows.lines, vec![2, 5]);
        assert_eq!(rows.bars[0].adj_close, 10.5);
        assert_eq!(rows.bars[1].volume, 0);
        assert_eq!(rows.kinds.dates, 2);
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers_and_do_not_stop_the_rest() {
        let rows = parse_all(
            "Date,Open,High,Low,Close,Volume\n\
             2024-01-01,10,12,9,11,100\n\
             2024-01-02,10,abc,9,11,100\n\
             2024-13-01,10,12,9,11,100\n\
             2024-01-04,10,12,9,11\n\
             2024-01-05,10,8,9,11,100\n\
             2024-01-08,-1,12,9,11,100\n\
             2024-01-09,10,12,9,11,-5\n\
             2024-01-10,10,12,9,11,1.5\n\
             2024-01-11,10,12,9,13,100\n\
             2024-01-12,10,12,9,11,100\n",
        );
        let report: Vec<(usize, &str)> = rows
            .bad
            .iter()
            .map(|b| (b.line, b.reason.as_str()))
            .collect();
        assert_eq!(
            report,
            vec![
                (3, "high \"abc\" is not a number"),
                (
                    4,
                    "\"2024-13-01\" is not a date or time (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS with an optional offset such as +05:30)"
                ),
                (5, "5 fields where the header has 6"),
                (6, "low 9 is above high 8"),
                (7, "open -1 is not a positive price"),
                (8, "volume -5 is negative"),
                (9, "volume \"1.5\" is not a whole number"),
                (10, "close 13 is outside the bar's range 9..12"),
            ]
        );
        assert_eq!(rows.lines, vec![2, 11]);
    }

    #[test]
    fn broker_midnights_are_daily_and_times_are_intraday() {
        let rows = parse_all(
            "timestamp,open,high,low,close,volume,oi\n\
             2020-10-01 00:00:00+05:30,310,312,300,308.15,100,0\n",
        );
        assert_eq!(rows.kinds.midnights, 1);
        let oct1 = date_key(chrono::NaiveDate::from_ymd_opt(2020, 10, 1).unwrap());
        assert_eq!(rows.day_keys, vec![oct1]);
        assert_eq!(rows.bars[0].close, 308.15);
        assert_eq!(rows.bars[0].adj_close, 308.15, "no Adj Close: the close");

        let intraday = parse_all(
            "Datetime,Open,High,Low,Close,Volume\n\
             2025-09-11 09:15:00+05:30,1,2,0.5,1.5,0\n",
        );
        assert_eq!(intraday.kinds.timed, 1);
        assert_eq!(intraday.kinds.first_timed.as_ref().map(|t| t.0), Some(2));
        assert_eq!(intraday.day_keys, vec![i64::MIN]);
    }

    #[test]
    fn quoted_and_float_volumes() {
        let rows =
            parse_all("Date,Open,High,Low,Close,Volume\n\"2024-01-01\",\"10\",12,9,11,1234.0\n");
        assert!(rows.bad.is_empty(), "{:?}", rows.bad);
        assert_eq!(rows.bars[0].volume, 1234);
    }
}
