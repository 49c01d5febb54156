//! The `Host` check rmcp applies to `/mcp`, for the routes in front of it
//! or beside it (the fast path, `/metrics`): the same allowed list from the
//! same `StreamableHttpServerConfig`, normalised the way rmcp does.

use axum::http::uri::Authority;
use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;

/// `Host` values rmcp accepts (empty: any), as (host, port).
#[derive(Debug, Clone)]
pub struct AllowedHosts(Vec<(String, Option<u16>)>);

impl AllowedHosts {
    pub fn of(config: &StreamableHttpServerConfig) -> AllowedHosts {
        AllowedHosts(
            config
                .allowed_hosts
                .iter()
                .map(|h| h.trim())
                .filter(|h| !h.is_empty())
                .map(|h| match Authority::try_from(h) {
                    Ok(a) => (normalize_host(a.host()), a.port_u16()),
                    Err(_) => (normalize_host(h), None),
                })
                .collect(),
        )
    }

    /// Whether rmcp would accept this `Host` (an allowed host, with the
    /// allowed port when the entry names one).
    pub fn allows(&self, host: &str) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let Ok(authority) = Authority::try_from(host) else {
            return false;
        };
        let (name, port) = (normalize_host(authority.host()), authority.port_u16());
        self.0
            .iter()
            .any(|(h, p)| *h == name && p.is_none_or(|p| Some(p) == port))
    }
}

/// `[::1]` and `::1`, `LOCALHOST` and `localhost` are one host.
fn normalize_host(host: &str) -> String {
    host.trim_matches('[')
        .trim_matches(']')
        .to_ascii_lowercase()
}
