//! `NewsService`: market news from the store, refreshed from the feeds when
//! they are older than the TTL.
//!
//! A request names a symbol (its Yahoo and Google News feeds) or none (the
//! exchange's and the configured general feeds). Feeds fetched within the
//! TTL (15 min while NSE trades, 2 h otherwise) are not fetched again;
//! older ones are refreshed first, one fetch per feed however many callers
//! ask (single flight, in a task of its own so a caller that gives up does
//! not cancel it for the others). Offline, under replay (`as_of`), or when a
//! refresh fails, the store answers alone and the freshness block says why.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::{BoxFuture, Shared, join_all};

use super::ServiceError;
use super::range::{Bound, parse_bound};
use crate::calendar::Exchange;
use crate::clock::SharedClock;
use crate::directory::Directory;
use crate::news::{
    Article, DEFAULT_LIMIT, Feed, MAX_LIMIT, NewsArticle, NewsConfig, NewsFreshness, NewsOutput,
    SearchWords, UNTRUSTED_NOTICE, ist_rfc3339, parse_feed, search_words,
};
use crate::store::{
    BarStore, FeedFetchRow, FeedState, FetchStatus, LinkKind, NewsItem, NewsSearch, StoredArticle,
};
use crate::upstream::{FeedBody, FeedClient};

/// Longest `source` filter accepted.
const MAX_SOURCE_CHARS: usize = 200;

/// A news request as the tool passes it on.
#[derive(Debug, Clone, Default)]
pub struct NewsRequest {
    pub symbol: Option<String>,
    /// Words to search for (never FTS syntax).
    pub query: Option<String>,
    /// `YYYY-MM-DD` (IST) or RFC 3339.
    pub since: Option<String>,
    /// The publisher, as results show it.
    pub source: Option<String>,
    /// Default 10, at most 50.
    pub limit: Option<usize>,
    /// Replay: only articles published before this, and no feed fetched.
    pub as_of: Option<DateTime<Utc>>,
}

/// What one feed refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRefresh {
    pub feed: String,
    /// False when another caller's fetch had just made it fresh.
    pub fetched: bool,
    pub items: usize,
    pub new_items: usize,
}

type RefreshResult = Result<FeedRefresh, String>;
type Flight = Shared<BoxFuture<'static, RefreshResult>>;

/// Read-through access to news. Cheap to clone.
#[derive(Debug, Clone)]
pub struct NewsService {
    inner: Arc<Inner>,
}

