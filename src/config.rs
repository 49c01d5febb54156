//! Configuration: one [`Settings`] struct, read from command-line flags,
//! then `TRADING_MCP_*` environment variables, then a TOML file
//! (`--config`), then the defaults of [`Settings::default`] — the one place
//! where a default is written.
//!
//! clap fills every field from a flag, its variable, or the default; for
//! each field that came from the default, a value in the TOML file wins.
//! [`Settings::into_config`] turns the flat settings into the typed parts
//! each module takes ([`UpstreamConfig`], [`ServiceConfig`], ...).
//!
//! The file is long because each of the ~50 settings is one flag block with
//! its help text (which the README's table is generated from); splitting
//! them up would scatter the one list of settings.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::builder::BoolishValueParser;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, ValueEnum};
use serde::{Deserialize, Serialize};

use crate::service::ServiceConfig;
use crate::store::DbLocation;
use crate::upstream::{BreakerConfig, RetryPolicy, UpstreamConfig};

/// How `serve` talks MCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// stdin/stdout (what desktop clients launch).
    Stdio,
    /// Streamable HTTP at `/mcp`.
    Http,
}

/// How logs are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event, with its span fields (for log shippers).
    Json,
}

/// A secret setting: its `Debug` never shows it, so logging settings is safe.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

