//! Turning user dates into bar-key ranges. Pure code.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::ServiceError;
use crate::model::{Interval, date_key, local_date, local_midnight};

/// One end of a requested range, as the user wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `YYYY-MM-DD`, read in the exchange's timezone.
    Date(NaiveDate),
    /// RFC 3339.
    Instant(DateTime<Utc>),
}

/// Parses `YYYY-MM-DD` or RFC 3339.
pub fn parse_bound(field: &str, s: &str) -> Result<Bound, ServiceError> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Bound::Date(d));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Bound::Instant(t.with_timezone(&Utc)));
    }
    Err(ServiceError::BadRequest(format!(
        "{field} {:?} is not a date; write YYYY-MM-DD (exchange-local date) or RFC 3339 such as 2024-03-01T09:15:00+05:30",
        crate::echo::clip(s)
    )))
}

/// Default span when `start_date` is omitted.
fn default_span(interval: Interval) -> Duration {
    match interval {
        Interval::M1 => Duration::days(1),
        Interval::M5 | Interval::M15 | Interval::M30 => Duration::days(5),
        Interval::H1 => Duration::days(30),
        Interval::D1 => Duration::days(365),
        Interval::W1 => Duration::days(5 * 365),
        Interval::Mo1 => Duration::days(10 * 365),
    }
}

/// The start a request without `start_date` gets: a span before `end`
/// that suits the interval (one year of daily bars, five days of 5m...).
pub fn default_start(interval: Interval, end: Bound) -> Bound {
    shift_back(end, default_span(interval))
}

/// `b` moved `by` earlier, stopping at the earliest representable moment
/// (which range checks then reject as before 1970) rather than overflowing.
pub fn shift_back(b: Bound, by: Duration) -> Bound {
    match b {
        Bound::Date(d) => Bound::Date(d.checked_sub_signed(by).unwrap_or(NaiveDate::MIN)),
        Bound::Instant(t) => {
            Bound::Instant(t.checked_sub_signed(by).unwrap_or(DateTime::<Utc>::MIN_UTC))
        }
    }
}

/// Rejects a bound no market data can have: before 1970, or more than a
/// year after `today`.
fn check_bound(name: &str, b: Bound, zone: Tz, today: NaiveDate) -> Result<(), ServiceError> {
    let date = match b {
        Bound::Date(d) => d,
        Bound::Instant(t) => local_date(zone, t),
    };
    let min_date = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    if date < min_date {
        return Err(ServiceError::BadRequest(format!(
            "{name} {date} is before 1970-01-01; no market data is that old"
        )));
    }
    if date.years_since(today).is_some_and(|y| y > 1) {
        return Err(ServiceError::BadRequest(format!(
            "{name} {date} is more than a year in the future"
        )));
    }
    Ok(())
}

/// The bar-key range `[start, end)` for a request; `end_date` is inclusive.
pub fn key_range(
    interval: Interval,
    zone: Tz,
    start: Option<Bound>,
    end: Option<Bound>,
    now: DateTime<Utc>,
) -> Result<(i64, i64), ServiceError> {
    let today = local_date(zone, now);
    let end = end.unwrap_or(Bound::Date(today));
    if let Some(start) = start {
        check_bound("start_date", start, zone, today)?;
    }
    // The end first: a default start is derived from it.
    check_bound("end_date", end, zone, today)?;
    let start = start.unwrap_or_else(|| default_start(interval, end));
    check_bound("start_date", start, zone, today)?;
    let (s, e) = if interval.is_intraday() {
        let s = match start {
            Bound::Date(d) => local_midnight(zone, d),
            Bound::Instant(t) => t.timestamp(),
        };
        let e = match end {
            // Checked above: within a year of today, so it has a next day.
            Bound::Date(d) => local_midnight(zone, d.succ_opt().unwrap_or(d)),
            Bound::Instant(t) => t.timestamp() + 1,
        };
        (s, e)
    } else {
        let day = |b: Bound| match b {
            Bound::Date(d) => d,
            Bound::Instant(t) => local_date(zone, t),
        };
        (date_key(day(start)), date_key(day(end)) + 86_400)
    };
    if s >= e {
        return Err(ServiceError::BadRequest(format!(
            "start_date is after end_date ({} > {}); swap them",
            show(start),
            show(end)
        )));
    }
    let first_future_key = if interval.is_intraday() {
        now.timestamp()
    } else {
        date_key(today) + 86_400
    };
    if s >= first_future_key {
        return Err(ServiceError::BadRequest(format!(
            "start_date {} is in the future; there are no bars yet",
            show(start)
        )));
    }
    Ok((s, e))
}

