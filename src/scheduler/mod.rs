//! The warming scheduler: keeps the watchlist's data fresh during market
//! hours, so a tool call for a popular symbol is answered from memory.
//!
//! A tokio task started by `serve` (not with `--no-warm`, `--offline` or
//! `--as-of`), stopped by the server's one cancellation token. It reads
//! market data through the service exactly as a tool does, inside a
//! [`crate::background`] scope: the upstream's rate limiter serves tool
//! calls first, and the run's requests and bars are tallied for its
//! `warm_runs` row. Its own bookkeeping (the lease, the run log, the
//! popularity counts) is in the store.
//!
//! - [`plan`]: when each run is due, from the exchange calendar (pure);
//! - [`popularity`]: request counts behind the watchlist's top N;
//! - [`runs`]: what each kind of run reads.
//!
//! Only one process per store warms: it holds the `warming` lease,
//! renewed every [`TICK`]; another process asks again every
//! [`STANDBY_RETRY`] and takes over once the lease lapses (on SQLite, a
//! row with an expiry) or the leader's session ends (on PostgreSQL, an
//! advisory lock: see `store::postgres::leader`).

pub mod plan;
pub mod popularity;
mod runs;

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::calendar::{Exchange, SettleConfig};
use crate::model::Interval;
use crate::symbol::ResolvedSymbol;
use plan::{Plan, PlanState, RunKind};

/// Warmed whatever else is configured.
pub const DEFAULT_WATCHLIST: [&str; 3] = ["RELIANCE", "TCS", "INFY"];

/// The lease row's name.
pub const LEASE: &str = "warming";

/// How long a lease lasts unless renewed: three ticks, so one slow run does
/// not hand the store to a second process.
const LEASE_SECS: i64 = 180;

/// The scheduler's longest sleep: it renews the lease and re-reads the
/// clock at least this often.
pub const TICK: Duration = Duration::from_secs(60);

/// How often a process that does not warm asks again whether it may: a
/// leader that died is replaced within this (on PostgreSQL its lock goes
/// with its session; on SQLite its lease must lapse first).
const STANDBY_RETRY: Duration = Duration::from_secs(5);

/// Live runs come up to this share of the interval early (jitter, so many
/// servers do not hit the upstream in step).
const JITTER_SHARE: f64 = 0.1;

/// The warming scheduler's settings (see `crate::config`).
#[derive(Debug, Clone, PartialEq)]
pub struct WarmConfig {
    /// Configured symbols, warmed with [`DEFAULT_WATCHLIST`].
    pub watchlist: Vec<ResolvedSymbol>,
    /// Between live runs while the market is open.
    pub interval: Duration,
    /// The intraday interval warmed besides daily bars.
    pub intraday: Interval,
    /// Also warm this many of the previous trading day's most requested symbols.
    pub top_n: usize,
    /// Days of daily history backfilled at start-up.
    pub backfill_days: u32,
    /// When a session's bars are final: the post-close run's time.
    pub settle: SettleConfig,
}

/// Starts the scheduler on `app`'s service; it stops when `stop` is
/// cancelled, after the run in progress (reads are never cut mid-write).
pub fn spawn(app: App, config: WarmConfig, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(Scheduler::new(app, config).run(stop))
}

/// The watchlist split by the calendar its symbols trade on; `None` holds
/// symbols without a known calendar (backfilled only).
type Groups = Vec<(Option<Exchange>, Vec<ResolvedSymbol>)>;

pub struct Scheduler {
    app: App,
    config: WarmConfig,
    /// This process's name in the lease row.
    holder: String,
    /// What has run, per calendar.
    state: Vec<(Exchange, PlanState)>,
    /// Today's watchlist and the IST day it was built for.
    groups: Groups,
    built_for: Option<NaiveDate>,
    /// The jittered live interval until the next live run.
    live_every: chrono::Duration,
    /// The breaker was found open (logged once until it closes).
    blocked: bool,
    /// Whether the start-up backfill has run.
    backfilled: bool,
    /// When the lease this process holds lapses (epoch seconds).
    lease_until: i64,
}

impl Scheduler {
    pub fn new(app: App, config: WarmConfig) -> Self {
        let holder = format!(
            "pid {} at {} #{:016x}",
            std::process::id(),
            app.clock().now().to_rfc3339(),
            fastrand::u64(..)
        );
        let live_every = jittered(config.interval);
        Self {
            app,
            config,
            holder,
            state: Vec::new(),
            groups: Vec::new(),
            built_for: None,
            live_every,
            blocked: false,
            backfilled: false,
            lease_until: i64::MIN,
        }
    }

