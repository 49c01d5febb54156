//! Bar files -> bars ready for the store. Pure code: the caller reads the
//! file and writes the result (`BarStore::import_bars`).
//!
//! [`header::read`] tells the layout from the header; [`parse_file`] parses
//! the rows, tells daily bars from intraday ones by their stamps, infers or
//! checks the interval, and orders the bars; [`spans::covered`] says which
//! ranges the file proves complete.

pub mod file_name;
pub mod header;
pub mod instrument;
pub mod rows;
pub mod spans;
pub mod stamp;

use chrono_tz::Tz;

pub use header::{Header, Layout};
pub use rows::BadRow;
pub use spans::Sessions;

use crate::calendar::Exchange;
use crate::model::{Bar, Interval, key_date};
use crate::symbol::Venue;

/// Where a file's closes and the stored ones differ by more than this
/// (relative), the two are on different adjustment bases.
pub const BASIS_TOLERANCE: f64 = 0.01;

/// A file's bars, ordered and checked.
#[derive(Debug)]
pub struct ParsedFile {
    pub layout: Layout,
    pub interval: Interval,
    /// Ascending by `ts`, no duplicates.
    pub bars: Vec<Bar>,
    /// Non-blank data lines.
    pub read: usize,
    /// Rows of `null` prices, skipped.
    pub null_rows: usize,
    /// Rows that could not be used, by line.
    pub bad: Vec<BadRow>,
    /// Columns read past.
    pub ignored_columns: Vec<String>,
}

/// The trading days of a venue, for the coverage rule.
pub fn sessions_for(venue: Venue, zone: Tz) -> Sessions<'static> {
    match venue {
        Venue::Nse | Venue::Bse => Sessions::Calendar(Exchange::Nse.calendar()),
        // US listings keep NYSE's days (weekdays before the data begins).
        Venue::Other if zone == Exchange::Us.calendar().zone() => {
            Sessions::Calendar(Exchange::Us.calendar())
        }
        Venue::Other => Sessions::Weekdays(zone),
    }
}

/// Parses the rows of `text` (the whole file) after `header`. Stamps
/// without offset are local to `zone`. `interval`, when given, must match
/// the stamps: a file of intraday stamps is refused as `1d`, not collapsed.
pub fn parse_file(
    text: &[u8],
    header: &Header,
    zone: Tz,
    interval: Option<Interval>,
) -> Result<ParsedFile, String> {
    let mut rows = rows::parse(text, header, zone);
    let kinds = &rows.kinds;
    let intraday = kinds.timed > 0;
    if intraday && kinds.dates > 0 {
        return Err(format!(
            "the file mixes bare dates ({} rows) with times of day ({} rows); use one form",
            kinds.dates, kinds.timed
        ));
    }
    if let Some(want) = interval {
        if intraday && !want.is_intraday() {
            let (line, example) = kinds.first_timed.clone().unwrap_or_default();
            return Err(format!(
                "the file has intraday stamps (line {line}: {example}) but --interval {want} was given; \
                 daily bars are not built by collapsing intraday ones. Leave --interval out (it is inferred) \
                 or give the bars' own interval"
            ));
        }
        if !intraday && want.is_intraday() && !rows.bars.is_empty() {
            return Err(format!(
                "the file has one bar a day (stamps without a time of day) but --interval {want} was given; use --interval 1d"
            ));
        }
    }
    if !intraday {
        for (bar, &day) in rows.bars.iter_mut().zip(&rows.day_keys) {
            bar.ts = day;
        }
    }
    order(&mut rows);
    let interval = decide_interval(&rows.bars, intraday, interval)?;
    Ok(ParsedFile {
        layout: header.layout,
        interval,
        bars: rows.bars,
        read: rows.read,
        null_rows: rows.null_rows,
        bad: rows.bad,
        ignored_columns: header.ignored.clone(),
    })
}

