//! One exchange's calendar: what each date is (regular, weekend, holiday,
//! special or shortened session), its hours as instants, and the session
//! days around it.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::data::{CalendarDataError, DayEntry, parse_days};
use super::hours::{Hours, PreOpenRule, Schedule};

/// How far the searches for a next or previous session look before giving
/// up. No exchange closes for this long; the bound keeps bad data finite.
pub(super) const SEARCH_DAYS: u32 = 32;

/// What a date is on an exchange's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    /// A weekday with the regular session.
    Regular,
    /// Saturday or Sunday, no session.
    Weekend,
    /// A weekday whose session is closed.
    Holiday { name: String },
    /// A session outside the weekday pattern: on a weekend (special
    /// Saturdays) or on a holiday (Muhurat trading on Diwali).
    SpecialSession {
        name: String,
        /// The holiday the regular session is closed for, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holiday: Option<String>,
    },
    /// A regular weekday session with other hours (an early close).
    Shortened { name: String },
}

impl DayKind {
    /// The holiday's or session's name, if the day has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            DayKind::Regular | DayKind::Weekend => None,
            DayKind::Holiday { name }
            | DayKind::SpecialSession { name, .. }
            | DayKind::Shortened { name } => Some(name),
        }
    }
}

/// The fixed facts of an exchange: the data rows say how days differ.
#[derive(Debug, Clone, Copy)]
pub struct CalendarSpec {
    /// Which exchanges the calendar is for, e.g. `NSE/BSE`.
    pub name: &'static str,
    pub zone: Tz,
    /// A regular weekday's segments, `HH:MM-HH:MM` separated by spaces.
    pub regular_hours: &'static str,
    /// A regular weekday's pre-open start, `HH:MM`.
    pub regular_pre_open: Option<&'static str>,
    pub pre_open_rule: Option<PreOpenRule>,
}

/// One exchange's trading days and hours. Pure: every query takes the
/// instant or date it is about.
#[derive(Debug, Clone)]
pub struct ExchangeCalendar {
    name: &'static str,
    zone: Tz,
    regular: Hours,
    pre_open_rule: Option<PreOpenRule>,
    days: BTreeMap<NaiveDate, DayEntry>,
    years: Option<(i32, i32)>,
}

/// One date as the calendar sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day<'a> {
    pub date: NaiveDate,
    pub kind: &'a DayKind,
    pub hours: &'a Hours,
}

static REGULAR: DayKind = DayKind::Regular;
static WEEKEND: DayKind = DayKind::Weekend;
static CLOSED: Hours = Hours::Closed;

