//! The one resampler: bars of one interval to a coarser one. Pure code.
//!
//! Both the chart image (more than 2,000 candles) and `resample: true` on
//! series answers over the output budget come through here, so a weekly bar
//! is the same bar wherever it is shown.
//!
//! Aggregation: first open, highest high, lowest low, last close, last
//! adjusted close, summed volume. Output keys follow Yahoo's own `1wk` and
//! `1mo` bars and [`crate::model`]'s conventions:
//!
//! - intraday to coarser intraday: the bucket's start instant, buckets laid
//!   from the session open (NSE's 1h bars start 09:15, 10:15, ..., as Yahoo's
//!   do), in the exchange's zone;
//! - to `1d`: the exchange-local date's key;
//! - to `1wk`: the key of the week's Monday (even when Monday was a holiday:
//!   Yahoo dates a week by its Monday);
//! - to `1mo`: the key of the month's 1st (likewise, even when the 1st had no
//!   session).
//!
//! Weekly bars cannot become monthly ones (a week can straddle two months);
//! resample daily bars instead.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::calendar::ExchangeCalendar;
use crate::model::{Bar, INTERVALS, Interval, date_key, key_date};

/// Where intraday buckets start: the exchange's zone and session open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionAnchor {
    pub zone: Tz,
    /// Local time the first bucket of each day starts at.
    pub open: NaiveTime,
}

impl SessionAnchor {
    /// The sessions of `calendar` (NSE and BSE: 09:15 IST).
    pub fn of(calendar: &ExchangeCalendar) -> Self {
        Self {
            zone: calendar.zone(),
            open: calendar.regular_open().unwrap_or(NaiveTime::MIN),
        }
    }

    /// Buckets from local midnight, for markets that trade around the clock
    /// (FX, crypto) or whose session open is not known.
    pub fn midnight(zone: Tz) -> Self {
        Self {
            zone,
            open: NaiveTime::MIN,
        }
    }
}

/// Why bars could not be resampled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResampleError {
    #[error(
        "cannot resample {from} bars to {to}: {to} is not coarser than {from}; pick an interval from {from} upwards"
    )]
    NotCoarser { from: Interval, to: Interval },
    #[error(
        "cannot resample 1wk bars to 1mo: a week can straddle two months; resample 1d bars instead"
    )]
    WeeksToMonths,
    #[error("bars are not in time order at index {index} (key {key} after {previous}); sort them")]
    Unordered {
        index: usize,
        key: i64,
        previous: i64,
    },
}

/// Whether `from` bars can be resampled to `to` (including `from == to`).
pub fn can_resample(from: Interval, to: Interval) -> bool {
    check(from, to).is_ok()
}

fn check(from: Interval, to: Interval) -> Result<(), ResampleError> {
    if to < from || (to.is_intraday() && to.seconds() % from.seconds() != 0) {
        return Err(ResampleError::NotCoarser { from, to });
    }
    if from == Interval::W1 && to == Interval::Mo1 {
        return Err(ResampleError::WeeksToMonths);
    }
    Ok(())
}

fn check_order(bars: &[Bar]) -> Result<(), ResampleError> {
    for (i, pair) in bars.windows(2).enumerate() {
        if pair[1].ts <= pair[0].ts {
            return Err(ResampleError::Unordered {
                index: i + 1,
                key: pair[1].ts,
                previous: pair[0].ts,
            });
        }
    }
    Ok(())
}

/// The key of the `to` bar that the `from` bar keyed `ts` falls in.
/// `from` and `to` must have passed [`check`].
fn bucket_key(ts: i64, from: Interval, to: Interval, anchor: &SessionAnchor) -> i64 {
    if from == to {
        return ts;
    }
    let date = if from.is_intraday() {
        let local = anchor
            .zone
            .timestamp_opt(ts, 0)
            .single()
            .map(|t| t.naive_local());
        let Some(local) = local else {
            return ts;
        };
        if to.is_intraday() {
            // Seconds since this day's open, floored to the bucket length;
            // negative before the open (div_euclid keeps those buckets
            // aligned too). Working in seconds from `ts` needs no local to
            // UTC conversion, which DST could make ambiguous.
            let since_open = (local - local.date().and_time(anchor.open)).num_seconds();
            return ts - since_open.rem_euclid(to.seconds());
        }
        local.date()
    } else {
        key_date(ts)
    };
    date_key(period_start(date, to))
}

