//! News articles, their symbol links and the feed log: saving a feed.
//! Reading them back (search, counts, feed states) is `news_search.rs`.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::{Database, QueryBuilder, Row};

use super::backend::{Conn, on_conn, on_pool};
use super::{BarStore, StoreError};
use crate::news::Article;

/// Rows per multi-row statement (at most 11 columns each, far below
/// SQLite's 32,766 bound parameters).
const INSERT_CHUNK: usize = 500;

/// The advisory lock that makes news saves one at a time on PostgreSQL,
/// across instances, as SQLite's write lock does: `insert_new` numbers
/// rows from the last one.
const NEWS_WRITER_LOCK: i64 = 0x7472_6164_696e_6702;

/// Two articles with the same title and publisher published further apart
/// than this are different articles (daily columns reuse their titles).
/// The index `news_dedup` (V6) divides by the same number.
const DEDUP_WINDOW_SECS: i64 = 2 * 86_400;
const _: () = assert!(DEDUP_WINDOW_SECS == 172_800, "migration V6 indexes by it");

/// How an article was linked to a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// It came from the symbol's own feed.
    Feed,
    /// Its text names the company, an alias or the ticker.
    Text,
}

impl LinkKind {
    fn as_str(self) -> &'static str {
        match self {
            LinkKind::Feed => "feed",
            LinkKind::Text => "text",
        }
    }
}

/// An article to store, with its links.
#[derive(Debug, Clone)]
pub struct NewsItem {
    pub article: Article,
    pub links: Vec<(String, LinkKind)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchStatus {
    Ok,
    Empty,
    Failed,
}

impl FetchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FetchStatus::Ok => "ok",
            FetchStatus::Empty => "empty",
            FetchStatus::Failed => "failed",
        }
    }

    pub(super) fn parse(s: &str) -> FetchStatus {
        match s {
            "ok" => FetchStatus::Ok,
            "empty" => FetchStatus::Empty,
            _ => FetchStatus::Failed,
        }
    }
}

/// One feed fetch, for the `feed_fetches` log.
#[derive(Debug, Clone)]
pub struct FeedFetchRow {
    pub feed: String,
    pub at: i64,
    pub status: FetchStatus,
    pub items: i64,
    pub error: Option<String>,
}

impl BarStore {
    /// Stores one feed's articles and logs the fetch, all or nothing.
    /// Returns how many articles were new.
    pub async fn save_feed(
        &self,
        fetch: &FeedFetchRow,
        items: &[NewsItem],
        market_wide: bool,
        fetched_at: i64,
    ) -> Result<usize, StoreError> {
        // The write lock up front. On SQLite, a deferred transaction that
        // reads first cannot upgrade once another feed's save has committed
        // (SQLITE_BUSY_SNAPSHOT), and feeds are saved concurrently. Holding
        // it is also what lets `insert_new` number rows itself.
        let mut tx = self.backend.begin_serialized(NEWS_WRITER_LOCK).await?;
        let mut items = unique_in_batch(items);
        adopt_stored_twins(tx.conn(), &mut items).await?;
        let mut row_of = stored_rows(tx.conn(), &items).await?;
        if market_wide {
            let stored: Vec<i64> = row_of.values().copied().collect();
            mark_market_wide(tx.conn(), &stored).await?;
        }
        let new_items = insert_new(tx.conn(), &items, &mut row_of, market_wide, fetched_at).await?;
        insert_links(tx.conn(), &items, &row_of).await?;
        insert_fetch(tx.conn(), fetch, new_items as i64).await?;
        tx.commit().await?;
        Ok(new_items)
    }

    /// Logs a fetch that stored nothing (failed, or a feed with no items).
    pub async fn record_feed_fetch(&self, fetch: &FeedFetchRow) -> Result<(), StoreError> {
        on_pool!(&self.backend, |pool| {
            let mut conn = pool.acquire().await?;
            insert_fetch((&mut *conn).into(), fetch, 0).await
        })
    }
}

/// Within the batch: one item per uid and per dedup key.
fn unique_in_batch(items: &[NewsItem]) -> Vec<NewsItem> {
    let mut uids = HashSet::new();
    let mut keys = HashSet::new();
    items
        .iter()
        .filter(|i| uids.insert(i.article.id))
        .filter(|i| {
            i.article
                .dedup_key
                .as_ref()
                .is_none_or(|k| keys.insert(k.clone()))
        })
        .cloned()
        .collect()
}

/// Appends `(v1, v2, ...)` to `q`, for an `IN` list.
pub(super) fn push_in_list<'t, DB: Database, T>(
    q: &mut QueryBuilder<DB>,
    values: impl IntoIterator<Item = T>,
) where
    T: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    q.push("(");
    let mut list = q.separated(", ");
    for v in values {
        list.push_bind(v);
    }
    q.push(")");
}