struct Inner {
    store: BarStore,
    client: FeedClient,
    clock: SharedClock,
    config: NewsConfig,
    flights: Mutex<HashMap<String, Flight>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewsService")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The one question news asks the calendar: is NSE trading at `now`?
fn market_open(now: DateTime<Utc>) -> bool {
    // Special sessions count as open; unknown hours as closed.
    Exchange::Nse.calendar().is_open(now) == Some(true)
}

/// A request checked and turned into feeds and a store search.
struct Plan {
    feeds: Vec<Feed>,
    symbol: Option<String>,
    words: Option<SearchWords>,
    since: Option<i64>,
    source: Option<String>,
    limit: usize,
}

/// The feeds of one symbol, and the symbol its articles are linked to.
fn symbol_feeds(input: &str) -> Result<(String, Vec<Feed>), ServiceError> {
    let (symbol, ticker, company) = match Directory::get().lookup(input) {
        Some(listing) => (
            listing.symbol.clone(),
            listing.yahoo.clone(),
            company_name(&listing.name),
        ),
        None => {
            let resolved = crate::symbol::resolve(input, None)
                .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
            let bare = resolved
                .yahoo
                .trim_end_matches(".NS")
                .trim_end_matches(".BO")
                .to_string();
            (bare.clone(), resolved.yahoo, bare)
        }
    };
    let feeds = vec![
        Feed::Yahoo {
            symbol: symbol.clone(),
            ticker,
        },
        Feed::GoogleNews {
            symbol: symbol.clone(),
            company,
        },
    ];
    Ok((symbol, feeds))
}

/// A company's name as a news search would write it.
fn company_name(name: &str) -> String {
    let name = name.strip_prefix("The ").unwrap_or(name);
    name.strip_suffix(" Limited").unwrap_or(name).to_string()
}

fn epoch(bound: Bound) -> i64 {
    match bound {
        Bound::Instant(t) => t.timestamp(),
        Bound::Date(d) => crate::model::local_midnight(chrono_tz::Asia::Kolkata, d),
    }
}

impl NewsService {
    pub fn new(
        store: BarStore,
        client: FeedClient,
        clock: SharedClock,
        config: NewsConfig,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                client,
                clock,
                config,
                flights: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn config(&self) -> &NewsConfig {
        &self.inner.config
    }

    /// How long fetched feeds stay fresh at `now`.
    fn ttl_secs(&self, now: DateTime<Utc>) -> i64 {
        let ttl = if market_open(now) {
            self.inner.config.ttl_open
        } else {
            self.inner.config.ttl_closed
        };
        ttl.as_secs() as i64
    }

    fn plan(&self, req: &NewsRequest) -> Result<Plan, ServiceError> {
        let limit = req.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ServiceError::BadRequest(format!(
                "limit {limit} is out of range; use 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})"
            )));
        }
        let words = match req
            .query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
        {
            Some(q) => Some(search_words(q).map_err(ServiceError::BadRequest)?),
            None => None,
        };
        let since = match req
            .since
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(epoch(parse_bound("since", s)?)),
            None => None,
        };
        let source = req
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(s) = source.filter(|s| s.chars().count() > MAX_SOURCE_CHARS) {
            return Err(ServiceError::BadRequest(format!(
                "source is {} characters long; give a publisher's name as results show it (at most {MAX_SOURCE_CHARS})",
                s.chars().count()
            )));
        }
        let (symbol, feeds) = match req
            .symbol
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => {
                let (symbol, feeds) = symbol_feeds(s)?;
                (Some(symbol), feeds)
            }
            None => (None, self.inner.config.market_feeds()),
        };
        Ok(Plan {
            feeds,
            symbol,
            words,
            since,
            source: source.map(str::to_string),
            limit,
        })
    }

    /// News for `req`, refreshing its feeds first when they are due.
    pub async fn get(&self, req: &NewsRequest) -> Result<NewsOutput, ServiceError> {
        let plan = self.plan(req)?;
        let keys: Vec<String> = plan.feeds.iter().map(Feed::key).collect();
        let mut notes = Vec::new();
        let mut problems = Vec::new();
        let mut fetched = false;
        if let Some(t) = req.as_of {
            notes.push(format!(
                "replay as of {}: only articles published before then; no feed was fetched",
                ist_rfc3339(t.timestamp())
            ));
        } else if self.inner.client.http().offline() {
            let now = self.inner.clock.now().timestamp();
            let ttl = self.ttl_secs(self.inner.clock.now());
            let states = self.inner.store.feed_states(&keys).await?;
            let old = keys.iter().any(|k| {
                states
                    .get(k)
                    .and_then(|s| s.last_success_at)
                    .is_none_or(|at| at < now - ttl)
            });
            if old {
                problems
                    .push("offline mode: feeds are not fetched; serving stored news".to_string());
            }
        } else {
            let (ok, failed) = self.refresh_due(&plan.feeds).await?;
            fetched = ok > 0;
            problems.extend(failed);
        }
        let states = self.inner.store.feed_states(&keys).await?;
        if plan.feeds.is_empty() {
            notes.push(
                "no market-wide feeds are configured (news NSE feeds and general feeds are both empty)"
                    .to_string(),
            );
        }
        let search = NewsSearch {
            words: plan.words.as_ref(),
            symbol: plan.symbol.as_deref(),
            market_wide: plan.symbol.is_none() && plan.words.is_none(),
            since: plan.since,
            before: req.as_of.map(|t| t.timestamp()),
            source: plan.source.as_deref(),
            limit: plan.limit,
        };
        let stored = self.inner.store.search_news(&search).await?;
        if stored.is_empty() {
            notes.extend(self.explain_empty(&plan, &keys, &states, req.as_of).await?);
        }
        let articles: Vec<NewsArticle> = stored.into_iter().map(to_article).collect();
        let fetched_at = keys
            .iter()
            .filter_map(|k| states.get(k).and_then(|s| s.last_success_at))
            .max();
        Ok(NewsOutput {
            untrusted_content: true,
            notice: UNTRUSTED_NOTICE.to_string(),
            count: articles.len(),
            articles,
            freshness: NewsFreshness {
                source: if fetched { "upstream" } else { "store" }.to_string(),
                fetched_at: fetched_at.map(ist_rfc3339),
                stale: !problems.is_empty(),
                stale_reason: (!problems.is_empty()).then(|| problems.join("; ")),
            },
            notes,
        })
    }

    /// Refreshes the feeds of `feeds` that are due; returns how many
    /// refreshed and what is wrong with the others (failed now, or failed
    /// recently and left alone until the retry delay passes).
    async fn refresh_due(&self, feeds: &[Feed]) -> Result<(usize, Vec<String>), ServiceError> {
        let now = self.inner.clock.now();
        let ttl = self.ttl_secs(now);
        let retry_after = self.inner.config.retry_failed_after.as_secs() as i64;
        let now = now.timestamp();
        let keys: Vec<String> = feeds.iter().map(Feed::key).collect();
        let states = self.inner.store.feed_states(&keys).await?;
        let mut problems = Vec::new();
        let mut due = Vec::new();
        for feed in feeds {
            let key = feed.key();
            match states.get(&key) {
                Some(s) if s.last_success_at.is_some_and(|at| at >= now - ttl) => {}
                Some(s)
                    if s.last_status == FetchStatus::Failed && s.last_at >= now - retry_after =>
                {
                    problems.push(format!(
                        "{key} failed {} s ago ({}); next try after {retry_after} s",
                        now - s.last_at,
                        s.last_error.as_deref().unwrap_or("no detail")
                    ));
                }
                _ => due.push(feed),
            }
        }
        let fresh_after = Some(now - ttl);
        let results = join_all(due.iter().map(|f| self.refresh_older(f, fresh_after))).await;
        let mut ok = 0;
        for (feed, result) in due.iter().zip(results) {
            match result {
                Ok(r) => ok += usize::from(r.fetched),
                Err(e) => problems.push(format!("{}: {e}", feed.key())),
            }
        }
        Ok((ok, problems))
    }

    /// Refreshes one feed now, joining a refresh already under way.
    pub async fn refresh(&self, feed: &Feed) -> RefreshResult {
        self.refresh_older(feed, None).await
    }

    /// Refreshes `feed` unless it succeeded at or after `fresh_after`
    /// (checked again inside the single flight: a caller that read the log
    /// just before another's fetch finished does not fetch a second time).
    async fn refresh_older(&self, feed: &Feed, fresh_after: Option<i64>) -> RefreshResult {
        let key = feed.key();
        let flight = {
            let mut flights = self.inner.flights.lock().unwrap_or_else(|e| e.into_inner());
            match flights.get(&key) {
                Some(flight) => flight.clone(),
                None => {
                    let inner = self.inner.clone();
                    let feed = feed.clone();
                    let task = tokio::spawn(async move {
                        let result = refresh_feed(&inner, &feed, fresh_after).await;
                        inner
                            .flights
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .remove(&feed.key());
                        result
                    });
                    let flight = async move {
                        task.await
                            .unwrap_or_else(|e| Err(format!("the refresh task failed: {e}")))
                    }
                    .boxed()
                    .shared();
                    flights.insert(key, flight.clone());
                    flight
                }
            }
        };
        flight.await
    }

    /// Stores a feed body fetched elsewhere, as a refresh would after its
    /// fetch (parse, link, store, log); used by the ingest benchmark.
    pub async fn ingest(&self, feed: &Feed, body: &FeedBody) -> RefreshResult {
        ingest(&self.inner, feed, body, self.inner.clock.now()).await
    }

    /// For the warming scheduler: refreshes the feeds of `symbols` and the
    /// market-wide feeds that are older than the TTL. Returns each refresh
    /// attempted (a bad symbol is reported, not fatal).
    pub async fn refresh_watchlist(&self, symbols: &[String]) -> Vec<(String, RefreshResult)> {
        let mut out = Vec::new();
        if self.inner.client.http().offline() {
            return out;
        }
        let mut feeds = self.inner.config.market_feeds();
        for symbol in symbols {
            match symbol_feeds(symbol) {
                Ok((_, f)) => feeds.extend(f),
                Err(e) => out.push((symbol.clone(), Err(e.to_string()))),
            }
        }
        let now = self.inner.clock.now();
        let ttl = self.ttl_secs(now);
        let keys: Vec<String> = feeds.iter().map(Feed::key).collect();
        let states = match self.inner.store.feed_states(&keys).await {
            Ok(s) => s,
            Err(e) => {
                out.push(("store".to_string(), Err(e.to_string())));
                return out;
            }
        };
        let due: Vec<&Feed> = feeds
            .iter()
            .filter(|f| {
                states
                    .get(&f.key())
                    .and_then(|s| s.last_success_at)
                    .is_none_or(|at| at < now.timestamp() - ttl)
            })
            .collect();
        let fresh_after = Some(now.timestamp() - ttl);
        let results = join_all(due.iter().map(|f| self.refresh_older(f, fresh_after))).await;
        out.extend(due.iter().map(|f| f.key()).zip(results));
        out
    }

    /// Why nothing matched: what each feed did, and whether anything is stored.
    async fn explain_empty(
        &self,
        plan: &Plan,
        keys: &[String],
        states: &HashMap<String, FeedState>,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Vec<String>, ServiceError> {
        let mut notes = Vec::new();
        for key in keys {
            notes.push(match states.get(key) {
                None => format!("{key} has never been fetched"),
                Some(s) => match s.last_status {
                    FetchStatus::Failed => format!(
                        "{key} failed at {}: {}",
                        ist_rfc3339(s.last_at),
                        s.last_error.as_deref().unwrap_or("no detail")
                    ),
                    FetchStatus::Empty => {
                        format!("{key} returned no articles at {}", ist_rfc3339(s.last_at))
                    }
                    FetchStatus::Ok => format!(
                        "{key} returned {} article(s) at {}",
                        s.last_items,
                        ist_rfc3339(s.last_at)
                    ),
                },
            });
        }
        let stored = self
            .inner
            .store
            .count_news(plan.symbol.as_deref(), as_of.map(|t| t.timestamp()))
            .await?;
        let about = plan
            .symbol
            .as_deref()
            .map_or(String::new(), |s| format!(" about {s}"));
        notes.push(if stored > 0 {
            format!("{stored} stored article(s){about}, none matching the filters")
        } else {
            format!("no stored articles{about}")
        });
        Ok(notes)
    }
}

