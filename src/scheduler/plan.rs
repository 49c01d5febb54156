//! When the scheduler runs what, from the exchange calendar: pure code.
//!
//! On a session day:
//! - a **pre-open** run [`PRE_OPEN_LEAD`] before the first open refreshes
//!   the previous session;
//! - **live** runs every warm interval while a segment is open (a special
//!   session such as Muhurat is a segment like any other);
//! - a **post-close** run at the settle instant (the last close plus the
//!   settle grace) finalises the day's bars.
//!
//! Closed days (weekends, holidays) have none. Each run is due once per
//! slot: [`PlanState`] remembers what ran.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::calendar::{DayTimes, ExchangeCalendar, SettleConfig};

/// How long before the first open the pre-open run runs.
pub const PRE_OPEN_LEAD: Duration = Duration::minutes(5);

/// How far ahead the next session is looked for (the longest NSE closure
/// is a few days; the calendar's own search is a month).
const LOOKAHEAD_DAYS: u64 = 40;

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunKind {
    /// At start-up: missing daily history of the watchlist.
    Backfill,
    /// Before the open: the previous session, in case it was not finalised.
    PreOpen,
    /// While open: today's daily bar, the intraday bars and the quotes.
    Live,
    /// At the settle instant: the day's final bars.
    PostClose,
}

impl RunKind {
    /// The name in `warm_runs.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Backfill => "backfill",
            RunKind::PreOpen => "pre_open",
            RunKind::Live => "live",
            RunKind::PostClose => "post_close",
        }
    }
}

/// What has run: the slot instant of each kind's last run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanState {
    pub pre_open: Option<DateTime<Utc>>,
    pub post_close: Option<DateTime<Utc>>,
    pub live: Option<DateTime<Utc>>,
}

impl PlanState {
    /// Records that `kind` ran for `slot`.
    pub fn ran(&mut self, kind: RunKind, slot: DateTime<Utc>) {
        match kind {
            RunKind::PreOpen => self.pre_open = Some(slot),
            RunKind::PostClose => self.post_close = Some(slot),
            RunKind::Live => self.live = Some(slot),
            RunKind::Backfill => {}
        }
    }
}

/// One exchange's warming plan.
#[derive(Debug, Clone, Copy)]
pub struct Plan<'a> {
    pub calendar: &'a ExchangeCalendar,
    pub settle: SettleConfig,
}

