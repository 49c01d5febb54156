//! News feeds over the shared [`HttpUpstream`]: the same rate limit, retries
//! and per-host breaker as the chart API, so one dead feed host never
//! blocks the others. Bodies are streamed and cut at a byte cap.

use std::sync::Arc;

use reqwest::Url;

use super::UpstreamError;
use super::http::{HttpUpstream, host_label};
use crate::news::{Feed, NewsConfig};

/// A feed's bytes as fetched.
#[derive(Debug, Clone)]
pub struct FeedBody {
    pub body: Vec<u8>,
    /// Cut at the byte cap; whole items before the cut are still readable.
    pub truncated: bool,
}

/// Builds feed URLs from the configured bases and fetches them.
#[derive(Debug, Clone)]
pub struct FeedClient {
    http: Arc<HttpUpstream>,
    yahoo: Url,
    google: Url,
    nse: Url,
    bse: Url,
    max_bytes: usize,
}

fn base(url: &str) -> Result<Url, UpstreamError> {
    let parsed = Url::parse(url.trim().trim_end_matches('/'))
        .map_err(|e| UpstreamError::BadUrl(format!("{url}: {e}")))?;
    if parsed.cannot_be_a_base() || !matches!(parsed.scheme(), "http" | "https") {
        return Err(UpstreamError::BadUrl(format!(
            "{url}: not an http(s) base URL"
        )));
    }
    Ok(parsed)
}

fn with_path(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

impl FeedClient {
    /// Checks every base URL and general feed URL up front.
    pub fn new(http: Arc<HttpUpstream>, config: &NewsConfig) -> Result<Self, UpstreamError> {
        for feed in &config.feeds {
            base(feed)?;
        }
        Ok(Self {
            http,
            yahoo: base(&config.yahoo_url)?,
            google: base(&config.google_url)?,
            nse: base(&config.nse_url)?,
            bse: base(&config.bse_url)?,
            max_bytes: config.max_feed_bytes,
        })
    }

    pub fn http(&self) -> &Arc<HttpUpstream> {
        &self.http
    }

    /// Where `feed` is read from.
    pub fn url(&self, feed: &Feed) -> Result<Url, UpstreamError> {
        Ok(match feed {
            Feed::Yahoo { ticker, .. } => {
                let mut url = with_path(&self.yahoo, &["rss", "2.0", "headline"]);
                url.query_pairs_mut()
                    .append_pair("s", ticker)
                    .append_pair("region", "IN")
                    .append_pair("lang", "en-IN");
                url
            }
            Feed::GoogleNews { company, .. } => {
                let mut url = with_path(&self.google, &["rss", "search"]);
                url.query_pairs_mut()
                    .append_pair("q", &format!("{company} NSE"))
                    .append_pair("hl", "en-IN")
                    .append_pair("gl", "IN")
                    .append_pair("ceid", "IN:en");
                url
            }
            Feed::Nse { file } => with_path(&self.nse, &["content", "RSS", file]),
            Feed::Bse { file } => with_path(&self.bse, &["data", "xml", file]),
            Feed::General { url } => base(url)?,
        })
    }

    /// Fetches `feed`; any answer but 2xx is an error.
    pub async fn fetch(&self, feed: &Feed) -> Result<FeedBody, UpstreamError> {
        let url = self.url(feed)?;
        let answer = self
            .http
            .get_capped(&url, feed.symbol(), self.max_bytes)
            .await?;
        if !(200..300).contains(&answer.status) {
            return Err(UpstreamError::Status {
                host: host_label(&url),
                status: answer.status,
                attempts: 1,
            });
        }
        Ok(FeedBody {
            body: answer.body,
            truncated: answer.truncated,
        })
    }

    /// Reports that a 2xx body from `feed` was not a feed at all: the host
    /// is misbehaving, which counts against its breaker.
    pub async fn report_unreadable(&self, feed: &Feed) {
        if let Ok(url) = self.url(feed) {
            self.http.report_malformed(&url).await;
        }
    }
}
