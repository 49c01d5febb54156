//! `query_market_db` through the real binary: answers from the store the
//! server filled, limits, and writes refused with the store unchanged.

mod shared_data;
mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn an_agent_reads_the_store_and_cannot_change_it() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let chart = json!({"symbol": "TCS", "start_date": "2023-01-01", "end_date": "2023-12-31"});
    let bars_served = bars(&call(&client, "get_stock_chart_data", chart).await).len();
    assert!(bars_served > 200);
    let stored = db_scalar(&env.db(), "SELECT COUNT(*) FROM bars").await;
    let calls = yahoo.count();

    // The store's own dialect.
    let friday_in_2023 = match env.db() {
        TestDb::Sqlite(_) => {
            "strftime('%w', ts, 'unixepoch') = '5' \
             AND ts BETWEEN strftime('%s','2023-01-01') AND strftime('%s','2023-12-31')"
        }
        TestDb::Postgres(_) => {
            "EXTRACT(DOW FROM to_timestamp(ts) AT TIME ZONE 'UTC') = 5 \
             AND to_timestamp(ts)::date BETWEEN '2023-01-01' AND '2023-12-31'"
        }
    };
    let fridays = call(
        &client,
        "query_market_db",
        json!({"sql": format!("SELECT COUNT(*) AS n, AVG(volume) AS avg_volume FROM bars \
                WHERE symbol = 'TCS.NS' AND interval = '1d' AND {friday_in_2023}")}),
    )
    .await;
    let out = ok(&fridays);
    assert_eq!(out["columns"][0]["name"], "n");
    let fridays_n = out["rows"][0][0].as_i64().unwrap();
    assert!((45..=53).contains(&fridays_n), "{fridays_n} Fridays");
    assert!(out["rows"][0][1].as_f64().unwrap() > 0.0);
    assert_eq!(out["truncated"], false);

    let all = call(
        &client,
        "query_market_db",
        json!({"sql": "SELECT ts, close FROM bars ORDER BY ts", "limit": 10}),
    )
    .await;
    let all = ok(&all);
    assert_eq!(all["rows"].as_array().unwrap().len(), 10);
    assert_eq!(all["truncated"], true);
    assert!(
        text(
            &call(
                &client,
                "query_market_db",
                json!({"sql": "SELECT 1 AS one"})
            )
            .await
        )
        .starts_with("one\n1\n")
    );

    let (huge_value, attach) = match env.db() {
        TestDb::Sqlite(_) => ("SELECT randomblob(999999999)", "read-only"),
        // Built by the server, refused on arrival (2 MB against 1 MB);
        // PostgreSQL has no ATTACH at all.
        TestDb::Postgres(_) => ("SELECT repeat('x', 2000000)", "SQL error"),
    };
    for (sql, expect) in [
        ("DELETE FROM bars", "read-only"),
        ("DROP TABLE bars", "read-only"),
        ("ATTACH DATABASE '/tmp/x.db' AS x", attach),
        ("SELECT 1; DELETE FROM bars", "one statement"),
        (huge_value, "limit"),
        ("SELEC nonsense", "SQL error"),
    ] {
        let err = tool_error(&call(&client, "query_market_db", json!({"sql": sql})).await);
        assert!(err.contains(expect), "{sql}: {err}");
    }
    let err = tool_error(
        &call(
            &client,
            "query_market_db",
            json!({"sql": "SELECT 1", "limit": 0}),
        )
        .await,
    );
    assert!(err.contains("use 1 to 1000"), "{err}");

    assert_eq!(
        db_scalar(&env.db(), "SELECT COUNT(*) FROM bars").await,
        stored
    );
    assert_eq!(yahoo.count(), calls, "SQL never fetches");
    ok(&call(
        &client,
        "query_market_db",
        json!({"sql": "SELECT COUNT(*) FROM bars"}),
    )
    .await);
}

#[tokio::test]
async fn sql_reads_while_the_server_writes() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    // Create the store, then let the server fetch (and write) ten symbols
    // while `trading-mcp sql` reads it from other processes.
    ok(&call(
        &client,
        "get_stock_chart_data",
        json!({"symbol": "TCS", "start_date": "2023-01-01", "end_date": "2023-03-31"}),
    )
    .await);
    let symbols = [
        "INFY",
        "WIPRO",
        "ITC",
        "SBIN",
        "HDFCBANK",
        "ICICIBANK",
        "LT",
        "MARUTI",
        "TITAN",
        "NTPC",
    ];
    let writer = async {
        for s in symbols {
            ok(&call(&client, "get_stock_chart_data", json!({"symbol": s, "start_date": "2005-01-01", "end_date": "2024-03-28", "max_points": 1})).await);
        }
    };
    let reader = async {
        let mut counts = Vec::new();
        for _ in 0..8 {
            let out = env
                .command(&["sql", "SELECT COUNT(*) FROM bars", "--format", "csv"])
                .stdin(std::process::Stdio::null())
                .output()
                .await
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{err}");
            let n: i64 = String::from_utf8_lossy(&out.stdout)
                .lines()
                .nth(1)
                .unwrap()
                .parse()
                .unwrap();
            counts.push(n);
        }
        counts
    };
    let ((), counts) = tokio::join!(writer, reader);
    assert!(
        counts.windows(2).all(|w| w[0] <= w[1]),
        "committed fetches only grow: {counts:?}"
    );
    let total = db_scalar(&env.db(), "SELECT COUNT(*) FROM bars").await;
    assert!(total > 40_000, "{total}");
    assert!(*counts.last().unwrap() <= total);
}
