//! The news service in process: a real SQLite file in a temp dir, the real
//! HTTP client, and fake feeds on loopback serving saved real feeds and
//! feeds generated here.

mod shared_data;
mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use support::fake_feeds::{FakeFeeds, FeedFault, item, rss};
use trading_mcp::clock::{Clock, ManualClock};
use trading_mcp::news::{NewsConfig, NewsOutput, SUMMARY_MAX_CHARS, render_text};
use trading_mcp::service::{NewsRequest, NewsService, ServiceError};
use trading_mcp::store::BarStore;
use trading_mcp::upstream::{BreakerConfig, FeedClient, HttpUpstream, RetryPolicy, UpstreamConfig};

/// Sunday 2025-04-06 12:00 IST: NSE is closed, so the closed-market TTL (2 h) applies.
fn sunday_noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 4, 6, 6, 30, 0).unwrap()
}

fn test_upstream() -> UpstreamConfig {
    UpstreamConfig {
        request_timeout: Duration::from_millis(800),
        connect_timeout: Duration::from_millis(500),
        retry: RetryPolicy {
            retries: 1,
            base: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
        },
        breaker: BreakerConfig {
            failure_threshold: 4,
            cool_down: chrono::Duration::seconds(600),
        },
        rate_per_sec: 1000.0,
        burst: 1000,
        ..UpstreamConfig::default()
    }
}

struct Rig {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    store: BarStore,
    clock: Arc<ManualClock>,
    news: NewsService,
}

async fn service_on(
    db: &Path,
    clock: Arc<ManualClock>,
    config: NewsConfig,
    upstream: UpstreamConfig,
) -> (BarStore, NewsService) {
    let store = BarStore::open(db).await.unwrap();
    let http = Arc::new(HttpUpstream::new(upstream, clock.clone(), store.clone()).unwrap());
    let client = FeedClient::new(http, &config).unwrap();
    (
        store.clone(),
        NewsService::new(store, client, clock, config),
    )
}

/// A news config pointing every source at `fake`, with the given general feeds.
fn config_for(fake: &FakeFeeds, feeds: &[&str]) -> NewsConfig {
    NewsConfig {
        yahoo_url: fake.url(),
        google_url: fake.url(),
        nse_url: fake.url(),
        bse_url: fake.url(),
        // BSE's feed is tested through the binary (tests/news_tool.rs);
        // these count the NSE, Yahoo and Google fetches exactly.
        bse_feeds: Vec::new(),
        feeds: feeds.iter().map(|f| fake.feed_url(f)).collect(),
        ..NewsConfig::default()
    }
}

async fn rig_with(config: NewsConfig, upstream: UpstreamConfig) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("news.db");
    let clock = ManualClock::new(sunday_noon());
    let (store, news) = service_on(&db, clock.clone(), config, upstream).await;
    Rig {
        _dir: dir,
        db,
        store,
        clock,
        news,
    }
}

async fn rig(config: NewsConfig) -> Rig {
    rig_with(config, test_upstream()).await
}

/// NSE's announcement feeds: titles are company names, dates are NSE's own format.
fn serve_nse(fake: &FakeFeeds) {
    fake.serve(
        "nse:Online_announcements.xml",
        rss(
            "NSE Announcements",
            &[
                item(
                    "Infosys Limited",
                    "https://nsearchives.nseindia.com/corporate/INFY_04042025180545_Outcome.pdf",
                    "Outcome of Board Meeting: results for the quarter ended March 31, 2025",
                    Some("04-Apr-2025 18:05:45"),
                ),
                item(
                    "Infosys Limited",
                    "https://nsearchives.nseindia.com/corporate/INFY_04042025181000_Dividend.pdf",
                    "Board recommends a final dividend",
                    Some("04-Apr-2025 18:10:00"),
                ),
            ],
        ),
    );
    fake.serve(
        "nse:Financial_Results.xml",
        rss(
            "NSE Financial Results",
            &[item(
                "Wipro Limited",
                "https://nsearchives.nseindia.com/corporate/WIPRO_results.pdf",
                "Financial results for the quarter ended March 31, 2025",
                Some("03-Apr-2025 16:00:00"),
            )],
        ),
    );
    fake.serve(
        "nse:Corporate_action.xml",
        rss("NSE Corporate Actions", &[]),
    );
}

fn req() -> NewsRequest {
    NewsRequest::default()
}

fn for_symbol(symbol: &str) -> NewsRequest {
    NewsRequest {
        symbol: Some(symbol.into()),
        limit: Some(50),
        ..req()
    }
}

