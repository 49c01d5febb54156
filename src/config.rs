//! Configuration: command-line flags, then `TRADING_MCP_*` environment
//! variables, then an optional TOML file (`--config`), then defaults.
//!
//! clap reads flags and the environment; [`FileSettings`] fills whatever
//! both left unset.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use clap::builder::BoolishValueParser;
use serde::Deserialize;

use crate::service::ServiceConfig;
use crate::upstream::{BreakerConfig, RetryPolicy, UpstreamConfig};

pub const DEFAULT_DB: &str = "data/trading-mcp.db";
pub const DEFAULT_YAHOO_URL: &str = "https://query1.finance.yahoo.com";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8765";

/// Every tunable, as flags (each also read from its environment variable).
#[derive(Debug, Clone, Default, Args)]
pub struct Settings {
    /// TOML file with any of the settings below (flags and env win over it).
    #[arg(long, env = "TRADING_MCP_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// SQLite database file; created with its schema on first run.
    #[arg(long, env = "TRADING_MCP_DB", global = true)]
    pub db: Option<PathBuf>,
    /// Base URL of the Yahoo Finance chart API.
    #[arg(long, env = "TRADING_MCP_YAHOO_URL", global = true)]
    pub yahoo_url: Option<String>,
    /// Never contact any upstream: answer from the store only.
    #[arg(long, env = "TRADING_MCP_OFFLINE", global = true, num_args = 0..=1,
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub offline: Option<bool>,
    /// Log filter (tracing env-filter syntax), e.g. `info,trading_mcp=debug`.
    #[arg(long, env = "TRADING_MCP_LOG", global = true)]
    pub log: Option<String>,
    /// Pretend the process started at this RFC 3339 instant (replay, tests).
    #[arg(long, env = "TRADING_MCP_NOW", global = true)]
    pub now: Option<String>,
    /// L1 cache capacity in MiB.
    #[arg(long, env = "TRADING_MCP_CACHE_MIB", global = true)]
    pub cache_mib: Option<u64>,
    /// Seconds a series that includes the current session stays in L1.
    #[arg(long, env = "TRADING_MCP_LIVE_TTL_SECS", global = true)]
    pub live_ttl_secs: Option<u64>,
    /// Seconds an unknown-symbol answer is remembered.
    #[arg(long, env = "TRADING_MCP_NEGATIVE_TTL_SECS", global = true)]
    pub negative_ttl_secs: Option<u64>,
    /// Consecutive failures that open a host's circuit breaker.
    #[arg(long, env = "TRADING_MCP_BREAKER_FAILURES", global = true)]
    pub breaker_failures: Option<u32>,
    /// Milliseconds an open breaker rejects calls before a probe.
    #[arg(long, env = "TRADING_MCP_BREAKER_COOLDOWN_MS", global = true)]
    pub breaker_cooldown_ms: Option<u64>,
    /// Retries after the first try of an upstream call.
    #[arg(long, env = "TRADING_MCP_RETRIES", global = true)]
    pub retries: Option<u32>,
    /// First retry delay in milliseconds (doubles each retry, with jitter).
    #[arg(long, env = "TRADING_MCP_RETRY_BASE_MS", global = true)]
    pub retry_base_ms: Option<u64>,
    /// Longest retry delay in milliseconds.
    #[arg(long, env = "TRADING_MCP_RETRY_MAX_MS", global = true)]
    pub retry_max_ms: Option<u64>,
    /// Longest `Retry-After` honoured, in milliseconds.
    #[arg(long, env = "TRADING_MCP_RETRY_AFTER_MAX_MS", global = true)]
    pub retry_after_max_ms: Option<u64>,
    /// Upstream requests per second per host.
    #[arg(long, env = "TRADING_MCP_RATE_LIMIT", global = true)]
    pub rate_limit: Option<f64>,
    /// Burst size of the per-host rate limit.
    #[arg(long, env = "TRADING_MCP_RATE_BURST", global = true)]
    pub rate_burst: Option<u32>,
    /// Upstream connect timeout in milliseconds.
    #[arg(long, env = "TRADING_MCP_CONNECT_TIMEOUT_MS", global = true)]
    pub connect_timeout_ms: Option<u64>,
    /// Upstream total request timeout in milliseconds.
    #[arg(long, env = "TRADING_MCP_REQUEST_TIMEOUT_MS", global = true)]
    pub request_timeout_ms: Option<u64>,
    /// Largest `max_points` a client may ask for.
    #[arg(long, env = "TRADING_MCP_MAX_POINTS_LIMIT", global = true)]
    pub max_points_limit: Option<usize>,
    /// Answer hot chart calls over HTTP from memoised bytes (default true).
    #[arg(long, env = "TRADING_MCP_HTTP_FAST_PATH", global = true, num_args = 0..=1,
          default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub http_fast_path: Option<bool>,
}

