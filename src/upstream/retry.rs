//! Retry with exponential backoff and jitter.
//!
//! Retried: timeouts, connection errors (refused, or cut mid-answer), 5xx
//! and 429 (honouring `Retry-After`). Never retried: any other 4xx — asking
//! again cannot help — nor a `Retry-After` longer than we are willing to wait.

use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first try (default 3: about 1 s, 2 s, 4 s).
    pub retries: u32,
    pub base: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` we wait for; a longer one ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// The policy of the default settings (`crate::config`).
    fn default() -> Self {
        crate::config::Settings::default().retry()
    }
}

/// What a failed attempt was, for the retry decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Timeout,
    Connect,
    /// The connection broke after the headers, before the body was complete.
    Interrupted,
    Status(u16),
    /// A 200 whose body we could not read.
    Malformed,
}

impl Failure {
    pub fn is_retryable(self) -> bool {
        match self {
            Failure::Timeout | Failure::Connect | Failure::Interrupted => true,
            Failure::Status(s) => s == 429 || (500..600).contains(&s),
            Failure::Malformed => false,
        }
    }

    /// Whether this failure says the host is unhealthy (counts for the breaker).
    pub fn counts_for_breaker(self) -> bool {
        match self {
            Failure::Status(s) => s == 429 || s >= 500,
            _ => true,
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `retry` (1-based), with ±20 % jitter,
    /// or the server's `Retry-After` when it asks for longer.
    /// `None`: do not retry.
    pub fn delay(
        &self,
        retry: u32,
        failure: Failure,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if retry > self.retries || !failure.is_retryable() {
            return None;
        }
        let exp = self
            .base
            .saturating_mul(1u32 << (retry - 1).min(20))
            .min(self.max_delay);
        let jitter = 0.8 + 0.4 * fastrand::f64();
        let backoff = exp.mul_f64(jitter);
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait.max(backoff)),
            None => Some(backoff),
        }
    }
}

/// Parses `Retry-After`: delta-seconds or an HTTP date (relative to `now`).
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let p = RetryPolicy::default();
        for (retry, nominal) in [(1u32, 1.0f64), (2, 2.0), (3, 4.0)] {
            let d = p
                .delay(retry, Failure::Status(503), None)
                .unwrap()
                .as_secs_f64();
            assert!(
                d >= nominal * 0.8 && d <= nominal * 1.2,
                "retry {retry}: {d}"
            );
        }
        assert_eq!(p.delay(4, Failure::Status(503), None), None);
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let p = RetryPolicy::default();
        assert!(p.delay(1, Failure::Timeout, None).is_some());
        assert!(p.delay(1, Failure::Connect, None).is_some());
        assert!(p.delay(1, Failure::Status(429), None).is_some());
        assert!(p.delay(1, Failure::Status(500), None).is_some());
        for s in [400, 401, 403, 404, 422] {
            assert_eq!(p.delay(1, Failure::Status(s), None), None, "{s}");
        }
        assert_eq!(p.delay(1, Failure::Malformed, None), None);
    }

    #[test]
    fn retry_after_is_honoured_and_bounded() {
        let p = RetryPolicy::default();
        let d = p
            .delay(1, Failure::Status(429), Some(Duration::from_secs(5)))
            .unwrap();
        assert_eq!(d, Duration::from_secs(5));
        assert_eq!(
            p.delay(1, Failure::Status(429), Some(Duration::from_secs(3600))),
            None
        );
    }

    #[test]
    fn retry_after_formats() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