fn to_article(a: StoredArticle) -> NewsArticle {
    NewsArticle {
        title: a.title,
        source: a.source,
        published_at: ist_rfc3339(a.published_at),
        date_estimated: a.date_estimated,
        url: a.url,
        summary: a.summary,
        symbols: a.symbols,
    }
}

/// An article with its links: to the feed's symbol, and to every symbol its
/// text names.
fn linked(article: Article, feed: &Feed) -> NewsItem {
    let mut links: Vec<(String, LinkKind)> = Vec::new();
    if let Some(symbol) = feed.symbol() {
        links.push((symbol.to_string(), LinkKind::Feed));
    }
    let text = format!("{} {}", article.title, article.summary);
    for listing in Directory::get().mentions(&text) {
        if !links.iter().any(|(s, _)| *s == listing.symbol) {
            links.push((listing.symbol.clone(), LinkKind::Text));
        }
    }
    NewsItem { article, links }
}

/// Fetches, parses, links and stores one feed, logging the fetch.
async fn refresh_feed(inner: &Inner, feed: &Feed, fresh_after: Option<i64>) -> RefreshResult {
    let now = inner.clock.now();
    let key = feed.key();
    if let Some(after) = fresh_after {
        let states = inner
            .store
            .feed_states(std::slice::from_ref(&key))
            .await
            .map_err(|e| format!("the local store failed: {e}"))?;
        if let Some(s) = states
            .get(&key)
            .filter(|s| s.last_success_at.is_some_and(|at| at >= after))
        {
            return Ok(FeedRefresh {
                feed: key,
                fetched: false,
                items: s.last_items as usize,
                new_items: 0,
            });
        }
    }
    match inner.client.fetch(feed).await {
        Ok(body) => ingest(inner, feed, &body, now).await,
        Err(e) => {
            let message = e.to_string();
            log_failure(inner, &key, now, &message).await;
            Err(message)
        }
    }
}