/// Every tunable. Each field is a flag (`--cache-mib`), an environment
/// variable (`TRADING_MCP_CACHE_MIB`) and a TOML key (`cache_mib`).
#[derive(Debug, Clone, PartialEq, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// TOML file with any of these settings (flags and environment win over it).
    #[arg(long, env = "TRADING_MCP_CONFIG", global = true)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// The store: an SQLite file, created with its schema on first run, or a
    /// PostgreSQL URL (`postgres://user@host/db`) shared by several servers.
    #[arg(long, env = "TRADING_MCP_DB", global = true, default_value_os_t = Settings::default().db)]
    pub db: PathBuf,
    /// Base URL of the Yahoo Finance chart API.
    #[arg(long, env = "TRADING_MCP_YAHOO_URL", global = true, default_value_t = Settings::default().yahoo_url)]
    pub yahoo_url: String,
    /// Never contact any upstream: answer from the store only.
    #[arg(long, env = "TRADING_MCP_OFFLINE", global = true, num_args = 0..=1,
          default_value_t = Settings::default().offline, default_missing_value = "true",
          action = clap::ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub offline: bool,
    /// Log filter (tracing env-filter syntax), e.g. `info,trading_mcp=debug`. Logs go to stderr.
    #[arg(long, env = "TRADING_MCP_LOG", global = true, default_value_t = Settings::default().log)]
    pub log: String,
    /// Log format on stderr: text or json (one object per event, for log shippers).
    #[arg(long, env = "TRADING_MCP_LOG_FORMAT", global = true, value_enum, default_value_t = Settings::default().log_format)]
    pub log_format: LogFormat,
    /// Start the clock at this RFC 3339 instant instead of the system time (replay, tests).
    #[arg(long, env = "TRADING_MCP_NOW", global = true)]
    pub now: Option<String>,
    /// Replay as of this RFC 3339 instant, from the store (implies --offline): the clock
    /// stands still at it, and no bar, article or status after it is shown (nor the session in progress).
    #[arg(long, env = "TRADING_MCP_AS_OF", global = true)]
    pub as_of: Option<String>,
    /// L1 capacity in MiB: memory for bars.
    #[arg(long, env = "TRADING_MCP_CACHE_MIB", global = true, default_value_t = Settings::default().cache_mib)]
    pub cache_mib: u64,
    /// Memory in MiB for encoded tool results at the MCP edge.
    #[arg(long, env = "TRADING_MCP_RESULT_CACHE_MIB", global = true, default_value_t = Settings::default().result_cache_mib)]
    pub result_cache_mib: u64,
    /// Seconds a series that reaches into the current session stays in L1.
    #[arg(long, env = "TRADING_MCP_LIVE_TTL_SECS", global = true, default_value_t = Settings::default().live_ttl_secs)]
    pub live_ttl_secs: u64,
    /// Seconds a quote's price may be old while its market is open (get_quote refetches past it).
    #[arg(long, env = "TRADING_MCP_QUOTE_TTL_SECS", global = true, default_value_t = Settings::default().quote_ttl_secs)]
    pub quote_ttl_secs: u64,
    /// Seconds an unknown-symbol answer is remembered.
    #[arg(long, env = "TRADING_MCP_NEGATIVE_TTL_SECS", global = true, default_value_t = Settings::default().negative_ttl_secs)]
    pub negative_ttl_secs: u64,
    /// Consecutive failures that open a host's circuit breaker.
    #[arg(long, env = "TRADING_MCP_BREAKER_FAILURES", global = true, default_value_t = Settings::default().breaker_failures)]
    pub breaker_failures: u32,
    /// Milliseconds an open breaker rejects calls before a half-open probe.
    #[arg(long, env = "TRADING_MCP_BREAKER_COOLDOWN_MS", global = true, default_value_t = Settings::default().breaker_cooldown_ms)]
    pub breaker_cooldown_ms: u64,
    /// Retries after the first try of an upstream call.
    #[arg(long, env = "TRADING_MCP_RETRIES", global = true, default_value_t = Settings::default().retries)]
    pub retries: u32,
    /// First retry delay in milliseconds (doubling each retry, ±20 % jitter).
    #[arg(long, env = "TRADING_MCP_RETRY_BASE_MS", global = true, default_value_t = Settings::default().retry_base_ms)]
    pub retry_base_ms: u64,
    /// Longest retry delay in milliseconds.
    #[arg(long, env = "TRADING_MCP_RETRY_MAX_MS", global = true, default_value_t = Settings::default().retry_max_ms)]
    pub retry_max_ms: u64,
    /// Longest `Retry-After` honoured, in milliseconds; a longer one ends the retries.
    #[arg(long, env = "TRADING_MCP_RETRY_AFTER_MAX_MS", global = true, default_value_t = Settings::default().retry_after_max_ms)]
    pub retry_after_max_ms: u64,
    /// Upstream requests per second per host.
    #[arg(long, env = "TRADING_MCP_RATE_LIMIT", global = true, default_value_t = Settings::default().rate_limit)]
    pub rate_limit: f64,
    /// Burst size of the per-host rate limit.
    #[arg(long, env = "TRADING_MCP_RATE_BURST", global = true, default_value_t = Settings::default().rate_burst)]
    pub rate_burst: u32,
    /// Upstream connect timeout in milliseconds.
    #[arg(long, env = "TRADING_MCP_CONNECT_TIMEOUT_MS", global = true, default_value_t = Settings::default().connect_timeout_ms)]
    pub connect_timeout_ms: u64,
    /// Upstream total request timeout in milliseconds.
    #[arg(long, env = "TRADING_MCP_REQUEST_TIMEOUT_MS", global = true, default_value_t = Settings::default().request_timeout_ms)]
    pub request_timeout_ms: u64,
    /// Largest `max_points` a client may ask for.
    #[arg(long, env = "TRADING_MCP_MAX_POINTS_LIMIT", global = true, default_value_t = Settings::default().max_points_limit)]
    pub max_points_limit: usize,
    /// Largest answer a series tool returns, in estimated tokens (bytes / 4 of the larger of its text and structured content); longer answers page with a cursor.
    #[arg(long, env = "TRADING_MCP_OUTPUT_BUDGET_TOKENS", global = true, default_value_t = Settings::default().output_budget_tokens)]
    pub output_budget_tokens: usize,
    /// Answer plain HTTP tool calls from encoded results, in front of rmcp (the same bytes rmcp would send).
    #[arg(long, env = "TRADING_MCP_HTTP_FAST_PATH", global = true, num_args = 0..=1,
          default_value_t = Settings::default().http_fast_path, default_missing_value = "true",
          action = clap::ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub http_fast_path: bool,
    /// HTTP requests served at once; beyond it the server answers 503 with Retry-After instead of queueing without bound.
    #[arg(long, env = "TRADING_MCP_MAX_IN_FLIGHT", global = true, default_value_t = Settings::default().max_in_flight)]
    pub max_in_flight: usize,
    /// On SIGTERM/SIGINT, seconds the HTTP server lets requests in flight finish before it exits anyway.
    #[arg(long, env = "TRADING_MCP_DRAIN_SECS", global = true, default_value_t = Settings::default().drain_secs)]
    pub drain_secs: u64,
    /// Write stdio tool answers from their encoded bytes (the same bytes rmcp would write).
    #[arg(long, env = "TRADING_MCP_STDIO_FAST_PATH", global = true, num_args = 0..=1,
          default_value_t = Settings::default().stdio_fast_path, default_missing_value = "true",
          action = clap::ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub stdio_fast_path: bool,
    /// Base URL of Yahoo Finance's per-symbol headline RSS.
    #[arg(long, env = "TRADING_MCP_NEWS_YAHOO_URL", global = true, default_value_t = Settings::default().news_yahoo_url)]
    pub news_yahoo_url: String,
    /// Base URL of Google News' RSS search.
    #[arg(long, env = "TRADING_MCP_NEWS_GOOGLE_URL", global = true, default_value_t = Settings::default().news_google_url)]
    pub news_google_url: String,
    /// Base URL of NSE's RSS archive (announcements, results, corporate actions).
    #[arg(long, env = "TRADING_MCP_NEWS_NSE_URL", global = true, default_value_t = Settings::default().news_nse_url)]
    pub news_nse_url: String,
    /// Base URL of BSE's XML feeds (notices and announcements).
    #[arg(long, env = "TRADING_MCP_NEWS_BSE_URL", global = true, default_value_t = Settings::default().news_bse_url)]
    pub news_bse_url: String,
    /// General market RSS/Atom feed URLs, comma-separated (none by default: many publishers forbid aggregation).
    #[arg(
        long,
        env = "TRADING_MCP_NEWS_FEEDS",
        global = true,
        value_delimiter = ','
    )]
    pub news_feeds: Vec<String>,
    /// Seconds fetched news feeds are served without refetching while NSE is open.
    #[arg(long, env = "TRADING_MCP_NEWS_TTL_OPEN_SECS", global = true, default_value_t = Settings::default().news_ttl_open_secs)]
    pub news_ttl_open_secs: u64,
    /// ... and while it is closed.
    #[arg(long, env = "TRADING_MCP_NEWS_TTL_CLOSED_SECS", global = true, default_value_t = Settings::default().news_ttl_closed_secs)]
    pub news_ttl_closed_secs: u64,
    /// `serve` transport: stdio or http (streamable HTTP at /mcp).
    #[arg(long, env = "TRADING_MCP_TRANSPORT", global = true, value_enum, default_value_t = Settings::default().transport)]
    pub transport: Transport,
    /// Address `serve --transport http` listens on.
    #[arg(long, env = "TRADING_MCP_LISTEN", global = true, default_value_t = Settings::default().listen)]
    pub listen: SocketAddr,
    /// Host names (or host:port) HTTP requests may be addressed to, comma-separated; empty: loopback only (rmcp's default). Guards against DNS rebinding.
    #[arg(
        long,
        env = "TRADING_MCP_ALLOWED_HOSTS",
        global = true,
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// Browser origins allowed to call over HTTP (e.g. `https://app.example.com:443`), comma-separated; empty: Origin is not checked.
    #[arg(
        long,
        env = "TRADING_MCP_ALLOWED_ORIGINS",
        global = true,
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,
    /// Require `Authorization: Bearer <token>` on every HTTP request (compared in constant time, never logged).
    #[arg(
        long,
        env = "TRADING_MCP_AUTH_TOKEN",
        global = true,
        hide_env_values = true
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<Secret>,
    /// Allow listening on a non-loopback address without --auth-token.
    #[arg(long, env = "TRADING_MCP_ALLOW_UNAUTHENTICATED", global = true, num_args = 0..=1,
          default_value_t = Settings::default().allow_unauthenticated, default_missing_value = "true",
          action = clap::ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub allow_unauthenticated: bool,
    /// Do not run the warming scheduler (--offline and --as-of imply it).
    #[arg(long, env = "TRADING_MCP_NO_WARM", global = true, num_args = 0..=1,
          default_value_t = Settings::default().no_warm, default_missing_value = "true",
          action = clap::ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub no_warm: bool,
    /// Symbols to keep warm besides RELIANCE, TCS and INFY, comma-separated (NSE names or Yahoo tickers).
    #[arg(
        long,
        env = "TRADING_MCP_WATCHLIST",
        global = true,
        value_delimiter = ','
    )]
    pub watchlist: Vec<String>,
    /// Seconds between warm runs while the market is open (up to a tenth earlier, as jitter).
    #[arg(long, env = "TRADING_MCP_WARM_INTERVAL_SECS", global = true, default_value_t = Settings::default().warm_interval_secs)]
    pub warm_interval_secs: u64,
    /// The intraday interval warmed besides daily bars (1m, 5m, 15m, 30m, 60m or 1h).
    #[arg(long, env = "TRADING_MCP_WARM_INTRADAY_INTERVAL", global = true, default_value_t = Settings::default().warm_intraday_interval)]
    pub warm_intraday_interval: String,
    /// Also warm this many of the previous trading day's most requested symbols.
    #[arg(long, env = "TRADING_MCP_WARM_TOP_N", global = true, default_value_t = Settings::default().warm_top_n)]
    pub warm_top_n: usize,
    /// Days of daily history backfilled in the background at start-up for the watchlist.
    #[arg(long, env = "TRADING_MCP_BACKFILL_DAYS", global = true, default_value_t = Settings::default().backfill_days)]
    pub backfill_days: u32,
    /// Minutes after a session's close before its bars are final (and the post-close warm run runs).
    #[arg(long, env = "TRADING_MCP_SETTLE_GRACE_MINUTES", global = true, default_value_t = Settings::default().settle_grace_minutes)]
    pub settle_grace_minutes: i64,
    /// Also serve Prometheus text at /metrics on this address (beside stdio; over
    /// HTTP /metrics is on the MCP listener too). Same Host and token rules as /mcp.
    #[arg(long, env = "TRADING_MCP_METRICS_LISTEN", global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_listen: Option<SocketAddr>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            config: None,
            db: PathBuf::from("data/trading-mcp.db"),
            yahoo_url: "https://query1.finance.yahoo.com".into(),
            offline: false,
            log: "info".into(),
            log_format: LogFormat::Text,
            now: None,
            as_of: None,
            cache_mib: 256,
            result_cache_mib: 64,
            live_ttl_secs: 60,
            quote_ttl_secs: 15,
            negative_ttl_secs: 300,
            breaker_failures: 5,
            breaker_cooldown_ms: 30_000,
            retries: 3,
            retry_base_ms: 1_000,
            retry_max_ms: 30_000,
            retry_after_max_ms: 60_000,
            rate_limit: 2.0,
            rate_burst: 2,
            connect_timeout_ms: 5_000,
            request_timeout_ms: 20_000,
            max_points_limit: 20_000,
            output_budget_tokens: 8_000,
            http_fast_path: true,
            max_in_flight: 4_096,
            drain_secs: 10,
            stdio_fast_path: true,
            news_yahoo_url: "https://feeds.finance.yahoo.com".into(),
            news_google_url: "https://news.google.com".into(),
            news_nse_url: "https://nsearchives.nseindia.com".into(),
            news_bse_url: "https://www.bseindia.com".into(),
            news_feeds: Vec::new(),
            news_ttl_open_secs: 900,
            news_ttl_closed_secs: 7200,
            transport: Transport::Stdio,
            listen: SocketAddr::from(([127, 0, 0, 1], 8765)),
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            auth_token: None,
            allow_unauthenticated: false,
            metrics_listen: None,
            no_warm: false,
            watchlist: Vec::new(),
            warm_interval_secs: 60,
            warm_intraday_interval: "5m".into(),
            warm_top_n: 10,
            backfill_days: 730,
            settle_grace_minutes: crate::calendar::SETTLE_GRACE_MINUTES,
        }
    }
}