    /// Runs until `stop`: one [`Scheduler::step`] after another, sleeping
    /// between them; gives the lease up at the end.
    pub async fn run(mut self, stop: CancellationToken) {
        while !stop.is_cancelled() {
            let wait = self.step().await;
            if sleep_or_stop(wait, &stop).await {
                break;
            }
        }
        self.stop().await;
    }

    /// Gives the lease up, so another process takes over at once.
    pub async fn stop(self) {
        if let Err(e) = self
            .app
            .chart
            .store()
            .release_lease(LEASE, &self.holder)
            .await
        {
            tracing::warn!(error = %e, "cannot release the warming lease");
        }
        tracing::info!("warming scheduler stopped");
    }

    /// Does what is due at the clock's now: claims or renews the lease (or
    /// stands by), rebuilds the watchlist on a new day, backfills once,
    /// then runs the first run due. Returns how long to wait before the
    /// next step: zero when more may be due, else until the next wake (at
    /// most a [`TICK`]). Tests drive a simulated day by calling it and
    /// moving their clock by what it returns.
    pub async fn step(&mut self) -> Duration {
        let now = self.app.clock().now();
        // Renewed one tick before it would lapse, at the latest.
        if now.timestamp() + TICK.as_secs() as i64 >= self.lease_until {
            match self.claim(now).await {
                Some(until) => self.lease_until = until,
                None => {
                    self.lease_until = i64::MIN;
                    return STANDBY_RETRY;
                }
            }
        }
        if self.built_for != Some(popularity::day_of(now)) {
            self.build_watchlist(now).await;
        }
        if !self.backfilled {
            self.backfilled = true;
            let all: Vec<ResolvedSymbol> = self.groups.iter().flat_map(|g| g.1.clone()).collect();
            self.execute(RunKind::Backfill, &all).await;
            return Duration::ZERO;
        }
        if let Some(wait) = self.upstream_blocked() {
            return wait;
        }
        if self.run_due(now).await {
            return Duration::ZERO;
        }
        let wake = self
            .next_wake(now)
            .unwrap_or(now + chrono::Duration::hours(1));
        (wake - now).to_std().unwrap_or(Duration::ZERO).min(TICK)
    }

    /// Takes or renews the lease: its expiry, or `None` if another process
    /// holds it.
    async fn claim(&self, now: DateTime<Utc>) -> Option<i64> {
        let until = now.timestamp() + LEASE_SECS;
        let store = self.app.chart.store();
        match store
            .claim_lease(LEASE, &self.holder, now.timestamp(), until)
            .await
        {
            Ok(true) => Some(until),
            Ok(false) => {
                tracing::debug!("another process warms this store; standing by");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim the warming lease; standing by");
                None
            }
        }
    }

    /// While the chart API's breaker is open: how long to wait before
    /// looking again (the cycle is skipped, not queued), logged once.
    fn upstream_blocked(&mut self) -> Option<Duration> {
        match self.app.chart.upstream_blocked_for() {
            Some(secs) => {
                if !self.blocked {
                    tracing::warn!(
                        retry_in_secs = secs,
                        "the upstream's circuit breaker is open: skipping warm runs until it lets calls through"
                    );
                }
                self.blocked = true;
                let secs = u64::try_from(secs).unwrap_or(1).max(1);
                Some(Duration::from_secs(secs).min(TICK))
            }
            None => {
                if std::mem::take(&mut self.blocked) {
                    tracing::info!(
                        "the upstream's circuit breaker lets calls through: warming resumes"
                    );
                }
                None
            }
        }
    }

