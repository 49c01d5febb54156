//! The store's contract on both backends: the same calls on an SQLite file
//! and on a real PostgreSQL database give the same answers, and what only
//! one backend has (PostgreSQL's reader role) holds.

mod shared_data;
mod support;

use std::time::Duration;

use support::backends::{TestStore, each_backend};
use trading_mcp::model::{Bar, BarSource, CorporateAction, Instrument, Interval};
use trading_mcp::news::{Article, search_words};
use trading_mcp::store::{
    FeedFetchRow, FetchBatch, FetchStatus, ImportBatch, LinkKind, NewsItem, NewsSearch, QueryError,
    QueryLimits, SqlValue, WarmRunRow,
};

fn instrument(symbol: &str) -> Instrument {
    Instrument {
        yahoo_symbol: symbol.into(),
        exchange: "NSI".into(),
        currency: "INR".into(),
        timezone: "Asia/Kolkata".into(),
        long_name: Some("Reliance Industries Limited".into()),
        ..Default::default()
    }
}

/// RELIANCE's real daily history (about 6,000 bars).
fn reliance() -> Vec<Bar> {
    shared_data::yahoo_daily("RELIANCE.NS")
        .expect("shared/data/nse_daily_yahoo/RELIANCE.NS.csv")
        .bars()
}

async fn save(t: &TestStore, bars: &[Bar], covered: Option<(i64, i64)>, at: i64) {
    let i = instrument("RELIANCE.NS");
    t.store
        .save_fetch(&FetchBatch {
            instrument: &i,
            interval: Interval::D1,
            bars,
            actions: &[CorporateAction::Split {
                ts: bars[0].ts,
                numerator: 2.0,
                denominator: 1.0,
            }],
            covered,
            fetched_at: at,
        })
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", t.backend));
}

#[tokio::test]
async fn fetched_bars_read_back_the_same_on_both_backends() {
    let bars = reliance();
    assert!(bars.len() > 5_000, "{}", bars.len());
    let (first, last) = (bars[0].ts, bars[bars.len() - 1].ts + 1);
    let mut answers = Vec::new();
    for t in each_backend().await {
        let half = bars.len() / 2;
        // Two fetches whose covered ranges touch: one range results.
        save(&t, &bars[..half], Some((first, bars[half].ts)), 100).await;
        save(&t, &bars[half..], Some((bars[half].ts, last)), 200).await;
        // A refetch of the first bar with new values upserts it.
        let mut changed = bars[0];
        changed.close += 1.0;
        save(&t, &[changed], None, 300).await;

        let s = &t.store;
        let (read, fetched) = s
            .read_bars("RELIANCE.NS", Interval::D1, first, last)
            .await
            .unwrap();
        assert_eq!(read.len(), bars.len(), "{}", t.backend);
        assert_eq!(read[0], changed, "{}", t.backend);
        assert_eq!(&read[1..], &bars[1..], "{}", t.backend);
        assert_eq!(
            (fetched[0], fetched[1], fetched[half]),
            (300, 100, 200),
            "{}",
            t.backend
        );
        let stored = s
            .read_stored_bars("RELIANCE.NS", Interval::D1, first, first + 86_400 * 10)
            .await
            .unwrap();
        assert!(stored.iter().all(|b| b.source == BarSource::Yahoo));
        assert_eq!(
            s.coverage("RELIANCE.NS", Interval::D1, 0, i64::MAX)
                .await
                .unwrap(),
            [(first, last)],
            "{}",
            t.backend
        );
        let i = s.instrument("RELIANCE.NS").await.unwrap().unwrap();
        assert_eq!(i.long_name.as_deref(), Some("Reliance Industries Limited"));
        // One split a fetch, on its first bar; the refetch's is the first's.
        assert_eq!(s.corporate_actions("RELIANCE.NS").await.unwrap().len(), 2);
        let overview = s.instrument_overview("RELIANCE.NS").await.unwrap().unwrap();
        assert_eq!(s.stored_symbols("rel", 10).await.unwrap(), ["RELIANCE.NS"]);
        assert!(
            s.read_bars("TCS.NS", Interval::D1, first, last)
                .await
                .unwrap()
                .0
                .is_empty()
        );
        let summary = s.summary().await.unwrap();
        answers.push((
            format!("{:?}", overview),
            summary.bars,
            summary.coverage_ranges,
        ));
    }
    assert_eq!(answers[0], answers[1], "SQLite and PostgreSQL disagree");
}

