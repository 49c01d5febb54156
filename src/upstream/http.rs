//! The shared HTTP client: breaker, rate limit, retries and the call log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{StatusCode, Url};

use super::UpstreamError;
use super::breaker::{BreakerConfig, CircuitBreaker, Transition};
use super::rate_limit::TokenBucket;
use super::retry::{Failure, RetryPolicy, parse_retry_after};
use crate::clock::SharedClock;
use crate::store::{BarStore, BreakerTransitionRow, UpstreamCallRow};

#[derive(Debug, Clone)]
pub struct UpstreamConfig {
    pub offline: bool,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub user_agent: String,
    pub breaker: BreakerConfig,
    pub retry: RetryPolicy,
    pub rate_per_sec: f64,
    pub burst: u32,
}

/// A browser-like User-Agent: Yahoo and many feeds refuse requests without one.
pub const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

impl Default for UpstreamConfig {
    /// The configuration of the default settings (`crate::config`).
    fn default() -> Self {
        crate::config::Settings::default().upstream()
    }
}

/// Per-host counters, for stats.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct HostStats {
    pub host: String,
    pub breaker_state: &'static str,
    pub consecutive_failures: u32,
    pub breaker_transitions: u64,
    pub breaker_rejections: u64,
    pub calls: u64,
    pub failures: u64,
    pub retries: u64,
    /// Requests that waited for the rate limiter's next token.
    pub rate_limited_waits: u64,
    /// Latency of the calls to this host, in milliseconds (null before any).
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
}

#[derive(Debug)]
struct Host {
    breaker: Mutex<CircuitBreaker>,
    bucket: TokenBucket,
    counters: Mutex<(u64, u64, u64)>,
    waits: std::sync::atomic::AtomicU64,
    latency: crate::telemetry::LatencyHistogram,
}

/// One pooled HTTP client for every upstream, with per-host protection.
#[derive(Debug)]
pub struct HttpUpstream {
    client: reqwest::Client,
    config: UpstreamConfig,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    clock: SharedClock,
    store: BarStore,
}

/// A response we can act on: 2xx, or a 4xx that retrying cannot change.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// The body was longer than the cap asked for and was cut there
    /// (see [`HttpUpstream::get_capped`]).
    pub truncated: bool,
}