/// Sorts bars by key and drops later rows for a key already seen, as bad rows.
fn order(rows: &mut rows::Rows) {
    if !rows.bars.is_sorted_by_key(|b| b.ts) {
        let mut idx: Vec<usize> = (0..rows.bars.len()).collect();
        idx.sort_by_key(|&i| (rows.bars[i].ts, rows.lines[i]));
        rows.bars = idx.iter().map(|&i| rows.bars[i]).collect();
        rows.lines = idx.iter().map(|&i| rows.lines[i]).collect();
    }
    let mut keep = 0;
    for i in 0..rows.bars.len() {
        if keep > 0 && rows.bars[keep - 1].ts == rows.bars[i].ts {
            rows.bad.push(BadRow {
                line: rows.lines[i] as usize,
                reason: format!(
                    "duplicate of line {} (same date or time); the first is kept",
                    rows.lines[keep - 1]
                ),
            });
            continue;
        }
        rows.bars[keep] = rows.bars[i];
        rows.lines[keep] = rows.lines[i];
        keep += 1;
    }
    rows.bars.truncate(keep);
    rows.lines.truncate(keep);
    rows.bad.sort_by_key(|b| b.line);
}

/// The interval the bar spacing shows, checked against the one given.
fn decide_interval(
    bars: &[Bar],
    intraday: bool,
    given: Option<Interval>,
) -> Result<Interval, String> {
    let closest = bars.windows(2).map(|w| w[1].ts - w[0].ts).min();
    let inferred = match (intraday, closest) {
        (_, None) => None,
        (true, Some(secs)) => Some(match secs {
            60 => Interval::M1,
            300 => Interval::M5,
            900 => Interval::M15,
            1800 => Interval::M30,
            3600 => Interval::H1,
            s => {
                return Err(format!(
                    "the closest bars are {} apart; the store keeps 1m, 5m, 15m, 30m and 1h intraday bars",
                    show_secs(s)
                ));
            }
        }),
        (false, Some(secs)) => match secs / 86_400 {
            1..=6 => Some(Interval::D1),
            7 => Some(Interval::W1),
            28..=31 if bars.iter().all(|b| key_date(b.ts) == first_of_month(b.ts)) => {
                Some(Interval::Mo1)
            }
            days => {
                return Err(format!(
                    "the closest dates are {days} days apart, which is no interval the store keeps; pass --interval"
                ));
            }
        },
    };
    match (given, inferred) {
        (Some(g), Some(i)) if g != i => Err(format!(
            "the bars are spaced as {i} bars but --interval {g} was given; leave --interval out or fix it"
        )),
        (Some(g), _) => Ok(g),
        (None, Some(i)) => Ok(i),
        (None, None) if intraday => Err(
            "one intraday bar cannot show its interval; pass --interval (1m, 5m, 15m, 30m or 1h)"
                .into(),
        ),
        (None, None) => Ok(Interval::D1),
    }
}

fn first_of_month(key: i64) -> chrono::NaiveDate {
    use chrono::Datelike;
    let d = key_date(key);
    d.with_day(1).unwrap_or(d)
}

