//! A day's hours as UTC instants, in the exchange's zone on that date (so
//! DST is whatever the zone says that day).

use chrono::{DateTime, NaiveDate, Utc};

use super::days::ExchangeCalendar;
use super::hours::{Hours, PreOpenStage};

/// One segment's open and close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentTimes {
    pub open: DateTime<Utc>,
    pub close: DateTime<Utc>,
}

/// A pre-open's stage boundaries; it ends when the first segment opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreOpenTimes {
    pub starts: DateTime<Utc>,
    pub order_entry_ends: DateTime<Utc>,
    pub order_matching_ends: DateTime<Utc>,
    pub ends: DateTime<Utc>,
}

impl PreOpenTimes {
    /// The stage at `at`, if the pre-open is running then.
    pub fn stage_at(&self, at: DateTime<Utc>) -> Option<PreOpenStage> {
        if at < self.starts || at >= self.ends {
            None
        } else if at < self.order_entry_ends {
            Some(PreOpenStage::OrderEntry)
        } else if at < self.order_matching_ends {
            Some(PreOpenStage::OrderMatching)
        } else {
            Some(PreOpenStage::Buffer)
        }
    }
}

/// A day with known hours, as instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTimes {
    pub pre_open: Option<PreOpenTimes>,
    /// Ascending, disjoint, never empty.
    pub segments: Vec<SegmentTimes>,
}

impl SessionTimes {
    /// When the day's activity starts: the pre-open, else the first open.
    pub fn starts(&self) -> Option<DateTime<Utc>> {
        self.pre_open
            .map(|p| p.starts)
            .or_else(|| self.segments.first().map(|s| s.open))
    }

    /// The last segment's close.
    pub fn last_close(&self) -> Option<DateTime<Utc>> {
        self.segments.last().map(|s| s.close)
    }

    /// The segment open at `at`, if any.
    pub fn segment_at(&self, at: DateTime<Utc>) -> Option<SegmentTimes> {
        self.segments
            .iter()
            .copied()
            .find(|s| s.open <= at && at < s.close)
    }

    /// Every instant the market's phase changes on this day, ascending.
    pub fn boundaries(&self) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let pre_open = self
            .pre_open
            .into_iter()
            .flat_map(|p| [p.starts, p.order_entry_ends, p.order_matching_ends]);
        let segments = self.segments.iter().flat_map(|s| [s.open, s.close]);
        pre_open.chain(segments)
    }
}

/// A day's hours as instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayTimes {
    Closed,
    /// A session is held but its hours are not known.
    Unknown,
    Known(SessionTimes),
}

impl ExchangeCalendar {
    /// `date`'s pre-open and segments as instants.
    pub fn day_times(&self, date: NaiveDate) -> DayTimes {
        let schedule = match self.day(date).hours {
            Hours::Closed => return DayTimes::Closed,
            Hours::Unknown => return DayTimes::Unknown,
            Hours::Known(schedule) => schedule,
        };
        let segments: Vec<SegmentTimes> = schedule
            .segments
            .iter()
            .map(|s| SegmentTimes {
                open: self.instant(date, s.open),
                close: self.instant(date, s.close),
            })
            .collect();
        let first_open = segments.first().map(|s| s.open);
        let pre_open = schedule
            .pre_open
            .zip(self.pre_open_rule())
            .zip(first_open)
            .map(|((start, rule), ends)| {
                let starts = self.instant(date, start);
                let [order_entry_ends, order_matching_ends] = rule.stage_ends(starts);
                PreOpenTimes {
                    starts,
                    order_entry_ends,
                    order_matching_ends,
                    ends,
                }
            });
        DayTimes::Known(SessionTimes { pre_open, segments })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Exchange;
    use chrono::TimeZone;

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
    fn a_regular_day_has_its_pre_open_stages() {
        let DayTimes::Known(times) = Exchange::Nse.calendar().day_times(date(2024, 3, 1)) else {
            panic!("a regular Friday has known hours");
        };
        let pre_open = times.pre_open.unwrap();
        assert_eq!(pre_open.starts, ist(2024, 3, 1, 9, 0));
        assert_eq!(pre_open.order_entry_ends, ist(2024, 3, 1, 9, 8));
        assert_eq!(pre_open.order_matching_ends, ist(2024, 3, 1, 9, 12));
        assert_eq!(pre_open.ends, ist(2024, 3, 1, 9, 15));
        assert_eq!(
            times.segments,
            vec![SegmentTimes {
                open: ist(2024, 3, 1, 9, 15),
                close: ist(2024, 3, 1, 15, 30)
            }]
        );
        assert_eq!(pre_open.stage_at(ist(2024, 3, 1, 8, 59)), None);
        assert_eq!(pre_open.stage_at(ist(2024, 3, 1, 9, 15)), None);
    }

    #[test]
    fn special_days_have_their_own_times() {
        let nse = Exchange::Nse.calendar();
        let DayTimes::Known(dr) = nse.day_times(date(2024, 5, 18)) else {
            panic!("DR Saturday has known hours");
        };
        assert_eq!(
            dr.pre_open, None,
            "no pre-open is recorded for the DR sessions"
        );
        assert_eq!(dr.segments.len(), 2);
        assert_eq!(dr.segment_at(ist(2024, 5, 18, 11, 0)), None);
        assert_eq!(
            dr.segment_at(ist(2024, 5, 18, 11, 30)),
            Some(dr.segments[1])
        );
        assert_eq!(nse.day_times(date(2026, 11, 8)), DayTimes::Unknown);
        assert_eq!(nse.day_times(date(2026, 11, 24)), DayTimes::Closed);
    }
}