/// Reads a body, stopping at `cap` bytes when one is given: the rest is
/// never downloaded (the connection is dropped).
async fn read_body(
    mut resp: reqwest::Response,
    cap: Option<usize>,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let Some(cap) = cap else {
        return Ok((resp.bytes().await?.to_vec(), false));
    };
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

impl HttpUpstream {
    pub fn new(
        config: UpstreamConfig,
        clock: SharedClock,
        store: BarStore,
    ) -> Result<Self, UpstreamError> {
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .gzip(true)
            .build()
            .map_err(|e| UpstreamError::BadUrl(e.to_string()))?;
        Ok(Self {
            client,
            config,
            hosts: Mutex::new(HashMap::new()),
            clock,
            store,
        })
    }

    pub fn offline(&self) -> bool {
        self.config.offline
    }

    fn host(&self, name: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(name.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    breaker: Mutex::new(CircuitBreaker::new(self.config.breaker)),
                    bucket: TokenBucket::new(self.config.rate_per_sec, self.config.burst),
                    counters: Mutex::new((0, 0, 0)),
                    waits: Default::default(),
                    latency: Default::default(),
                })
            })
            .clone()
    }

    /// How long `url`'s host still rejects calls, in whole seconds rounded
    /// up, if its breaker is open and cooling down; `None` when a call would
    /// go out (or be the half-open probe).
    pub fn blocked_for(&self, url: &Url) -> Option<i64> {
        // A host never contacted has a closed breaker; looking must not
        // add it to the stats.
        let host = self
            .hosts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&host_label(url))
            .cloned()?;
        let breaker = host.breaker.lock().unwrap_or_else(|e| e.into_inner());
        let now = self.clock.now();
        let retry_at = breaker.open_until()?;
        let wait_ms = (retry_at - now).num_milliseconds();
        (wait_ms > 0).then(|| (wait_ms + 999).div_euclid(1000))
    }

    /// Counters and breaker state of every host contacted so far.
    pub fn stats(&self) -> Vec<HostStats> {
        let hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<HostStats> = hosts
            .iter()
            .map(|(name, h)| {
                let b = h.breaker.lock().unwrap_or_else(|e| e.into_inner());
                let (calls, failures, retries) =
                    *h.counters.lock().unwrap_or_else(|e| e.into_inner());
                HostStats {
                    host: name.clone(),
                    breaker_state: b.state().as_str(),
                    consecutive_failures: b.consecutive_failures(),
                    breaker_transitions: b.transitions(),
                    breaker_rejections: b.rejections(),
                    calls,
                    failures,
                    retries,
                    rate_limited_waits: h.waits.load(std::sync::atomic::Ordering::Relaxed),
                    latency_p50_ms: h.latency.quantile_ms(0.50),
                    latency_p95_ms: h.latency.quantile_ms(0.95),
                    latency_p99_ms: h.latency.quantile_ms(0.99),
                }
            })
            .collect();
        out.sort_by(|a, b| a.host.cmp(&b.host));
        out
    }

    async fn note_transition(&self, host: &str, t: Option<Transition>) {
        let Some(t) = t else { return };
        tracing::warn!(host, from = t.from.as_str(), to = t.to.as_str(), reason = %t.reason, "circuit breaker transition");
        let row = BreakerTransitionRow {
            at_ms: t.at.timestamp_millis(),
            host: host.to_string(),
            from_state: t.from.as_str(),
            to_state: t.to.as_str(),
            reason: t.reason,
        };
        if let Err(e) = self.store.record_breaker_transition(&row).await {
            tracing::error!(error = %e, "cannot record breaker transition");
        }
    }

    /// Reports that a 2xx body from `url` could not be read: the host is
    /// misbehaving, which counts against its breaker (it is not retried).
    pub async fn report_malformed(&self, url: &Url) {
        let label = host_label(url);
        let host = self.host(&label);
        let t = host
            .breaker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .on_failure(self.clock.now(), "malformed response");
        self.note_transition(&label, t).await;
    }

    /// GETs `url`, retrying transient failures, behind the host's breaker and
    /// rate limit. Returns 2xx and non-retryable 4xx answers; errors otherwise.
    pub async fn get(&self, url: &Url, symbol: Option<&str>) -> Result<Answer, UpstreamError> {
        self.get_with_cap(url, symbol, None).await
    }

    /// [`get`](Self::get), reading at most `max_bytes` of the body as it
    /// streams in; a longer body comes back cut, with `truncated` set.
    pub async fn get_capped(
        &self,
        url: &Url,
        symbol: Option<&str>,
        max_bytes: usize,
    ) -> Result<Answer, UpstreamError> {
        self.get_with_cap(url, symbol, Some(max_bytes)).await
    }

    async fn get_with_cap(
        &self,
        url: &Url,
        symbol: Option<&str>,
        cap: Option<usize>,
    ) -> Result<Answer, UpstreamError> {
        if self.config.offline {
            return Err(UpstreamError::Offline);
        }
        let host_label = host_label(url);
        let host = self.host(&host_label);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let acquired = {
                let mut b = host.breaker.lock().unwrap_or_else(|e| e.into_inner());
                b.try_acquire(self.clock.now()).map(|t| (t, b.is_probing()))
            };
            // Armed only for the half-open probe: if this future is dropped
            // before the verdict, or the verdict does not count, the probe
            // is given back on drop.
            let mut probe = ProbeGuard {
                breaker: &host.breaker,
                armed: false,
            };
            match acquired {
                Ok((t, probing)) => {
                    probe.armed = probing;
                    self.note_transition(&host_label, t).await
                }
                Err(rejected) => {
                    let wait_ms = (rejected.retry_at - self.clock.now()).num_milliseconds();
                    return Err(UpstreamError::BreakerOpen {
                        host: host_label,
                        // Rounded up: "in 0 s" would invite a call that is rejected too.
                        retry_in_secs: (wait_ms + 999).div_euclid(1000).max(1),
                    });
                }
            }
            if host.bucket.acquire().await {
                host.waits
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            let at_ms = self.clock.now().timestamp_millis();
            crate::background::count_upstream_call();
            let tried = self.attempt(url, cap).await;
            self.log_attempt(&host, &host_label, url, symbol, at_ms, &tried)
                .await;
            let failure = match tried.outcome {
                Ok((body, truncated)) => {
                    probe.armed = false;
                    let t = host
                        .breaker
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .on_success(self.clock.now());
                    self.note_transition(&host_label, t).await;
                    return Ok(Answer {
                        status: tried.status.unwrap_or(200),
                        body,
                        truncated,
                    });
                }
                Err(failure) => failure,
            };
            if failure.counts_for_breaker() {
                probe.armed = false;
                let t = host
                    .breaker
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .on_failure(self.clock.now(), &describe(failure));
                self.note_transition(&host_label, t).await;
            }
            let policy = &self.config.retry;
            if let Some(asked) = tried.retry_after.filter(|w| *w > policy.max_retry_after)
                && failure.is_retryable()
            {
                return Err(UpstreamError::RetryAfterTooLong {
                    host: host_label,
                    asked_secs: asked.as_secs_f64().ceil() as u64,
                    max_ms: policy.max_retry_after.as_millis() as u64,
                });
            }
            match policy.delay(attempt, failure, tried.retry_after) {
                Some(wait) => {
                    host.counters.lock().unwrap_or_else(|e| e.into_inner()).2 += 1;
                    tracing::info!(host = %host_label, attempt, wait_ms = wait.as_millis() as u64, failure = %describe(failure), "retrying upstream call");
                    tokio::time::sleep(wait).await;
                }
                None => return Err(to_error(failure, &tried.detail, host_label, attempt)),
            }
        }
    }

    /// One request and its body (at most `cap` bytes of it), classified.
    async fn attempt(&self, url: &Url, cap: Option<usize>) -> Attempt {
        let started = Instant::now();
        let mut tried = Attempt {
            outcome: Err(Failure::Connect),
            status: None,
            bytes: None,
            retry_after: None,
            detail: String::new(),
            latency_ms: 0,
        };
        match self.client.get(url.clone()).send().await {
            Ok(resp) => {
                let status = resp.status();
                tried.status = Some(status.as_u16());
                tried.retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    // Retry-After dates are the server's real time, not
                    // the (perhaps replayed) process clock.
                    .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
                match read_body(resp, cap).await {
                    Ok((body, truncated)) => {
                        let ok = status.is_success()
                            || (status.is_client_error()
                                && status != StatusCode::TOO_MANY_REQUESTS);
                        tried.bytes = Some(body.len() as i64);
                        tried.outcome = if ok {
                            Ok((body, truncated))
                        } else {
                            Err(Failure::Status(status.as_u16()))
                        };
                    }
                    Err(e) => (tried.outcome, tried.detail) = classify(&e, true),
                }
            }
            Err(e) => (tried.outcome, tried.detail) = classify(&e, false),
        }
        tried.latency_ms = started.elapsed().as_millis() as i64;
        tried
    }

    /// Writes the call log row and the host's counters.
    async fn log_attempt(
        &self,
        host: &Host,
        host_label: &str,
        url: &Url,
        symbol: Option<&str>,
        at_ms: i64,
        tried: &Attempt,
    ) {
        let error = tried.outcome.as_ref().err().map(|f| format!("{f:?}"));
        let row = UpstreamCallRow {
            at_ms,
            host: host_label.to_string(),
            symbol: symbol.map(str::to_string),
            path: url.path().to_string(),
            status: tried.status,
            latency_ms: tried.latency_ms,
            bytes: tried.bytes,
            error: error.clone(),
        };
        if let Err(e) = self.store.record_call(&row).await {
            tracing::error!(error = %e, "cannot record upstream call");
        }
        host.latency.record(std::time::Duration::from_millis(
            u64::try_from(tried.latency_ms).unwrap_or(0),
        ));
        {
            let mut c = host.counters.lock().unwrap_or_else(|e| e.into_inner());
            c.0 += 1;
            if tried.outcome.is_err() {
                c.1 += 1;
            }
        }
        tracing::debug!(host = %host_label, path = url.path(), status = ?tried.status, latency_ms = tried.latency_ms, ?error, detail = %tried.detail, "upstream call");
    }
}