/// The first day of the `to` period holding `date` (`to` daily or coarser).
pub fn period_start(date: NaiveDate, to: Interval) -> NaiveDate {
    match to {
        Interval::W1 => date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
        Interval::Mo1 => date.with_day(1).unwrap_or(date),
        _ => date,
    }
}

/// Resamples `bars` (oldest first, all of interval `from`) to `to`.
/// `anchor` places intraday sessions; it is not read for daily input.
pub fn resample(
    bars: &[Bar],
    from: Interval,
    to: Interval,
    anchor: &SessionAnchor,
) -> Result<Vec<Bar>, ResampleError> {
    check(from, to)?;
    check_order(bars)?;
    let mut out: Vec<Bar> = Vec::new();
    for bar in bars {
        let key = bucket_key(bar.ts, from, to, anchor);
        match out.last_mut() {
            Some(last) if last.ts == key => {
                last.high = last.high.max(bar.high);
                last.low = last.low.min(bar.low);
                last.close = bar.close;
                last.adj_close = bar.adj_close;
                last.volume = last.volume.saturating_add(bar.volume);
            }
            _ => out.push(Bar { ts: key, ..*bar }),
        }
    }
    Ok(out)
}

/// How many `to` bars [`resample`] would make of `bars`, without making them.
pub fn bucket_count(
    bars: &[Bar],
    from: Interval,
    to: Interval,
    anchor: &SessionAnchor,
) -> Result<usize, ResampleError> {
    check(from, to)?;
    check_order(bars)?;
    let mut count = 0;
    let mut last = None;
    for bar in bars {
        let key = bucket_key(bar.ts, from, to, anchor);
        if last != Some(key) {
            count += 1;
            last = Some(key);
        }
    }
    Ok(count)
}

/// The finest interval, `from` itself or coarser, that holds `bars` in at
/// most `max_bars` bars; `None` when even the coarsest reachable one has
/// more (monthly bars of a long history, or weekly input, which cannot
/// become monthly).
pub fn finest_fitting(
    bars: &[Bar],
    from: Interval,
    anchor: &SessionAnchor,
    max_bars: usize,
) -> Result<Option<Interval>, ResampleError> {
    check_order(bars)?;
    for to in INTERVALS.into_iter().filter(|&to| can_resample(from, to)) {
        if bucket_count(bars, from, to, anchor)? <= max_bars {
            return Ok(Some(to));
        }
    }
    Ok(None)
}

/// An upper bound on the bars `interval` has over the local dates
/// `first..=last`, before anything is fetched: every weekday counts as a
/// session of `session` length (weekend sessions are rare enough to ignore;
/// holidays make the true count lower). For the "too many source bars" check
/// and for picking an interval ahead of a fetch.
pub fn estimated_bars(
    interval: Interval,
    first: NaiveDate,
    last: NaiveDate,
    session: Duration,
) -> u64 {
    if last < first {
        return 0;
    }
    let days = (last - first).num_days() + 1;
    let weekdays = weekdays_between(first, days);
    let count = match interval {
        i if i.is_intraday() => {
            let per_session = (session.num_seconds().max(0) + i.seconds() - 1) / i.seconds();
            weekdays * per_session
        }
        Interval::D1 => weekdays,
        Interval::W1 => (days + 6 + i64::from(first.weekday().num_days_from_monday())) / 7,
        _ => {
            let months =
                (last.year() - first.year()) * 12 + last.month() as i32 - first.month() as i32;
            i64::from(months) + 1
        }
    };
    u64::try_from(count).unwrap_or(0)
}