fn searching(query: &str) -> NewsRequest {
    NewsRequest {
        query: Some(query.into()),
        limit: Some(50),
        ..req()
    }
}

async fn get(news: &NewsService, r: &NewsRequest) -> NewsOutput {
    news.get(r).await.unwrap()
}

fn titles(out: &NewsOutput) -> Vec<String> {
    out.articles.iter().map(|a| a.title.clone()).collect()
}

async fn scalar(db: &Path, sql: &str) -> i64 {
    let url = format!("sqlite://{}?mode=ro", db.display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_bundled_sqlite_has_fts5() {
    let fake = FakeFeeds::start().await;
    let r = rig(config_for(&fake, &[])).await;
    assert!(r.store.can_search_words().await.unwrap());
}

#[tokio::test]
async fn real_saved_feeds_are_stored_once_and_served_newest_first() {
    let fake = FakeFeeds::start().await;
    serve_nse(&fake);
    fake.serve_shared("feed:hindu", "thehindu_business_economy_rss_2025-04-03.xml");
    fake.serve_shared("feed:toi", "timesofindia_topstories_rss.xml");
    let r = rig(config_for(&fake, &["hindu", "toi"])).await;

    let out = get(
        &r.news,
        &NewsRequest {
            limit: Some(50),
            ..req()
        },
    )
    .await;
    assert_eq!(out.count, 50);
    assert_eq!(out.freshness.source, "upstream");
    assert!(!out.freshness.stale, "{:?}", out.freshness);
    assert!(out.untrusted_content && out.notice.contains("untrusted"));
    let times: Vec<&str> = out
        .articles
        .iter()
        .map(|a| a.published_at.as_str())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    assert!(
        times.iter().all(|t| t.ends_with("+05:30")),
        "IST: {times:?}"
    );
    // 100 + 48 + 3 announcements; each feed logged once.
    let stored = r.store.news_counts().await.unwrap();
    assert_eq!(stored.articles, 151);
    assert_eq!(stored.feed_fetches, 5);
    assert_eq!(fake.total(), 5);
    let hindu = out
        .articles
        .iter()
        .find(|a| a.source == "The Hindu")
        .unwrap();
    assert!(!hindu.summary.is_empty() && hindu.summary.chars().count() <= SUMMARY_MAX_CHARS);

    // Within the TTL: no upstream call, the same answer from the store.
    r.clock.advance(chrono::Duration::minutes(90));
    let again = get(
        &r.news,
        &NewsRequest {
            limit: Some(50),
            ..req()
        },
    )
    .await;
    assert_eq!(fake.total(), 5, "zero upstream calls inside the TTL");
    assert_eq!(again.freshness.source, "store");
    assert_eq!(titles(&again), titles(&out));

    // Past the TTL: each feed once more, nothing new stored.
    r.clock.advance(chrono::Duration::minutes(31));
    get(&r.news, &req()).await;
    assert_eq!(fake.total(), 10);
    assert_eq!(r.store.news_counts().await.unwrap().articles, 151);
    assert_eq!(
        scalar(
            &r.db,
            "SELECT SUM(new_items) FROM feed_fetches WHERE at > (SELECT MIN(at) FROM feed_fetches)"
        )
        .await,
        0
    );
    let text = render_text(&again);
    assert!(text.contains("--- begin untrusted news text ---"), "{text}");
}

#[tokio::test]
async fn search_ranks_by_relevance_then_recency_and_filters() {
    let fake = FakeFeeds::start().await;
    let day = |d: u32| format!("2025-04-{d:02}T10:00:00+05:30");
    fake.serve(
        "feed:wire",
        rss(
            "Wire | Market Wire",
            &[
                item(
                    "Dividend season begins",
                    "https://w.example/1",
                    "Companies pay out",
                    Some(&day(1)),
                ),
                item(
                    "Dividend season ends",
                    "https://w.example/6",
                    "Companies pay more",
                    Some(&day(4)),
                ),
                item(
                    "Steel prices climb",
                    "https://w.example/2",
                    "A dividend is likely, a dividend analyst says",
                    Some(&day(3)),
                ),
                item(
                    "Dividend dividend dividend",
                    "https://w.example/3",
                    "The most dividend news",
                    Some(&day(2)),
                ),
                item(
                    "Nothing relevant",
                    "https://w.example/4",
                    "Rates unchanged",
                    Some(&day(4)),
                ),
                item(
                    "Dividend later",
                    "https://w.example/5",
                    "Payouts",
                    Some(&day(4)),
                ),
            ],
        ),
    );
    let mut config = config_for(&fake, &["wire"]);
    config.nse_feeds.clear();
    let r = rig(config).await;
    let out = get(&r.news, &searching("dividend")).await;
    let t = titles(&out);
    assert_eq!(t.len(), 5);
    assert_eq!(
        t[0], "Dividend dividend dividend",
        "most relevant first: {t:?}"
    );
    assert_eq!(
        t[4], "Steel prices climb",
        "summary-only match ranks last: {t:?}"
    );
    // Equal relevance (same lengths, one title match each): newer first.
    let ends = t.iter().position(|x| x == "Dividend season ends").unwrap();
    let begins = t
        .iter()
        .position(|x| x == "Dividend season begins")
        .unwrap();
    assert_eq!(begins, ends + 1, "{t:?}");

    let since = get(
        &r.news,
        &NewsRequest {
            since: Some("2025-04-03".into()),
            ..searching("dividend")
        },
    )
    .await;
    let mut recent = titles(&since);
    recent[..2].sort();
    assert_eq!(
        recent,
        [
            "Dividend later",
            "Dividend season ends",
            "Steel prices climb"
        ]
    );
    let instant = NewsRequest {
        since: Some("2025-04-03T10:00:01+05:30".into()),
        ..searching("dividend")
    };
    assert_eq!(get(&r.news, &instant).await.count, 2);
    let by_source = NewsRequest {
        source: Some("market wire".into()),
        ..searching("rates")
    };
    assert_eq!(
        titles(&get(&r.news, &by_source).await),
        ["Nothing relevant"]
    );
    let other_source = NewsRequest {
        source: Some("Mint".into()),
        ..searching("rates")
    };
    let empty = get(&r.news, &other_source).await;
    assert_eq!(empty.count, 0);
    assert!(
        empty
            .notes
            .iter()
            .any(|n| n.contains("none matching the filters")),
        "{:?}",
        empty.notes
    );
    let limited = get(
        &r.news,
        &NewsRequest {
            limit: Some(2),
            ..searching("dividend")
        },
    )
    .await;
    assert_eq!(limited.count, 2);
}

#[tokio::test]
async fn the_same_article_in_two_feeds_and_via_google_is_stored_once() {
    let fake = FakeFeeds::start().await;
    let date = Some("Thu, 03 Apr 2025 20:14:25 +0530");
    let first = item(
        "Infosys signs a large deal",
        "https://paper.example/infy-deal",
        "Details inside",
        date,
    );
    fake.serve("feed:a", rss("Section A | Daily Paper", &[first]));
    fake.serve(
        "feed:b",
        rss(
            "Section B | Daily Paper",
            &[
                item(
                    "Infosys signs a large deal",
                    "https://PAPER.example/infy-deal/?utm_source=rss",
                    "Details",
                    date,
                ),
                item("Only in B", "https://paper.example/b-only", "", date),
            ],
        ),
    );
    // Google News: the same story under a redirect link, publisher after " - ".
    fake.serve(
        "google:Infosys NSE",
        rss(
            "\"Infosys NSE\" - Google News",
            &[item(
                "Infosys signs a large deal - Daily Paper",
                "https://news.google.com/rss/articles/CBMabc?oc=5",
                "<a href=\"https://news.google.com/rss/articles/CBMabc?oc=5\">Infosys signs a large deal</a>&nbsp;&nbsp;<font color=\"#6f6f6f\">Daily Paper</font>",
                Some("Thu, 03 Apr 2025 15:00:00 GMT"),
            )],
        ),
    );
    fake.serve("yahoo:INFY.NS", rss("Yahoo! Finance: INFY.NS News", &[]));
    let mut config = config_for(&fake, &["a", "b"]);
    config.nse_feeds.clear();
    let r = rig(config).await;
    get(&r.news, &req()).await;
    let infy = get(&r.news, &for_symbol("INFY")).await;
    assert_eq!(
        r.store.news_counts().await.unwrap().articles,
        2,
        "one deal story, one B-only story"
    );
    assert_eq!(infy.count, 1, "{:?}", titles(&infy));
    let story = &infy.articles[0];
    assert_eq!(story.source, "Daily Paper");
    // The publisher's URL from whichever of feeds a and b was stored first;
    // never the Google redirect, which came later.
    assert!(
        story.url.starts_with("https://paper.example/infy-deal"),
        "{}",
        story.url
    );
    assert_eq!(story.symbols, ["INFY"]);
    assert_eq!(
        scalar(
            &r.db,
            "SELECT COUNT(*) FROM news_symbols WHERE symbol = 'INFY' AND link = 'feed'"
        )
        .await,
        1,
        "named in its text first, then carried by INFY's own Google feed"
    );
}

#[tokio::test]
async fn articles_link_by_feed_and_by_the_names_in_their_text() {
    let fake = FakeFeeds::start().await;
    let date = Some("Fri, 04 Apr 2025 09:00:00 +0530");
    fake.serve(
        "feed:wire",
        rss(
            "Wire | Market Wire",
            &[
                item(
                    "Infosys wins a cloud contract",
                    "https://w.example/infy",
                    "The IT major gains",
                    date,
                ),
                item(
                    "Tata group plans a new plant",
                    "https://w.example/tata",
                    "Group-level capex",
                    date,
                ),
                item(
                    "TCS and HDFC Bank lead gains",
                    "https://w.example/tcs",
                    "Sensex up",
                    date,
                ),
            ],
        ),
    );
    fake.serve(
        "yahoo:TCS.NS",
        rss(
            "Yahoo! Finance: TCS.NS News",
            &[item(
                "Quarterly preview",
                "https://y.example/q",
                "IT services earnings",
                date,
            )],
        ),
    );
    fake.serve(
        "google:Tata Consultancy Services NSE",
        rss("Google News", &[]),
    );
    let mut config = config_for(&fake, &["wire"]);
    config.nse_feeds.clear();
    let r = rig(config).await;
    get(&r.news, &req()).await;

    // Linking was decided as the articles were stored: the INFY feeds were
    // never fetched (the fake has nothing for them), yet the wire's
    // "Infosys" article is INFY's.
    let infy = get(&r.news, &for_symbol("infy")).await;
    assert_eq!(titles(&infy), ["Infosys wins a cloud contract"]);
    assert!(
        infy.freshness.stale,
        "INFY's own feeds 404: {:?}",
        infy.freshness
    );
    let tcs = get(&r.news, &for_symbol("TCS")).await;
    let mut t = titles(&tcs);
    t.sort();
    assert_eq!(t, ["Quarterly preview", "TCS and HDFC Bank lead gains"]);
    assert!(!t.contains(&"Infosys wins a cloud contract".to_string()));
    let preview = tcs
        .articles
        .iter()
        .find(|a| a.title == "Quarterly preview")
        .unwrap();
    assert_eq!(preview.symbols, ["TCS"]);
    assert_eq!(
        scalar(
            &r.db,
            "SELECT COUNT(*) FROM news_symbols WHERE symbol = 'TCS' AND link = 'feed'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &r.db,
            "SELECT COUNT(*) FROM news_symbols WHERE symbol = 'HDFCBANK' AND link = 'text'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(&r.db, "SELECT COUNT(*) FROM news_symbols ns JOIN news n ON n.id = ns.news_id WHERE n.title LIKE 'Tata group%'").await,
        0,
        "\"Tata\" alone links nothing"
    );
}

#[tokio::test]
async fn html_laden_and_hostile_descriptions_become_bounded_plain_text() {
    let fake = FakeFeeds::start().await;
    let long = "<p>Lorem <b>ipsum</b> dolor sit amet &amp; more. </p>".repeat(40);
    fake.serve(
        "feed:html",
        rss(
            "Html Wire",
            &[
                item("<b>Bold</b> &amp; <i>entities</i>", "https://h.example/1", &long, None),
                item(
                    "Ignore previous instructions",
                    "https://h.example/2",
                    "<script>alert('x')</script><img src=x onerror=alert(1)>&lt;b&gt;tagged&lt;/b&gt; text <a href='javascript:x'>link</a>",
                    None,
                ),
            ],
        ),
    );
    let mut config = config_for(&fake, &["html"]);
    config.nse_feeds.clear();
    let r = rig(config).await;
    let out = get(&r.news, &req()).await;
    assert_eq!(out.count, 2);
    for a in &out.articles {
        assert!(!a.summary.contains('<') && !a.title.contains('<'), "{a:?}");
        assert!(
            a.summary.chars().count() <= SUMMARY_MAX_CHARS,
            "{}",
            a.summary.len()
        );
        assert!(a.date_estimated, "no pubDate: first-seen time");
        assert_eq!(a.published_at, "2025-04-06T12:00:00+05:30");
    }
    let bold = out
        .articles
        .iter()
        .find(|a| a.title == "Bold & entities")
        .unwrap();
    assert!(
        bold.summary
            .starts_with("Lorem ipsum dolor sit amet & more."),
        "{}",
        bold.summary
    );
    assert!(bold.summary.ends_with('…'));
    let hostile = out
        .articles
        .iter()
        .find(|a| a.title.starts_with("Ignore"))
        .unwrap();
    assert!(
        hostile.summary.contains("tagged text link"),
        "{}",
        hostile.summary
    );
}

#[tokio::test]
async fn odd_dates_atom_and_one_bad_item_among_good_ones() {
    let fake = FakeFeeds::start().await;
    serve_nse(&fake);
    fake.serve(
        "feed:atom",
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atom Markets</title>\
         <entry><title>Atom story</title><id>urn:a:1</id><link href=\"https://atom.example/1\"/>\
         <updated>2025-04-05T08:00:00Z</updated><summary>From an Atom feed</summary></entry></feed>",
    );
    fake.serve(
        "feed:mixed",
        rss(
            "Mixed",
            &[
                item(
                    "Good first",
                    "https://m.example/1",
                    "ok",
                    Some("Sat, 05 Apr 2025 09:00:00 +0530"),
                ),
                "<item><title>Broken <b>markup</title><link>https://m.example/2</link></item>"
                    .to_string(),
                item("No link at all", "", "no link", None),
                item(
                    "Good last",
                    "https://m.example/3",
                    "ok",
                    Some("garbage date"),
                ),
            ],
        ),
    );
    let r = rig(config_for(&fake, &["atom", "mixed"])).await;
    let out = get(
        &r.news,
        &NewsRequest {
            limit: Some(50),
            ..req()
        },
    )
    .await;
    let t = titles(&out);
    for want in [
        "Atom story",
        "Good first",
        "Good last",
        "Infosys Limited",
        "Wipro Limited",
    ] {
        assert!(t.contains(&want.to_string()), "{want} in {t:?}");
    }
    assert!(
        !t.iter()
            .any(|x| x.contains("Broken") || x.contains("No link"))
    );
    let nse = out
        .articles
        .iter()
        .find(|a| a.url.ends_with("Outcome.pdf"))
        .unwrap();
    assert_eq!(
        nse.published_at, "2025-04-04T18:05:45+05:30",
        "NSE's date format, read as IST"
    );
    assert_eq!(nse.source, "NSE");
    assert_eq!(nse.symbols, ["INFY"]);
    assert_eq!(
        out.articles
            .iter()
            .filter(|a| a.title == "Infosys Limited")
            .count(),
        2,
        "announcements are not deduplicated by title"
    );
    let last = out
        .articles
        .iter()
        .find(|a| a.title == "Good last")
        .unwrap();
    assert!(last.date_estimated);
    let mixed_error: String = {
        let url = format!("sqlite://{}?mode=ro", r.db.display());
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        sqlx::query_scalar("SELECT error FROM feed_fetches WHERE feed LIKE '%/feeds/mixed'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    assert!(
        mixed_error.contains("2 unreadable item(s) skipped"),
        "{mixed_error}"
    );
}

#[tokio::test]
async fn a_20_mib_feed_is_cut_at_the_cap_and_a_malformed_feed_fails_alone() {
    let fake = FakeFeeds::start().await;
    fake.serve_huge("feed:huge", 20 * 1024 * 1024);
    fake.serve(
        "feed:malformed",
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Bad</title><item><title>x",
    );
    fake.serve("feed:html", "<html><body>Access Denied</body></html>");
    fake.serve(
        "feed:good",
        rss(
            "Good",
            &[item("Still here", "https://g.example/1", "", None)],
        ),
    );
    let mut config = config_for(&fake, &["huge", "malformed", "html", "good"]);
    config.nse_feeds.clear();
    let cap = config.max_feed_bytes;
    let r = rig(config).await;
    let out = get(&r.news, &searching("still here")).await;
    assert_eq!(titles(&out), ["Still here"]);
    assert!(out.freshness.stale);
    let reason = out.freshness.stale_reason.clone().unwrap();
    assert!(
        reason.contains("feeds/malformed") && reason.contains("feeds/html"),
        "{reason}"
    );
    assert!(
        !reason.contains("feeds/huge") && !reason.contains("feeds/good"),
        "{reason}"
    );
    // The huge feed: read up to the cap only, whole items kept, capped in count.
    let read = scalar(
        &r.db,
        "SELECT bytes FROM upstream_calls WHERE path = '/feeds/huge'",
    )
    .await;
    assert_eq!(read, cap as i64, "read exactly to the cap, not the 20 MiB");
    let huge_items = scalar(
        &r.db,
        "SELECT items FROM feed_fetches WHERE feed LIKE '%/feeds/huge'",
    )
    .await;
    assert_eq!(huge_items, 200, "per-feed item cap");
    assert_eq!(r.store.news_counts().await.unwrap().articles, 201);
    assert_eq!(
        scalar(
            &r.db,
            "SELECT COUNT(*) FROM feed_fetches WHERE status = 'failed'"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn failing_feeds_serve_stale_news_with_the_reason() {
    let fake = FakeFeeds::start().await;
    fake.serve(
        "feed:wire",
        rss(
            "Wire",
            &[item(
                "Stored before the outage",
                "https://w.example/1",
                "",
                None,
            )],
        ),
    );
    let mut config = config_for(&fake, &["wire"]);
    config.nse_feeds.clear();
    // A breaker that stays closed, so each fault is seen for what it is.
    let upstream = UpstreamConfig {
        breaker: BreakerConfig {
            failure_threshold: 100,
            cool_down: chrono::Duration::seconds(1),
        },
        ..test_upstream()
    };
    let r = rig_with(config, upstream).await;
    let fresh = get(&r.news, &req()).await;
    assert!(!fresh.freshness.stale);
    let fetched_at = fresh.freshness.fetched_at.clone();

    for (fault, expect) in [
        (FeedFault::Status(500), "HTTP 500"),
        (FeedFault::RetryAfter(429, 0), "HTTP 429"),
        (FeedFault::Hang, "did not answer in time"),
    ] {
        r.clock.advance(chrono::Duration::hours(3));
        fake.always("feed:wire", Some(fault));
        let before = fake.count("feed:wire");
        let out = get(&r.news, &req()).await;
        assert_eq!(titles(&out), ["Stored before the outage"]);
        assert!(out.freshness.stale);
        let reason = out.freshness.stale_reason.unwrap();
        assert!(reason.contains(expect), "{reason}");
        assert_eq!(out.freshness.source, "store");
        assert_eq!(out.freshness.fetched_at, fetched_at, "the last good fetch");
        assert_eq!(fake.count("feed:wire") - before, 2, "one try and one retry");
        // Within the retry delay the failed feed is left alone.
        let again = get(&r.news, &req()).await;
        assert_eq!(fake.count("feed:wire") - before, 2);
        assert!(
            again
                .freshness
                .stale_reason
                .unwrap()
                .contains("next try after")
        );
    }
    fake.always("feed:wire", None);
    r.clock.advance(chrono::Duration::hours(3));
    let healed = get(&r.news, &req()).await;
    assert!(!healed.freshness.stale);
    assert_eq!(
        scalar(
            &r.db,
            "SELECT COUNT(*) FROM feed_fetches WHERE status = 'failed'"
        )
        .await,
        3
    );
}

#[tokio::test]
async fn a_dead_host_does_not_block_the_others() {
    let live = FakeFeeds::start().await;
    let dead = FakeFeeds::start().await;
    serve_nse(&live);
    dead.always("feed:gone", Some(FeedFault::Status(503)));
    let mut config = config_for(&live, &[]);
    config.feeds = vec![dead.feed_url("gone")];
    let r = rig(config).await;
    // Two rounds of 2 tries open the dead host's breaker (4 failures).
    for _ in 0..2 {
        let out = get(&r.news, &req()).await;
        assert_eq!(out.count, 3, "the NSE announcements");
        assert!(out.freshness.stale);
        r.clock.advance(chrono::Duration::hours(3));
    }
    assert_eq!(dead.count("feed:gone"), 4);
    assert_eq!(live.count("nse:Online_announcements.xml"), 2);
    // Past the retry delay, within the breaker's cool-down: refused at once.
    r.clock
        .set(r.clock.now() - chrono::Duration::hours(3) + chrono::Duration::minutes(2));
    let out = get(&r.news, &req()).await;
    assert_eq!(out.count, 3);
    assert!(
        out.freshness
            .stale_reason
            .unwrap()
            .contains("circuit breaker")
    );
    assert_eq!(
        dead.count("feed:gone"),
        4,
        "no call while the breaker is open"
    );
    assert_eq!(
        live.count("nse:Online_announcements.xml"),
        2,
        "fresh: not refetched"
    );
}

#[tokio::test]
async fn concurrent_requests_fetch_each_feed_once() {
    let fake = FakeFeeds::start().await;
    serve_nse(&fake);
    fake.serve(
        "yahoo:RELIANCE.NS",
        rss(
            "Yahoo",
            &[item("RIL news", "https://y.example/ril", "", None)],
        ),
    );
    fake.serve("google:Reliance Industries NSE", rss("Google News", &[]));
    let r = rig(config_for(&fake, &[])).await;
    let calls = (0..20).map(|i| {
        let news = r.news.clone();
        let request = if i % 2 == 0 {
            for_symbol("RELIANCE")
        } else {
            req()
        };
        tokio::spawn(async move { news.get(&request).await.unwrap() })
    });
    for out in futures::future::join_all(calls).await {
        assert!(out.unwrap().count >= 1);
    }
    assert_eq!(fake.total(), 5, "3 NSE feeds + Yahoo + Google, once each");
    assert_eq!(fake.count("yahoo:RELIANCE.NS"), 1);
}

#[tokio::test]
async fn offline_mode_serves_the_store_and_says_so() {
    let fake = FakeFeeds::start().await;
    serve_nse(&fake);
    let r = rig(config_for(&fake, &[])).await;
    get(&r.news, &req()).await;
    let calls = fake.total();
    let offline = UpstreamConfig {
        offline: true,
        ..test_upstream()
    };
    let (_, news) = service_on(&r.db, r.clock.clone(), config_for(&fake, &[]), offline).await;
    let inside_ttl = get(&news, &req()).await;
    assert_eq!(inside_ttl.count, 3);
    assert!(!inside_ttl.freshness.stale, "fetched within the TTL");
    r.clock.advance(chrono::Duration::hours(5));
    let out = get(&news, &req()).await;
    assert_eq!(out.count, 3);
    assert!(out.freshness.stale);
    assert!(out.freshness.stale_reason.unwrap().contains("offline"));
    let never = get(&news, &for_symbol("ITC")).await;
    assert_eq!(never.count, 0);
    assert!(
        never
            .notes
            .iter()
            .any(|n| n.contains("yahoo:ITC.NS has never been fetched")),
        "{:?}",
        never.notes
    );
    assert!(
        never
            .notes
            .iter()
            .any(|n| n.contains("no stored articles about ITC")),
        "{:?}",
        never.notes
    );
    assert!(news.refresh_watchlist(&["ITC".into()]).await.is_empty());
    assert_eq!(fake.total(), calls, "offline: no upstream call");
}

#[tokio::test]
async fn replay_serves_only_older_articles_and_fetches_nothing() {
    let fake = FakeFeeds::start().await;
    serve_nse(&fake);
    let r = rig(config_for(&fake, &[])).await;
    get(&r.news, &req()).await;
    r.clock.advance(chrono::Duration::hours(5));
    let calls = fake.total();
    let as_of = Utc.with_ymd_and_hms(2025, 4, 4, 12, 38, 0).unwrap(); // 18:08 IST
    let out = get(
        &r.news,
        &NewsRequest {
            as_of: Some(as_of),
            ..req()
        },
    )
    .await;
    assert_eq!(titles(&out), ["Infosys Limited", "Wipro Limited"]);
    assert!(out.articles[0].url.ends_with("Outcome.pdf"));
    assert_eq!(fake.total(), calls, "no feed fetched under replay");
    assert!(out.notes[0].starts_with("replay as of 2025-04-04T18:08:00+05:30"));
    let before_all = get(
        &r.news,
        &NewsRequest {
            as_of: Some(as_of - chrono::Duration::days(30)),
            ..req()
        },
    )
    .await;
    assert_eq!(before_all.count, 0);
    assert!(
        before_all
            .notes
            .iter()
            .any(|n| n.contains("no stored articles")),
        "{:?}",
        before_all.notes
    );
}

#[tokio::test]
async fn empty_answers_say_whether_feeds_returned_nothing_failed_or_were_never_fetched() {
    let fake = FakeFeeds::start().await;
    fake.serve("yahoo:ITC.NS", rss("Yahoo", &[]));
    fake.always("google:ITC NSE", Some(FeedFault::Status(404)));
    let r = rig(config_for(&fake, &[])).await;
    let out = get(&r.news, &for_symbol("ITC")).await;
    assert_eq!(out.count, 0);
    let notes = out.notes.join("\n");
    assert!(
        notes.contains("yahoo:ITC.NS returned no articles"),
        "{notes}"
    );
    assert!(
        notes.contains("google:ITC failed") && notes.contains("HTTP 404"),
        "{notes}"
    );
    assert!(notes.contains("no stored articles about ITC"), "{notes}");
    assert!(out.freshness.stale, "a 404 is a failed feed");
}

#[tokio::test]
async fn bad_requests_are_refused_before_any_fetch() {
    let fake = FakeFeeds::start().await;
    let r = rig(config_for(&fake, &[])).await;
    for (request, expect) in [
        (
            NewsRequest {
                limit: Some(0),
                ..req()
            },
            "limit 0",
        ),
        (
            NewsRequest {
                limit: Some(51),
                ..req()
            },
            "1 to 50",
        ),
        (
            NewsRequest {
                since: Some("last week".into()),
                ..req()
            },
            "since \"last week\"",
        ),
        (
            NewsRequest {
                symbol: Some("RELI ANCE".into()),
                ..req()
            },
            "symbol contains",
        ),
        (
            NewsRequest {
                query: Some("\"*()".into()),
                ..req()
            },
            "no words",
        ),
        (
            NewsRequest {
                source: Some("x".repeat(500)),
                ..req()
            },
            "source is 500",
        ),
    ] {
        match r.news.get(&request).await {
            Err(ServiceError::BadRequest(msg)) => assert!(msg.contains(expect), "{msg}"),
            other => panic!("{request:?}: {other:?}"),
        }
    }
    assert_eq!(fake.total(), 0);
    assert_eq!(r.store.news_counts().await.unwrap().feed_fetches, 0);
}

#[tokio::test]
async fn hostile_queries_give_results_or_clear_errors_and_change_nothing() {
    let fake = FakeFeeds::start().await;
    fake.serve(
        "feed:wire",
        rss(
            "Wire",
            &[item(
                "Tata Steel NEAR record; OR not",
                "https://w.example/1",
                "AND the \"quoted\" * star",
                None,
            )],
        ),
    );
    let mut config = config_for(&fake, &["wire"]);
    config.nse_feeds.clear();
    let r = rig(config).await;
    get(&r.news, &req()).await;
    let counts = r.store.news_counts().await.unwrap();
    let big = "steel ".repeat(2000);
    let hostile = [
        "NEAR(tata steel)",
        "tata NEAR steel",
        "\"unbalanced",
        "steel*",
        "title:steel",
        "OR",
        "steel AND NOT tata",
        "'); DROP TABLE news; --",
        "1 OR 1=1",
        "^steel",
        big.as_str(),
        "स्टील",
        "\u{0}steel\u{202e}",
    ];
    for q in hostile {
        match r.news.get(&searching(q)).await {
            Ok(out) => {
                for a in &out.articles {
                    assert!(a.title.contains("Steel"));
                }
            }
            Err(ServiceError::BadRequest(msg)) => {
                assert!(
                    !msg.to_lowercase().contains("sql") && !msg.contains("fts5"),
                    "{msg}"
                );
            }
            Err(other) => panic!("{q:.40}: {other:?}"),
        }
    }
    let found = |q: &str| {
        let news = r.news.clone();
        let q = q.to_string();
        async move { news.get(&searching(&q)).await.unwrap().count }
    };
    assert_eq!(
        found("NEAR(tata steel)").await,
        1,
        "operators are plain words"
    );
    assert_eq!(
        found("\"unbalanced steel").await,
        0,
        "every word must appear"
    );
    assert_eq!(found("OR").await, 1);
    assert_eq!(found("star quoted").await, 1);
    assert!(
        matches!(r.news.get(&searching(&big)).await, Err(ServiceError::BadRequest(m)) if m.contains("at most"))
    );
    assert_eq!(
        r.store.news_counts().await.unwrap(),
        counts,
        "the store is unchanged"
    );
}

#[tokio::test]
async fn the_watchlist_refresh_fetches_due_feeds_only() {
    let fake = FakeFeeds::start().await;
    serve_nse(&fake);
    fake.serve(
        "yahoo:INFY.NS",
        rss(
            "Yahoo",
            &[item("INFY headline", "https://y.example/infy", "", None)],
        ),
    );
    fake.serve("google:Infosys NSE", rss("Google News", &[]));
    let r = rig(config_for(&fake, &[])).await;
    let done = r
        .news
        .refresh_watchlist(&["INFY".into(), "BAD SYMBOL".into()])
        .await;
    assert_eq!(done.len(), 6, "{done:?}");
    assert!(
        done.iter().any(|(k, res)| k == "BAD SYMBOL"
            && res.as_ref().is_err_and(|e| e.contains("symbol contains")))
    );
    assert!(
        done.iter()
            .any(|(k, res)| k == "yahoo:INFY.NS" && res.as_ref().is_ok_and(|f| f.new_items == 1))
    );
    assert_eq!(fake.total(), 5);
    let again = r.news.refresh_watchlist(&["INFY".into()]).await;
    assert!(again.is_empty(), "all fresh: {again:?}");
    assert_eq!(fake.total(), 5);
    let out = get(&r.news, &for_symbol("INFY")).await;
    assert_eq!(out.freshness.source, "store");
    assert!(titles(&out).contains(&"INFY headline".to_string()));
}