pub(super) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl ExchangeCalendar {
    /// Builds a calendar from its spec and its data rows.
    pub fn parse(spec: &CalendarSpec, data: &str) -> Result<Self, CalendarDataError> {
        let regular = Schedule::parse(
            spec.regular_hours,
            spec.regular_pre_open,
            spec.pre_open_rule,
        )
        .map_err(|message| CalendarDataError {
            line: 0,
            message: format!("{}'s regular hours: {message}", spec.name),
        })?;
        let parsed = parse_days(data, &regular, spec.pre_open_rule)?;
        Ok(Self {
            name: spec.name,
            zone: spec.zone,
            regular: Hours::Known(regular),
            pre_open_rule: spec.pre_open_rule,
            days: parsed.days,
            years: parsed.years,
        })
    }

    /// A calendar with no data: regular sessions on every weekday, covering
    /// no year (so [`covers`](Self::covers) says the answers are a guess).
    /// If the spec's own hours are malformed (a test guards the compiled-in
    /// specs), no day has known hours.
    pub fn weekdays_only(spec: &CalendarSpec) -> Self {
        Self::parse(spec, "").unwrap_or_else(|_| Self {
            name: spec.name,
            zone: spec.zone,
            regular: Hours::Unknown,
            pre_open_rule: None,
            days: BTreeMap::new(),
            years: None,
        })
    }

    /// Which exchanges this calendar is for, e.g. `NSE/BSE`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    pub(super) fn pre_open_rule(&self) -> Option<PreOpenRule> {
        self.pre_open_rule
    }

    /// The years the data covers. Outside them every weekday is assumed to
    /// be a regular session: the caller should warn once.
    /// When a regular weekday's first segment opens, exchange-local.
    pub fn regular_open(&self) -> Option<NaiveTime> {
        match &self.regular {
            Hours::Known(schedule) => schedule.segments.first().map(|s| s.open),
            _ => None,
        }
    }

    /// How long a regular weekday's sessions last in all (NSE: 6h15m).
    pub fn regular_session(&self) -> Option<chrono::Duration> {
        match &self.regular {
            Hours::Known(schedule) => Some(
                schedule
                    .segments
                    .iter()
                    .map(|s| s.close.signed_duration_since(s.open))
                    .sum(),
            ),
            _ => None,
        }
    }

    pub fn covered_years(&self) -> Option<RangeInclusive<i32>> {
        self.years.map(|(first, last)| first..=last)
    }

    /// Whether the data covers `date`'s year (else weekdays are assumed).
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.years
            .is_some_and(|(first, last)| (first..=last).contains(&date.year()))
    }

    /// What `date` is and its hours.
    pub fn day(&self, date: NaiveDate) -> Day<'_> {
        let (kind, hours) = match self.days.get(&date) {
            Some(entry) => (&entry.kind, &entry.hours),
            None if is_weekend(date) => (&WEEKEND, &CLOSED),
            None => (&REGULAR, &self.regular),
        };
        Day { date, kind, hours }
    }

    /// The days the data lists (holidays, special sessions, shortened
    /// days), oldest first.
    pub fn listed_days(&self) -> impl Iterator<Item = Day<'_>> + '_ {
        self.days.iter().map(|(date, entry)| Day {
            date: *date,
            kind: &entry.kind,
            hours: &entry.hours,
        })
    }

    /// A regular weekday's hours.
    pub fn regular_hours(&self) -> &Hours {
        &self.regular
    }

    /// Whether `date` has a session (Muhurat and special Saturdays included,
    /// also when their hours are not known yet).
    pub fn is_session_day(&self, date: NaiveDate) -> bool {
        !matches!(self.day(date).hours, Hours::Closed)
    }

    /// The last session day strictly before `date`.
    pub fn previous_session_day(&self, date: NaiveDate) -> Option<NaiveDate> {
        date.iter_days()
            .rev()
            .skip(1)
            .take(SEARCH_DAYS as usize)
            .find(|d| self.is_session_day(*d))
    }

    /// The first session day strictly after `date`.
    pub fn next_session_day(&self, date: NaiveDate) -> Option<NaiveDate> {
        date.iter_days()
            .skip(1)
            .take(SEARCH_DAYS as usize)
            .find(|d| self.is_session_day(*d))
    }

    /// The session days from `from` to `to`, both included (none if `to` is
    /// before `from`).
    pub fn session_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = NaiveDate> + '_ {
        from.iter_days()
            .take_while(move |d| *d <= to)
            .filter(|d| self.is_session_day(*d))
    }

    /// The exchange-local date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        crate::model::local_date(self.zone, at)
    }

    /// The instant of an exchange-local date and time.
    pub(super) fn instant(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = date.and_time(time);
        let resolved = self
            .zone
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                // A wall time skipped by a DST change: the clock reads an hour
                // later at that instant.
                let later = local + chrono::Duration::hours(1);
                self.zone.from_local_datetime(&later).earliest()
            });
        resolved.map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// The instant `date` ends: the next local midnight.
    pub(super) fn end_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        let next = date.succ_opt().unwrap_or(date);
        let midnight = crate::model::local_midnight(self.zone, next);
        DateTime::from_timestamp(midnight, 0).unwrap_or_else(|| self.instant(next, NaiveTime::MIN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Exchange;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn day_kinds_on_the_indian_calendar() {
        let nse = Exchange::Nse.calendar();
        assert_eq!(nse.day(date(2024, 3, 1)).kind, &DayKind::Regular);
        assert_eq!(nse.day(date(2024, 3, 3)).kind, &DayKind::Weekend);
        assert_eq!(
            nse.day(date(2026, 11, 24)).kind,
            &DayKind::Holiday {
                name: "Prakash Gurpurb Sri Guru Nanak Dev".into()
            }
        );
        assert_eq!(
            nse.day(date(2024, 11, 1)).kind,
            &DayKind::SpecialSession {
                name: "Muhurat trading (Diwali Laxmi Pujan)".into(),
                holiday: Some("Diwali Laxmi Pujan".into())
            }
        );
        assert_eq!(nse.day(date(2026, 11, 8)).hours, &Hours::Unknown);
        assert!(nse.is_session_day(date(2026, 11, 8)), "Muhurat on a Sunday");
        assert!(nse.is_session_day(date(2024, 1, 20)));
        assert!(!nse.is_session_day(date(2024, 1, 22)), "Ram Mandir closure");
    }

    #[test]
    fn session_day_neighbours_skip_closures() {
        let nse = Exchange::Nse.calendar();
        // Thursday 2024-03-07; Friday 03-08 is Mahashivratri.
        assert_eq!(
            nse.next_session_day(date(2024, 3, 7)),
            Some(date(2024, 3, 11))
        );
        assert_eq!(
            nse.previous_session_day(date(2024, 3, 11)),
            Some(date(2024, 3, 7))
        );
        // Monday 2024-01-22 closed; Saturday 01-20 traded.
        assert_eq!(
            nse.previous_session_day(date(2024, 1, 23)),
            Some(date(2024, 1, 20))
        );
        let week: Vec<_> = nse
            .session_days(date(2024, 3, 4), date(2024, 3, 10))
            .collect();
        assert_eq!(
            week,
            vec![
                date(2024, 3, 4),
                date(2024, 3, 5),
                date(2024, 3, 6),
                date(2024, 3, 7)
            ]
        );
        assert_eq!(
            nse.session_days(date(2024, 3, 10), date(2024, 3, 4))
                .count(),
            0
        );
    }

    #[test]
    fn coverage_and_the_weekday_fallback() {
        let nse = Exchange::Nse.calendar();
        assert_eq!(nse.covered_years(), Some(1997..=2026));
        assert!(nse.covers(date(1997, 1, 1)));
        assert!(!nse.covers(date(2027, 1, 1)));
        assert!(!nse.covers(date(1996, 12, 31)));
        // 2027-01-26 (Republic Day) is not in the data: a weekday is assumed.
        assert!(nse.is_session_day(date(2027, 1, 26)));
        let bare = ExchangeCalendar::weekdays_only(&crate::calendar::exchange::INDIA);
        assert_eq!(bare.covered_years(), None);
        assert!(bare.is_session_day(date(2024, 1, 26)));
        assert!(!bare.is_session_day(date(2024, 1, 27)));
    }

    #[test]
    fn old_closures_come_from_the_data() {
        let nse = Exchange::Nse.calendar();
        assert!(!nse.is_session_day(date(2005, 1, 26)), "Republic Day 2005");
        assert_eq!(
            nse.day(date(2019, 10, 27)).kind,
            &DayKind::SpecialSession {
                name: "Muhurat trading (Diwali Laxmi Pujan)".into(),
                holiday: None
            }
        );
        // A 2000-2023 gap count does not take the holidays for missing bars.
        assert_eq!(
            nse.session_days(date(2000, 1, 1), date(2000, 12, 31))
                .count(),
            250
        );
    }
}
