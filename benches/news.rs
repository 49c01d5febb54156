//! News hot paths, in process: searching 100,000 stored articles (limit 10)
//! for a rare word and for a word in a third of them, the newest market
//! news without a query, and ingesting a 100-item feed (parse, link, store)
//! beyond the fetch.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use trading_mcp::clock::{Clock, ManualClock};
use trading_mcp::news::{Article, Feed, NewsConfig, dedup_key, parse_feed, stable_id};
use trading_mcp::service::{NewsRequest, NewsService};
use trading_mcp::store::{BarStore, FeedFetchRow, FetchStatus, LinkKind, NewsItem};
use trading_mcp::upstream::{FeedBody, FeedClient, HttpUpstream, UpstreamConfig};

const ARTICLES: usize = 100_000;
/// Every article whose number is a multiple of this has the rare word.
const RARE_EVERY: usize = 20_000;

const WORDS: [&str; 24] = [
    "shares",
    "rise",
    "fall",
    "quarter",
    "profit",
    "revenue",
    "guidance",
    "bank",
    "steel",
    "rates",
    "inflation",
    "exports",
    "orders",
    "capex",
    "margin",
    "deal",
    "stake",
    "rupee",
    "bond",
    "yield",
    "board",
    "dividend",
    "auto",
    "pharma",
];
const COMPANIES: [&str; 8] = [
    "Infosys",
    "Tata Steel",
    "HDFC Bank",
    "Reliance Industries",
    "Wipro",
    "ITC",
    "Cipla",
    "Titan",
];

fn article(i: usize, published_at: i64) -> Article {
    let w = |k: usize| WORDS[(i * 7 + k * 13) % WORDS.len()];
    let mut title = format!(
        "{} {} {} as {}",
        COMPANIES[i % COMPANIES.len()],
        w(0),
        w(1),
        w(2)
    );
    if i.is_multiple_of(3) {
        title.push_str(" market");
    }
    if i.is_multiple_of(RARE_EVERY) {
        title.push_str(" zeolite");
    }
    let summary = format!(
        "{} {} {} {} {} in the {} session; analysts watch {} and {}.",
        w(3),
        w(4),
        w(5),
        w(6),
        w(7),
        w(8),
        w(9),
        w(10)
    );
    let url = format!("https://bench.example/news/{i}");
    Article {
        id: stable_id(&url),
        dedup_key: Some(dedup_key(&title, "Bench Wire")),
        title,
        summary,
        url,
        source: "Bench Wire".into(),
        published_at,
        date_estimated: false,
    }
}

/// When the seeded corpus ends and the ingests begin.
fn seeded_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 4, 6, 6, 30, 0).unwrap()
}

async fn seeded() -> (tempfile::TempDir, BarStore, NewsService, Arc<ManualClock>) {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(seeded_at());
    let store = BarStore::open(&dir.path().join("bench.db")).await.unwrap();
    let now = clock.now().timestamp();
    let start = now - ARTICLES as i64 * 60;
    for chunk in (0..ARTICLES).collect::<Vec<_>>().chunks(2_000) {
        let items: Vec<NewsItem> = chunk
            .iter()
            .map(|&i| NewsItem {
                article: article(i, start + i as i64 * 60),
                links: vec![("INFY".to_string(), LinkKind::Text)],
            })
            .collect();
        let fetch = FeedFetchRow {
            feed: "bench:seed".into(),
            at: now,
            status: FetchStatus::Ok,
            items: items.len() as i64,
            error: None,
        };
        store.save_feed(&fetch, &items, true, now).await.unwrap();
    }
    let config = NewsConfig {
        nse_feeds: Vec::new(),
        bse_feeds: Vec::new(),
        ..NewsConfig::default()
    };
    let upstream = UpstreamConfig {
        offline: true,
        ..UpstreamConfig::default()
    };
    let http = Arc::new(HttpUpstream::new(upstream, clock.clone(), store.clone()).unwrap());
    let client = FeedClient::new(http, &config).unwrap();
    let service = NewsService::new(store.clone(), client, clock.clone(), config);
    (dir, store, service, clock)
}

