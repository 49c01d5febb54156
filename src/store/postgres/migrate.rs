//! The PostgreSQL schema (`migrations/postgres/`), applied by refinery
//! over sqlx as the SQLite one is (see [`crate::store::migrate`]).

use refinery_core::Migration;
use refinery_core::traits::r#async::{AsyncMigrate, AsyncQuery, AsyncTransaction};
use sqlx::{AssertSqlSafe, PgConnection, Row};

use crate::store::migrate::{applied, execute_in_transaction};

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

struct PgMigrationConnection<'c>(&'c mut PgConnection);

impl AsyncTransaction for PgMigrationConnection<'_> {
    type Error = sqlx::Error;

    async fn execute<'a, T: Iterator<Item = &'a str> + Send + 'a>(
        &'a mut self,
        queries: T,
    ) -> Result<usize, Self::Error> {
        execute_in_transaction::<sqlx::Postgres>(&mut *self.0, queries).await
    }
}

impl AsyncQuery<Vec<Migration>> for PgMigrationConnection<'_> {
    async fn query<'a>(&'a mut self, query: &'a str) -> Result<Vec<Migration>, sqlx::Error> {
        let rows = sqlx::query(AssertSqlSafe(query))
            .fetch_all(&mut *self.0)
            .await?;
        rows.iter()
            .map(|row| {
                // refinery's history table has `version int4`; PostgreSQL
                // decodes it as i32 only.
                let version: i32 = row.try_get(0)?;
                applied(
                    i64::from(version),
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                )
            })
            .collect()
    }
}

impl AsyncMigrate for PgMigrationConnection<'_> {}

/// Applies every PostgreSQL migration not yet applied; returns how many ran.
pub async fn migrate(conn: &mut PgConnection) -> Result<usize, refinery_core::Error> {
    let report = embedded::migrations::runner()
        .run_async(&mut PgMigrationConnection(conn))
        .await?;
    Ok(report.applied_migrations().len())
}