/// The resolved configuration, in the shapes the modules take.
#[derive(Debug, Clone)]
pub struct Config {
    pub settings: Settings,
    pub db: DbLocation,
    pub yahoo_url: String,
    pub log: String,
    pub log_format: LogFormat,
    pub now: Option<DateTime<Utc>>,
    /// `--as-of`: the clock stands still here and nothing later is shown.
    pub as_of: Option<DateTime<Utc>>,
    pub upstream: UpstreamConfig,
    pub service: ServiceConfig,
    pub news: crate::news::NewsConfig,
    /// Byte budget of the MCP edge's result cache.
    pub result_cache_bytes: u64,
    pub max_points_limit: usize,
    /// The series tools' answer budget in estimated tokens.
    pub output_budget_tokens: usize,
    pub http_fast_path: bool,
    pub transport: Transport,
    pub listen: SocketAddr,
    /// The warming scheduler's plan; `None` when it does not run
    /// (`--no-warm`, `--offline`, `--as-of`).
    pub warm: Option<crate::scheduler::WarmConfig>,
}

impl Default for Config {
    /// The configuration of [`Settings::default`].
    fn default() -> Self {
        Settings::default()
            .into_config()
            .expect("the default settings are valid")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {source}")]
    Parse {
        path: String,
        source: Box<toml::de::Error>,
    },
    #[error("{0}")]
    Invalid(String),
}

impl Settings {
    /// Flags and environment (as clap parsed them into `self`, with
    /// `matches` saying where each value came from) over the TOML file
    /// named by `config`, over the defaults.
    pub fn resolve(self, matches: &ArgMatches) -> Result<Settings, ConfigError> {
        let Some(path) = self.config.clone() else {
            return Ok(self);
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let parse_error = |source| ConfigError::Parse {
            path: path.display().to_string(),
            source: Box::new(source),
        };
        // Parsing into `Settings` first reports unknown keys and wrong types.
        toml::from_str::<Settings>(&text).map_err(parse_error)?;
        let file: toml::Table = toml::from_str(&text).map_err(parse_error)?;
        let given = |id: &str| {
            matches!(
                matches.value_source(id),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
        };
        let serde_json::Value::Object(mut merged) = to_json(&self)? else {
            return Err(ConfigError::Invalid("settings are not a table".into()));
        };
        for (key, value) in file {
            if !given(&key) {
                merged.insert(key, to_json(&value)?);
            }
        }
        let mut resolved: Settings = serde_json::from_value(serde_json::Value::Object(merged))
            .map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
        resolved.config = Some(path);
        Ok(resolved)
    }

    /// Checks the values and builds each module's configuration.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        let instant = |name: &str, s: &Option<String>| match s {
            None => Ok(None),
            Some(s) => DateTime::parse_from_rfc3339(s.trim())
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|e| {
                    ConfigError::Invalid(format!(
                        "{name} {s:?}: {e}; use RFC 3339, e.g. 2024-03-01T11:00:00+05:30"
                    ))
                }),
        };
        let now = instant("now", &self.now)?;
        let as_of = instant("as_of", &self.as_of)?;
        if now.is_some() && as_of.is_some() {
            return Err(ConfigError::Invalid(
                "give --now or --as-of, not both: --as-of stops the clock at its instant".into(),
            ));
        }
        if !(self.rate_limit.is_finite() && self.rate_limit > 0.0) {
            return Err(ConfigError::Invalid(format!(
                "rate_limit must be a positive number of requests per second, not {}",
                self.rate_limit
            )));
        }
        if self.output_budget_tokens < 500 {
            return Err(ConfigError::Invalid(format!(
                "output_budget_tokens must be at least 500 (one page must hold a header and some rows), not {}",
                self.output_budget_tokens
            )));
        }
        let db = db_location(&self.db)?;
        if self.max_points_limit == 0 {
            return Err(ConfigError::Invalid(
                "max_points_limit must be at least 1".into(),
            ));
        }
        if self
            .auth_token
            .as_ref()
            .is_some_and(|t| t.0.trim().is_empty())
        {
            return Err(ConfigError::Invalid(
                "auth_token is empty; give a long random token, or leave it unset".into(),
            ));
        }
        if self.transport == Transport::Http
            && !self.listen.ip().is_loopback()
            && self.auth_token.is_none()
            && !self.allow_unauthenticated
        {
            return Err(ConfigError::Invalid(format!(
                "listening on {} (not loopback) without --auth-token lets anyone who can reach it \
                 call the server; set --auth-token (or TRADING_MCP_AUTH_TOKEN), or pass \
                 --allow-unauthenticated",
                self.listen
            )));
        }
        if self.max_in_flight == 0 {
            return Err(ConfigError::Invalid(
                "max_in_flight must be at least 1".into(),
            ));
        }
        let settle = crate::calendar::SettleConfig::from_minutes(self.settle_grace_minutes)
            .map_err(|e| ConfigError::Invalid(format!("settle_grace_minutes: {e}")))?;
        let warm = self.warm(settle)?;
        let warms = !(self.no_warm || self.offline || as_of.is_some());
        Ok(Config {
            warm: warms.then_some(warm),
            db,
            yahoo_url: self.yahoo_url.clone(),
            log: self.log.clone(),
            log_format: self.log_format,
            now,
            as_of,
            // Replay reads the store only: fetching now would store today's
            // data stamped with the frozen clock's time.
            upstream: UpstreamConfig {
                offline: self.offline || as_of.is_some(),
                ..self.upstream()
            },
            service: ServiceConfig {
                as_of,
                ..self.service()
            },
            news: self.news(),
            result_cache_bytes: self.result_cache_mib.saturating_mul(1024 * 1024),
            max_points_limit: self.max_points_limit,
            output_budget_tokens: self.output_budget_tokens,
            http_fast_path: self.http_fast_path,
            transport: self.transport,
            listen: self.listen,
            settings: self,
        })
    }