/// What one request produced.
struct Attempt {
    /// The body, and whether it was cut at the cap.
    outcome: Result<(Vec<u8>, bool), Failure>,
    status: Option<u16>,
    bytes: Option<i64>,
    retry_after: Option<Duration>,
    /// What went wrong at the transport level, for the error message.
    detail: String,
    latency_ms: i64,
}

/// `host` or `host:port`: the unit a breaker and a rate limit protect.
pub fn host_label(url: &Url) -> String {
    let host = url.host_str().unwrap_or("unknown");
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// Classifies a transport error (`in_body`: after the headers arrived) and
/// says what happened in words.
fn classify(e: &reqwest::Error, in_body: bool) -> (Result<(Vec<u8>, bool), Failure>, String) {
    let io = io_kind(e);
    let (failure, detail) = if e.is_timeout() && e.is_connect() {
        (
            Failure::Connect,
            "the connection was not accepted in time".to_string(),
        )
    } else if e.is_timeout() {
        (Failure::Timeout, String::new())
    } else if let Some(status) = e.status() {
        (Failure::Status(status.as_u16()), String::new())
    } else if in_body || e.is_body() || e.is_decode() {
        (Failure::Interrupted, String::new())
    } else if io == Some(std::io::ErrorKind::ConnectionRefused) {
        (Failure::Connect, "connection refused".to_string())
    } else {
        (Failure::Connect, innermost(e))
    };
    (Err(failure), detail)
}

/// The kind of the first IO error in `e`'s source chain.
fn io_kind(e: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = err.source();
    }
    None
}

