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
pub use query::{MAX_QUERY_WORDS, SearchWords, search_words};
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
    /// Base of BSE's XML feeds (`{bse_url}/data/xml/*.xml`).
    pub bse_url: String,
    /// BSE's feeds read for market-wide news, under `{bse_url}/data/xml/`.
    pub bse_feeds: Vec<String>,
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

/// The NSE RSS files read for market-wide news (announcements, results,
/// corporate actions), under `{nse_url}/content/RSS/`.
pub const NSE_FEEDS: [&str; 3] = [
    "Online_announcements.xml",
    "Financial_Results.xml",
    "Corporate_action.xml",
];
/// The BSE XML files read for market-wide news (notices and corporate
/// announcements), under `{bse_url}/data/xml/`.
pub const BSE_FEEDS: [&str; 1] = ["notices.xml"];
/// How long after a failed fetch a feed is left alone.
pub const RETRY_FAILED_AFTER: Duration = Duration::from_secs(60);
/// Bytes read of one feed at most.
pub const MAX_FEED_BYTES: usize = 5 * 1024 * 1024;
/// Items taken from one feed at most.
pub const MAX_ITEMS_PER_FEED: usize = 200;

impl Default for NewsConfig {
    /// The configuration of the default settings (`crate::config`).
    fn default() -> Self {
        crate::config::Settings::default().news()
    }
}

impl NewsConfig {
    /// The market-wide feeds: the exchange's, then the general ones.
    pub fn market_feeds(&self) -> Vec<Feed> {
        self.nse_feeds
            .iter()
            .map(|file| Feed::Nse { file: file.clone() })
            .chain(
                self.bse_feeds
                    .iter()
                    .map(|file| Feed::Bse { file: file.clone() }),
            )
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
