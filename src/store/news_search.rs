//! Reading stored news: word search (FTS5 on SQLite, `tsvector` on
//! PostgreSQL), filters, counts and the feed log's latest word per feed.

use std::collections::HashMap;

use sqlx::{Database, QueryBuilder, Row};

use super::backend::{Backend, on_pool};
use super::news::{FetchStatus, push_in_list};
use super::{BarStore, StoreError};
use crate::news::SearchWords;

/// What the log says about one feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedState {
    /// The last fetch that got an answer (`ok` or `empty`).
    pub last_success_at: Option<i64>,
    pub last_at: i64,
    pub last_status: FetchStatus,
    pub last_items: i64,
    pub last_error: Option<String>,
}

/// A search over stored news. Every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct NewsSearch<'a> {
    /// The words every article must contain.
    pub words: Option<&'a SearchWords>,
    pub symbol: Option<&'a str>,
    /// Only articles the market-wide feeds carried.
    pub market_wide: bool,
    /// `published_at >= since`.
    pub since: Option<i64>,
    /// `published_at < before` (replay).
    pub before: Option<i64>,
    /// The publisher, case-insensitive.
    pub source: Option<&'a str>,
    pub limit: usize,
}

/// An article as stored, with the symbols linked to it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredArticle {
    /// The row number (`news.id`), not the stable id.
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub url: String,
    pub source: String,
    pub published_at: i64,
    pub date_estimated: bool,
    pub fetched_at: i64,
    pub symbols: Vec<String>,
}

/// How much news the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct NewsCounts {
    pub articles: i64,
    pub symbol_links: i64,
    pub feed_fetches: i64,
}

impl BarStore {
    /// The log's latest word on each of `feeds` (absent: never fetched).
    pub async fn feed_states(
        &self,
        feeds: &[String],
    ) -> Result<HashMap<String, FeedState>, StoreError> {
        let mut states = HashMap::new();
        if feeds.is_empty() {
            return Ok(states);
        }
        on_pool!(&self.backend, |pool| {
            let mut q = QueryBuilder::new(
            "SELECT f.feed, f.at, f.status, f.items, f.error,
                    (SELECT max(at) FROM feed_fetches s WHERE s.feed = f.feed AND s.status != 'failed')
             FROM feed_fetches f
             WHERE f.id = (SELECT id FROM feed_fetches l WHERE l.feed = f.feed ORDER BY at DESC, id DESC LIMIT 1)
               AND f.feed IN ",
        );
            push_in_list(&mut q, feeds);
            for row in q.build().fetch_all(pool).await? {
                let status: String = row.try_get(2)?;
                states.insert(
                    row.try_get(0)?,
                    FeedState {
                        last_at: row.try_get(1)?,
                        last_status: FetchStatus::parse(&status),
                        last_items: row.try_get(3)?,
                        last_error: row.try_get(4)?,
                        last_success_at: row.try_get(5)?,
                    },
                );
            }
            Ok(states)
        })
    }