/// A 100-item RSS feed like a publisher's: HTML descriptions, company
/// names. Fetch number `run` comes `run` hours after the seeded corpus, and
/// its items were published in the hour before it.
fn feed_body(run: usize) -> Vec<u8> {
    let hour_start = seeded_at() + chrono::Duration::hours(run as i64);
    let items: String = (0..100)
        .map(|i| {
            let published = hour_start + chrono::Duration::seconds(i as i64 * 36);
            format!(
                "<item><title><![CDATA[{} wins order number {i} in run {run}]]></title>\
                 <link>https://ingest.example/{run}/{i}</link>\
                 <description><![CDATA[<p>Shares of <b>{}</b> rose &amp; the order book grew. \
                 Analysts at a brokerage said the <a href=\"https://x.example\">deal</a> adds to \
                 revenue visibility for the next four quarters.</p>]]></description>\
                 <pubDate>{}</pubDate></item>",
                COMPANIES[i % COMPANIES.len()],
                COMPANIES[(i + 3) % COMPANIES.len()],
                published.to_rfc2822()
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Ingest | Bench Paper</title>{items}</channel></rss>"
    )
    .into_bytes()
}

fn news(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_dir, store, service, clock) = rt.block_on(seeded());
    let search = |q: &str| NewsRequest {
        query: Some(q.into()),
        ..NewsRequest::default()
    };
    let rare = rt.block_on(service.get(&search("zeolite"))).unwrap();
    assert_eq!(rare.count, ARTICLES / RARE_EVERY);
    let common = rt.block_on(service.get(&search("market"))).unwrap();
    assert_eq!(common.count, 10);

    let mut g = c.benchmark_group("news");
    g.sample_size(30).measurement_time(Duration::from_secs(4));
    g.bench_function("search_100k_rare_word", |b| {
        b.to_async(&rt)
            .iter(|| async { service.get(&search("zeolite")).await.unwrap() })
    });
    g.bench_function("search_100k_word_in_a_third", |b| {
        b.to_async(&rt)
            .iter(|| async { service.get(&search("market")).await.unwrap() })
    });
    g.bench_function("latest_market_news_100k", |b| {
        b.to_async(&rt)
            .iter(|| async { service.get(&NewsRequest::default()).await.unwrap() })
    });
    let feed = Feed::General {
        url: "https://ingest.example/rss".into(),
    };
    // One fetch an hour: the clock moves on an hour before each, as it
    // would between a feed's refreshes, so each run's articles are new and
    // recent rather than all crowded into one hour of the corpus.
    let run = AtomicUsize::new(0);
    g.bench_function("ingest_100_item_feed", |b| {
        b.to_async(&rt).iter_batched(
            || {
                let run = run.fetch_add(1, Ordering::Relaxed);
                clock.set(seeded_at() + chrono::Duration::hours(run as i64 + 1));
                FeedBody {
                    body: feed_body(run),
                    truncated: false,
                }
            },
            |body| {
                let service = &service;
                let feed = &feed;
                async move {
                    let done = service.ingest(feed, &body).await.unwrap();
                    assert_eq!(done.new_items, 100);
                }
            },
            criterion::BatchSize::SmallInput,
        )
    });
    // The two halves of an ingest, so a regression says which one moved.
    let body = feed_body(0);
    let now = seeded_at();
    g.bench_function("parse_100_item_feed", |b| {
        b.iter(|| parse_feed(&body, &feed, 500, now).unwrap())
    });
    let stored = AtomicUsize::new(ARTICLES);
    g.bench_function("store_100_items", |b| {
        b.to_async(&rt).iter_batched(
            || {
                let first = stored.fetch_add(100, Ordering::Relaxed);
                (first..first + 100)
                    .map(|i| {
                        // Titles repeat across the corpus; a key of its own
                        // keeps each article new (the dedup lookup still runs).
                        let mut article = article(i, now.timestamp() - 600);
                        article.dedup_key = Some(format!("bench store {i}"));
                        NewsItem {
                            article,
                            links: vec![("TCS".to_string(), LinkKind::Text)],
                        }
                    })
                    .collect::<Vec<_>>()
            },
            |items| {
                let store = &store;
                async move {
                    let fetch = FeedFetchRow {
                        feed: "bench:store".into(),
                        at: now.timestamp(),
                        status: FetchStatus::Ok,
                        items: 100,
                        error: None,
                    };
                    let new = store.save_feed(&fetch, &items, true, now.timestamp());
                    assert_eq!(new.await.unwrap(), 100);
                }
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, news);
criterion_main!(benches);
