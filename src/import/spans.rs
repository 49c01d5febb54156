//! Which ranges an imported file covers completely. Pure code.
//!
//! A file proves coverage only between its first and last bars, and only
//! where it lacks no session: between two consecutive days with bars, a
//! day the exchange traded on is a gap (the coverage splits there), a
//! weekend or holiday is not. Each covered run stretches over the adjacent
//! days without a session (up to today), so the gaps are exactly the
//! missing sessions and a request for a calendar week whose Friday was a
//! holiday is still covered. A day whose bars can still change
//! (today, before the close settles) is never covered.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::calendar::{ExchangeCalendar, SettleConfig};
use crate::model::{Interval, date_key, key_date, local_midnight};

/// How far the ends stretch over days without a session at most: longer
/// closures than this (Diwali weeks, market-wide shutdowns) stay gaps.
const MAX_STRETCH_DAYS: u32 = 7;

/// Which days an exchange trades on.
#[derive(Debug, Clone, Copy)]
pub enum Sessions<'a> {
    /// The exchange's calendar knows its holidays and special sessions.
    Calendar(&'a ExchangeCalendar),
    /// No calendar: every weekday is a session (holidays become gaps,
    /// which costs an upstream call later, never a wrong answer).
    Weekdays(Tz),
}

impl Sessions<'_> {
    pub fn zone(&self) -> Tz {
        match self {
            Sessions::Calendar(c) => c.zone(),
            Sessions::Weekdays(z) => *z,
        }
    }

    pub fn is_session_day(&self, date: NaiveDate) -> bool {
        match self {
            Sessions::Calendar(c) => c.is_session_day(date),
            Sessions::Weekdays(_) => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// Whether `date`'s bars can no longer change at `now`.
    pub fn is_settled(&self, date: NaiveDate, now: DateTime<Utc>) -> bool {
        match self {
            Sessions::Calendar(c) => c.is_settled(date, now, SettleConfig::default()),
            Sessions::Weekdays(z) => date < z.from_utc_datetime(&now.naive_utc()).date_naive(),
        }
    }

    fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        self.zone().from_utc_datetime(&now.naive_utc()).date_naive()
    }
}

/// Runs of days (inclusive) covered by bars on `days` (ascending, unique).
pub fn day_runs(
    days: &[NaiveDate],
    sessions: Sessions<'_>,
    now: DateTime<Utc>,
) -> Vec<(NaiveDate, NaiveDate)> {
    let settled = days.partition_point(|&d| sessions.is_settled(d, now));
    let days = &days[..settled];
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
        return Vec::new();
    };
    let mut runs = Vec::new();
    let mut start = first;
    for pair in days.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let missed = a
            .iter_days()
            .skip(1)
            .take_while(|&d| d < b)
            .any(|d| sessions.is_session_day(d));
        if missed {
            runs.push((start, a));
            start = b;
        }
    }
    runs.push((start, last));
    let today = sessions.today(now);
    for run in &mut runs {
        for _ in 0..MAX_STRETCH_DAYS {
            match run.0.pred_opt() {
                Some(d) if !sessions.is_session_day(d) => run.0 = d,
                _ => break,
            }
        }
        for _ in 0..MAX_STRETCH_DAYS {
            match run.1.succ_opt() {
                Some(d)
                    if d <= today && !sessions.is_session_day(d) && sessions.is_settled(d, now) =>
                {
                    run.1 = d
                }
                _ => break,
            }
        }
    }
    runs
}

/// The key ranges `[start, end)` a file with these bar keys (ascending,
/// unique) covers, for `interval`.
pub fn covered(
    keys: &[i64],
    interval: Interval,
    sessions: Sessions<'_>,
    now: DateTime<Utc>,
) -> Vec<(i64, i64)> {
    match interval {
        Interval::W1 | Interval::Mo1 => periods(keys, interval, sessions, now),
        Interval::D1 => {
            let days: Vec<NaiveDate> = keys.iter().map(|&k| key_date(k)).collect();
            day_runs(&days, sessions, now)
                .into_iter()
                .map(|(s, e)| (date_key(s), date_key(e) + 86_400))
                .collect()
        }
        _ => {
            let zone = sessions.zone();
            let mut days: Vec<NaiveDate> = keys
                .iter()
                .map(|&t| zone.timestamp_opt(t, 0).single().map(|l| l.date_naive()))
                .collect::<Option<_>>()
                .unwrap_or_default();
            days.dedup();
            day_runs(&days, sessions, now)
                .into_iter()
                .map(|(s, e)| {
                    let next = e.succ_opt().unwrap_or(e);
                    (local_midnight(zone, s), local_midnight(zone, next))
                })
                .collect()
        }
    }
}

