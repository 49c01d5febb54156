//! The PostgreSQL schema (#13's first part) on a real throwaway server:
//! refinery applies `migrations/postgres/` once, and the result has every
//! table and column of the SQLite store, in order, with the type
//! differences its migration documents; its news search is a weighted
//! tsvector.

mod shared_data;
mod support;

use sqlx::{Connection, PgConnection, SqliteConnection};
use support::postgres::Postgres;
use trading_mcp::store::{BarStore, postgres};

/// (table, column, declared type) of every table the store keeps, without
/// SQLite's FTS5 tables and refinery's history.
async fn sqlite_columns() -> Vec<(String, String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    BarStore::open(&db).await.unwrap().close().await;
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query_as(
        "SELECT m.name, p.name, p.type FROM sqlite_schema m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'news_fts%' AND m.name NOT LIKE 'sqlite_%'
           AND m.name != 'refinery_schema_history'
         ORDER BY m.name, p.cid",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

async fn postgres_columns(conn: &mut PgConnection) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name != 'refinery_schema_history'
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_postgres_schema_has_the_sqlite_stores_tables_and_columns() {
    let pg = Postgres::start();
    let mut conn = PgConnection::connect(&pg.database("store").await)
        .await
        .unwrap();
    assert_eq!(postgres::migrate(&mut conn).await.unwrap(), 1);
    assert_eq!(
        postgres::migrate(&mut conn).await.unwrap(),
        0,
        "applied once"
    );

    let mut pg_columns = postgres_columns(&mut conn).await;
    // SQLite searches news through its FTS5 table; PostgreSQL through this column.
    let search = pg_columns
        .iter()
        .position(|(t, c, _)| t == "news" && c == "search")
        .expect("news.search");
    assert_eq!(pg_columns.remove(search).2, "tsvector");

    let sqlite = sqlite_columns().await;
    assert_eq!(sqlite.len(), 86, "the 13 tables' columns: {sqlite:?}");
    let names = |cols: &[(String, String, String)]| -> Vec<(String, String)> {
        cols.iter()
            .map(|(t, c, _)| (t.clone(), c.clone()))
            .collect()
    };
    assert_eq!(names(&pg_columns), names(&sqlite));
    // The type differences migrations/postgres/V1 states, and no others.
    for ((table, column, lite), (_, _, pg)) in sqlite.iter().zip(&pg_columns) {
        let flag = table == "news" && ["date_estimated", "market_wide"].contains(&column.as_str());
        let want = match lite.as_str() {
            "INTEGER" if flag => "boolean",
            "INTEGER" => "bigint",
            "REAL" => "double precision",
            "TEXT" => "text",
            other => panic!("{table}.{column}: SQLite type {other} has no stated PostgreSQL type"),
        };
        assert_eq!(pg, want, "{table}.{column}");
    }
}

#[tokio::test]
async fn postgres_numbers_rows_and_ranks_title_words_over_summary_words() {
    let pg = Postgres::start();
    let mut conn = PgConnection::connect(&pg.database("store").await)
        .await
        .unwrap();
    postgres::migrate(&mut conn).await.unwrap();
    for (uid, title, summary) in [
        (
            11_i64,
            "Infosys shares rise",
            "Analysts cite zeolite demand",
        ),
        (12, "Zeolite maker lists", "A small issue"),
        (13, "Rupee steady", "Bond yields flat"),
    ] {
        sqlx::query(
            "INSERT INTO news (uid, title, summary, url, source, published_at, fetched_at, dedup_key)
             VALUES ($1, $2, $3, 'https://x.example/' || $1, 'Wire', 1000, 1000, lower($2))",
        )
        .bind(uid)
        .bind(title)
        .bind(summary)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let numbered: Vec<(i64, i64, bool)> =
        sqlx::query_as("SELECT id, uid, market_wide FROM news ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(numbered, [(1, 11, false), (2, 12, false), (3, 13, false)]);
    let found: Vec<i64> = sqlx::query_scalar(
        "SELECT uid FROM news, plainto_tsquery('simple', 'ZEOLITE') q WHERE search @@ q
         ORDER BY ts_rank(search, q) DESC",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(found, [12, 11], "the title match first");
    // A link to a missing article is refused, and deleting an article
    // takes its links with it.
    let orphan =
        sqlx::query("INSERT INTO news_symbols (symbol, news_id, link) VALUES ('INFY', 99, 'text')")
            .execute(&mut conn)
            .await;
    assert!(orphan.is_err());
    sqlx::query("INSERT INTO news_symbols (symbol, news_id, link) VALUES ('INFY', 1, 'text')")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("DELETE FROM news WHERE id = 1")
        .execute(&mut conn)
        .await
        .unwrap();
    let links: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM news_symbols")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(links, 0);
}
