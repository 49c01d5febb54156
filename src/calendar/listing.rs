//! A calendar as a document: its regular hours, the years its data covers,
//! and every day that differs from the weekday pattern (holidays, special
//! sessions, shortened days). The `market://calendar/{exchange}` resource
//! serves it. Pure code.

use serde::Serialize;

use super::days::{DayKind, ExchangeCalendar};
use super::hours::Hours;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarDocument {
    /// Which exchanges it is for (`NSE/BSE`).
    pub calendar: &'static str,
    pub timezone: String,
    /// A regular weekday's sessions, exchange-local (`09:15-15:30`).
    pub regular_hours: String,
    /// The years the data covers; outside them every weekday is assumed a session.
    pub covered_years: Option<(i32, i32)>,
    /// Every day that is not a regular weekday or a plain weekend, oldest first.
    pub days: Vec<ListedDay>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedDay {
    pub date: String,
    #[serde(flatten)]
    pub kind: DayKind,
    /// The day's sessions (`closed`, `unknown` when not announced yet).
    pub hours: String,
}

/// `09:15-15:30`, `closed`, or `unknown`.
pub fn describe(hours: &Hours) -> String {
    match hours {
        Hours::Closed => "closed".to_string(),
        Hours::Unknown => "unknown".to_string(),
        Hours::Known(schedule) => schedule
            .segments
            .iter()
            .map(|s| format!("{}-{}", s.open.format("%H:%M"), s.close.format("%H:%M")))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

pub fn document(calendar: &ExchangeCalendar) -> CalendarDocument {
    CalendarDocument {
        calendar: calendar.name(),
        timezone: calendar.zone().name().to_string(),
        regular_hours: describe(calendar.regular_hours()),
        covered_years: calendar
            .covered_years()
            .map(|years| (*years.start(), *years.end())),
        days: calendar
            .listed_days()
            .map(|day| ListedDay {
                date: day.date.to_string(),
                kind: day.kind.clone(),
                hours: describe(day.hours),
            })
            .collect(),
    }
}
