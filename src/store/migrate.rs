//! Runs the refinery migrations in `migrations/sqlite/` over the sqlx
//! connection (`postgres.rs` does the same for `migrations/postgres/`).
//!
//! refinery ships drivers for rusqlite, but linking rusqlite would put a
//! second SQLite library in the binary; implementing refinery's async driver
//! traits over sqlx keeps one.

use refinery_core::Migration;
use refinery_core::traits::r#async::{AsyncMigrate, AsyncQuery, AsyncTransaction};
use sqlx::{AssertSqlSafe, Connection, Row, SqliteConnection};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

mod embedded {
    refinery::embed_migrations!("migrations/sqlite");
}

/// A connection refinery can drive.
pub struct MigrationConnection<'c>(pub &'c mut SqliteConnection);

impl AsyncTransaction for MigrationConnection<'_> {
    type Error = sqlx::Error;

    async fn execute<'a, T: Iterator<Item = &'a str> + Send + 'a>(
        &'a mut self,
        queries: T,
    ) -> Result<usize, Self::Error> {
        execute_in_transaction::<sqlx::Sqlite>(&mut *self.0, queries).await
    }
}

/// Runs one migration's statements in one transaction, on either backend;
/// returns how many ran.
pub(super) async fn execute_in_transaction<'a, DB>(
    conn: &mut DB::Connection,
    queries: impl Iterator<Item = &'a str>,
) -> Result<usize, sqlx::Error>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let mut tx = conn.begin().await?;
    let mut count = 0;
    for query in queries {
        sqlx::raw_sql(AssertSqlSafe(query))
            .execute(&mut *tx)
            .await?;
        count += 1;
    }
    tx.commit().await?;
    Ok(count)
}

impl AsyncQuery<Vec<Migration>> for MigrationConnection<'_> {
    async fn query<'a>(&'a mut self, query: &'a str) -> Result<Vec<Migration>, sqlx::Error> {
        let rows = sqlx::query(AssertSqlSafe(query))
            .fetch_all(&mut *self.0)
            .await?;
        rows.iter()
            .map(|row| {
                applied(
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                )
            })
            .collect()
    }
}

/// One row of refinery's `refinery_schema_history`, whose times and
/// checksums are text.
pub(super) fn applied(
    version: i64,
    name: String,
    applied_on: String,
    checksum: String,
) -> Result<Migration, sqlx::Error> {
    let applied_on = OffsetDateTime::parse(&applied_on, &Rfc3339)
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let checksum = checksum
        .parse::<u64>()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Migration::applied(
        version as i32,
        name,
        applied_on,
        checksum,
    ))
}

impl AsyncMigrate for MigrationConnection<'_> {}

/// Applies every migration not yet applied; returns how many ran.
pub async fn run(conn: &mut SqliteConnection) -> Result<usize, refinery_core::Error> {
    let report = embedded::migrations::runner()
        .run_async(&mut MigrationConnection(conn))
        .await?;
    Ok(report.applied_migrations().len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use refinery_core::Target;
    use sqlx::sqlite::SqliteConnectOptions;

    async fn scalar(conn: &mut SqliteConnection, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(conn).await.unwrap()
    }

    /// V5 renumbers news rows: a store with articles at V4 keeps every
    /// article, link and searchable word, with the old id as `uid`.
    #[tokio::test]
    async fn news_keeps_its_articles_links_and_index_across_the_renumbering() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("v4.db"))
            .create_if_missing(true)
            .foreign_keys(true);
        let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
        embedded::migrations::runner()
            .set_target(Target::Version(4))
            .run_async(&mut MigrationConnection(&mut conn))
            .await
            .unwrap();
        for (id, title, published) in [
            (
                -7_000_000_000_000_000_001_i64,
                "Infosys wins a zeolite deal",
                200,
            ),
            (5_000_000_000_000_000_003, "TCS and Infosys report", 100),
        ] {
            sqlx::query(
                "INSERT INTO news (id, title, summary, url, source, published_at, fetched_at, dedup_key)
                 VALUES (?, ?, 'summary words', 'https://x.example/' || ?, 'Wire', ?, 300, ?)",
            )
            .bind(id)
            .bind(title)
            .bind(id)
            .bind(published)
            .bind(title)
            .execute(&mut conn)
            .await
            .unwrap();
        }
        sqlx::query(
            "INSERT INTO news_symbols (symbol, news_id, link) VALUES
             ('INFY', -7000000000000000001, 'feed'), ('INFY', 5000000000000000003, 'text'),
             ('TCS', 5000000000000000003, 'feed')",
        )
        .execute(&mut conn)
        .await
        .unwrap();

        // V5, then V6 (the dedup index by period).
        assert_eq!(run(&mut conn).await.unwrap(), 2);

        assert_eq!(scalar(&mut conn, "SELECT COUNT(*) FROM news").await, 2);
        // Renumbered in arrival (then publication) order, the hash kept.
        let rows: Vec<(i64, i64, String)> =
            sqlx::query_as("SELECT id, uid, title FROM news ORDER BY id")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(
            rows,
            vec![
                (
                    1,
                    5_000_000_000_000_000_003,
                    "TCS and Infosys report".into()
                ),
                (
                    2,
                    -7_000_000_000_000_000_001,
                    "Infosys wins a zeolite deal".into()
                ),
            ]
        );
        let links: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT s.symbol, n.uid, s.link FROM news_symbols s JOIN news n ON n.id = s.news_id
             ORDER BY s.symbol, n.uid",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            links,
            vec![
                ("INFY".into(), -7_000_000_000_000_000_001, "feed".into()),
                ("INFY".into(), 5_000_000_000_000_000_003, "text".into()),
                ("TCS".into(), 5_000_000_000_000_000_003, "feed".into()),
            ]
        );
        let found = "SELECT n.uid FROM news_fts JOIN news n ON n.id = news_fts.rowid
                     WHERE news_fts MATCH 'zeolite'";
        assert_eq!(scalar(&mut conn, found).await, -7_000_000_000_000_000_001);
        assert_eq!(
            scalar(&mut conn, "SELECT COUNT(*) FROM pragma_foreign_key_check").await,
            0
        );
        assert_eq!(
            scalar(
                &mut conn,
                "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%_v4'"
            )
            .await,
            0
        );
    }
}