/// The innermost cause's message: the one that says what actually failed.
fn innermost(e: &reqwest::Error) -> String {
    let mut last: &dyn std::error::Error = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

fn describe(f: Failure) -> String {
    match f {
        Failure::Timeout => "timeout".into(),
        Failure::Connect => "connection error".into(),
        Failure::Interrupted => "connection broke mid-answer".into(),
        Failure::Status(s) => format!("HTTP {s}"),
        Failure::Malformed => "malformed response".into(),
    }
}

fn to_error(f: Failure, detail: &str, host: String, attempts: u32) -> UpstreamError {
    match f {
        Failure::Timeout => UpstreamError::Timeout { host, attempts },
        Failure::Connect => UpstreamError::Connect {
            host,
            detail: if detail.is_empty() {
                "connection failed".into()
            } else {
                detail.to_string()
            },
            attempts,
        },
        Failure::Interrupted => UpstreamError::Interrupted { host, attempts },
        Failure::Status(status) => UpstreamError::Status {
            host,
            status,
            attempts,
        },
        Failure::Malformed => UpstreamError::Malformed {
            host,
            detail: "unreadable body".into(),
        },
    }
}

/// Gives the half-open probe back when its call ends without a verdict.
struct ProbeGuard<'a> {
    breaker: &'a Mutex<CircuitBreaker>,
    armed: bool,
}

impl Drop for ProbeGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.breaker
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .abandon_probe();
        }
    }
}