#[tokio::test]
async fn imports_decide_each_bar_the_same_on_both_backends() {
    let bars = reliance();
    let mut outcomes = Vec::new();
    for t in each_backend().await {
        // Yahoo holds the first 100 bars; the file has the first 300, ten
        // of the Yahoo ones with another close.
        save(&t, &bars[..100], None, 1).await;
        let mut file: Vec<Bar> = bars[..300].to_vec();
        for b in &mut file[..10] {
            b.close *= 1.5;
        }
        let i = instrument("RELIANCE.NS");
        let covered = [(file[0].ts, file[299].ts + 1)];
        let batch = ImportBatch {
            instrument: &i,
            interval: Interval::D1,
            bars: &file,
            covered: &covered,
            replace: false,
            imported_at: 50,
            basis_tolerance: 0.01,
        };
        let first = t.store.import_bars("RELIANCE.NS", &batch).await.unwrap();
        assert_eq!(
            (first.inserted, first.kept_yahoo, first.unchanged),
            (200, 10, 90),
            "{}",
            t.backend
        );
        assert_eq!(first.basis.differing, 10);
        assert!(first.coverage_changed);
        let again = t.store.import_bars("RELIANCE.NS", &batch).await.unwrap();
        assert_eq!(
            (again.inserted, again.unchanged, again.kept_yahoo),
            (0, 290, 10),
            "{}",
            t.backend
        );
        assert!(!again.coverage_changed);
        let replaced = t
            .store
            .import_bars(
                "RELIANCE.NS",
                &ImportBatch {
                    replace: true,
                    ..batch.clone()
                },
            )
            .await
            .unwrap();
        // With --replace every stored Yahoo bar the file has is rewritten.
        assert_eq!(replaced.replaced, 100, "{}", t.backend);
        let stored = t
            .store
            .read_stored_bars("RELIANCE.NS", Interval::D1, 0, i64::MAX)
            .await
            .unwrap();
        assert_eq!(stored.len(), 300);
        assert_eq!(stored[0].bar.close, file[0].close);
        assert_eq!(
            (stored[0].source, stored[0].fetched_at),
            (BarSource::Import, 50)
        );
        outcomes.push((first, again, replaced));
    }
    assert_eq!(outcomes[0], outcomes[1]);
}

fn article(n: i64, title: &str, summary: &str, published_at: i64) -> NewsItem {
    let url = format!("https://news.example/{n}");
    NewsItem {
        article: Article {
            id: trading_mcp::news::stable_id(&url),
            title: title.into(),
            summary: summary.into(),
            url,
            source: "Mint".into(),
            published_at,
            date_estimated: false,
            dedup_key: Some(trading_mcp::news::dedup_key(title, "Mint")),
        },
        links: vec![("RELIANCE.NS".into(), LinkKind::Feed)],
    }
}