    /// The watchlist for `now`'s day: the defaults, the configured symbols
    /// and the top N of the previous trading day's requests, split by
    /// calendar.
    async fn build_watchlist(&mut self, now: DateTime<Utc>) {
        let today = popularity::day_of(now);
        let mut symbols: Vec<ResolvedSymbol> = DEFAULT_WATCHLIST
            .iter()
            .filter_map(|s| crate::symbol::resolve_on(s, None).ok())
            .chain(self.config.watchlist.iter().cloned())
            .collect();
        let calendar = Exchange::Nse.calendar();
        let since = calendar.previous_session_day(today).unwrap_or(today);
        let popular = match self
            .app
            .chart
            .store()
            .most_requested(&since.to_string(), &today.to_string(), self.config.top_n)
            .await
        {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read request counts; warming the configured watchlist only");
                Vec::new()
            }
        };
        // Stored tickers are Yahoo's: resolved as given, never re-suffixed.
        symbols.extend(popular.iter().filter_map(|(s, _)| {
            crate::symbol::resolve_on(s, Some(crate::symbol::Exchange::Us)).ok()
        }));
        let mut seen = std::collections::HashSet::new();
        symbols.retain(|s| seen.insert(s.yahoo.clone()));
        let mut groups: Groups = Vec::new();
        for symbol in symbols {
            let exchange = self.app.chart.exchange_of(&symbol).await;
            match groups.iter_mut().find(|g| g.0 == exchange) {
                Some(g) => g.1.push(symbol),
                None => groups.push((exchange, vec![symbol])),
            }
        }
        tracing::info!(
            day = %today,
            symbols = %groups.iter().flat_map(|g| g.1.iter().map(|s| s.yahoo.as_str())).collect::<Vec<_>>().join(","),
            "warming watchlist"
        );
        self.groups = groups;
        self.built_for = Some(today);
    }

    fn plan(&self, exchange: Exchange) -> Plan<'static> {
        Plan {
            calendar: exchange.calendar(),
            settle: self.config.settle,
        }
    }

    fn state_of(&mut self, exchange: Exchange) -> &mut PlanState {
        let at = match self.state.iter().position(|s| s.0 == exchange) {
            Some(i) => i,
            None => {
                self.state.push((exchange, PlanState::default()));
                self.state.len() - 1
            }
        };
        &mut self.state[at].1
    }

    /// Runs the first run due at `now` on any calendar; false if none was.
    async fn run_due(&mut self, now: DateTime<Utc>) -> bool {
        let groups: Vec<(Exchange, Vec<ResolvedSymbol>)> = self
            .groups
            .iter()
            .filter_map(|(e, s)| e.map(|e| (e, s.clone())))
            .collect();
        for (exchange, symbols) in groups {
            let state = *self.state_of(exchange);
            let Some((kind, slot)) = self.plan(exchange).due(now, &state, self.live_every) else {
                continue;
            };
            self.state_of(exchange).ran(kind, slot);
            if kind == RunKind::Live {
                self.live_every = jittered(self.config.interval);
            }
            self.execute(kind, &symbols).await;
            return true;
        }
        false
    }

    fn next_wake(&mut self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let exchanges: Vec<Exchange> = self.groups.iter().filter_map(|g| g.0).collect();
        exchanges
            .into_iter()
            .filter_map(|e| {
                let state = *self.state_of(e);
                self.plan(e).next_wake(now, &state, self.live_every)
            })
            .min()
    }
}

/// The live interval less up to [`JITTER_SHARE`] of it.
fn jittered(interval: Duration) -> chrono::Duration {
    let early = interval.mul_f64(JITTER_SHARE * fastrand::f64());
    chrono::Duration::from_std(interval - early).unwrap_or(chrono::Duration::seconds(60))
}

/// Sleeps for `wait` unless `stop` comes first; true if it did.
async fn sleep_or_stop(wait: Duration, stop: &CancellationToken) -> bool {
    tokio::select! {
        _ = stop.cancelled() => true,
        _ = tokio::time::sleep(wait) => false,
    }
}

/// Flushes the popularity counts to the store every [`TICK`] until `stop`,
/// and once more then. Runs in every serving process, warming or not: the
/// process that warms reads what all of them counted.
pub async fn flush_popularity(app: App, stop: CancellationToken) {
    loop {
        let stopped = sleep_or_stop(TICK, &stop).await;
        flush_once(&app).await;
        if stopped {
            break;
        }
    }
}

/// Writes the pending request counts; on failure they are kept for the
/// next flush.
pub async fn flush_once(app: &App) {
    let counts = app.popularity.drain();
    if counts.is_empty() {
        return;
    }
    if let Err(e) = app.chart.store().add_symbol_requests(&counts).await {
        tracing::warn!(error = %e, "cannot flush request counts; keeping them for the next flush");
        app.popularity.restore(counts);
    }
}