/// Monday-to-Friday days among the `days` days from `first`.
fn weekdays_between(first: NaiveDate, days: i64) -> i64 {
    let full_weeks = days / 7;
    let offset = i64::from(first.weekday().num_days_from_monday());
    let rest = (0..days % 7).filter(|d| (offset + d) % 7 < 5).count() as i64;
    full_weeks * 5 + rest
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDateTime, Utc};

    use super::*;
    use crate::calendar::Exchange;

    const IST: Tz = chrono_tz::Asia::Kolkata;

    fn nse() -> SessionAnchor {
        SessionAnchor::of(Exchange::Nse.calendar())
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ist(s: &str) -> i64 {
        let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        IST.from_local_datetime(&local).unwrap().timestamp()
    }

    fn bar(ts: i64, o: f64, h: f64, l: f64, c: f64, v: i64) -> Bar {
        Bar {
            ts,
            open: o,
            high: h,
            low: l,
            close: c,
            adj_close: c * 0.5,
            volume: v,
        }
    }

    fn daily(s: &str, o: f64, h: f64, l: f64, c: f64, v: i64) -> Bar {
        bar(date_key(date(s)), o, h, l, c, v)
    }

    #[test]
    fn daily_to_weekly_keys_by_monday_and_aggregates() {
        // Wed..Fri of one week, then Tue (Monday a holiday) and Wed of the next.
        let bars = [
            daily("2024-03-13", 10.0, 12.0, 9.0, 11.0, 100),
            daily("2024-03-14", 11.0, 15.0, 10.0, 14.0, 200),
            daily("2024-03-15", 14.0, 14.5, 8.0, 9.0, 300),
            daily("2024-03-19", 9.0, 10.0, 7.0, 8.0, 50),
            daily("2024-03-20", 8.0, 11.0, 7.5, 10.5, 70),
        ];
        let weeks = resample(&bars, Interval::D1, Interval::W1, &nse()).unwrap();
        assert_eq!(
            weeks,
            vec![
                Bar {
                    ts: date_key(date("2024-03-11")),
                    open: 10.0,
                    high: 15.0,
                    low: 8.0,
                    close: 9.0,
                    adj_close: 4.5,
                    volume: 600,
                },
                Bar {
                    ts: date_key(date("2024-03-18")),
                    open: 9.0,
                    high: 11.0,
                    low: 7.0,
                    close: 10.5,
                    adj_close: 5.25,
                    volume: 120,
                },
            ]
        );
    }

    #[test]
    fn daily_to_monthly_keys_by_the_first() {
        let bars = [
            daily("2024-01-31", 1.0, 2.0, 0.5, 1.5, 1),
            daily("2024-02-01", 1.5, 3.0, 1.0, 2.5, 2),
            daily("2024-02-29", 2.5, 2.6, 2.0, 2.1, 3),
            daily("2024-03-01", 2.1, 2.2, 1.9, 2.0, 4),
        ];
        let months = resample(&bars, Interval::D1, Interval::Mo1, &nse()).unwrap();
        let keys: Vec<_> = months.iter().map(|b| key_date(b.ts)).collect();
        assert_eq!(
            keys,
            [date("2024-01-01"), date("2024-02-01"), date("2024-03-01")]
        );
        assert_eq!(
            (months[1].open, months[1].high, months[1].low),
            (1.5, 3.0, 1.0)
        );
        assert_eq!((months[1].close, months[1].volume), (2.1, 5));
    }

    #[test]
    fn a_week_across_new_year_stays_one_week() {
        let bars = [
            daily("2024-12-30", 1.0, 1.0, 1.0, 1.0, 1),
            daily("2025-01-03", 2.0, 2.0, 2.0, 2.0, 1),
        ];
        let weeks = resample(&bars, Interval::D1, Interval::W1, &nse()).unwrap();
        assert_eq!(weeks.len(), 1);
        assert_eq!(key_date(weeks[0].ts), date("2024-12-30"));
    }

    #[test]
    fn intraday_buckets_start_at_the_session_open() {
        // 30m bars 09:15..11:15: 1h buckets are 09:15-10:15 and 10:15-11:15 (IST).
        let times = ["09:15", "09:45", "10:15", "10:45", "11:15"];
        let bars: Vec<Bar> = times
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let x = i as f64;
                bar(
                    ist(&format!("2024-03-01 {t}")),
                    10.0 + x,
                    11.0 + x,
                    9.0 + x,
                    10.5 + x,
                    10,
                )
            })
            .collect();
        let hours = resample(&bars, Interval::M30, Interval::H1, &nse()).unwrap();
        let starts: Vec<i64> = hours.iter().map(|b| b.ts).collect();
        assert_eq!(
            starts,
            [
                ist("2024-03-01 09:15"),
                ist("2024-03-01 10:15"),
                ist("2024-03-01 11:15")
            ]
        );
        assert_eq!(
            (hours[0].open, hours[0].close, hours[0].volume),
            (10.0, 11.5, 20)
        );
        assert_eq!((hours[0].high, hours[0].low), (12.0, 9.0));
        assert_eq!(hours[2].volume, 10);
    }

    #[test]
    fn intraday_to_daily_uses_the_exchange_date_not_utc() {
        // 09:15 IST is 03:45 UTC the same day; 2024-03-01 05:00 IST is still
        // Feb 29 in UTC. Both belong to March 1 in Kolkata.
        let bars = [
            bar(ist("2024-03-01 05:00"), 1.0, 2.0, 0.5, 1.5, 5),
            bar(ist("2024-03-01 15:25"), 1.5, 3.0, 1.0, 2.0, 6),
            bar(ist("2024-03-04 09:15"), 2.0, 2.5, 1.5, 2.2, 7),
        ];
        let days = resample(&bars, Interval::M5, Interval::D1, &nse()).unwrap();
        let dates: Vec<_> = days.iter().map(|b| key_date(b.ts)).collect();
        assert_eq!(dates, [date("2024-03-01"), date("2024-03-04")]);
        assert_eq!(
            (days[0].open, days[0].close, days[0].volume),
            (1.0, 2.0, 11)
        );
        let utc_date = Utc.timestamp_opt(bars[0].ts, 0).unwrap().date_naive();
        assert_eq!(
            utc_date,
            date("2024-02-29"),
            "the test really crosses UTC midnight"
        );
    }

    #[test]
    fn intraday_to_weekly_and_monthly() {
        let bars = [
            bar(ist("2024-02-29 10:00"), 1.0, 1.0, 1.0, 1.0, 1),
            bar(ist("2024-03-01 10:00"), 2.0, 2.0, 2.0, 2.0, 1),
        ];
        let weeks = resample(&bars, Interval::H1, Interval::W1, &nse()).unwrap();
        assert_eq!(weeks.len(), 1);
        assert_eq!(key_date(weeks[0].ts), date("2024-02-26"));
        let months = resample(&bars, Interval::H1, Interval::Mo1, &nse()).unwrap();
        assert_eq!(months.len(), 2);
    }

    #[test]
    fn midnight_anchor_aligns_to_the_clock() {
        let utc = SessionAnchor::midnight(chrono_tz::UTC);
        let t0 = Utc
            .with_ymd_and_hms(2024, 3, 1, 9, 45, 0)
            .unwrap()
            .timestamp();
        let bars = [
            bar(t0, 1.0, 1.0, 1.0, 1.0, 1),
            bar(t0 + 900, 1.0, 1.0, 1.0, 1.0, 1),
        ];
        let hours = resample(&bars, Interval::M15, Interval::H1, &utc).unwrap();
        assert_eq!(hours.len(), 2);
        assert_eq!(hours[0].ts, t0 - 45 * 60);
    }

    #[test]
    fn the_same_interval_is_a_copy() {
        let bars = [daily("2024-03-13", 1.0, 2.0, 0.5, 1.5, 1)];
        assert_eq!(
            resample(&bars, Interval::D1, Interval::D1, &nse()).unwrap(),
            bars
        );
    }

    #[test]
    fn finer_or_impossible_targets_are_errors() {
        let bars = [daily("2024-03-13", 1.0, 2.0, 0.5, 1.5, 1)];
        let err = resample(&bars, Interval::D1, Interval::H1, &nse()).unwrap_err();
        assert!(
            err.to_string().contains("1h is not coarser than 1d"),
            "{err}"
        );
        let err = resample(&bars, Interval::W1, Interval::Mo1, &nse()).unwrap_err();
        assert!(
            err.to_string().contains("resample 1d bars instead"),
            "{err}"
        );
        assert!(!can_resample(Interval::Mo1, Interval::W1));
        assert!(can_resample(Interval::M1, Interval::Mo1));
    }

    #[test]
    fn unordered_bars_are_an_error() {
        let bars = [
            daily("2024-03-14", 1.0, 2.0, 0.5, 1.5, 1),
            daily("2024-03-13", 1.0, 2.0, 0.5, 1.5, 1),
        ];
        let err = resample(&bars, Interval::D1, Interval::W1, &nse()).unwrap_err();
        assert!(err.to_string().contains("index 1"), "{err}");
        assert!(bucket_count(&bars, Interval::D1, Interval::W1, &nse()).is_err());
    }

    #[test]
    fn finest_fitting_walks_up_the_intervals() {
        // 30 weekdays from 2024-01-01: 30 daily bars, 6 weeks, 2 months.
        let mut bars = Vec::new();
        let mut d = date("2024-01-01");
        while bars.len() < 30 {
            if d.weekday().num_days_from_monday() < 5 {
                bars.push(bar(date_key(d), 1.0, 1.0, 1.0, 1.0, 1));
            }
            d += Duration::days(1);
        }
        let pick = |max| finest_fitting(&bars, Interval::D1, &nse(), max).unwrap();
        assert_eq!(pick(30), Some(Interval::D1));
        assert_eq!(pick(29), Some(Interval::W1));
        assert_eq!(pick(6), Some(Interval::W1));
        assert_eq!(pick(5), Some(Interval::Mo1));
        assert_eq!(pick(1), None);
        assert_eq!(
            bucket_count(&bars, Interval::D1, Interval::W1, &nse()).unwrap(),
            6
        );
        assert_eq!(
            finest_fitting(&[], Interval::D1, &nse(), 0).unwrap(),
            Some(Interval::D1)
        );
    }

    #[test]
    fn estimates_bound_the_real_counts() {
        let session = Duration::minutes(375); // NSE 09:15-15:30
        let (first, last) = (date("2024-03-04"), date("2024-03-10")); // Mon..Sun
        assert_eq!(estimated_bars(Interval::M1, first, last, session), 5 * 375);
        assert_eq!(estimated_bars(Interval::H1, first, last, session), 5 * 7);
        assert_eq!(estimated_bars(Interval::D1, first, last, session), 5);
        assert_eq!(estimated_bars(Interval::W1, first, last, session), 1);
        assert_eq!(
            estimated_bars(
                Interval::W1,
                date("2024-03-08"),
                date("2024-03-11"),
                session
            ),
            2
        );
        assert_eq!(
            estimated_bars(
                Interval::Mo1,
                date("2024-01-31"),
                date("2024-03-01"),
                session
            ),
            3
        );
        assert_eq!(estimated_bars(Interval::D1, last, first, session), 0);
        // A year of 1m bars is far past a 100,000-bar limit.
        let year = estimated_bars(
            Interval::M1,
            date("2024-01-01"),
            date("2024-12-31"),
            session,
        );
        assert_eq!(year, 262 * 375);
    }
}
