//! The resampler on real bars: RELIANCE.NS daily history to weekly and
//! monthly, and its 5-minute bars to hours and days, each compared with an
//! independent grouping written here (ISO weeks, `YYYY-MM` prefixes, local
//! clock strings) rather than the resampler's date arithmetic.

mod shared_data;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Weekday};
use trading_mcp::calendar::Exchange;
use trading_mcp::model::{Bar, Interval, date_key, key_date};
use trading_mcp::service::resample::{SessionAnchor, bucket_count, finest_fitting, resample};

fn reliance_daily() -> (Vec<String>, Vec<Bar>) {
    let d = shared_data::yahoo_daily("RELIANCE.NS").expect("RELIANCE.NS.csv in shared/data");
    let bars = d.bars();
    (d.dates, bars)
}

fn nse() -> SessionAnchor {
    SessionAnchor::of(Exchange::Nse.calendar())
}

/// Folds the rows of each group (in order) into one bar keyed `key`.
fn fold(groups: BTreeMap<i64, Vec<Bar>>) -> Vec<Bar> {
    groups
        .into_iter()
        .map(|(key, rows)| Bar {
            ts: key,
            open: rows[0].open,
            high: rows.iter().map(|b| b.high).fold(f64::MIN, f64::max),
            low: rows.iter().map(|b| b.low).fold(f64::MAX, f64::min),
            close: rows[rows.len() - 1].close,
            adj_close: rows[rows.len() - 1].adj_close,
            volume: rows.iter().map(|b| b.volume).sum(),
        })
        .collect()
}

#[test]
fn reliance_weekly_matches_iso_weeks() {
    let (dates, bars) = reliance_daily();
    let mut groups: BTreeMap<i64, Vec<Bar>> = BTreeMap::new();
    for (date, bar) in dates.iter().zip(&bars) {
        let iso = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .unwrap()
            .iso_week();
        let monday = NaiveDate::from_isoywd_opt(iso.year(), iso.week(), Weekday::Mon).unwrap();
        groups.entry(date_key(monday)).or_default().push(*bar);
    }
    let expected = fold(groups);
    let weeks = resample(&bars, Interval::D1, Interval::W1, &nse()).unwrap();
    assert_eq!(weeks.len(), expected.len());
    assert!(weeks.len() > 1200, "24 years of weeks, got {}", weeks.len());
    for (got, want) in weeks.iter().zip(&expected) {
        assert_eq!(got, want, "week of {}", key_date(want.ts));
        assert_eq!(key_date(got.ts).weekday(), Weekday::Mon);
    }
    // The volume of all weeks is the volume of all days.
    let total: i64 = bars.iter().map(|b| b.volume).sum();
    assert_eq!(weeks.iter().map(|b| b.volume).sum::<i64>(), total);
}

#[test]
fn reliance_monthly_matches_month_prefixes() {
    let (dates, bars) = reliance_daily();
    let mut groups: BTreeMap<i64, Vec<Bar>> = BTreeMap::new();
    for (date, bar) in dates.iter().zip(&bars) {
        let first = NaiveDate::parse_from_str(&format!("{}-01", &date[..7]), "%Y-%m-%d").unwrap();
        groups.entry(date_key(first)).or_default().push(*bar);
    }
    let expected = fold(groups);
    let months = resample(&bars, Interval::D1, Interval::Mo1, &nse()).unwrap();
    assert_eq!(months, expected);
    // 2000-01 through 2024-03.
    assert_eq!(months.len(), 24 * 12 + 3);
    assert_eq!(
        key_date(months[0].ts),
        NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()
    );
    // The monthly bar of March 2024 closes at the file's last close.
    assert_eq!(months.last().unwrap().close, bars.last().unwrap().close);
}

#[test]
fn reliance_history_fits_2000_candles_as_weeks() {
    let (_, bars) = reliance_daily();
    let pick = finest_fitting(&bars, Interval::D1, &nse(), 2000).unwrap();
    assert_eq!(pick, Some(Interval::W1));
    let weeks = bucket_count(&bars, Interval::D1, Interval::W1, &nse()).unwrap();
    assert!(weeks <= 2000 && bars.len() > 2000);
}

/// RELIANCE.NS 5-minute bars (exchange-local `YYYY-MM-DD HH:MM:SS+05:30`).
fn reliance_5m() -> (Vec<String>, Vec<Bar>) {
    let path = shared_data::shared_dir()
        .join("data/nse_intraday/RELIANCE.NS_5m_2025-09-11_to_2025-12-05.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut stamps = Vec::new();
    let mut bars = Vec::new();
    // Three header lines: Price,..., Ticker,..., Datetime,,,
    for line in text.lines().skip(3).filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
        let ts = DateTime::parse_from_str(cells[0], "%Y-%m-%d %H:%M:%S%:z").unwrap();
        let num = |i: usize| cells[i].parse::<f64>().unwrap();
        bars.push(Bar {
            ts: ts.timestamp(),
            open: num(4),
            high: num(2),
            low: num(3),
            close: num(1),
            adj_close: num(1),
            volume: num(5) as i64,
        });
        stamps.push(cells[0].to_string());
    }
    (stamps, bars)
}

#[test]
fn reliance_5m_to_days_and_hours() {
    let (stamps, bars) = reliance_5m();
    assert_eq!(bars.len(), 4354);

    // Days: group by the local date written in the file.
    let mut days: BTreeMap<i64, Vec<Bar>> = BTreeMap::new();
    for (s, bar) in stamps.iter().zip(&bars) {
        let d = NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").unwrap();
        days.entry(date_key(d)).or_default().push(*bar);
    }
    let got = resample(&bars, Interval::M5, Interval::D1, &nse()).unwrap();
    assert_eq!(got, fold(days));
    let muhurat = NaiveDate::from_ymd_opt(2025, 10, 21).unwrap();
    assert!(
        got.iter().any(|b| key_date(b.ts) == muhurat),
        "the Muhurat session is a day"
    );

    // Hours from the 09:15 open: the local clock minute since 09:15, floored to 60.
    let mut hours: BTreeMap<i64, Vec<Bar>> = BTreeMap::new();
    for (s, bar) in stamps.iter().zip(&bars) {
        let (h, m): (i64, i64) = (s[11..13].parse().unwrap(), s[14..16].parse().unwrap());
        let since_open = h * 60 + m - (9 * 60 + 15);
        let start = bar.ts - since_open.rem_euclid(60) * 60;
        hours.entry(start).or_default().push(*bar);
    }
    let got = resample(&bars, Interval::M5, Interval::H1, &nse()).unwrap();
    assert_eq!(got, fold(hours));
    // A regular session (09:15-15:30) makes 7 hourly bars: 6 full and 15:15-15:30.
    let first_day: Vec<_> = got
        .iter()
        .take_while(|b| b.ts < bars[0].ts + 86_400)
        .collect();
    assert_eq!(first_day.len(), 7);
}
