//! Exchange calendars: when NSE/BSE trade. Pure code.
//!
//! Regular sessions run 09:15-15:30 IST on weekdays, except the closures in
//! `data/nse_calendar.csv` (compiled into the binary); that file also lists
//! the weekend days that had special sessions.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

const NSE_CALENDAR: &str = include_str!("../data/nse_calendar.csv");

/// How long after the close a day's bars are treated as final: Yahoo
/// settles the closing auction's prints a few minutes after 15:30.
pub const SETTLE_GRACE_MINUTES: i64 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A weekday with no session.
    Closure,
    /// A weekend day with a special session.
    Session,
}

/// One exchange's trading days and hours.
#[derive(Debug, Clone)]
pub struct ExchangeCalendar {
    pub zone: Tz,
    pub open: NaiveTime,
    pub close: NaiveTime,
    exceptions: BTreeMap<NaiveDate, (DayKind, String)>,
    /// The last year the exception list covers; later years assume weekdays only.
    pub known_through_year: i32,
}

/// The state of the market at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarketPhase {
    PreOpen,
    Open,
    Closed,
}

impl ExchangeCalendar {
    /// Parses the `date,kind,name` format of `data/nse_calendar.csv`.
    pub fn parse(text: &str, zone: Tz, open: NaiveTime, close: NaiveTime) -> Result<Self, String> {
        let mut exceptions = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("date,") {
                continue;
            }
            let mut parts = line.splitn(3, ',');
            let (Some(date), Some(kind), name) = (parts.next(), parts.next(), parts.next()) else {
                return Err(format!("line {}: expected date,kind,name", n + 1));
            };
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|e| format!("line {}: {e}", n + 1))?;
            let kind = match kind {
                "closure" => DayKind::Closure,
                "session" => DayKind::Session,
                other => return Err(format!("line {}: unknown kind {other:?}", n + 1)),
            };
            exceptions.insert(date, (kind, name.unwrap_or("").to_string()));
        }
        let known_through_year = exceptions.keys().next_back().map(|d| d.year()).unwrap_or(0);
        Ok(Self {
            zone,
            open,
            close,
            exceptions,
            known_through_year,
        })
    }

    /// NSE (BSE keeps the same days and hours).
    pub fn nse() -> &'static ExchangeCalendar {
        static NSE: OnceLock<ExchangeCalendar> = OnceLock::new();
        NSE.get_or_init(|| {
            let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
            // The file is compiled in and covered by tests; a parse failure
            // would be a build defect, so fall back to weekdays-only.
            ExchangeCalendar::parse(NSE_CALENDAR, chrono_tz::Asia::Kolkata, t(9, 15), t(15, 30))
                .unwrap_or_else(|_| ExchangeCalendar {
                    zone: chrono_tz::Asia::Kolkata,
                    open: t(9, 15),
                    close: t(15, 30),
                    exceptions: BTreeMap::new(),
                    known_through_year: 0,
                })
        })
    }

    /// Whether `date` has a session.
    pub fn is_session_day(&self, date: NaiveDate) -> bool {
        match self.exceptions.get(&date) {
            Some((DayKind::Closure, _)) => false,
            Some((DayKind::Session, _)) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The closure's or special session's name, if `date` is an exception.
    pub fn exception(&self, date: NaiveDate) -> Option<(DayKind, &str)> {
        self.exceptions.get(&date).map(|(k, n)| (*k, n.as_str()))
    }

    /// The exchange-local date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.zone.from_utc_datetime(&at.naive_utc()).date_naive()
    }

    fn at(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        self.zone
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| date.and_time(time).and_utc())
    }

    /// Open and close of `date`'s session, if it has one.
    pub fn session(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.is_session_day(date)
            .then(|| (self.at(date, self.open), self.at(date, self.close)))
    }

    pub fn phase(&self, at: DateTime<Utc>) -> MarketPhase {
        match self.session(self.local_date(at)) {
            Some((open, _)) if at < open => MarketPhase::PreOpen,
            Some((_, close)) if at < close => MarketPhase::Open,
            _ => MarketPhase::Closed,
        }
    }

    /// Whether `date`'s bars can no longer change at `now`: the day is past,
    /// or its session closed (plus a settling grace), or it has no session.
    pub fn is_settled(&self, date: NaiveDate, now: DateTime<Utc>) -> bool {
        let today = self.local_date(now);
        if date < today {
            return true;
        }
        if date > today {
            return false;
        }
        match self.session(date) {
            None => true,
            Some((_, close)) => now >= close + Duration::minutes(SETTLE_GRACE_MINUTES),
        }
    }

    /// The next session open strictly after `at`.
    pub fn next_open(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut date = self.local_date(at);
        for _ in 0..30 {
            if let Some((open, _)) = self.session(date).filter(|(open, _)| *open > at) {
                return Some(open);
            }
            date = date.succ_opt()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ist(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Kolkata
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weekdays_trade_weekends_do_not() {
        let nse = ExchangeCalendar::nse();
        assert!(nse.is_session_day(date(2024, 3, 1)));
        assert!(!nse.is_session_day(date(2024, 3, 3)));
        assert_eq!(nse.known_through_year, 2026);
    }

    #[test]
    fn holidays_and_special_sessions() {
        let nse = ExchangeCalendar::nse();
        assert!(!nse.is_session_day(date(2024, 1, 26)), "Republic Day");
        assert!(
            !nse.is_session_day(date(2024, 1, 22)),
            "Ram Mandir special holiday"
        );
        assert!(
            nse.is_session_day(date(2024, 1, 20)),
            "special Saturday session"
        );
        assert!(nse.is_session_day(date(2025, 2, 1)), "Budget day Saturday");
        assert_eq!(
            nse.exception(date(2024, 8, 15)),
            Some((DayKind::Closure, "Independence Day"))
        );
    }

    #[test]
    fn phases_follow_ist_hours() {
        let nse = ExchangeCalendar::nse();
        assert_eq!(nse.phase(ist(2024, 3, 1, 9, 0)), MarketPhase::PreOpen);
        assert_eq!(nse.phase(ist(2024, 3, 1, 9, 15)), MarketPhase::Open);
        assert_eq!(nse.phase(ist(2024, 3, 1, 15, 29)), MarketPhase::Open);
        assert_eq!(nse.phase(ist(2024, 3, 1, 15, 30)), MarketPhase::Closed);
        assert_eq!(
            nse.phase(ist(2024, 3, 2, 11, 0)),
            MarketPhase::Open,
            "special Saturday 2024-03-02"
        );
        assert_eq!(nse.phase(ist(2024, 3, 3, 11, 0)), MarketPhase::Closed);
    }

    #[test]
    fn settled_after_close_plus_grace() {
        let nse = ExchangeCalendar::nse();
        let d = date(2024, 3, 1);
        assert!(!nse.is_settled(d, ist(2024, 3, 1, 12, 0)));
        assert!(!nse.is_settled(d, ist(2024, 3, 1, 15, 40)));
        assert!(nse.is_settled(d, ist(2024, 3, 1, 15, 45)));
        assert!(nse.is_settled(d, ist(2024, 3, 4, 10, 0)));
        assert!(
            nse.is_settled(date(2024, 3, 3), ist(2024, 3, 3, 10, 0)),
            "Sunday"
        );
        assert!(
            !nse.is_settled(date(2024, 3, 5), ist(2024, 3, 4, 10, 0)),
            "future"
        );
    }

    #[test]
    fn next_open_skips_holidays() {
        let nse = ExchangeCalendar::nse();
        // Thursday 2024-03-07 after close -> Friday 2024-03-08 is Mahashivratri -> Monday.
        assert_eq!(
            nse.next_open(ist(2024, 3, 7, 16, 0)),
            Some(ist(2024, 3, 11, 9, 15))
        );
    }

    #[test]
    fn malformed_calendar_lines_are_errors() {
        let t = NaiveTime::from_hms_opt(9, 15, 0).unwrap();
        assert!(ExchangeCalendar::parse("2024-13-01,closure,x", chrono_tz::UTC, t, t).is_err());
        assert!(ExchangeCalendar::parse("2024-01-01,maybe,x", chrono_tz::UTC, t, t).is_err());
    }
}
