//! The calendar data format (`data/*_calendar.csv`): one row for each day
//! that is not a regular weekday session. The format is described at the top
//! of `data/nse_calendar.csv`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::days::{DayKind, is_weekend};
use super::hours::{Hours, PreOpenRule, Schedule};

const HEADER: &str = "date,kind,name,hours,pre_open";

/// A defect in calendar data, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("calendar data line {line}: {message}")]
pub struct CalendarDataError {
    pub line: usize,
    pub message: String,
}

/// What the data says of one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DayEntry {
    pub kind: DayKind,
    pub hours: Hours,
}

/// The parsed rows, and the years they cover.
#[derive(Debug, Clone, Default)]
pub(super) struct CalendarDays {
    pub days: BTreeMap<NaiveDate, DayEntry>,
    pub years: Option<(i32, i32)>,
}

/// Parses calendar data. `regular` is what an `hours` of `regular` means;
/// `rule` is the exchange's pre-open split (None: it has no pre-open).
pub(super) fn parse_days(
    text: &str,
    regular: &Schedule,
    rule: Option<PreOpenRule>,
) -> Result<CalendarDays, CalendarDataError> {
    let mut days: BTreeMap<NaiveDate, DayEntry> = BTreeMap::new();
    let mut year_rows: BTreeMap<i32, usize> = BTreeMap::new();
    let mut last: Option<NaiveDate> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let row = raw.trim_end_matches('\r').trim();
        if row.is_empty() || row.starts_with('#') || row == HEADER {
            continue;
        }
        let error = |message: String| CalendarDataError { line, message };
        let (date, kind, name, hours) = parse_row(row, regular, rule).map_err(error)?;
        if let Some(previous) = last.filter(|previous| date < *previous) {
            return Err(error(format!(
                "{date} comes after {previous}: keep dates ascending"
            )));
        }
        last = Some(date);
        year_rows.entry(date.year()).or_insert(line);
        let entry = merge(days.remove(&date), date, kind, name, hours).map_err(error)?;
        days.insert(date, entry);
    }
    let years = covered_years(&year_rows)?;
    Ok(CalendarDays { days, years })
}

/// The kinds of row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Holiday,
    Special,
    Shortened,
}

fn parse_row(
    row: &str,
    regular: &Schedule,
    rule: Option<PreOpenRule>,
) -> Result<(NaiveDate, RowKind, String, Hours), String> {
    let cells: Vec<&str> = row.split(',').map(str::trim).collect();
    let [date, kind, name, hours, pre_open] = cells[..] else {
        return Err(format!(
            "expected 5 columns {HEADER}, found {} (names may not hold commas)",
            cells.len()
        ));
    };
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| format!("bad date {date:?}: expected YYYY-MM-DD"))?;
    if name.is_empty() {
        return Err("empty name: say why the day differs (\"holiday\" if unknown)".to_string());
    }
    let pre_open = (!pre_open.is_empty()).then_some(pre_open);
    let kind = match kind {
        "holiday" => RowKind::Holiday,
        "special" => RowKind::Special,
        "shortened" => RowKind::Shortened,
        other => {
            return Err(format!(
                "unknown kind {other:?}: expected holiday, special or shortened"
            ));
        }
    };
    let hours = match (kind, hours, pre_open) {
        (RowKind::Holiday, "", None) => Hours::Closed,
        (RowKind::Holiday, _, _) => {
            return Err("a holiday has no hours: leave hours and pre_open empty".to_string());
        }
        (RowKind::Special, "regular", None) => Hours::Known(regular.clone()),
        (RowKind::Special, "unknown", None) => Hours::Unknown,
        (_, "regular" | "unknown", Some(_)) => {
            return Err(
                "pre_open goes with explicit hours only (\"regular\" has its own)".to_string(),
            );
        }
        (RowKind::Shortened, "regular" | "unknown", None) => {
            return Err("a shortened session needs explicit hours, e.g. 09:30-13:00".to_string());
        }
        (_, hours, pre_open) => Hours::Known(Schedule::parse(hours, pre_open, rule)?),
    };
    Ok((date, kind, name.to_string(), hours))
}

/// Combines a row with what earlier rows said of the same date: only a
/// holiday followed by the special session held on it may share a date.
fn merge(
    earlier: Option<DayEntry>,
    date: NaiveDate,
    kind: RowKind,
    name: String,
    hours: Hours,
) -> Result<DayEntry, String> {
    let weekend = is_weekend(date);
    let kind = match (earlier, kind) {
        (None, RowKind::Holiday) if weekend => {
            return Err(format!(
                "{date} is a weekend: a holiday on it changes nothing, drop the row"
            ));
        }
        (None, RowKind::Holiday) => DayKind::Holiday { name },
        (None, RowKind::Special) if weekend => DayKind::SpecialSession {
            name,
            holiday: None,
        },
        (None, RowKind::Special) => {
            return Err(format!(
                "{date} is a weekday: a special session on it needs a holiday row first \
                 (for other hours of a regular session use kind shortened)"
            ));
        }
        (None, RowKind::Shortened) if weekend => {
            return Err(format!(
                "{date} is a weekend: a session on it is kind special"
            ));
        }
        (None, RowKind::Shortened) => DayKind::Shortened { name },
        (
            Some(DayEntry {
                kind: DayKind::Holiday { name: holiday },
                ..
            }),
            RowKind::Special,
        ) => DayKind::SpecialSession {
            name,
            holiday: Some(holiday),
        },
        (Some(_), _) => {
            return Err(format!(
                "{date} is listed twice: only a holiday row followed by a special row may share a date"
            ));
        }
    };
    Ok(DayEntry { kind, hours })
}

