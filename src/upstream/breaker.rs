//! A circuit breaker per upstream host.
//!
//! closed --N consecutive failures--> open --cool-down--> half-open
//! half-open lets one probe through: success -> closed, failure -> open.
//! While open, calls are rejected at once, so a dead upstream costs nothing
//! and stale data can be served immediately.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

/// A state change, for logs, counters and the `breaker_transitions` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: BreakerState,
    pub to: BreakerState,
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// Why a call was not let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    /// When the breaker will let a probe through.
    pub retry_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy)]
pub struct BreakerConfig {
    pub failure_threshold: u32,
    pub cool_down: Duration,
}

impl Default for BreakerConfig {
    /// The breaker of the default settings (`crate::config`).
    fn default() -> Self {
        crate::config::Settings::default().breaker()
    }
}

/// The breaker's state machine. Time is passed in, so it is driven by the
/// process clock and tests can step it.
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    state: BreakerState,
    consecutive_failures: u32,
    opened_at: Option<DateTime<Utc>>,
    probe_in_flight: bool,
    transitions: u64,
    rejections: u64,
}

impl CircuitBreaker {
    pub fn new(config: BreakerConfig) -> Self {
        Self {
            config,
            state: BreakerState::Closed,
            consecutive_failures: 0,
            opened_at: None,
            probe_in_flight: false,
            transitions: 0,
            rejections: 0,
        }
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }

    pub fn transitions(&self) -> u64 {
        self.transitions
    }

    pub fn rejections(&self) -> u64 {
        self.rejections
    }

    pub fn config(&self) -> BreakerConfig {
        self.config
    }

    fn set(&mut self, to: BreakerState, now: DateTime<Utc>, reason: String) -> Option<Transition> {
        if self.state == to {
            return None;
        }
        let from = self.state;
        self.state = to;
        self.transitions += 1;
        Some(Transition {
            from,
            to,
            at: now,
            reason,
        })
    }

    /// When an open breaker lets its next call through (the half-open
    /// probe); `None` unless it is open.
    pub fn open_until(&self) -> Option<DateTime<Utc>> {
        match self.state {
            BreakerState::Open => self.opened_at.map(|at| at + self.config.cool_down),
            BreakerState::Closed | BreakerState::HalfOpen => None,
        }
    }

    /// Asks to make a call now. `Ok` lets it through (perhaps as the
    /// half-open probe, with the transition that made it one).
    pub fn try_acquire(&mut self, now: DateTime<Utc>) -> Result<Option<Transition>, Rejected> {
        match self.state {
            BreakerState::Closed => Ok(None),
            BreakerState::Open => {
                let retry_at = self.opened_at.unwrap_or(now) + self.config.cool_down;
                if now >= retry_at {
                    self.probe_in_flight = true;
                    Ok(self.set(
                        BreakerState::HalfOpen,
                        now,
                        "cool-down elapsed; letting one probe through".into(),
                    ))
                } else {
                    self.rejections += 1;
                    Err(Rejected { retry_at })
                }
            }
            BreakerState::HalfOpen => {
                if self.probe_in_flight {
                    self.rejections += 1;
                    Err(Rejected {
                        retry_at: now + Duration::seconds(1),
                    })
                } else {
                    self.probe_in_flight = true;
                    Ok(None)
                }
            }
        }
    }

    /// The half-open probe ended without a verdict: its future was dropped
    /// (the client cancelled) or it failed in a way that says nothing about
    /// the host. The next caller probes instead, so the breaker cannot stay
    /// half-open rejecting forever.
    pub fn abandon_probe(&mut self) {
        if self.state == BreakerState::HalfOpen {
            self.probe_in_flight = false;
        }
    }

    /// Whether the call just let through is the half-open probe.
    pub fn is_probing(&self) -> bool {
        self.state == BreakerState::HalfOpen && self.probe_in_flight
    }

    /// Reports a successful call.
    pub fn on_success(&mut self, now: DateTime<Utc>) -> Option<Transition> {
        self.consecutive_failures = 0;
        self.probe_in_flight = false;
        self.opened_at = None;
        self.set(BreakerState::Closed, now, "call succeeded".into())
    }

