//! The market's status at an instant: its phase, why it is closed, the next
//! open and close, and when the answer can next change.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::days::{DayKind, ExchangeCalendar, SEARCH_DAYS};
use super::hours::PreOpenStage;
use super::times::{DayTimes, SegmentTimes, SessionTimes};

/// An instant written in the exchange's local time, e.g.
/// `2024-11-01T18:00:00+05:30`.
pub type LocalTime = DateTime<FixedOffset>;

/// The phase of a market at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// The pre-open call auction: orders are taken, nothing trades yet.
    PreOpen { stage: PreOpenStage },
    /// The regular session (or a shortened one) is trading.
    Open,
    /// A special session (Muhurat, a special Saturday) is trading.
    SpecialSession { name: String },
    Closed {
        #[serde(flatten)]
        reason: ClosedReason,
    },
    /// A special session is held today but its hours are not known, so
    /// whether it trades right now is not known either.
    HoursUnknown { name: String },
}

/// Why a market is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ClosedReason {
    Weekend,
    /// A trading holiday (also before a special session held on it).
    Holiday {
        holiday: String,
    },
    BeforeOpen,
    /// Between two segments of a split session.
    BetweenSegments,
    AfterClose,
}

/// A day's session times in exchange-local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DaySchedule {
    pub date: NaiveDate,
    #[serde(flatten)]
    pub kind: DayKind,
    /// False for a special session whose hours are not published.
    pub hours_known: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_open: Option<PreOpenWindow>,
    /// Empty when the day has no session or its hours are not known.
    pub segments: Vec<SegmentWindow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PreOpenWindow {
    pub starts: LocalTime,
    pub order_entry_ends: LocalTime,
    pub order_matching_ends: LocalTime,
    pub ends: LocalTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SegmentWindow {
    pub open: LocalTime,
    pub close: LocalTime,
}

/// Everything `get_market_status` reports, ready to serialise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MarketStatus {
    /// The exchanges the calendar is for, e.g. `NSE/BSE`.
    pub calendar: String,
    /// The IANA zone the times are in.
    pub timezone: String,
    pub at: LocalTime,
    #[serde(flatten)]
    pub phase: Phase,
    /// The next segment open after `at` (null: not known).
    pub next_open: Option<LocalTime>,
    /// The next segment close after `at` (null: not known).
    pub next_close: Option<LocalTime>,
    /// Until when this answer holds (null: it can change at any moment).
    pub valid_until: Option<LocalTime>,
    pub today: DaySchedule,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Why the next open or close is not known: the hours of this special
/// session day come first.
struct HoursUnknownOn(NaiveDate);

impl ExchangeCalendar {
    /// The full status at `at`, for `get_market_status`.
    pub fn status(&self, at: DateTime<Utc>) -> MarketStatus {
        let today = self.local_date(at);
        let mut hours_unknown_on = None;
        let mut next = |pick: fn(&SegmentTimes) -> DateTime<Utc>| {
            self.next_edge(at, pick)
                .unwrap_or_else(|HoursUnknownOn(date)| {
                    hours_unknown_on = Some(date);
                    None
                })
        };
        let next_open = next(|s| s.open);
        let next_close = next(|s| s.close);
        let mut notes: Vec<String> = hours_unknown_on
            .map(|date| self.hours_unknown_note(date))
            .into_iter()
            .collect();
        notes.extend(self.uncovered_note(today.year()));
        let next_year = next_open.map_or(today.year(), |t| self.local_date(t).year());
        if next_year != today.year() {
            notes.extend(self.uncovered_note(next_year));
        }
        MarketStatus {
            calendar: self.name().to_string(),
            timezone: self.zone().name().to_string(),
            at: self.to_local(at),
            phase: self.phase(at),
            next_open: next_open.map(|t| self.to_local(t)),
            next_close: next_close.map(|t| self.to_local(t)),
            valid_until: self.next_change(at).map(|t| self.to_local(t)),
            today: self.day_schedule(today),
            notes,
        }
    }

    /// The phase at `at`.
    pub fn phase(&self, at: DateTime<Utc>) -> Phase {
        let day = self.day(self.local_date(at));
        match self.day_times(day.date) {
            DayTimes::Unknown => Phase::HoursUnknown {
                name: day.kind.name().unwrap_or("special session").to_string(),
            },
            DayTimes::Closed => Phase::Closed {
                reason: match day.kind {
                    DayKind::Holiday { name } => ClosedReason::Holiday {
                        holiday: name.clone(),
                    },
                    _ => ClosedReason::Weekend,
                },
            },
            DayTimes::Known(times) => known_phase(&times, day.kind, at),
        }
    }

    /// Whether a segment is trading at `at` (the pre-open does not count).
    /// None on a day whose hours are not known. For `market_open`.
    pub fn is_open(&self, at: DateTime<Utc>) -> Option<bool> {
        match self.day_times(self.local_date(at)) {
            DayTimes::Closed => Some(false),
            DayTimes::Unknown => None,
            DayTimes::Known(times) => Some(times.segment_at(at).is_some()),
        }
    }

    /// The first segment open strictly after `at`; None if a day with
    /// unknown hours comes first, or none is found within a month.
    pub fn next_open(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.next_edge(at, |s| s.open).ok().flatten()
    }

    /// The first segment close strictly after `at` (the current segment's
    /// while one trades); None as for [`next_open`](Self::next_open).
    pub fn next_close(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.next_edge(at, |s| s.close).ok().flatten()
    }

    /// The next instant after `at` at which [`status`](Self::status) can
    /// change: a pre-open stage, segment open or close, or local midnight.
    /// Answers computed at `at` hold until then. None on a day whose hours
    /// are not known: the status can change at any moment.
    pub fn next_change(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = self.local_date(at);
        let end_of_day = self.end_of_day(today);
        match self.day_times(today) {
            DayTimes::Unknown => None,
            DayTimes::Closed => Some(end_of_day),
            DayTimes::Known(times) => {
                Some(times.boundaries().find(|b| *b > at).unwrap_or(end_of_day))
            }
        }
    }

    /// `date`'s kind and session times, exchange-local.
    pub fn day_schedule(&self, date: NaiveDate) -> DaySchedule {
        let day = self.day(date);
        let times = self.day_times(date);
        let (pre_open, segments) = match &times {
            DayTimes::Known(t) => (t.pre_open, t.segments.as_slice()),
            DayTimes::Closed | DayTimes::Unknown => (None, &[][..]),
        };
        DaySchedule {
            date,
            kind: day.kind.clone(),
            hours_known: !matches!(times, DayTimes::Unknown),
            pre_open: pre_open.map(|p| PreOpenWindow {
                starts: self.to_local(p.starts),
                order_entry_ends: self.to_local(p.order_entry_ends),
                order_matching_ends: self.to_local(p.order_matching_ends),
                ends: self.to_local(p.ends),
            }),
            segments: segments
                .iter()
                .map(|s| SegmentWindow {
                    open: self.to_local(s.open),
                    close: self.to_local(s.close),
                })
                .collect(),
        }
    }

    /// An instant in the exchange's local time.
    pub fn to_local(&self, at: DateTime<Utc>) -> LocalTime {
        at.with_timezone(&self.zone()).fixed_offset()
    }

    /// The first segment edge (`pick`: open or close) strictly after `at`.
    fn next_edge(
        &self,
        at: DateTime<Utc>,
        pick: fn(&SegmentTimes) -> DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, HoursUnknownOn> {
        for date in self.local_date(at).iter_days().take(SEARCH_DAYS as usize) {
            match self.day_times(date) {
                DayTimes::Closed => {}
                DayTimes::Unknown => return Err(HoursUnknownOn(date)),
                DayTimes::Known(times) => {
                    if let Some(edge) = times.segments.iter().map(pick).find(|t| *t > at) {
                        return Ok(Some(edge));
                    }
                }
            }
        }
        Ok(None)
    }

    fn hours_unknown_note(&self, date: NaiveDate) -> String {
        let name = self
            .day(date)
            .kind
            .name()
            .unwrap_or("special session")
            .to_string();
        format!(
            "{date} has a session ({name}) whose hours are not known yet, so the next open and close are not known"
        )
    }

    fn uncovered_note(&self, year: i32) -> Option<String> {
        let covered = self.covered_years();
        if covered.as_ref().is_some_and(|years| years.contains(&year)) {
            return None;
        }
        let known = covered.map_or_else(
            || "no year".to_string(),
            |years| format!("{}-{}", years.start(), years.end()),
        );
        Some(format!(
            "the {} calendar has no data for {year} (it covers {known}): every weekday is assumed to be a regular session",
            self.name()
        ))
    }
}

/// The phase at `at` on a day with known hours.
fn known_phase(times: &SessionTimes, kind: &DayKind, at: DateTime<Utc>) -> Phase {
    if times.segment_at(at).is_some() {
        return match kind {
            DayKind::SpecialSession { name, .. } => Phase::SpecialSession { name: name.clone() },
            _ => Phase::Open,
        };
    }
    if let Some(stage) = times.pre_open.and_then(|p| p.stage_at(at)) {
        return Phase::PreOpen { stage };
    }
    let reason = if times.starts().is_some_and(|starts| at < starts) {
        match kind {
            DayKind::SpecialSession {
                holiday: Some(holiday),
                ..
            } => ClosedReason::Holiday {
                holiday: holiday.clone(),
            },
            _ => ClosedReason::BeforeOpen,
        }
    } else if times.last_close().is_some_and(|close| at >= close) {
        ClosedReason::AfterClose
    } else {
        ClosedReason::BetweenSegments
    };
    Phase::Closed { reason }
}