/// The same settings as a TOML file spells them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub db: Option<PathBuf>,
    pub yahoo_url: Option<String>,
    pub offline: Option<bool>,
    pub log: Option<String>,
    pub now: Option<String>,
    pub cache_mib: Option<u64>,
    pub live_ttl_secs: Option<u64>,
    pub negative_ttl_secs: Option<u64>,
    pub breaker_failures: Option<u32>,
    pub breaker_cooldown_ms: Option<u64>,
    pub retries: Option<u32>,
    pub retry_base_ms: Option<u64>,
    pub retry_max_ms: Option<u64>,
    pub retry_after_max_ms: Option<u64>,
    pub rate_limit: Option<f64>,
    pub rate_burst: Option<u32>,
    pub connect_timeout_ms: Option<u64>,
    pub request_timeout_ms: Option<u64>,
    pub max_points_limit: Option<usize>,
    pub http_fast_path: Option<bool>,
    pub listen: Option<SocketAddr>,
}

/// Fully resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub db: PathBuf,
    pub yahoo_url: String,
    pub log: String,
    pub now: Option<DateTime<Utc>>,
    pub upstream: UpstreamConfig,
    pub service: ServiceConfig,
    pub max_points_limit: usize,
    pub http_fast_path: bool,
    pub listen: SocketAddr,
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
    /// Merges flags/env (self) over the TOML file over defaults.
    pub fn resolve(&self, listen_flag: Option<SocketAddr>) -> Result<Config, ConfigError> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        macro_rules! pick {
            ($field:ident, $default:expr) => {
                self.$field
                    .clone()
                    .or(file.$field.clone())
                    .unwrap_or($default)
            };
        }
        let now = match self.now.clone().or(file.now.clone()) {
            None => None,
            Some(s) => Some(
                DateTime::parse_from_rfc3339(s.trim())
                    .map_err(|e| ConfigError::Invalid(format!("now {s:?}: {e}; use RFC 3339")))?
                    .with_timezone(&Utc),
            ),
        };
        let rate: f64 = pick!(rate_limit, 2.0);
        if !(rate.is_finite() && rate > 0.0) {
            return Err(ConfigError::Invalid(format!(
                "rate_limit must be a positive number of requests per second, not {rate}"
            )));
        }
        let max_points_limit = pick!(max_points_limit, 20_000);
        if max_points_limit == 0 {
            return Err(ConfigError::Invalid(
                "max_points_limit must be at least 1".into(),
            ));
        }
        let upstream = UpstreamConfig {
            offline: pick!(offline, false),
            connect_timeout: Duration::from_millis(pick!(connect_timeout_ms, 5_000)),
            request_timeout: Duration::from_millis(pick!(request_timeout_ms, 20_000)),
            breaker: BreakerConfig {
                failure_threshold: pick!(breaker_failures, 5).max(1),
                cool_down: chrono::Duration::milliseconds(pick!(breaker_cooldown_ms, 30_000) as i64),
            },
            retry: RetryPolicy {
                retries: pick!(retries, 3),
                base: Duration::from_millis(pick!(retry_base_ms, 1_000)),
                max_delay: Duration::from_millis(pick!(retry_max_ms, 30_000)),
                max_retry_after: Duration::from_millis(pick!(retry_after_max_ms, 60_000)),
            },
            rate_per_sec: rate,
            burst: pick!(rate_burst, 2),
            ..UpstreamConfig::default()
        };
        let service = ServiceConfig {
            cache_bytes: pick!(cache_mib, 256).saturating_mul(1024 * 1024),
            live_ttl: Duration::from_secs(pick!(live_ttl_secs, 60)),
            negative_ttl: Duration::from_secs(pick!(negative_ttl_secs, 300)),
        };
        let listen = match listen_flag.or(file.listen) {
            Some(l) => l,
            None => DEFAULT_LISTEN
                .parse()
                .map_err(|e| ConfigError::Invalid(format!("{e}")))?,
        };
        Ok(Config {
            db: pick!(db, PathBuf::from(DEFAULT_DB)),
            yahoo_url: pick!(yahoo_url, DEFAULT_YAHOO_URL.to_string()),
            log: pick!(log, "info".to_string()),
            now,
            upstream,
            service,
            max_points_limit,
            http_fast_path: pick!(http_fast_path, true),
            listen,
        })
    }
}

fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.display().to_string(),
        source: Box::new(source),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trading-mcp.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn defaults() {
        let c = Settings::default().resolve(None).unwrap();
        assert_eq!(c.db, PathBuf::from(DEFAULT_DB));
        assert_eq!(c.yahoo_url, DEFAULT_YAHOO_URL);
        assert!(!c.upstream.offline);
        assert_eq!(c.service.cache_bytes, 256 * 1024 * 1024);
        assert_eq!(c.service.live_ttl, Duration::from_secs(60));
        assert_eq!(c.upstream.breaker.failure_threshold, 5);
        assert_eq!(c.upstream.retry.retries, 3);
        assert_eq!(c.upstream.rate_per_sec, 2.0);
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert!(c.http_fast_path);
    }

    #[test]
    fn flags_and_env_win_over_the_file() {
        let (_dir, path) = file(
            "db = \"from-file.db\"\ncache_mib = 10\noffline = true\nlisten = \"127.0.0.1:9999\"\nretries = 1\n",
        );
        let settings = Settings {
            config: Some(path),
            db: Some(PathBuf::from("from-flag.db")),
            retries: Some(7),
            ..Settings::default()
        };
        let c = settings.resolve(None).unwrap();
        assert_eq!(c.db, PathBuf::from("from-flag.db"));
        assert_eq!(c.upstream.retry.retries, 7);
        assert_eq!(c.service.cache_bytes, 10 * 1024 * 1024);
        assert!(c.upstream.offline);
        assert_eq!(c.listen.to_string(), "127.0.0.1:9999");
        let c = settings
            .resolve(Some("127.0.0.1:1".parse().unwrap()))
            .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:1");
    }

    #[test]
    fn bad_settings_are_clear_errors() {
        let (_dir, path) = file("colour = \"red\"\n");
        let err = Settings {
            config: Some(path),
            ..Settings::default()
        }
        .resolve(None)
        .unwrap_err();
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
        let err = Settings {
            now: Some("yesterday".into()),
            ..Settings::default()
        }
        .resolve(None)
        .unwrap_err();
        assert!(err.to_string().contains("RFC 3339"), "{err}");
        let err = Settings {
            rate_limit: Some(0.0),
            ..Settings::default()
        }
        .resolve(None)
        .unwrap_err();
        assert!(err.to_string().contains("rate_limit"), "{err}");
        let err = Settings {
            config: Some("/nonexistent/x.toml".into()),
            ..Settings::default()
        }
        .resolve(None)
        .unwrap_err();
        assert!(err.to_string().contains("cannot read config file"), "{err}");
    }
}