    /// Reports a failed call (timeout, connection error, 5xx, 429, garbage).
    pub fn on_failure(&mut self, now: DateTime<Utc>, what: &str) -> Option<Transition> {
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        match self.state {
            BreakerState::HalfOpen => {
                self.probe_in_flight = false;
                self.opened_at = Some(now);
                self.set(BreakerState::Open, now, format!("probe failed: {what}"))
            }
            BreakerState::Closed if self.consecutive_failures >= self.config.failure_threshold => {
                self.opened_at = Some(now);
                self.set(
                    BreakerState::Open,
                    now,
                    format!(
                        "{} consecutive failures, last: {what}",
                        self.consecutive_failures
                    ),
                )
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ManualClock};
    use chrono::TimeZone;

    fn breaker() -> (CircuitBreaker, std::sync::Arc<ManualClock>) {
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2024, 3, 1, 4, 0, 0).unwrap());
        let b = CircuitBreaker::new(BreakerConfig {
            failure_threshold: 3,
            cool_down: Duration::seconds(30),
        });
        (b, clock)
    }

    #[test]
    fn opens_after_threshold_consecutive_failures() {
        let (mut b, clock) = breaker();
        assert!(b.on_failure(clock.now(), "500").is_none());
        assert!(b.on_failure(clock.now(), "500").is_none());
        assert_eq!(b.state(), BreakerState::Closed);
        let t = b.on_failure(clock.now(), "500").expect("transition");
        assert_eq!((t.from, t.to), (BreakerState::Closed, BreakerState::Open));
        assert!(t.reason.contains("3 consecutive failures"), "{}", t.reason);
        assert_eq!(b.transitions(), 1);
    }

    #[test]
    fn success_resets_the_failure_count() {
        let (mut b, clock) = breaker();
        b.on_failure(clock.now(), "500");
        b.on_failure(clock.now(), "500");
        assert!(b.on_success(clock.now()).is_none());
        b.on_failure(clock.now(), "500");
        b.on_failure(clock.now(), "500");
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[test]
    fn open_rejects_until_cool_down_then_lets_one_probe() {
        let (mut b, clock) = breaker();
        for _ in 0..3 {
            b.on_failure(clock.now(), "timeout");
        }
        let rejected = b.try_acquire(clock.now()).unwrap_err();
        assert_eq!(rejected.retry_at, clock.now() + Duration::seconds(30));
        clock.advance(Duration::seconds(29));
        assert!(b.try_acquire(clock.now()).is_err());
        clock.advance(Duration::seconds(1));
        let t = b.try_acquire(clock.now()).unwrap().expect("to half-open");
        assert_eq!((t.from, t.to), (BreakerState::Open, BreakerState::HalfOpen));
        // Only one probe at a time.
        assert!(b.try_acquire(clock.now()).is_err());
        assert_eq!(b.rejections(), 3);
    }

    #[test]
    fn probe_success_closes() {
        let (mut b, clock) = breaker();
        for _ in 0..3 {
            b.on_failure(clock.now(), "500");
        }
        clock.advance(Duration::seconds(31));
        b.try_acquire(clock.now()).unwrap();
        let t = b.on_success(clock.now()).unwrap();
        assert_eq!(
            (t.from, t.to),
            (BreakerState::HalfOpen, BreakerState::Closed)
        );
        assert!(b.try_acquire(clock.now()).unwrap().is_none());
        assert_eq!(b.transitions(), 3);
    }

    #[test]
    fn probe_failure_reopens_for_a_full_cool_down() {
        let (mut b, clock) = breaker();
        for _ in 0..3 {
            b.on_failure(clock.now(), "500");
        }
        clock.advance(Duration::seconds(30));
        b.try_acquire(clock.now()).unwrap();
        let t = b.on_failure(clock.now(), "503").unwrap();
        assert_eq!((t.from, t.to), (BreakerState::HalfOpen, BreakerState::Open));
        assert!(t.reason.contains("probe failed: 503"));
        clock.advance(Duration::seconds(29));
        assert!(b.try_acquire(clock.now()).is_err());
        clock.advance(Duration::seconds(1));
        assert!(b.try_acquire(clock.now()).is_ok());
    }

    #[test]
    fn an_abandoned_probe_lets_the_next_caller_probe() {
        let (mut b, clock) = breaker();
        for _ in 0..b.config().failure_threshold {
            b.on_failure(clock.now(), "boom");
        }
        clock.advance(b.config().cool_down);
        assert!(b.try_acquire(clock.now()).is_ok(), "the probe");
        assert!(b.is_probing());
        assert!(b.try_acquire(clock.now()).is_err(), "one probe at a time");
        b.abandon_probe();
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(b.try_acquire(clock.now()).is_ok(), "a new probe");
        b.on_success(clock.now());
        assert_eq!(b.state(), BreakerState::Closed);
        b.abandon_probe();
        assert_eq!(b.state(), BreakerState::Closed, "no-op when closed");
    }
}