/// The first and last year with rows; every year between must have one, so
/// a forgotten year is an error rather than a year of weekdays.
fn covered_years(
    year_rows: &BTreeMap<i32, usize>,
) -> Result<Option<(i32, i32)>, CalendarDataError> {
    let (Some((&first, _)), Some((&last, _))) =
        (year_rows.first_key_value(), year_rows.last_key_value())
    else {
        return Ok(None);
    };
    for (&year, &line) in year_rows {
        if year > first && !year_rows.contains_key(&(year - 1)) {
            return Err(CalendarDataError {
                line,
                message: format!(
                    "no rows for {}: the data covers {first}-{last}, so every year between needs its days",
                    year - 1
                ),
            });
        }
    }
    Ok(Some((first, last)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::hours::Segment;
    use chrono::NaiveTime;

    const RULE: PreOpenRule = PreOpenRule {
        order_entry_minutes: 8,
        order_matching_minutes: 4,
    };

    fn regular() -> Schedule {
        Schedule::parse("09:15-15:30", Some("09:00"), Some(RULE)).unwrap()
    }

    fn parse(text: &str) -> Result<CalendarDays, CalendarDataError> {
        parse_days(text, &regular(), Some(RULE))
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn rows_of_each_kind() {
        let text = "# comment\n\
            date,kind,name,hours,pre_open\n\
            2024-01-20,special,Budget,regular,\n\
            2024-11-01,holiday,Diwali,,\r\n\
            2024-11-01,special,Muhurat,18:00-19:00,\n\
            2024-11-29,shortened,Early close,09:15-13:00,\n\
            2025-10-21,holiday,Diwali,,\n\
            2025-10-21,special,Muhurat,13:45-14:45,13:30\n\
            \n\
            2026-11-08,special,Muhurat,unknown,\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.years, Some((2024, 2026)));
        assert_eq!(parsed.days.len(), 5);
        let muhurat = &parsed.days[&date(2024, 11, 1)];
        assert_eq!(
            muhurat.kind,
            DayKind::SpecialSession {
                name: "Muhurat".into(),
                holiday: Some("Diwali".into())
            }
        );
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(
            muhurat.hours,
            Hours::Known(Schedule {
                pre_open: None,
                segments: vec![Segment {
                    open: t(18, 0),
                    close: t(19, 0)
                }]
            })
        );
        let Hours::Known(with_pre_open) = &parsed.days[&date(2025, 10, 21)].hours else {
            panic!("known hours expected");
        };
        assert_eq!(with_pre_open.pre_open, Some(t(13, 30)));
        assert_eq!(
            parsed.days[&date(2024, 1, 20)].hours,
            Hours::Known(regular())
        );
        assert_eq!(parsed.days[&date(2026, 11, 8)].hours, Hours::Unknown);
        assert_eq!(
            parsed.days[&date(2024, 11, 29)].kind,
            DayKind::Shortened {
                name: "Early close".into()
            }
        );
    }

    #[test]
    fn malformed_rows_are_errors_with_their_line() {
        let bad = [
            ("2024-13-01,holiday,x,,", "bad date \"2024-13-01\""),
            ("2024-01-01,maybe,x,,", "unknown kind \"maybe\""),
            ("2024-01-01,holiday,x", "expected 5 columns"),
            ("2024-01-01,holiday,a, b,,", "expected 5 columns"),
            ("2024-01-01,holiday,,,", "empty name"),
            (
                "2024-01-01,holiday,x,09:15-15:30,",
                "a holiday has no hours",
            ),
            ("2024-01-06,holiday,x,,", "is a weekend"),
            ("2024-01-02,special,x,regular,", "needs a holiday row first"),
            ("2024-01-06,shortened,x,09:15-13:00,", "kind special"),
            ("2024-01-02,shortened,x,regular,", "needs explicit hours"),
            ("2024-01-06,special,x,unknown,09:00", "explicit hours only"),
            (
                "2024-01-06,special,x,18:00-17:00,",
                "closes before it opens",
            ),
            ("2024-01-06,special,x,soon,", "bad segment \"soon\""),
        ];
        for (row, expected) in bad {
            let text = format!("{HEADER}\n{row}\n");
            let err = parse(&text).unwrap_err();
            assert_eq!(err.line, 2, "{row}");
            assert!(err.to_string().contains(expected), "{row}: {err}");
        }
    }

    #[test]
    fn order_duplicates_and_missing_years_are_errors() {
        let cases = [
            (
                "2024-01-02,holiday,x,,\n2024-01-01,holiday,y,,",
                2,
                "keep dates ascending",
            ),
            (
                "2024-01-02,holiday,x,,\n2024-01-02,holiday,y,,",
                2,
                "listed twice",
            ),
            (
                "2024-01-06,special,x,regular,\n2024-01-06,special,y,regular,",
                2,
                "listed twice",
            ),
            (
                "2022-01-03,holiday,x,,\n2024-01-02,holiday,y,,",
                2,
                "no rows for 2023",
            ),
        ];
        for (text, line, expected) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text}");
            assert!(err.message.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn no_rows_cover_no_years() {
        let parsed = parse("# nothing yet\n").unwrap();
        assert_eq!(parsed.years, None);
        assert!(parsed.days.is_empty());
    }
}
