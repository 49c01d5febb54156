//! Market news: which feeds exist, how an item becomes an article, how a
//! user's words become a search, and what an answer looks like. Pure code.
//!
//! Fetching is [`crate::upstream::FeedClient`]'s, storing is
//! [`crate::store`]'s, and [`crate::service::NewsService`] ties them
//! together as a read-through cache.

mod feed;
mod parse;
mod query;
mod result;
mod text;

use std::time::Duration;

pub use feed::Feed;
pub use parse::{Article, ParsedFeed, parse_feed};
pub use query::{MAX_QUERY_WORDS, fts_query};
pub use result::{
    NewsArticle, NewsFreshness, NewsOutput, UNTRUSTED_NOTICE, ist_rfc3339, render_text,
};
pub use text::{SUMMARY_MAX_CHARS, clean_text, dedup_key, stable_id};

/// Where the news comes from and how long it stays fresh.
#[derive(Debug, Clone, PartialEq)]
pub struct NewsConfig {
    /// Base of Yahoo Finance's per-symbol headline RSS.
    pub yahoo_url: String,
    /// Base of Google News' RSS search.
    pub google_url: String,
    /// Base of NSE's RSS archive (`{nse_url}/content/RSS/*.xml`).
    pub nse_url: String,
    /// The exchange feeds read for market-wide news, under `{nse_url}/content/RSS/`.
    pub nse_feeds: Vec<String>,
    /// General market feeds (RSS or Atom) the user chose; none by default,
    /// since many publishers' terms forbid automated aggregation.
    pub feeds: Vec<String>,
    /// How long fetched feeds are served without refetching while NSE is open.
    pub ttl_open: Duration,
    /// ... and while it is closed.
    pub ttl_closed: Duration,
    /// How long after a failed fetch the feed is left alone (stale answers
    /// are served meanwhile), so a dead feed is not hammered per request.
    pub retry_failed_after: Duration,
    /// Bytes read of one feed; the rest is never downloaded.
    pub max_feed_bytes: usize,
    /// Items taken from one feed.
    pub max_items_per_feed: usize,
}

impl Default for NewsConfig {
    fn default() -> Self {
        Self {
            yahoo_url: "https://feeds.finance.yahoo.com".into(),
            google_url: "https://news.google.com".into(),
            nse_url: "https://nsearchives.nseindia.com".into(),
            nse_feeds: vec![
                "Online_announcements.xml".into(),
                "Financial_Results.xml".into(),
                "Corporate_action.xml".into(),
            ],
            feeds: Vec::new(),
            ttl_open: Duration::from_secs(900),
            ttl_closed: Duration::from_secs(7200),
            retry_failed_after: Duration::from_secs(60),
            max_feed_bytes: 5 * 1024 * 1024,
            max_items_per_feed: 200,
        }
    }
}

impl NewsConfig {
    /// The market-wide feeds: the exchange's, then the general ones.
    pub fn market_feeds(&self) -> Vec<Feed> {
        self.nse_feeds
            .iter()
            .map(|file| Feed::Nse { file: file.clone() })
            .chain(
                self.feeds
                    .iter()
                    .map(|url| Feed::General { url: url.clone() }),
            )
            .collect()
    }
}

/// Default `limit` of a news request.
pub const DEFAULT_LIMIT: usize = 10;
/// Largest `limit` of a news request.
pub const MAX_LIMIT: usize = 50;