fn show(b: Bound) -> String {
    match b {
        Bound::Date(d) => d.to_string(),
        Bound::Instant(t) => t.to_rfc3339(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const IST: Tz = chrono_tz::Asia::Kolkata;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 4, 1, 6, 0, 0).unwrap()
    }

    fn d(s: &str) -> Option<Bound> {
        Some(parse_bound("x", s).unwrap())
    }

    #[test]
    fn daily_dates_are_inclusive_date_keys() {
        let (s, e) = key_range(Interval::D1, IST, d("2024-01-01"), d("2024-01-31"), now()).unwrap();
        assert_eq!(s, date_key(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()));
        assert_eq!(e, date_key(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()));
    }

    #[test]
    fn intraday_dates_are_exchange_local_midnights() {
        let (s, e) = key_range(Interval::M5, IST, d("2024-03-01"), d("2024-03-01"), now()).unwrap();
        assert_eq!(
            s,
            Utc.with_ymd_and_hms(2024, 2, 29, 18, 30, 0)
                .unwrap()
                .timestamp()
        );
        assert_eq!(e - s, 86_400);
    }

    #[test]
    fn rfc3339_bounds() {
        let (s, e) = key_range(
            Interval::M5,
            IST,
            d("2024-03-01T09:15:00+05:30"),
            d("2024-03-01T10:15:00+05:30"),
            now(),
        )
        .unwrap();
        assert_eq!(e - s, 3601);
    }

    #[test]
    fn reversed_dates_are_rejected() {
        let err =
            key_range(Interval::D1, IST, d("2024-02-01"), d("2024-01-01"), now()).unwrap_err();
        assert!(
            err.to_string().contains("start_date is after end_date"),
            "{err}"
        );
    }

    #[test]
    fn future_and_ancient_dates_are_rejected() {
        assert!(key_range(Interval::D1, IST, d("2024-05-01"), None, now()).is_err());
        assert!(key_range(Interval::D1, IST, d("1960-01-01"), d("1961-01-01"), now()).is_err());
        assert!(key_range(Interval::D1, IST, d("2024-01-01"), d("2999-01-01"), now()).is_err());
    }

    #[test]
    fn defaults_end_today() {
        let (s, e) = key_range(Interval::D1, IST, None, None, now()).unwrap();
        assert_eq!(e, date_key(NaiveDate::from_ymd_opt(2024, 4, 2).unwrap()));
        assert_eq!((e - s) / 86_400, 366);
    }

    #[test]
    fn extreme_dates_are_rejected_not_overflowed() {
        for (start, end) in [
            (None, d("-262143-01-01")),
            (d("-262143-01-01"), d("2024-01-01")),
            (None, d("+262142-12-31")),
            (d("2024-01-01"), d("+262142-12-31")),
        ] {
            for interval in crate::model::INTERVALS {
                let err = key_range(interval, IST, start, end, now()).unwrap_err();
                assert!(
                    err.to_string().contains("1970") || err.to_string().contains("future"),
                    "{err}"
                );
            }
        }
        let err = key_range(Interval::D1, IST, None, d("-262143-01-01"), now()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "end_date -262143-01-01 is before 1970-01-01; no market data is that old"
        );
        assert_eq!(
            shift_back(Bound::Date(NaiveDate::MIN), Duration::days(1)),
            Bound::Date(NaiveDate::MIN)
        );
    }

    #[test]
    fn garbage_dates_explain_the_format() {
        let err = parse_bound("start_date", "yesterday")
            .unwrap_err()
            .to_string();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
    }
}