    /// The warming scheduler's settings, checked (also when it will not run,
    /// so a bad value is reported at once).
    pub fn warm(
        &self,
        settle: crate::calendar::SettleConfig,
    ) -> Result<crate::scheduler::WarmConfig, ConfigError> {
        let intraday: crate::model::Interval =
            self.warm_intraday_interval.trim().parse().map_err(|e| {
                ConfigError::Invalid(format!(
                    "warm_intraday_interval {:?}: {e}",
                    self.warm_intraday_interval
                ))
            })?;
        if !intraday.is_intraday() {
            return Err(ConfigError::Invalid(format!(
                "warm_intraday_interval must be intraday (1m, 5m, 15m, 30m, 60m or 1h), not {intraday}"
            )));
        }
        if self.warm_interval_secs == 0 {
            return Err(ConfigError::Invalid(
                "warm_interval_secs must be at least 1".into(),
            ));
        }
        let mut watchlist = Vec::new();
        for name in self
            .watchlist
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            let symbol = crate::symbol::resolve_on(name, None)
                .map_err(|e| ConfigError::Invalid(format!("watchlist symbol {name:?}: {e}")))?;
            watchlist.push(symbol);
        }
        Ok(crate::scheduler::WarmConfig {
            watchlist,
            interval: Duration::from_secs(self.warm_interval_secs),
            intraday,
            top_n: self.warm_top_n,
            backfill_days: self.backfill_days,
            settle,
        })
    }

    pub fn breaker(&self) -> BreakerConfig {
        BreakerConfig {
            failure_threshold: self.breaker_failures.max(1),
            cool_down: chrono::Duration::milliseconds(
                i64::try_from(self.breaker_cooldown_ms).unwrap_or(i64::MAX),
            ),
        }
    }

    pub fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            retries: self.retries,
            base: Duration::from_millis(self.retry_base_ms),
            max_delay: Duration::from_millis(self.retry_max_ms),
            max_retry_after: Duration::from_millis(self.retry_after_max_ms),
        }
    }

    pub fn upstream(&self) -> UpstreamConfig {
        UpstreamConfig {
            offline: self.offline,
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
            request_timeout: Duration::from_millis(self.request_timeout_ms),
            user_agent: crate::upstream::USER_AGENT.to_string(),
            breaker: self.breaker(),
            retry: self.retry(),
            rate_per_sec: self.rate_limit,
            burst: self.rate_burst,
        }
    }

    pub fn service(&self) -> ServiceConfig {
        ServiceConfig {
            cache_bytes: self.cache_mib.saturating_mul(1024 * 1024),
            live_ttl: Duration::from_secs(self.live_ttl_secs),
            negative_ttl: Duration::from_secs(self.negative_ttl_secs),
            as_of: None,
            // into_config reports an out-of-range grace before this is used.
            settle: crate::calendar::SettleConfig::from_minutes(self.settle_grace_minutes)
                .unwrap_or_default(),
        }
    }

    pub fn news(&self) -> crate::news::NewsConfig {
        use crate::news;
        news::NewsConfig {
            yahoo_url: self.news_yahoo_url.clone(),
            google_url: self.news_google_url.clone(),
            nse_url: self.news_nse_url.clone(),
            nse_feeds: news::NSE_FEEDS.iter().map(|f| f.to_string()).collect(),
            bse_url: self.news_bse_url.clone(),
            bse_feeds: news::BSE_FEEDS.iter().map(|f| f.to_string()).collect(),
            feeds: self
                .news_feeds
                .iter()
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect(),
            ttl_open: Duration::from_secs(self.news_ttl_open_secs),
            ttl_closed: Duration::from_secs(self.news_ttl_closed_secs),
            retry_failed_after: news::RETRY_FAILED_AFTER,
            max_feed_bytes: news::MAX_FEED_BYTES,
            max_items_per_feed: news::MAX_ITEMS_PER_FEED,
        }
    }

    /// The settings as a TOML document (what `trading-mcp config` prints).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

