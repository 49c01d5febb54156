//! A token bucket per upstream host: at most `rate` requests a second on
//! average, with bursts of up to `burst`.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    pub fn new(rate_per_sec: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            rate: rate_per_sec.max(0.001),
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Waits until a token is available and takes it. Holding the lock while
    /// sleeping keeps waiters in arrival order.
    /// Takes a token, waiting for one if none is left; returns whether it
    /// had to wait.
    pub async fn acquire(&self) -> bool {
        let mut state = self.state.lock().await;
        let mut waited = false;
        loop {
            let now = Instant::now();
            let (tokens, last) = *state;
            let tokens =
                (tokens + now.duration_since(last).as_secs_f64() * self.rate).min(self.burst);
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
}
