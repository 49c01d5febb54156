//! Everything that talks to the outside world over HTTP. The only module
//! that uses reqwest.
//!
//! [`HttpUpstream`] owns one pooled client and, per host, a
//! [`CircuitBreaker`] and a [`TokenBucket`]; every call is retried per the
//! [`RetryPolicy`] and logged to the store's `upstream_calls` table.
//! [`ChartClient`] speaks Yahoo's chart API on top of it; [`FeedClient`]
//! fetches news feeds through the same client.

mod breaker;
mod chart;
mod http;
mod news;
mod parse;
mod rate_limit;
mod retry;

pub use breaker::{BreakerConfig, BreakerState, CircuitBreaker, Rejected, Transition};
pub use chart::ChartClient;
pub use http::{HostStats, HttpUpstream, USER_AGENT, UpstreamConfig};
pub use news::{FeedBody, FeedClient};
pub use parse::{ChartData, ParseError, exchange_zone, parse_chart};
pub use rate_limit::{Priority, TokenBucket};
pub use retry::{Failure, RetryPolicy, parse_retry_after};

/// Why the upstream could not answer. Messages are shown to users.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UpstreamError {
    #[error("offline mode: the upstream is never contacted")]
    Offline,
    #[error(
        "the circuit breaker for {host} is open after repeated failures; the next attempt is allowed in {retry_in_secs} s"
    )]
    BreakerOpen { host: String, retry_in_secs: i64 },
    #[error("{symbol} is not a symbol Yahoo Finance knows ({detail})")]
    UnknownSymbol { symbol: String, detail: String },
    #[error("{host} answered HTTP {status}{}", retries_note(*.attempts))]
    Status {
        host: String,
        status: u16,
        attempts: u32,
    },
    #[error("{host} did not answer in time{}", retries_note(*.attempts))]
    Timeout { host: String, attempts: u32 },
    #[error("cannot connect to {host}: {detail}{}", retries_note(*.attempts))]
    Connect {
        host: String,
        detail: String,
        attempts: u32,
    },
    #[error("the connection to {host} broke before the answer was complete{}", retries_note(*.attempts))]
    Interrupted { host: String, attempts: u32 },
    #[error(
        "{host} asks us to wait {asked_secs} s before trying again (Retry-After), longer than the {max_ms} ms this server waits (--retry-after-max-ms); try again after that"
    )]
    RetryAfterTooLong {
        host: String,
        asked_secs: u64,
        max_ms: u64,
    },
    #[error("{host} refused the request (HTTP {status}): {code}: {description}")]
    Refused {
        host: String,
        status: u16,
        code: String,
        description: String,
    },
    #[error("{host} sent a response we cannot read: {detail}")]
    Malformed { host: String, detail: String },
    #[error("bad upstream URL {0}")]
    BadUrl(String),
}

fn retries_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" ({attempts} attempts)")
    } else {
        String::new()
    }
}
