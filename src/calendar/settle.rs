//! When a day's bars are final: the settle instant (the last close plus a
//! grace), and whether a bar can still change.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::days::{ExchangeCalendar, SEARCH_DAYS};
use super::times::DayTimes;

/// How long after the close a day's bars are treated as final: Yahoo
/// settles the closing auction's prints a few minutes after the close. Do
/// not lower it to settle earlier: a day settled too soon freezes out late
/// closing prints for good.
pub const SETTLE_GRACE_MINUTES: i64 = 15;

/// The longest settle grace accepted: a day.
pub const MAX_SETTLE_GRACE_MINUTES: i64 = 24 * 60;

/// The settle rule (`--settle-grace-minutes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettleConfig {
    /// Time after a session's last close before its bars are final; private
    /// so it stays within the range `from_minutes` checks.
    grace: Duration,
}

impl Default for SettleConfig {
    fn default() -> Self {
        Self {
            grace: Duration::minutes(SETTLE_GRACE_MINUTES),
        }
    }
}

impl SettleConfig {
    /// A configured grace, in minutes (0 to a day).
    pub fn from_minutes(minutes: i64) -> Result<Self, String> {
        if !(0..=MAX_SETTLE_GRACE_MINUTES).contains(&minutes) {
            return Err(format!(
                "settle grace {minutes} minutes is out of range: use 0 to {MAX_SETTLE_GRACE_MINUTES} (default {SETTLE_GRACE_MINUTES})"
            ));
        }
        Ok(Self {
            grace: Duration::minutes(minutes),
        })
    }

    /// Time after a session's last close before its bars are final.
    pub fn grace(&self) -> Duration {
        self.grace
    }
}

impl ExchangeCalendar {
    /// When `date`'s bars become final: its last segment's close plus the
    /// grace; for a session whose hours are not known, the end of the local
    /// day plus the grace. None if `date` has no session. The post-close
    /// warm run runs then.
    pub fn settle_instant(&self, date: NaiveDate, config: SettleConfig) -> Option<DateTime<Utc>> {
        let last_close = match self.day_times(date) {
            DayTimes::Closed => return None,
            DayTimes::Unknown => self.end_of_day(date),
            DayTimes::Known(times) => times.last_close()?,
        };
        Some(last_close + config.grace())
    }

    /// The first settle instant strictly after `at`: when the scheduler's
    /// next post-close run is due. None if none is found within a month.
    pub fn next_settle(&self, at: DateTime<Utc>, config: SettleConfig) -> Option<DateTime<Utc>> {
        // Yesterday's session may settle after midnight (a long grace, or a
        // session with unknown hours).
        let yesterday = self.local_date(at).pred_opt()?;
        yesterday
            .iter_days()
            .take(SEARCH_DAYS as usize + 1)
            .filter_map(|date| self.settle_instant(date, config))
            .find(|settle| *settle > at)
    }

    /// Whether `date`'s bars can no longer change at `now`: a day with no
    /// session is settled once it has begun; a session day once its settle
    /// instant has passed. A future date never is.
    pub fn is_settled(&self, date: NaiveDate, now: DateTime<Utc>, config: SettleConfig) -> bool {
        if date > self.local_date(now) {
            return false;
        }
        self.settle_instant(date, config)
            .is_none_or(|settle| now >= settle)
    }

    /// Whether a bar covering `[start, end)` can still change at `now`
    /// (`partial: true`): its last session day is not settled yet, and it
    /// is not an intraday bar that ended before that session's close. A
    /// daily bar is partial until its session settles; a 5-minute bar until
    /// its five minutes are over; a bar that runs past the close (an hourly
    /// 15:15 bar) until the day settles.
    pub fn bar_is_partial(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
        config: SettleConfig,
    ) -> bool {
        if end <= start {
            return false;
        }
        let first = self.local_date(start);
        let last = self.local_date(end - Duration::nanoseconds(1));
        let Some(session) = last
            .iter_days()
            .rev()
            .take_while(|date| *date >= first)
            .take(366)
            .find(|date| self.is_session_day(*date))
        else {
            return false;
        };
        if self.is_settled(session, now, config) {
            return false;
        }
        let ended_mid_session = match self.day_times(session) {
            DayTimes::Known(times) => times.last_close().is_some_and(|close| end <= close),
            // Without the close, an intraday bar that is over is final.
            DayTimes::Unknown => end < self.end_of_day(session),
            DayTimes::Closed => true,
        };
        !(end <= now && ended_mid_session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grace_is_validated() {
        assert_eq!(SettleConfig::default().grace(), Duration::minutes(15));
        assert_eq!(
            SettleConfig::from_minutes(30).unwrap().grace(),
            Duration::minutes(30)
        );
        assert!(SettleConfig::from_minutes(0).is_ok());
        let err = SettleConfig::from_minutes(-5).unwrap_err();
        assert_eq!(
            err,
            "settle grace -5 minutes is out of range: use 0 to 1440 (default 15)"
        );
        assert!(SettleConfig::from_minutes(1441).is_err());
    }
}
