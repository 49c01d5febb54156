//! Replay as of an instant (`--as-of`): which bars were final then. Pure
//! code.
//!
//! An intraday bar is final once its interval has ended; a daily bar once
//! its session has closed (by the exchange's calendar; for a market without
//! one, never on its own day); a weekly or monthly bar once its period is
//! over (the one in progress is left out). Anything else was not known, or not final, at the instant.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::calendar::{DayTimes, Exchange};
use crate::model::{Interval, date_key, local_date};

/// The first bar key not served as of `t`: every bar with a smaller key was
/// final at `t`.
pub fn cutoff(interval: Interval, zone: Tz, exchange: Option<Exchange>, t: DateTime<Utc>) -> i64 {
    if interval.is_intraday() {
        // A bar starting at s covers [s, s + interval).
        return t.timestamp() - interval.seconds() + 1;
    }
    let date = local_date(zone, t);
    let closed = match exchange.map(|e| e.calendar().day_times(date)) {
        Some(DayTimes::Known(times)) => times.last_close().is_some_and(|close| t >= close),
        // No session that day: nothing of it to leave out.
        Some(DayTimes::Closed) => true,
        Some(DayTimes::Unknown) | None => false,
    };
    match interval {
        // The week or month in progress is not final.
        Interval::W1 | Interval::Mo1 => date_key(super::resample::period_start(date, interval)),
        _ if closed => date_key(date) + 86_400,
        _ => date_key(date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn ist(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Kolkata
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn key(y: i32, m: u32, d: u32) -> i64 {
        date_key(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn the_session_in_progress_is_not_final_and_a_closed_one_is() {
        let zone = chrono_tz::Asia::Kolkata;
        let during = ist(2024, 3, 1, 11, 0);
        assert_eq!(
            cutoff(Interval::D1, zone, Some(Exchange::Nse), during),
            key(2024, 3, 1)
        );
        let after = ist(2024, 3, 1, 15, 30);
        assert_eq!(
            cutoff(Interval::D1, zone, Some(Exchange::Nse), after),
            key(2024, 3, 2)
        );
        // Saturday 2024-03-02 had a special session, in progress at 11:00;
        // Sunday had none, so everything up to it is final.
        let saturday = ist(2024, 3, 2, 11, 0);
        assert_eq!(
            cutoff(Interval::D1, zone, Some(Exchange::Nse), saturday),
            key(2024, 3, 2)
        );
        let sunday = ist(2024, 3, 3, 11, 0);
        assert_eq!(
            cutoff(Interval::D1, zone, Some(Exchange::Nse), sunday),
            key(2024, 3, 4)
        );
    }

    #[test]
    fn intraday_bars_end_before_the_instant() {
        let t = ist(2024, 3, 1, 11, 0);
        let c = cutoff(
            Interval::M5,
            chrono_tz::Asia::Kolkata,
            Some(Exchange::Nse),
            t,
        );
        // The 10:55 bar ended at 11:00: final; the 11:00 bar is not.
        assert!(ist(2024, 3, 1, 10, 55).timestamp() < c);
        assert!(ist(2024, 3, 1, 11, 0).timestamp() >= c);
    }

    #[test]
    fn the_week_and_month_in_progress_are_left_out() {
        let t = ist(2024, 3, 6, 16, 0);
        let zone = chrono_tz::Asia::Kolkata;
        assert_eq!(
            cutoff(Interval::W1, zone, Some(Exchange::Nse), t),
            key(2024, 3, 4)
        );
        assert_eq!(
            cutoff(Interval::Mo1, zone, Some(Exchange::Nse), t),
            key(2024, 3, 1)
        );
    }
}
