//! The one source of time. Everything that asks "what time is it" asks a
//! [`Clock`], so tests can pin or advance time and replay can run "as of" a
//! past moment.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

/// A source of wall-clock time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// A cheap-to-clone handle to the process's clock.
pub type SharedClock = Arc<dyn Clock>;

/// The clock a process runs on: the system's, or one started at `now`
/// (`--now` / `TRADING_MCP_NOW`).
pub fn configured(now: Option<DateTime<Utc>>) -> SharedClock {
    match now {
        Some(at) => Arc::new(OffsetClock::starting_at(at)),
        None => Arc::new(SystemClock),
    }
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that starts at a chosen moment and then runs at real speed
/// (`--now` / `TRADING_MCP_NOW`): the server behaves as if started then, and
/// cool-downs and TTLs still elapse. It reads the std monotonic clock, not
/// tokio's: with tokio's `test-util` (on in test and bench builds) every
/// read of tokio's clock takes a lock shared by the runtime's threads, which
/// cost a quarter of the HTTP fast path's throughput. Tests that simulate
/// time use [`ManualClock`] and step it themselves.
#[derive(Debug, Clone)]
pub struct OffsetClock {
    start: DateTime<Utc>,
    started: Instant,
}

impl OffsetClock {
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self {
            start,
            started: Instant::now(),
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = Duration::from_std(self.started.elapsed()).unwrap_or(Duration::zero());
        self.start + elapsed
    }
}

/// A clock that moves only when told to: for unit tests of time-driven logic.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(now: DateTime<Utc>) -> Arc<Self> {
        Arc::new(Self {
            now: Mutex::new(now),
        })
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}