/// The key after a weekly or monthly bar's period.
fn period_end(key: i64, interval: Interval) -> Option<i64> {
    let d = key_date(key);
    let next = match interval {
        Interval::W1 => d.checked_add_days(Days::new(7)),
        _ => d.checked_add_months(Months::new(1)),
    }?;
    Some(date_key(next))
}

/// Weekly and monthly bars: each bar covers its period; consecutive
/// periods join; the period still running at `now` is not covered.
fn periods(
    keys: &[i64],
    interval: Interval,
    sessions: Sessions<'_>,
    now: DateTime<Utc>,
) -> Vec<(i64, i64)> {
    let today = date_key(sessions.today(now));
    let mut out: Vec<(i64, i64)> = Vec::new();
    for &k in keys {
        let Some(end) = period_end(k, interval).filter(|&e| e <= today) else {
            break;
        };
        match out.last_mut() {
            Some(last) if k <= last.1 => last.1 = last.1.max(end),
            _ => out.push((k, end)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Exchange;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn later() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap()
    }

    fn nse() -> Sessions<'static> {
        Sessions::Calendar(Exchange::Nse.calendar())
    }

    #[test]
    fn a_missing_session_splits_a_holiday_does_not() {
        // 2024-03-08 (Fri) was Mahashivratri: no gap. 2024-03-13 (Wed) traded.
        let days = [
            d(2024, 3, 6),
            d(2024, 3, 7),
            d(2024, 3, 11),
            d(2024, 3, 12),
            d(2024, 3, 14),
        ];
        assert_eq!(
            day_runs(&days, nse(), later()),
            vec![
                (d(2024, 3, 6), d(2024, 3, 12)),
                (d(2024, 3, 14), d(2024, 3, 14))
            ]
        );
    }

    #[test]
    fn ends_stretch_over_days_without_a_session() {
        // Mon 2024-03-25 Holi, Fri 2024-03-29 Good Friday.
        let days = [d(2024, 3, 26), d(2024, 3, 27), d(2024, 3, 28)];
        assert_eq!(
            day_runs(&days, nse(), later()),
            vec![(d(2024, 3, 23), d(2024, 3, 31))],
            "back over Holi and the weekend, forward over Good Friday and the weekend"
        );
    }

    #[test]
    fn unsettled_days_are_not_covered() {
        let now = chrono_tz::Asia::Kolkata
            .with_ymd_and_hms(2024, 3, 28, 12, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let days = [d(2024, 3, 26), d(2024, 3, 27), d(2024, 3, 28)];
        assert_eq!(
            day_runs(&days, nse(), now),
            vec![(d(2024, 3, 23), d(2024, 3, 27))],
            "today's session is still open"
        );
    }

    #[test]
    fn without_a_calendar_every_weekday_is_a_session() {
        let us = Sessions::Weekdays(chrono_tz::America::New_York);
        // 2020-07-03 (Fri) was a US holiday: unknown here, so a gap.
        let days = [d(2020, 7, 2), d(2020, 7, 6)];
        assert_eq!(
            day_runs(&days, us, later()),
            vec![
                (d(2020, 7, 2), d(2020, 7, 2)),
                (d(2020, 7, 4), d(2020, 7, 6))
            ]
        );
    }

    #[test]
    fn daily_and_intraday_key_ranges() {
        let k = |y, m, day| date_key(d(y, m, day));
        assert_eq!(
            covered(
                &[k(2024, 3, 6), k(2024, 3, 7)],
                Interval::D1,
                nse(),
                later()
            ),
            vec![(k(2024, 3, 6), k(2024, 3, 11))],
            "forward over Mahashivratri (Fri 8th) and the weekend"
        );
        let ist = chrono_tz::Asia::Kolkata;
        let at = |day, h, m| {
            ist.with_ymd_and_hms(2024, 3, day, h, m, 0)
                .unwrap()
                .timestamp()
        };
        assert_eq!(
            covered(
                &[at(5, 9, 15), at(5, 15, 25), at(6, 9, 15)],
                Interval::M5,
                nse(),
                later()
            ),
            vec![(
                local_midnight(ist, d(2024, 3, 5)),
                local_midnight(ist, d(2024, 3, 7))
            )],
            "whole local days"
        );
    }

    #[test]
    fn weekly_periods_join_and_the_running_week_is_left_out() {
        let k = |m, day| date_key(d(2024, m, day));
        let now = Utc.with_ymd_and_hms(2024, 3, 20, 0, 0, 0).unwrap();
        assert_eq!(
            covered(&[k(2, 26), k(3, 4), k(3, 18)], Interval::W1, nse(), now),
            vec![(k(2, 26), k(3, 11))]
        );
    }
}