fn to_json(value: &impl Serialize) -> Result<serde_json::Value, ConfigError> {
    serde_json::to_value(value).map_err(|e| ConfigError::Invalid(e.to_string()))
}

/// Reads a whole TOML file into settings, for tools that take only a file.
pub fn read_file(path: &Path) -> Result<Settings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.display().to_string(),
        source: Box::new(source),
    })
}

/// What `--db` names: a `postgres://` (or `postgresql://`) URL is the
/// PostgreSQL store; anything else that looks like a URL is refused rather
/// than taken as a relative path (which would silently create a directory
/// named after its scheme); the rest is an SQLite file's path.
fn db_location(db: &Path) -> Result<DbLocation, ConfigError> {
    let text = db.to_string_lossy();
    let Some((scheme, _)) = text.split_once("://") else {
        return Ok(DbLocation::Sqlite(db.to_path_buf()));
    };
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !is_scheme {
        return Ok(DbLocation::Sqlite(db.to_path_buf()));
    }
    let why: std::borrow::Cow<str> = match scheme.to_ascii_lowercase().as_str() {
        "postgres" | "postgresql" => return Ok(DbLocation::Postgres(text.into_owned())),
        "sqlite" | "file" => "give the file's path itself, without the scheme".into(),
        other => format!("{other}:// is not a database this server can use").into(),
    };
    Err(ConfigError::Invalid(format!(
        "db {text:?}: {why}; --db (or TRADING_MCP_DB) takes the path of an SQLite file, e.g. data/trading-mcp.db, or a postgres:// URL"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_a_valid_configuration() {
        let c = Config::default();
        assert_eq!(c.settings, Settings::default());
        assert_eq!(c.service.cache_bytes, 256 * 1024 * 1024);
        assert_eq!(c.upstream.retry.retries, Settings::default().retries);
    }

    #[test]
    fn toml_round_trips_and_rejects_unknown_keys() {
        let s = Settings::default();
        let back: Settings = toml::from_str(&s.to_toml()).unwrap();
        assert_eq!(back, s);
        let err = toml::from_str::<Settings>("colour = \"red\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
        let err = toml::from_str::<Settings>("cache_mib = \"lots\"\n").unwrap_err();
        assert!(err.to_string().contains("cache_mib"), "{err}");
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let err = Settings {
            now: Some("yesterday".into()),
            ..Settings::default()
        }
        .into_config()
        .unwrap_err();
        assert!(err.to_string().contains("RFC 3339"), "{err}");
        let err = Settings {
            rate_limit: 0.0,
            ..Settings::default()
        }
        .into_config()
        .unwrap_err();
        assert!(err.to_string().contains("rate_limit"), "{err}");
    }

    #[test]
    fn a_postgres_url_selects_postgres_and_other_urls_are_refused() {
        let location = |db: &str| {
            Settings {
                db: PathBuf::from(db),
                ..Settings::default()
            }
            .into_config()
            .unwrap()
            .db
        };
        for url in ["postgres://trader@db.internal/market", "PostgreSQL://h/db"] {
            assert_eq!(location(url), DbLocation::Postgres(url.into()));
        }
        let refused = |db: &str| {
            Settings {
                db: PathBuf::from(db),
                ..Settings::default()
            }
            .into_config()
            .unwrap_err()
            .to_string()
        };
        let sqlite = refused("sqlite:///tmp/x.db");
        assert!(sqlite.contains("without the scheme"), "{sqlite}");
        assert!(sqlite.contains("path of an SQLite file"), "{sqlite}");
        assert!(refused("mysql://h/db").contains("mysql:// is not a database"));
        for path in ["data/x.db", "/tmp/odd:name.db", "./a://b.db"] {
            assert_eq!(location(path), DbLocation::Sqlite(path.into()), "{path}");
        }
    }
}