#[tokio::test]
async fn news_saves_dedups_and_searches_the_same_on_both_backends() {
    let fetch = FeedFetchRow {
        feed: "mint".into(),
        at: 1_000,
        status: FetchStatus::Ok,
        items: 3,
        error: None,
    };
    let items = [
        article(1, "Reliance results beat estimates", "Jio grows", 1_000),
        article(
            2,
            "Markets close flat",
            "Reliance results lift the index",
            2_000,
        ),
        article(3, "Rupee steady", "Bond yields flat", 3_000),
        // The first under another URL a minute later: the same article.
        NewsItem {
            article: Article {
                id: trading_mcp::news::stable_id("https://other.example/1"),
                url: "https://other.example/1".into(),
                published_at: 1_060,
                ..article(1, "Reliance results beat estimates", "Jio grows", 1_000).article
            },
            links: Vec::new(),
        },
    ];
    for t in each_backend().await {
        let s = &t.store;
        assert!(s.can_search_words().await.unwrap());
        assert_eq!(
            s.save_feed(&fetch, &items, true, 5_000).await.unwrap(),
            3,
            "{}",
            t.backend
        );
        assert_eq!(
            s.save_feed(&fetch, &items, true, 6_000).await.unwrap(),
            0,
            "saved once"
        );
        let words = search_words("RELIANCE results").unwrap();
        let found = s
            .search_news(&NewsSearch {
                words: Some(&words),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        let titles: Vec<&str> = found.iter().map(|a| a.title.as_str()).collect();
        // The title match ranks above the summary match, though older.
        assert_eq!(
            titles,
            ["Reliance results beat estimates", "Markets close flat"],
            "{}",
            t.backend
        );
        assert_eq!(found[0].symbols, ["RELIANCE.NS"]);
        let hostile = search_words("'; DROP TABLE news; -- & | !results:*").unwrap();
        let none = s
            .search_news(&NewsSearch {
                words: Some(&hostile),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(none.is_empty(), "{}", t.backend);
        let newest = s
            .search_news(&NewsSearch {
                market_wide: true,
                source: Some("MINT"),
                before: Some(3_000),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            newest.iter().map(|a| a.published_at).collect::<Vec<_>>(),
            [2_000, 1_000]
        );
        assert_eq!(s.count_news(Some("RELIANCE.NS"), None).await.unwrap(), 3);
        assert_eq!(s.count_news(None, Some(2_000)).await.unwrap(), 1);
        let counts = s.news_counts().await.unwrap();
        assert_eq!(
            (counts.articles, counts.feed_fetches),
            (3, 2),
            "{}",
            t.backend
        );
        let states = s.feed_states(&["mint".to_string()]).await.unwrap();
        assert_eq!(states["mint"].last_at, 1_000);
    }
}

#[tokio::test]
async fn leases_requests_and_runs_behave_the_same_on_both_backends() {
    for t in each_backend().await {
        let s = &t.store;
        // SQLite's lease is the row's: held until it lapses. (PostgreSQL's
        // is a session lock: see the test below.)
        if t.backend == "sqlite" {
            assert!(s.claim_lease("warm", "a", 100, 160).await.unwrap());
            assert!(!s.claim_lease("warm", "b", 120, 180).await.unwrap(), "held");
            assert!(
                s.claim_lease("warm", "b", 160, 220).await.unwrap(),
                "lapsed"
            );
            s.release_lease("warm", "b").await.unwrap();
            assert!(s.claim_lease("warm", "a", 161, 221).await.unwrap());
        }
        let day = |d: &str, sym: &str, n| (d.to_string(), sym.to_string(), n);
        s.add_symbol_requests(&[
            day("2024-04-01", "TCS.NS", 3),
            day("2024-04-01", "INFY.NS", 5),
        ])
        .await
        .unwrap();
        s.add_symbol_requests(&[day("2024-04-02", "TCS.NS", 4)])
            .await
            .unwrap();
        assert_eq!(
            s.most_requested("2024-04-01", "2024-04-03", 5)
                .await
                .unwrap(),
            [("TCS.NS".to_string(), 7), ("INFY.NS".to_string(), 5)],
            "{}",
            t.backend
        );
        let run = WarmRunRow {
            kind: "live".into(),
            started_at: 1,
            finished_at: 2,
            symbols: vec!["TCS.NS".into()],
            bars_written: 10,
            upstream_calls: 1,
            errors: 0,
            error_detail: None,
        };
        s.record_warm_run(&run).await.unwrap();
        assert_eq!(s.recent_warm_runs(5).await.unwrap(), [run]);
    }
}

fn quick() -> QueryLimits {
    QueryLimits {
        timeout: Duration::from_millis(500),
        ..QueryLimits::default()
    }
}

#[tokio::test]
async fn read_only_sql_answers_alike_and_refuses_alike() {
    for t in each_backend().await {
        save(&t, &reliance()[..100], None, 1).await;
        let s = &t.store;
        let r = s
            .query_read_only(
                "SELECT symbol, COUNT(*) AS n, SUM(volume) > 0 AS traded, MAX(close) > 0 AS priced
                 FROM bars GROUP BY symbol",
                quick(),
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", t.backend));
        assert_eq!(
            r.rows,
            [vec![
                SqlValue::Text("RELIANCE.NS".into()),
                SqlValue::Integer(100),
                SqlValue::Integer(1),
                SqlValue::Integer(1),
            ]],
            "{}",
            t.backend
        );
        let names: Vec<&str> = r.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["symbol", "n", "traded", "priced"]);
        let truncated = s
            .query_read_only(
                "SELECT ts FROM bars",
                QueryLimits {
                    max_rows: 7,
                    ..quick()
                },
            )
            .await
            .unwrap();
        assert_eq!((truncated.rows.len(), truncated.truncated), (7, true));
        for write in [
            "DELETE FROM bars",
            "UPDATE bars SET close = 0",
            "DROP TABLE bars",
        ] {
            match s.query_read_only(write, quick()).await {
                Err(QueryError::Denied(_)) => {}
                other => panic!("{}: {write}: {other:?}", t.backend),
            }
        }
        assert_eq!(
            s.query_read_only("SELECT 1; SELECT 2", quick())
                .await
                .unwrap_err(),
            QueryError::MultipleStatements,
            "{}",
            t.backend
        );
        assert_eq!(
            s.query_read_only("  ;", quick()).await.unwrap_err(),
            QueryError::Empty
        );
        let bars_left = s
            .query_read_only("SELECT COUNT(*) FROM bars", quick())
            .await
            .unwrap();
        assert_eq!(
            bars_left.rows,
            [vec![SqlValue::Integer(100)]],
            "the store is unchanged"
        );
    }
}

#[tokio::test]
async fn the_postgres_reader_cannot_lock_signal_read_files_or_run_long() {
    let t = support::backends::postgres_store().await;
    save(&t, &reliance()[..10], None, 1).await;
    let s = &t.store;
    for sql in [
        "SELECT pg_advisory_lock(1)",
        "SELECT pg_try_advisory_lock(1)",
        "SELECT pg_advisory_xact_lock(1, 2)",
        "SELECT pg_terminate_backend(pg_backend_pid())",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT * FROM pg_statistic",
        "SELECT * FROM pg_authid",
        "SET ROLE postgres",
        "COPY bars TO STDOUT",
    ] {
        match s.query_read_only(sql, quick()).await {
            Err(e @ QueryError::Denied(_)) => {
                assert!(e.to_string().contains("read-only here"), "{sql}: {e}")
            }
            other => panic!("{sql}: expected a refusal, got {other:?}"),
        }
    }
    match s.query_read_only("SELECT pg_sleep(30)", quick()).await {
        Err(e @ QueryError::Timeout(_)) => assert!(e.to_string().contains("500 ms"), "{e}"),
        other => panic!("pg_sleep: {other:?}"),
    }
    // Types beyond SQLite's five come back as text, or say how to cast.
    let r = s
        .query_read_only(
            "SELECT to_timestamp(0) AS t, DATE '2024-04-01' AS d, 2.5::numeric AS x, 'a'::bytea AS b",
            quick(),
        )
        .await
        .unwrap();
    assert_eq!(
        r.rows,
        [vec![
            SqlValue::Text("1970-01-01T00:00:00+00:00".into()),
            SqlValue::Text("2024-04-01".into()),
            SqlValue::Real(2.5),
            SqlValue::Blob(b"a".to_vec()),
        ]]
    );
    let e = s
        .query_read_only("SELECT '{1,2}'::int[] AS a", quick())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cast the column to text"), "{e}");
    // The store still works for its own advisory locks afterwards.
    save(&t, &reliance()[10..20], None, 2).await;
}

#[tokio::test]
async fn one_postgres_instance_leads_and_another_takes_over_when_it_dies() {
    let url = support::backends::postgres_url().await;
    let a = trading_mcp::store::BarStore::connect_postgres(&url)
        .await
        .unwrap();
    let b = trading_mcp::store::BarStore::connect_postgres(&url)
        .await
        .unwrap();
    assert!(a.claim_lease("warming", "a:1", 100, 280).await.unwrap());
    assert!(
        a.claim_lease("warming", "a:1", 160, 340).await.unwrap(),
        "renewed"
    );
    // Long after the row's expiry, B still cannot lead: A's session lives.
    assert!(
        !b.claim_lease("warming", "b:2", 10_000, 10_180)
            .await
            .unwrap()
    );
    assert_eq!(
        a.lease_holder("warming", 200).await.unwrap().as_deref(),
        Some("a:1")
    );
    // A's process dies: its connections end, and with them the lock.
    let leader_pid: i32 = sqlx::query_scalar(
        // pg_locks shows the whole cluster: other tests' databases too.
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(
        &mut <sqlx::PgConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(leader_pid)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert!(ended);
    let mut took_over = false;
    for _ in 0..50 {
        if b.claim_lease("warming", "b:2", 300, 480).await.unwrap() {
            took_over = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(took_over, "B leads once A's session is gone");
    assert_eq!(
        b.lease_holder("warming", 300).await.unwrap().as_deref(),
        Some("b:2")
    );
    // A notices it lost the lock, and stands by.
    assert!(!a.claim_lease("warming", "a:1", 301, 481).await.unwrap());
    b.release_lease("warming", "b:2").await.unwrap();
    assert!(
        a.claim_lease("warming", "a:1", 302, 482).await.unwrap(),
        "a release hands over at once"
    );
}