/// The same title and publisher under another URL, published within the
/// dedup window, is the stored article: its uid takes over.
async fn adopt_stored_twins(conn: Conn<'_>, items: &mut [NewsItem]) -> Result<(), StoreError> {
    let known = stored_twins(conn, items).await?;
    for item in items {
        let a = &mut item.article;
        let twin = a
            .dedup_key
            .as_ref()
            .and_then(|k| known.get(k))
            .and_then(|rows| {
                rows.iter().find(|(uid, at)| {
                    *uid != a.id && (at - a.published_at).abs() <= DEDUP_WINDOW_SECS
                })
            });
        if let Some((uid, _)) = twin {
            a.id = *uid;
        }
    }
    Ok(())
}

/// The stored (uid, published_at) of each batch item's dedup key, from the
/// item's dedup period and the two beside it.
async fn stored_twins(
    conn: Conn<'_>,
    items: &[NewsItem],
) -> Result<HashMap<String, Vec<(i64, i64)>>, StoreError> {
    let mut by_period: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for a in items.iter().map(|i| &i.article) {
        if let Some(key) = a.dedup_key.as_deref() {
            by_period
                .entry(dedup_period(a.published_at))
                .or_default()
                .push(key);
        }
    }
    let mut known: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    on_conn!(conn, |conn| {
        for (period, keys) in &by_period {
            for chunk in keys.chunks(INSERT_CHUNK) {
                let mut q = twins_query("", *period, chunk);
                for row in q.build().fetch_all(&mut *conn).await? {
                    known
                        .entry(row.try_get(0)?)
                        .or_default()
                        .push((row.try_get(1)?, row.try_get(2)?));
                }
            }
        }
    });
    Ok(known)
}

/// Stored rows with one of `keys`, published in `period` or one beside
/// it, after `prefix` (the tests ask for the plan). `published_at / 172800`
/// is the expression `news_dedup` leads with (V6), so the lookup seeks the
/// index rather than scanning every key.
fn twins_query<DB: Database>(prefix: &str, period: i64, keys: &[&str]) -> QueryBuilder<DB>
where
    for<'t> &'t str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut q = QueryBuilder::new(format!(
        "{prefix}SELECT dedup_key, uid, published_at FROM news
         WHERE dedup_key IS NOT NULL AND published_at / 172800 IN "
    ));
    push_in_list(&mut q, [period - 1, period, period + 1]);
    q.push(" AND dedup_key IN ");
    push_in_list(&mut q, keys.iter().copied());
    q
}

/// The dedup period `published_at` falls in, as the index computes it
/// (SQLite's integer division, which truncates toward zero like Rust's).
/// A twin, at most one window away, is in this period or one beside it.
fn dedup_period(published_at: i64) -> i64 {
    published_at / DEDUP_WINDOW_SECS
}

/// The row numbers of the items already stored, by uid.
async fn stored_rows(conn: Conn<'_>, items: &[NewsItem]) -> Result<HashMap<i64, i64>, StoreError> {
    let mut row_of = HashMap::new();
    on_conn!(conn, |conn| {
        for chunk in items.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::new("SELECT uid, id FROM news WHERE uid IN ");
            push_in_list(&mut q, chunk.iter().map(|i| i.article.id));
            for row in q.build().fetch_all(&mut *conn).await? {
                row_of.insert(row.try_get(0)?, row.try_get(1)?);
            }
        }
    });
    Ok(row_of)
}

/// A stored article now also seen in a market-wide feed.
async fn mark_market_wide(conn: Conn<'_>, rows: &[i64]) -> Result<(), StoreError> {
    on_conn!(conn, |conn| {
        for chunk in rows.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::new(
                "UPDATE news SET market_wide = TRUE WHERE market_wide = FALSE AND id IN ",
            );
            push_in_list(&mut q, chunk.iter().copied());
            q.build().execute(&mut *conn).await?;
        }
    });
    Ok(())
}

