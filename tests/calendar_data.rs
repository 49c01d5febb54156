//! The compiled-in calendars against the session lists in
//! `shared/data/calendar` (exchange_calendars XBOM and XNYS), every day, and
//! the chart-meta mapping against the recorded Yahoo responses.

mod shared_data;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use shared_data::{Csv, shared_dir};
use trading_mcp::calendar::{DayKind, DayTimes, Exchange, ExchangeCalendar};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn days(from: &str, to: &str) -> impl Iterator<Item = NaiveDate> {
    let to = date(to);
    date(from).iter_days().take_while(move |d| *d <= to)
}

/// An exchange_calendars session file: each session's date, open and close.
fn sessions(file: &str) -> BTreeMap<NaiveDate, (DateTime<Utc>, DateTime<Utc>)> {
    let csv = Csv::read(&shared_dir().join("data/calendar").join(file));
    let instant = |s: &str| {
        s.parse::<DateTime<Utc>>()
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    };
    csv.rows
        .iter()
        .map(|r| (date(&r[0][..10]), (instant(&r[1]), instant(&r[2]))))
        .collect()
}

/// Our open and close of `date`, if it has one session with known hours.
fn our_session(
    calendar: &ExchangeCalendar,
    date: NaiveDate,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    match calendar.day_times(date) {
        DayTimes::Known(t) if t.segments.len() == 1 => {
            Some((t.segments[0].open, t.segments[0].close))
        }
        _ => None,
    }
}

/// Dates where NSE/BSE traded but XBOM lists no session, with why.
const XBOM_LACKS_2024_2026: [(&str, &str); 5] = [
    (
        "2024-03-02",
        "special Saturday session from the disaster-recovery site, two segments",
    ),
    (
        "2024-05-18",
        "special Saturday session from the disaster-recovery site, two segments",
    ),
    (
        "2024-11-01",
        "Muhurat trading 18:00-19:00 on the Diwali holiday",
    ),
    (
        "2025-10-21",
        "Muhurat trading 13:45-14:45 on the Diwali holiday",
    ),
    (
        "2026-11-08",
        "Muhurat trading on a Sunday (hours not announced yet)",
    ),
];

/// Muhurat sessions XBOM does not list; the real bars prove each one.
const XBOM_LACKS_1997_2023: [&str; 6] = [
    "2017-10-19",
    "2018-11-07",
    "2019-10-27",
    "2020-11-14",
    "2021-11-04",
    "2022-10-24",
];

/// Compares open-or-closed for every day of a span; returns the dates that
/// disagree.
fn disagreements(from: &str, to: &str) -> BTreeSet<NaiveDate> {
    let xbom = sessions("xbom_sessions_1997_2026.csv");
    let nse = Exchange::Nse.calendar();
    days(from, to)
        .filter(|d| nse.is_session_day(*d) != xbom.contains_key(d))
        .collect()
}

#[test]
fn nse_agrees_with_xbom_on_every_day_2024_2026() {
    let expected: BTreeSet<NaiveDate> = XBOM_LACKS_2024_2026.iter().map(|(d, _)| date(d)).collect();
    assert_eq!(disagreements("2024-01-01", "2026-12-31"), expected);
    let nse = Exchange::Nse.calendar();
    for (day, reason) in XBOM_LACKS_2024_2026 {
        let kind = nse.day(date(day)).kind;
        assert!(
            matches!(kind, DayKind::SpecialSession { .. }),
            "{day} ({reason}): {kind:?}"
        );
    }
    // Disputed: a rule-based holiday list (vacanza) puts Holi on 2026-03-04;
    // NSE's list has Holi on 03-03 and XBOM trades on 03-04. We follow NSE.
    assert!(nse.is_session_day(date("2026-03-04")));
    assert!(!nse.is_session_day(date("2026-03-03")));
}

#[test]
fn nse_agrees_with_xbom_on_every_day_1997_2023() {
    let expected: BTreeSet<NaiveDate> = XBOM_LACKS_1997_2023.iter().map(|d| date(d)).collect();
    assert_eq!(disagreements("1997-01-01", "2023-12-31"), expected);
    // The reason for each: at least 45 of the 49 stocks traded that day.
    let dir = shared_dir().join("data/nse_daily_yahoo");
    let mut traded: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for file in std::fs::read_dir(&dir).expect("nse_daily_yahoo") {
        let csv = Csv::read(&file.expect("entry").path());
        for (day, volume) in csv.strings("Date").iter().zip(csv.f64s("Volume")) {
            if volume > 0.0 && expected.contains(&date(day)) {
                *traded.entry(date(day)).or_default() += 1;
            }
        }
    }
    for day in &expected {
        let stocks = traded.get(day).copied().unwrap_or(0);
        assert!(stocks >= 45, "{day}: only {stocks} stocks traded");
    }
}