impl Plan<'_> {
    /// The pre-open run's instant on `date`, if it has a session with
    /// known hours.
    fn pre_open_slot(&self, date: NaiveDate) -> Option<DateTime<Utc>> {
        match self.calendar.day_times(date) {
            DayTimes::Known(times) => times.segments.first().map(|s| s.open - PRE_OPEN_LEAD),
            DayTimes::Closed | DayTimes::Unknown => None,
        }
    }

    /// Whether a segment is open at `now`.
    fn in_session(&self, now: DateTime<Utc>) -> bool {
        self.calendar.is_open(now) == Some(true)
    }

    /// The run due at `now`, if any, with the slot it runs for. Live runs
    /// are due `live_every` after the last one.
    pub fn due(
        &self,
        now: DateTime<Utc>,
        state: &PlanState,
        live_every: Duration,
    ) -> Option<(RunKind, DateTime<Utc>)> {
        let today = self.calendar.local_date(now);
        // The day's final bars first: they are what a late request reads.
        if let Some(settle) = self.calendar.settle_instant(today, self.settle)
            && now >= settle
            && state.post_close != Some(settle)
        {
            return Some((RunKind::PostClose, settle));
        }
        // The window ends at the first open, PRE_OPEN_LEAD after the slot.
        if let Some(slot) = self.pre_open_slot(today)
            && (slot..slot + PRE_OPEN_LEAD).contains(&now)
            && state.pre_open != Some(slot)
        {
            return Some((RunKind::PreOpen, slot));
        }
        if self.in_session(now) && state.live.is_none_or(|last| now - last >= live_every) {
            return Some((RunKind::Live, now));
        }
        None
    }

    /// When something may next be due after `now` (nothing is due at
    /// `now` itself): the next pre-open slot, settle instant or live tick.
    pub fn next_wake(
        &self,
        now: DateTime<Utc>,
        state: &PlanState,
        live_every: Duration,
    ) -> Option<DateTime<Utc>> {
        let today = self.calendar.local_date(now);
        let pre_open = today
            .iter_days()
            .take(LOOKAHEAD_DAYS as usize)
            .filter_map(|d| self.pre_open_slot(d))
            .find(|slot| *slot > now);
        let settle = self.calendar.next_settle(now, self.settle);
        let live = if self.in_session(now) {
            // The next tick, or the close if it comes first (then the next
            // segment's open).
            let tick = state.live.map_or(now, |last| last + live_every).max(now);
            let close = self.calendar.next_close(now);
            match close {
                Some(close) if close <= tick => self.calendar.next_open(close),
                _ => Some(tick),
            }
        } else {
            self.calendar.next_open(now)
        };
        [pre_open, settle, live].into_iter().flatten().min()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Asia::Kolkata;

    use super::*;
    use crate::calendar::Exchange;

    fn ist(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Kolkata
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn plan() -> Plan<'static> {
        Plan {
            calendar: Exchange::Nse.calendar(),
            settle: SettleConfig::default(),
        }
    }

    /// Every run between `from` and `to`, stepping as the scheduler does:
    /// run what is due, else sleep until the next wake.
    fn simulate(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(RunKind, DateTime<Utc>)> {
        let (plan, every) = (plan(), Duration::seconds(60));
        let mut state = PlanState::default();
        let mut now = from;
        let mut runs = Vec::new();
        while now < to {
            if let Some((kind, slot)) = plan.due(now, &state, every) {
                state.ran(kind, slot);
                runs.push((kind, now));
                continue;
            }
            let wake = plan.next_wake(now, &state, every).expect("a next wake");
            assert!(wake > now, "wake {wake} not after {now}");
            now = wake;
        }
        runs
    }

    fn count(runs: &[(RunKind, DateTime<Utc>)], kind: RunKind) -> usize {
        runs.iter().filter(|r| r.0 == kind).count()
    }

    #[test]
    fn a_normal_day_pre_open_live_every_minute_then_post_close() {
        let runs = simulate(ist(2026, 11, 23, 0, 0), ist(2026, 11, 24, 0, 0));
        assert_eq!(
            runs.first(),
            Some(&(RunKind::PreOpen, ist(2026, 11, 23, 9, 10)))
        );
        let live: Vec<_> = runs.iter().filter(|r| r.0 == RunKind::Live).collect();
        // 09:15 through 15:29: one a minute.
        assert_eq!(live.len(), 375);
        assert_eq!(live[0].1, ist(2026, 11, 23, 9, 15));
        assert_eq!(live.last().unwrap().1, ist(2026, 11, 23, 15, 29));
        assert_eq!(
            runs.last(),
            Some(&(RunKind::PostClose, ist(2026, 11, 23, 15, 45)))
        );
        assert_eq!(runs.len(), 377);
    }

    #[test]
    fn nothing_runs_on_a_holiday_or_a_weekend() {
        // 2026-11-24 is Guru Nanak Jayanti; 2026-11-28/29 a weekend.
        assert!(simulate(ist(2026, 11, 24, 0, 0), ist(2026, 11, 25, 0, 0)).is_empty());
        assert!(simulate(ist(2026, 11, 28, 0, 0), ist(2026, 11, 30, 0, 0)).is_empty());
    }

    #[test]
    fn the_dr_site_saturday_warms_in_its_two_segments_only() {
        let runs = simulate(ist(2024, 3, 2, 0, 0), ist(2024, 3, 3, 0, 0));
        let live: Vec<_> = runs.iter().filter(|r| r.0 == RunKind::Live).collect();
        // 09:15-10:00 and 11:30-12:30: 45 + 60 ticks, none at 11:00.
        assert_eq!(live.len(), 105);
        assert!(
            live.iter()
                .all(|r| r.1 < ist(2024, 3, 2, 10, 0) || r.1 >= ist(2024, 3, 2, 11, 30))
        );
        assert_eq!(count(&runs, RunKind::PostClose), 1);
        assert_eq!(
            runs.last().unwrap().1,
            ist(2024, 3, 2, 12, 45),
            "settled after the second segment"
        );
    }

    #[test]
    fn a_muhurat_session_is_warmed_during_its_own_hours() {
        // 2024-11-01: Diwali, the regular session closed; Muhurat 18:00-19:00.
        let runs = simulate(ist(2024, 11, 1, 0, 0), ist(2024, 11, 2, 0, 0));
        assert_eq!(
            runs.first(),
            Some(&(RunKind::PreOpen, ist(2024, 11, 1, 17, 55)))
        );
        assert_eq!(count(&runs, RunKind::Live), 60);
        assert!(
            runs.iter()
                .filter(|r| r.0 == RunKind::Live)
                .all(|r| r.1 >= ist(2024, 11, 1, 18, 0))
        );
        assert_eq!(
            runs.last(),
            Some(&(RunKind::PostClose, ist(2024, 11, 1, 19, 15)))
        );
    }

    #[test]
    fn starting_mid_session_or_after_the_close_catches_up_once() {
        let runs = simulate(ist(2026, 11, 23, 11, 0), ist(2026, 11, 23, 11, 3));
        assert_eq!(
            runs.iter().map(|r| r.0).collect::<Vec<_>>(),
            [RunKind::Live; 3]
        );
        let runs = simulate(ist(2026, 11, 23, 20, 0), ist(2026, 11, 23, 23, 0));
        assert_eq!(runs, [(RunKind::PostClose, ist(2026, 11, 23, 20, 0))]);
    }

    #[test]
    fn a_us_session_across_the_dst_change() {
        let plan = Plan {
            calendar: Exchange::Us.calendar(),
            settle: SettleConfig::default(),
        };
        let ny = chrono_tz::America::New_York;
        let at = |d: u32, h: u32, m: u32| {
            ny.with_ymd_and_hms(2026, 3, d, h, m, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        // Friday 6 March (EST) and Monday 9 March (EDT): 09:25 New York both.
        let state = PlanState::default();
        let every = Duration::seconds(60);
        assert_eq!(
            plan.due(at(6, 9, 25), &state, every),
            Some((RunKind::PreOpen, at(6, 9, 25)))
        );
        let friday_close = PlanState {
            post_close: Some(at(6, 16, 15)),
            pre_open: Some(at(6, 9, 25)),
            live: Some(at(6, 15, 59)),
        };
        assert_eq!(
            plan.next_wake(at(6, 16, 15), &friday_close, every),
            Some(at(9, 9, 25))
        );
        assert_eq!(
            at(9, 9, 25) - at(6, 9, 25),
            Duration::hours(71),
            "one hour less across DST"
        );
    }
}