/// Inserts the items `row_of` does not hold, numbering them on from the
/// last row (the caller holds the write lock): in arrival order they land
/// on the last pages of the table and its indexes. Adds their rows to
/// `row_of`; returns how many were inserted.
async fn insert_new(
    conn: Conn<'_>,
    items: &[NewsItem],
    row_of: &mut HashMap<i64, i64>,
    market_wide: bool,
    fetched_at: i64,
) -> Result<usize, StoreError> {
    on_conn!(conn, |conn| {
        let mut next: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM news")
            .fetch_one(&mut *conn)
            .await?;
        let mut fresh: Vec<(i64, &Article)> = Vec::new();
        for item in items {
            if let Entry::Vacant(e) = row_of.entry(item.article.id) {
                e.insert(next);
                fresh.push((next, &item.article));
                next += 1;
            }
        }
        for chunk in fresh.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::new(
                "INSERT INTO news (id, uid, title, summary, url, source, published_at,
                               date_estimated, fetched_at, market_wide, dedup_key) ",
            );
            q.push_values(chunk, |mut row, (id, a)| {
                row.push_bind(*id)
                    .push_bind(a.id)
                    .push_bind(&a.title)
                    .push_bind(&a.summary)
                    .push_bind(&a.url)
                    .push_bind(&a.source)
                    .push_bind(a.published_at)
                    .push_bind(a.date_estimated)
                    .push_bind(fetched_at)
                    .push_bind(market_wide)
                    .push_bind(&a.dedup_key);
            });
            q.build().execute(&mut *conn).await?;
        }
        Ok(fresh.len())
    })
}

/// Links every item to its symbols; a feed link replaces a text link.
async fn insert_links(
    conn: Conn<'_>,
    items: &[NewsItem],
    row_of: &HashMap<i64, i64>,
) -> Result<(), StoreError> {
    on_conn!(conn, |conn| {
        let links: Vec<(i64, &str, LinkKind)> = items
            .iter()
            .flat_map(|i| {
                let row = row_of[&i.article.id];
                i.links.iter().map(move |(s, k)| (row, s.as_str(), *k))
            })
            .collect();
        for chunk in links.chunks(INSERT_CHUNK) {
            let mut q = QueryBuilder::new("INSERT INTO news_symbols (news_id, symbol, link) ");
            q.push_values(chunk, |mut row, (id, symbol, kind)| {
                row.push_bind(*id)
                    .push_bind(*symbol)
                    .push_bind(kind.as_str());
            });
            // A feed link says more than a text link: keep it.
            q.push(
                " ON CONFLICT (symbol, news_id) DO UPDATE SET link = excluded.link
              WHERE excluded.link = 'feed'",
            );
            q.build().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

async fn insert_fetch(
    conn: Conn<'_>,
    fetch: &FeedFetchRow,
    new_items: i64,
) -> Result<(), StoreError> {
    on_conn!(conn, |conn| {
        sqlx::query(
            "INSERT INTO feed_fetches (feed, at, status, items, new_items, error)
         VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&fetch.feed)
        .bind(fetch.at)
        .bind(fetch.status.as_str())
        .bind(fetch.items)
        .bind(new_items)
        .bind(&fetch.error)
        .execute(conn)
        .await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(url: &str, published_at: i64) -> NewsItem {
        NewsItem {
            article: Article {
                id: crate::news::stable_id(url),
                title: "Infosys wins a deal".into(),
                summary: String::new(),
                url: url.into(),
                source: "Mint".into(),
                published_at,
                date_estimated: false,
                dedup_key: Some("infosys wins a deal|mint".into()),
            },
            links: Vec::new(),
        }
    }

    async fn save(store: &BarStore, item: NewsItem) -> usize {
        let fetch = FeedFetchRow {
            feed: "test".into(),
            at: 0,
            status: FetchStatus::Ok,
            items: 1,
            error: None,
        };
        store.save_feed(&fetch, &[item], false, 0).await.unwrap()
    }

    #[tokio::test]
    async fn twins_are_found_across_a_period_boundary_and_not_beyond_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let store = BarStore::open(&dir.path().join("news.db")).await.unwrap();
        let boundary = 10_000 * DEDUP_WINDOW_SECS;
        assert_eq!(
            save(&store, item("https://a.example/1", boundary - 60)).await,
            1
        );
        // Two minutes later, in the next period, under another URL: the same article.
        assert_eq!(
            save(&store, item("https://b.example/1", boundary + 60)).await,
            0
        );
        // A whole window and more after the stored one: a new article.
        let later = boundary - 60 + DEDUP_WINDOW_SECS + 1;
        assert_eq!(save(&store, item("https://c.example/1", later)).await, 1);
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM news")
            .fetch_one(&store.sqlite().pool)
            .await
            .unwrap();
        assert_eq!(count, 2);
    }

    #[tokio::test]
    async fn the_twin_lookup_seeks_the_period_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = BarStore::open(&dir.path().join("news.db")).await.unwrap();
        let mut q = twins_query("EXPLAIN QUERY PLAN ", 7, &["a|mint", "b|mint"]);
        let plan: Vec<String> = q
            .build()
            .fetch_all(&store.sqlite().pool)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>(3))
            .collect();
        assert_eq!(
            plan,
            ["SEARCH news USING INDEX news_dedup (<expr>=? AND dedup_key=?)"]
        );
    }
}
