//! A token bucket per upstream host: at most `rate` requests a second on
//! average, with bursts of up to `burst`, and two priorities. Interactive
//! requests (tool calls) wait in arrival order; background requests (the
//! warming scheduler, see [`crate::background`]) take a token only while no
//! interactive request is waiting, so a tool call never queues behind warm
//! requests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Who a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// A caller is waiting for it.
    Interactive,
    /// Warming: it may wait for any interactive request.
    Background,
}

impl Priority {
    /// The priority of the current task's requests.
    pub fn current() -> Priority {
        if crate::background::is_background() {
            Priority::Background
        } else {
            Priority::Interactive
        }
    }
}

#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    /// Tokens and when they were counted. Interactive waiters hold the lock
    /// while they sleep, which keeps them in arrival order.
    state: Mutex<(f64, Instant)>,
    /// Interactive requests waiting for (or holding) `state`.
    interactive_waiting: AtomicUsize,
    /// Background waiters take turns here, in arrival order.
    background_turn: Mutex<()>,
}

/// Decrements the interactive waiter count when dropped, also when the
/// waiting future is cancelled.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl TokenBucket {
    pub fn new(rate_per_sec: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            rate: rate_per_sec.max(0.001),
            burst,
            state: Mutex::new((burst, Instant::now())),
            interactive_waiting: AtomicUsize::new(0),
            background_turn: Mutex::new(()),
        }
    }

    /// Takes a token at the current task's priority, waiting for one if
    /// none is left; returns whether it had to wait.
    pub async fn acquire(&self) -> bool {
        self.acquire_as(Priority::current()).await
    }

    /// Takes a token at `priority`; returns whether it had to wait.
    pub async fn acquire_as(&self, priority: Priority) -> bool {
        match priority {
            Priority::Interactive => {
                self.interactive_waiting.fetch_add(1, Ordering::AcqRel);
                let _waiting = Waiting(&self.interactive_waiting);
                self.acquire_interactive().await
            }
            Priority::Background => self.acquire_background().await,
        }
    }

    /// Tokens now, refilled since they were last counted.
    fn refilled(&self, state: &(f64, Instant), now: Instant) -> f64 {
        let (tokens, last) = *state;
        (tokens + now.duration_since(last).as_secs_f64() * self.rate).min(self.burst)
    }

    async fn acquire_interactive(&self) -> bool {
        let mut state = self.state.lock().await;
        let mut waited = false;
        loop {
            let now = Instant::now();
            let tokens = self.refilled(&state, now);
            if tokens >= 1.0 {
                *state = (tokens - 1.0, now);
                return waited;
            }
            waited = true;
            *state = (tokens, now);
            let wait = Duration::from_secs_f64((1.0 - tokens) / self.rate);
            tokio::time::sleep(wait).await;
        }
    }

    /// Waits while any interactive request waits, and never sleeps holding
    /// the token state, so an interactive request arriving meanwhile goes
    /// first.
    async fn acquire_background(&self) -> bool {
        let _turn = self.background_turn.lock().await;
        let mut waited = false;
        loop {
            let wait = if self.interactive_waiting.load(Ordering::Acquire) > 0 {
                1.0 / self.rate
            } else {
                let mut state = self.state.lock().await;
                let now = Instant::now();
                let tokens = self.refilled(&state, now);
                // Checked again under the lock: one may have queued meanwhile.
                if self.interactive_waiting.load(Ordering::Acquire) > 0 {
                    1.0 / self.rate
                } else if tokens >= 1.0 {
                    *state = (tokens - 1.0, now);
                    return waited;
                } else {
                    *state = (tokens, now);
                    (1.0 - tokens) / self.rate
                }
            };
            waited = true;
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex as StdMutex};

    use super::*;

    /// Seconds since `start`, in paused time (exact: the clock only moves
    /// to the next timer).
    fn secs(start: Instant) -> f64 {
        start.elapsed().as_secs_f64()
    }

    /// The instant a waiter `k` (0-based, in arrival order) is let through:
    /// the burst at once, then one every 1/rate.
    fn due(k: usize, rate: f64, burst: u32) -> f64 {
        (k + 1).saturating_sub(burst as usize) as f64 / rate
    }

    /// Spawns `n` waiters on `bucket`, each queued before the next is
    /// spawned; returns (waiter, seconds) in the order they got through.
    async fn race(bucket: Arc<TokenBucket>, n: usize) -> Vec<(usize, f64)> {
        let start = Instant::now();
        let got = Arc::new(StdMutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for k in 0..n {
            let (bucket, got) = (bucket.clone(), got.clone());
            tasks.push(tokio::spawn(async move {
                bucket.acquire().await;
                got.lock().unwrap().push((k, secs(start)));
            }));
            // Let waiter k reach the queue before k + 1 exists.
            tokio::task::yield_now().await;
        }
        for t in tasks {
            t.await.unwrap();
        }
        Arc::try_unwrap(got).unwrap().into_inner().unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn paces_after_the_burst() {
        let bucket = TokenBucket::new(2.0, 2);
        let start = Instant::now();
        for _ in 0..6 {
            bucket.acquire().await;
        }
        // 2 at once, then 4 more at 2/s.
        let elapsed = start.elapsed().as_secs_f64();
        assert!((1.99..2.01).contains(&elapsed), "{elapsed}");
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_are_served_in_arrival_order_at_the_rate() {
        let got = race(Arc::new(TokenBucket::new(4.0, 3)), 12).await;
        let order: Vec<usize> = got.iter().map(|g| g.0).collect();
        assert_eq!(order, (0..12).collect::<Vec<_>>());
        for &(k, t) in &got {
            assert!((t - due(k, 4.0, 3)).abs() < 1e-3, "waiter {k} at {t} s");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn pacing_holds_under_fifty_concurrent_waiters() {
        let (rate, burst) = (2.0, 2);
        let got = race(Arc::new(TokenBucket::new(rate, burst)), 50).await;
        assert_eq!(got.len(), 50);
        let order: Vec<usize> = got.iter().map(|g| g.0).collect();
        assert_eq!(
            order,
            (0..50).collect::<Vec<_>>(),
            "first come, first served"
        );
        for &(k, t) in &got {
            assert!(
                (t - due(k, rate, burst)).abs() < 1e-3,
                "waiter {k} at {t} s"
            );
        }
        // No window of one second lets more through than the rate plus the burst.
        let times: Vec<f64> = got.iter().map(|g| g.1).collect();
        for (i, &t) in times.iter().enumerate() {
            let within = times[i..].iter().take_while(|&&u| u < t + 1.0).count();
            assert!(
                within <= (rate as usize) + burst as usize,
                "{within} from {t} s"
            );
        }
        assert!(
            (times[49] - 24.0).abs() < 1e-3,
            "48 paced waiters at 2/s: {}",
            times[49]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn two_hosts_do_not_wait_for_each_other() {
        let slow = Arc::new(TokenBucket::new(1.0, 1));
        let other = Arc::new(TokenBucket::new(1.0, 1));
        // Ten waiters queue on the first host: 9 s of backlog.
        let backlog = tokio::spawn(race(slow.clone(), 10));
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let start = Instant::now();
        other.acquire().await;
        assert_eq!(secs(start), 0.0, "the other host's token was there");
        // The first host's waiters keep their own pace, unaffected.
        let got = backlog.await.unwrap();
        for &(k, t) in &got {
            assert!((t - due(k, 1.0, 1)).abs() < 1e-3, "waiter {k} at {t} s");
        }
        // And a new waiter on the first host queues behind its backlog.
        let start = Instant::now();
        slow.acquire().await;
        assert!(secs(start) > 0.0);
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_refill_to_the_burst_and_no_further() {
        let bucket = TokenBucket::new(10.0, 3);
        tokio::time::sleep(Duration::from_secs(60)).await;
        let start = Instant::now();
        for _ in 0..3 {
            bucket.acquire().await;
        }
        assert_eq!(secs(start), 0.0, "a full burst after idling");
        bucket.acquire().await;
        assert!(
            (secs(start) - 0.1).abs() < 1e-6,
            "then the rate: {}",
            secs(start)
        );
    }

    /// Background waiters queued on a saturated bucket: an interactive
    /// request arriving behind them still gets the next token.
    #[tokio::test(start_paused = true)]
    async fn an_interactive_request_goes_before_queued_background_ones() {
        let bucket = Arc::new(TokenBucket::new(1.0, 1));
        let start = Instant::now();
        let got = Arc::new(StdMutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for k in 0..5 {
            let (bucket, got) = (bucket.clone(), got.clone());
            tasks.push(tokio::spawn(async move {
                bucket.acquire_as(Priority::Background).await;
                got.lock().unwrap().push((format!("warm {k}"), secs(start)));
            }));
            tokio::task::yield_now().await;
        }
        // The first warm request took the burst; four wait. 1.5 s later a
        // tool call arrives.
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let tool_started = Instant::now();
        assert!(bucket.acquire_as(Priority::Interactive).await);
        let tool_wait = secs(tool_started);
        got.lock().unwrap().push(("tool".into(), secs(start)));
        for t in tasks {
            t.await.unwrap();
        }
        let got = got.lock().unwrap().clone();
        let order: Vec<&str> = got.iter().map(|(who, _)| who.as_str()).collect();
        // warm 0 at 0 s, warm 1 at 1 s, then the tool call at 2 s ahead of
        // warm 2..4, which keep their order.
        assert_eq!(
            order,
            ["warm 0", "warm 1", "tool", "warm 2", "warm 3", "warm 4"],
            "{got:?}"
        );
        assert!(
            tool_wait <= 0.5 + 1e-3,
            "the tool call waited {tool_wait} s"
        );
        // The bucket's rate holds across both priorities.
        let times: Vec<f64> = got.iter().map(|g| g.1).collect();
        for w in times.windows(2) {
            assert!(w[1] - w[0] >= 1.0 - 1e-3, "{times:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn background_requests_use_idle_tokens_at_the_rate() {
        let bucket = TokenBucket::new(2.0, 2);
        let start = Instant::now();
        for _ in 0..6 {
            bucket.acquire_as(Priority::Background).await;
        }
        let elapsed = secs(start);
        assert!((1.99..2.01).contains(&elapsed), "{elapsed}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_interactive_wait_does_not_hold_back_background_requests() {
        let bucket = Arc::new(TokenBucket::new(1.0, 1));
        bucket.acquire_as(Priority::Interactive).await;
        let waiting = {
            let bucket = bucket.clone();
            tokio::spawn(async move { bucket.acquire_as(Priority::Interactive).await })
        };
        tokio::task::yield_now().await;
        waiting.abort();
        let _ = waiting.await;
        let start = Instant::now();
        bucket.acquire_as(Priority::Background).await;
        assert!(secs(start) <= 1.0 + 1e-3, "{}", secs(start));
    }
}