/// The part of a refresh after the fetch: parse, link, store, log.
async fn ingest(inner: &Inner, feed: &Feed, body: &FeedBody, now: DateTime<Utc>) -> RefreshResult {
    let key = feed.key();
    let parsed = match parse_feed(&body.body, feed, inner.config.max_items_per_feed, now) {
        Ok(parsed) => parsed,
        Err(e) => {
            inner.client.report_unreadable(feed).await;
            let message = e.to_string();
            log_failure(inner, &key, now, &message).await;
            return Err(message);
        }
    };
    let mut issues = Vec::new();
    if body.truncated {
        issues.push(format!(
            "cut at {} bytes; items after the cut were not read",
            inner.config.max_feed_bytes
        ));
    }
    if parsed.bad_items > 0 {
        issues.push(format!("{} unreadable item(s) skipped", parsed.bad_items));
    }
    if parsed.over_cap > 0 {
        issues.push(format!(
            "{} item(s) beyond the cap of {} not read",
            parsed.over_cap, inner.config.max_items_per_feed
        ));
    }
    let items: Vec<NewsItem> = parsed
        .articles
        .into_iter()
        .map(|a| linked(a, feed))
        .collect();
    let row = FeedFetchRow {
        feed: key.clone(),
        at: now.timestamp(),
        status: if items.is_empty() {
            FetchStatus::Empty
        } else {
            FetchStatus::Ok
        },
        items: items.len() as i64,
        error: (!issues.is_empty()).then(|| issues.join("; ")),
    };
    if !issues.is_empty() {
        tracing::info!(feed = %key, issues = %issues.join("; "), "feed read in part");
    }
    let new_items = inner
        .store
        .save_feed(&row, &items, feed.is_market_wide(), now.timestamp())
        .await
        .map_err(|e| format!("the local store failed: {e}"))?;
    tracing::debug!(feed = %key, items = items.len(), new_items, "feed refreshed");
    Ok(FeedRefresh {
        feed: key,
        fetched: true,
        items: items.len(),
        new_items,
    })
}

async fn log_failure(inner: &Inner, feed: &str, at: DateTime<Utc>, error: &str) {
    tracing::warn!(feed, error, "feed fetch failed");
    let row = FeedFetchRow {
        feed: feed.to_string(),
        at: at.timestamp(),
        status: FetchStatus::Failed,
        items: 0,
        error: Some(error.to_string()),
    };
    if let Err(e) = inner.store.record_feed_fetch(&row).await {
        tracing::error!(error = %e, "cannot record feed fetch");
    }
}