#[test]
fn nse_hours_match_xbom_on_its_sessions() {
    let nse = Exchange::Nse.calendar();
    for (day, (open, close)) in sessions("xbom_sessions_1997_2026.csv") {
        assert_eq!(our_session(nse, day), Some((open, close)), "{day}");
    }
}

/// `date,...,description,weekday_trading_closure,...` with quoted cells.
fn nse_holiday_names() -> Vec<(NaiveDate, String)> {
    let path = shared_dir().join("data/calendar/nse_holidays_2024_2026.csv");
    let text = std::fs::read_to_string(&path).expect("nse_holidays_2024_2026.csv");
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let cells = split_quoted(line);
            (cells[3] == "yes").then(|| (date(&cells[0]), cells[2].clone()))
        })
        .collect()
}

fn split_quoted(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

#[test]
fn nse_holiday_names_2024_2026_come_from_the_exchange_lists() {
    let nse = Exchange::Nse.calendar();
    let listed = nse_holiday_names();
    assert_eq!(listed.len(), 47);
    for (day, name) in listed {
        let ours = match nse.day(day).kind {
            DayKind::Holiday { name } => name.clone(),
            DayKind::SpecialSession {
                holiday: Some(h), ..
            } => h.clone(),
            other => panic!("{day}: {other:?}"),
        };
        // The lists add "(Muhurat Trading)"; we keep that as the session.
        assert!(name.starts_with(&ours), "{day}: {ours:?} vs {name:?}");
    }
}

#[test]
fn us_agrees_with_xnys_on_every_day_2020_2026() {
    let xnys = sessions("xnys_sessions_2020_2026.csv");
    assert_eq!(xnys.len(), 1759);
    let us = Exchange::Us.calendar();
    let mut early_closes = 0;
    for day in days("2020-01-01", "2026-12-31") {
        assert_eq!(our_session(us, day), xnys.get(&day).copied(), "{day}");
        early_closes += usize::from(matches!(us.day(day).kind, DayKind::Shortened { .. }));
    }
    assert_eq!(early_closes, 14);
    // 2025-01-09: the national day of mourning for President Carter.
    assert!(matches!(
        us.day(date("2025-01-09")).kind,
        DayKind::Holiday { .. }
    ));
}

#[test]
fn recorded_chart_meta_maps_to_calendars() {
    let dir = shared_dir().join("data/yahoo_chart");
    let mut seen = 0;
    let mut stack = vec![dir];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(
                std::fs::read_dir(&path)
                    .expect("dir")
                    .map(|e| e.expect("entry").path()),
            );
            continue;
        }
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("fixture");
        let json: serde_json::Value = serde_json::from_str(&text).expect("json");
        let results = json["response"]["bodyJson"]["chart"]["result"]
            .as_array()
            .cloned();
        for result in results.unwrap_or_default() {
            let meta = &result["meta"];
            let field = |k: &str| meta[k].as_str().unwrap_or_default().to_string();
            let (zone, code, kind) = (
                field("exchangeTimezoneName"),
                field("exchangeName"),
                field("instrumentType"),
            );
            let expected = (zone == "America/New_York"
                && matches!(code.as_str(), "NMS" | "NYQ" | "NGM"))
            .then_some(Exchange::Us);
            let got = Exchange::from_chart_meta(&zone, &code);
            assert_eq!(got, expected, "{} {zone} {code} {kind}", path.display());
            seen += 1;
        }
    }
    assert!(seen >= 40, "only {seen} recorded metas");
}

#[test]
fn every_covered_year_has_closures() {
    // A year left out of the data would silently become weekdays-only.
    for exchange in [Exchange::Nse, Exchange::Us] {
        let calendar = exchange.calendar();
        let years = calendar.covered_years().expect("covered years");
        for year in years {
            let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
            let closures = first
                .iter_days()
                .take_while(|d| d.year() == year)
                .filter(|d| matches!(calendar.day(*d).kind, DayKind::Holiday { .. }))
                .count();
            assert!(closures >= 3, "{exchange} {year}: {closures} holidays");
        }
    }
}