    /// Stored articles matching `search`: by relevance, then recency, when
    /// it has words; newest first otherwise.
    pub async fn search_news(
        &self,
        search: &NewsSearch<'_>,
    ) -> Result<Vec<StoredArticle>, StoreError> {
        on_pool!(&self.backend, |pool| {
            let mut q = QueryBuilder::new(
                "SELECT n.id, n.title, n.summary, n.url, n.source, n.published_at, n.date_estimated,
                        n.fetched_at FROM ",
            );
            // The one part written per backend: how words match and rank.
            let postgres = matches!(self.backend, Backend::Postgres(_));
            match search.words {
                Some(words) if postgres => {
                    q.push("news n, plainto_tsquery('simple', ");
                    q.push_bind(words.plain());
                    q.push(") query WHERE n.search @@ query");
                }
                Some(words) => {
                    q.push("news_fts JOIN news n ON n.id = news_fts.rowid WHERE news_fts MATCH ");
                    q.push_bind(words.fts5());
                }
                None => {
                    q.push("news n WHERE TRUE");
                }
            }
            push_filters(&mut q, search.symbol, search.before);
            if search.market_wide {
                q.push(" AND n.market_wide = TRUE");
            }
            if let Some(since) = search.since {
                q.push(" AND n.published_at >= ");
                q.push_bind(since);
            }
            if let Some(source) = search.source {
                q.push(" AND lower(n.source) = lower(");
                q.push_bind(source);
                q.push(")");
            }
            // Title words weigh three times summary words: FTS5's bm25
            // weights its columns so (lower ranks first); PostgreSQL weighs
            // the title's A against the summary's B (higher ranks first).
            match search.words {
                Some(_) if postgres => q.push(
                    " ORDER BY ts_rank('{0, 0, 0.333333, 1}', n.search, query) DESC, n.published_at DESC, n.id",
                ),
                Some(_) => q.push(" ORDER BY bm25(news_fts, 3.0, 1.0), n.published_at DESC, n.id"),
                None => q.push(" ORDER BY n.published_at DESC, n.id"),
            };
            q.push(" LIMIT ");
            q.push_bind(search.limit as i64);
            let rows = q.build().fetch_all(pool).await?;
            let mut articles = rows
                .iter()
                .map(|r| {
                    Ok(StoredArticle {
                        id: r.try_get(0)?,
                        title: r.try_get(1)?,
                        summary: r.try_get(2)?,
                        url: r.try_get(3)?,
                        source: r.try_get(4)?,
                        published_at: r.try_get(5)?,
                        date_estimated: r.try_get(6)?,
                        fetched_at: r.try_get(7)?,
                        symbols: Vec::new(),
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            if articles.is_empty() {
                return Ok(articles);
            }
            let mut q =
                QueryBuilder::new("SELECT news_id, symbol FROM news_symbols WHERE news_id IN ");
            push_in_list(&mut q, articles.iter().map(|a| a.id));
            q.push(" ORDER BY symbol");
            let mut symbols: HashMap<i64, Vec<String>> = HashMap::new();
            for row in q.build().fetch_all(pool).await? {
                symbols
                    .entry(row.try_get(0)?)
                    .or_default()
                    .push(row.try_get(1)?);
            }
            for a in &mut articles {
                a.symbols = symbols.remove(&a.id).unwrap_or_default();
            }
            Ok(articles)
        })
    }

    /// Stored articles published before `before` (all when `None`), and
    /// those linked to `symbol` when given: to explain an empty answer.
    pub async fn count_news(
        &self,
        symbol: Option<&str>,
        before: Option<i64>,
    ) -> Result<i64, StoreError> {
        on_pool!(&self.backend, |pool| {
            let mut q = QueryBuilder::new("SELECT COUNT(*) FROM news n WHERE TRUE");
            push_filters(&mut q, symbol, before);
            Ok(q.build().fetch_one(pool).await?.try_get(0)?)
        })
    }

    pub async fn news_counts(&self) -> Result<NewsCounts, StoreError> {
        let (articles, symbol_links, feed_fetches): (i64, i64, i64) =
            on_pool!(&self.backend, |pool| {
                sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM news), (SELECT COUNT(*) FROM news_symbols),
                            (SELECT COUNT(*) FROM feed_fetches)",
                )
                .fetch_one(pool)
                .await?
            });
        Ok(NewsCounts {
            articles,
            symbol_links,
            feed_fetches,
        })
    }

    /// Whether the store can search words: on SQLite, whether the linked
    /// library was compiled with FTS5; PostgreSQL always can.
    pub async fn can_search_words(&self) -> Result<bool, StoreError> {
        let Backend::Sqlite(sqlite) = &self.backend else {
            return Ok(true);
        };
        let on: i64 = sqlx::query_scalar("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
            .fetch_one(&sqlite.pool)
            .await?;
        Ok(on == 1)
    }
}

/// The filters a search and a count share: linked to `symbol`, published
/// before `before`.
fn push_filters<DB: Database>(q: &mut QueryBuilder<DB>, symbol: Option<&str>, before: Option<i64>)
where
    for<'t> &'t str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if let Some(symbol) = symbol {
        q.push(" AND n.id IN (SELECT news_id FROM news_symbols WHERE symbol = ");
        q.push_bind(symbol);
        q.push(")");
    }
    if let Some(before) = before {
        q.push(" AND n.published_at < ");
        q.push_bind(before);
    }
}
