//! A day's hours in exchange-local time: its trading segments and its
//! pre-open, and their text form in the calendar data.

use chrono::{Duration, NaiveTime};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One continuous stretch of trading, exchange-local, `[open, close)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub open: NaiveTime,
    pub close: NaiveTime,
}

/// How an exchange splits its pre-open call auction: order entry first, then
/// order matching and trade confirmation, then a buffer until the open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreOpenRule {
    pub order_entry_minutes: u32,
    pub order_matching_minutes: u32,
}

impl PreOpenRule {
    fn order_entry(self) -> Duration {
        Duration::minutes(i64::from(self.order_entry_minutes))
    }

    fn order_matching(self) -> Duration {
        Duration::minutes(i64::from(self.order_matching_minutes))
    }

    /// The instants a pre-open starting at `start` moves to its next stage,
    /// in order: order entry ends, order matching ends. `T` is a local time
    /// or an instant.
    pub fn stage_ends<T>(self, start: T) -> [T; 2]
    where
        T: std::ops::Add<Duration, Output = T> + Copy,
    {
        let entry_ends = start + self.order_entry();
        [entry_ends, entry_ends + self.order_matching()]
    }
}

/// The stages of a pre-open, so a client can tell it from the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PreOpenStage {
    /// Orders are entered, modified and cancelled; nothing trades.
    OrderEntry,
    /// The call auction matches orders and confirms trades.
    OrderMatching,
    /// The pause between the auction and the open.
    Buffer,
}

/// A day's known hours: one or more segments, after an optional pre-open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// When the pre-open starts; it runs until the first segment opens.
    pub pre_open: Option<NaiveTime>,
    /// Ascending and disjoint; never empty.
    pub segments: Vec<Segment>,
}

impl Schedule {
    /// Parses `hours` (`HH:MM-HH:MM` segments separated by spaces) and an
    /// optional pre-open start (`HH:MM`), and checks they fit together.
    pub fn parse(
        hours: &str,
        pre_open: Option<&str>,
        rule: Option<PreOpenRule>,
    ) -> Result<Schedule, String> {
        let segments = hours
            .split_whitespace()
            .map(parse_segment)
            .collect::<Result<Vec<_>, _>>()?;
        let Some(first) = segments.first() else {
            return Err("no hours: expected segments like 09:15-15:30".to_string());
        };
        for pair in segments.windows(2) {
            if pair[1].open <= pair[0].close {
                return Err(format!(
                    "segments {} and {} overlap or touch: list them in order, apart",
                    show(pair[0]),
                    show(pair[1])
                ));
            }
        }
        let pre_open = pre_open.map(parse_time).transpose()?;
        if let Some(start) = pre_open {
            let Some(rule) = rule else {
                return Err("this exchange has no pre-open: leave pre_open empty".to_string());
            };
            let [_, matching_ends] = rule.stage_ends(start);
            if matching_ends > first.open || matching_ends < start {
                return Err(format!(
                    "pre-open from {} leaves no room for its {} + {} minutes before the open at {}",
                    start.format("%H:%M"),
                    rule.order_entry_minutes,
                    rule.order_matching_minutes,
                    first.open.format("%H:%M")
                ));
            }
        }
        Ok(Schedule { pre_open, segments })
    }

    /// The last segment's close.
    pub fn last_close(&self) -> Option<NaiveTime> {
        self.segments.last().map(|s| s.close)
    }
}

/// What the calendar knows of a day's hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hours {
    /// No session.
    Closed,
    /// A session is held, but its hours are not known (no circular yet).
    Unknown,
    Known(Schedule),
}

fn show(segment: Segment) -> String {
    format!(
        "{}-{}",
        segment.open.format("%H:%M"),
        segment.close.format("%H:%M")
    )
}

fn parse_segment(text: &str) -> Result<Segment, String> {
    let (open, close) = text
        .split_once('-')
        .ok_or_else(|| format!("bad segment {text:?}: expected HH:MM-HH:MM"))?;
    let (open, close) = (parse_time(open)?, parse_time(close)?);
    if open >= close {
        return Err(format!(
            "segment {text:?} closes before it opens (segments stay within one day)"
        ));
    }
    Ok(Segment { open, close })
}

fn parse_time(text: &str) -> Result<NaiveTime, String> {
    // `%H:%M` alone would also take "9:5"; the data is written zero-padded.
    if text.len() != 5 {
        return Err(format!("bad time {text:?}: expected HH:MM"));
    }
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| format!("bad time {text:?}: expected HH:MM"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NSE_RULE: PreOpenRule = PreOpenRule {
        order_entry_minutes: 8,
        order_matching_minutes: 4,
    };

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn two_segments_and_a_pre_open() {
        let s = Schedule::parse("09:15-10:00 11:30-12:30", Some("09:00"), Some(NSE_RULE)).unwrap();
        assert_eq!(s.pre_open, Some(t(9, 0)));
        assert_eq!(
            s.segments,
            vec![
                Segment {
                    open: t(9, 15),
                    close: t(10, 0)
                },
                Segment {
                    open: t(11, 30),
                    close: t(12, 30)
                },
            ]
        );
        assert_eq!(s.last_close(), Some(t(12, 30)));
        assert_eq!(NSE_RULE.stage_ends(t(9, 0)), [t(9, 8), t(9, 12)]);
    }

    #[test]
    fn malformed_hours_are_errors() {
        let bad = [
            ("", None, "no hours"),
            ("09:15", None, "expected HH:MM-HH:MM"),
            ("9:15-15:30", None, "bad time \"9:15\""),
            ("09:15-25:00", None, "bad time \"25:00\""),
            ("15:30-09:15", None, "closes before it opens"),
            ("09:15-10:00 10:00-11:00", None, "overlap or touch"),
            ("11:30-12:30 09:15-10:00", None, "overlap or touch"),
            ("09:15-15:30", Some("09:10"), "leaves no room"),
            ("09:15-15:30", Some("9"), "bad time \"9\""),
        ];
        for (hours, pre_open, expected) in bad {
            let err = Schedule::parse(hours, pre_open, Some(NSE_RULE)).unwrap_err();
            assert!(err.contains(expected), "{hours:?} {pre_open:?}: {err}");
        }
        let err = Schedule::parse("09:30-16:00", Some("09:00"), None).unwrap_err();
        assert!(err.contains("no pre-open"), "{err}");
    }
}