fn show_secs(s: i64) -> String {
    match s {
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IST: Tz = chrono_tz::Asia::Kolkata;

    fn parse(text: &str, interval: Option<Interval>) -> Result<ParsedFile, String> {
        let h = header::read(text.as_bytes()).unwrap();
        parse_file(text.as_bytes(), &h, IST, interval)
    }

    const INTRADAY: &str = "Datetime,Open,High,Low,Close,Volume\n\
        2025-09-11 09:15:00+05:30,1,2,0.5,1.5,0\n\
        2025-09-11 09:20:00+05:30,1,2,0.5,1.5,0\n\
        2025-09-11 09:25:00+05:30,1,2,0.5,1.5,0\n";

    #[test]
    fn intraday_interval_is_inferred() {
        let f = parse(INTRADAY, None).unwrap();
        assert_eq!(f.interval, Interval::M5);
        assert_eq!(f.bars.len(), 3);
        assert_eq!(
            parse(INTRADAY, Some(Interval::M5)).unwrap().interval,
            Interval::M5
        );
    }

    #[test]
    fn intraday_stamps_are_refused_as_daily() {
        let err = parse(INTRADAY, Some(Interval::D1)).unwrap_err();
        assert!(
            err.contains("intraday stamps (line 2: 2025-09-11 09:15:00+05:30)"),
            "{err}"
        );
        assert!(err.contains("not built by collapsing"), "{err}");
        let err = parse(INTRADAY, Some(Interval::M15)).unwrap_err();
        assert!(
            err.contains("spaced as 5m bars but --interval 15m"),
            "{err}"
        );
    }

    #[test]
    fn daily_and_weekly_spacing() {
        let daily = "Date,Open,High,Low,Close,Volume\n2024-01-01,1,1,1,1,1\n2024-01-02,1,1,1,1,1\n";
        assert_eq!(parse(daily, None).unwrap().interval, Interval::D1);
        let err = parse(daily, Some(Interval::M5)).unwrap_err();
        assert!(err.contains("one bar a day"), "{err}");
        let weekly =
            "Date,Open,High,Low,Close,Volume\n2024-01-01,1,1,1,1,1\n2024-01-08,1,1,1,1,1\n";
        assert_eq!(parse(weekly, None).unwrap().interval, Interval::W1);
        assert!(parse(weekly, Some(Interval::D1)).is_err());
        let monthly =
            "Date,Open,High,Low,Close,Volume\n2024-01-01,1,1,1,1,1\n2024-02-01,1,1,1,1,1\n";
        assert_eq!(parse(monthly, None).unwrap().interval, Interval::Mo1);
    }

    #[test]
    fn unsorted_rows_are_ordered_and_duplicates_reported() {
        let text = "Date,Open,High,Low,Close,Volume\n\
            2024-01-03,3,3,3,3,3\n\
            2024-01-01,1,1,1,1,1\n\
            2024-01-03,9,9,9,9,9\n\
            2024-01-02,2,2,2,2,2\n";
        let f = parse(text, None).unwrap();
        let closes: Vec<f64> = f.bars.iter().map(|b| b.close).collect();
        assert_eq!(closes, vec![1.0, 2.0, 3.0]);
        assert_eq!(f.bad.len(), 1);
        assert_eq!(f.bad[0].line, 4);
        assert!(
            f.bad[0].reason.contains("duplicate of line 2"),
            "{}",
            f.bad[0].reason
        );
    }

    #[test]
    fn broker_midnights_become_date_keys() {
        let text = "timestamp,open,high,low,close,volume,oi\n\
            2020-10-01 00:00:00+05:30,310,312,300,308.15,100,0\n\
            2020-10-05 00:00:00+05:30,310,312,300,309,100,0\n";
        let f = parse(text, None).unwrap();
        assert_eq!(f.interval, Interval::D1);
        assert_eq!(key_date(f.bars[0].ts).to_string(), "2020-10-01");
        assert_eq!(f.ignored_columns, vec!["oi".to_string()]);
    }

    #[test]
    fn mixed_stamps_and_odd_spacing_are_refused() {
        let mixed =
            "Date,Open,High,Low,Close,Volume\n2024-01-01,1,1,1,1,1\n2024-01-02 10:00,1,1,1,1,1\n";
        assert!(parse(mixed, None).unwrap_err().contains("mixes bare dates"));
        let two_min = "Datetime,Open,High,Low,Close,Volume\n2024-01-01 10:00,1,1,1,1,1\n2024-01-01 10:02,1,1,1,1,1\n";
        assert!(parse(two_min, None).unwrap_err().contains("2 min apart"));
        let one = "Datetime,Open,High,Low,Close,Volume\n2024-01-01 10:00,1,1,1,1,1\n";
        assert!(parse(one, None).unwrap_err().contains("pass --interval"));
        assert_eq!(parse(one, Some(Interval::M1)).unwrap().bars.len(), 1);
    }
}
