//! Read-only SQL on PostgreSQL (`trading-mcp sql`, `query_market_db`).
//!
//! A read-only transaction alone is not enough: it still lets a statement
//! take advisory locks (which would stall every instance's fetch locks),
//! signal other backends, or read server files as a superuser. So each
//! query runs on a connection of its own, logged in as the least-privilege
//! role [`READER_ROLE`], which [`provision_reader`] sets up at migration:
//! SELECT on the documented tables and nothing else, read-only by default,
//! and no EXECUTE on the advisory-lock and signalling functions. Inside,
//! the transaction is `READ ONLY` with a `statement_timeout`. The
//! connection is closed after the query, so nothing it set outlives it.
//!
//! Values come back in PostgreSQL's binary format and are decoded by type
//! into the same [`SqlValue`]s SQLite gives; a type without a decoding
//! here is a clear error that says to cast the column to text.

use std::time::Duration;

use futures::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgRow, PgValueRef};
use sqlx::{
    AssertSqlSafe, Column, Connection, Executor, PgConnection, Row, SqlSafeStr, Statement,
    TypeInfo, ValueRef,
};

use crate::store::query::{LimitedRows, check_length};
use crate::store::schema_doc::TABLES;
use crate::store::{QueryColumn, QueryError, QueryLimits, QueryResult, SqlValue};

/// The role `sql` and `query_market_db` log in as.
pub const READER_ROLE: &str = "trading_mcp_reader";

/// Functions no query may call although a read-only transaction allows
/// them: advisory locks (session locks outlive the statement and would
/// block every instance's fetch locks) and signalling other backends.
const FORBIDDEN_FUNCTIONS: &[&str] = &[
    "pg_advisory_lock",
    "pg_advisory_lock_shared",
    "pg_advisory_xact_lock",
    "pg_advisory_xact_lock_shared",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared",
    "pg_try_advisory_xact_lock",
    "pg_try_advisory_xact_lock_shared",
    "pg_terminate_backend",
    "pg_cancel_backend",
];

/// Creates (or brings up to date) the reader role: login, read-only by
/// default, SELECT on the documented tables only. Revoking the forbidden
/// functions from PUBLIC takes their owner, a superuser; when the store's
/// own role is not one, the role still cannot write, and the log says
/// which functions it can still call.
pub async fn provision_reader(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    // Roles belong to the cluster: instances on other databases of it may
    // create this one at the same moment.
    let mut script = vec![format!(
        "DO $$ BEGIN
             CREATE ROLE {READER_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$"
    )];
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut *conn)
        .await?;
    let database = format!("\"{}\"", database.replace('"', "\"\""));
    script.push(format!(
        "GRANT CONNECT ON DATABASE {database} TO {READER_ROLE}"
    ));
    script.push(format!("GRANT USAGE ON SCHEMA public TO {READER_ROLE}"));
    script.push(format!(
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {READER_ROLE}"
    ));
    // The documented tables this schema has (SQLite's FTS5 tables are
    // documented too; here the search is a column of `news`).
    let documented: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY($1)
         ORDER BY tablename",
    )
    .bind(&documented)
    .fetch_all(&mut *conn)
    .await?;
    script.push(format!(
        "GRANT SELECT ON {} TO {READER_ROLE}",
        tables.join(", ")
    ));
    script.push(format!(
        "ALTER ROLE {READER_ROLE} IN DATABASE {database} SET default_transaction_read_only = on"
    ));
    for statement in &script {
        sqlx::raw_sql(AssertSqlSafe(statement.as_str()))
            .execute(&mut *conn)
            .await?;
    }
    let superuser: bool =
        sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut *conn)
            .await?;
    let functions: Vec<String> = sqlx::query_scalar(
        "SELECT p.oid::regprocedure::text FROM pg_proc p
         WHERE p.proname = ANY($1) AND has_function_privilege($2, p.oid, 'EXECUTE')",
    )
    .bind(FORBIDDEN_FUNCTIONS)
    .bind(READER_ROLE)
    .fetch_all(&mut *conn)
    .await?;
    if functions.is_empty() {
        return Ok(());
    }
    if !superuser {
        tracing::warn!(
            role = READER_ROLE,
            functions = %functions.join(", "),
            "the store's role is not a superuser, so it cannot revoke these functions from PUBLIC; \
             the SQL tools can still call them (revoke them as a superuser)"
        );
        return Ok(());
    }
    for function in functions {
        sqlx::raw_sql(AssertSqlSafe(format!(
            "REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC"
        )))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The reader's connection options: the store's, logged in as
/// [`READER_ROLE`] without a password (the server's `pg_hba.conf` decides
/// how it may log in).
pub fn reader_options(store: &PgConnectOptions) -> PgConnectOptions {
    store.clone().username(READER_ROLE).password("")
}

/// Runs `sql` read-only as the reader.
pub async fn query_read_only(
    reader: &PgConnectOptions,
    sql: &str,
    limits: QueryLimits,
) -> Result<QueryResult, QueryError> {
    check_length(sql, &limits)?;
    if sql.trim().trim_end_matches(';').trim().is_empty() {
        return Err(QueryError::Empty);
    }
    let mut conn = PgConnection::connect_with(reader)
        .await
        .map_err(|e| QueryError::Open {
            path: format!("PostgreSQL as the role {READER_ROLE}"),
            detail: format!(
                "{e}; the server creates the role at start, and pg_hba.conf must let it log in"
            ),
        })?;
    let result = run(&mut conn, sql, &limits).await;
    conn.close().await.ok();
    result
}

/// Statements that only read, by their first word. Privileges and the
/// read-only transaction stop writes whatever the word; this also stops
/// what reads yet would not come back as rows (`COPY … TO STDOUT`) or
/// changes the session (`SET`, `RESET`, `DISCARD`, `LISTEN`).
const READING_STATEMENTS: &[&str] = &["select", "with", "values", "table", "explain", "show"];

fn check_kind(sql: &str) -> Result<(), QueryError> {
    let word: String = leading_word(sql).to_lowercase();
    if READING_STATEMENTS.contains(&word.as_str()) {
        return Ok(());
    }
    Err(QueryError::Denied(format!(
        "a {} statement",
        word.to_uppercase()
    )))
}

/// The first word of `sql` after whitespace, comments and parentheses.
fn leading_word(mut sql: &str) -> &str {
    loop {
        let trimmed = sql.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
        if let Some(rest) = trimmed.strip_prefix("--") {
            sql = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(rest) = trimmed.strip_prefix("/*") {
            sql = rest.split_once("*/").map_or("", |(_, after)| after);
        } else {
            let end = trimmed
                .find(|c: char| !c.is_alphanumeric() && c != '_')
                .unwrap_or(trimmed.len());
            return &trimmed[..end];
        }
    }
}

async fn run(
    conn: &mut PgConnection,
    sql: &str,
    limits: &QueryLimits,
) -> Result<QueryResult, QueryError> {
    let fail = |e: sqlx::Error| failure(e, limits);
    conn.execute("BEGIN READ ONLY").await.map_err(fail)?;
    let timeout = format!("SET LOCAL statement_timeout = {}", millis(limits.timeout));
    conn.execute(AssertSqlSafe(timeout)).await.map_err(fail)?;
    // Preparing first gives the columns of an empty result too, and turns
    // a second statement into an error before anything runs.
    let statement = (&mut *conn)
        .prepare(AssertSqlSafe(sql.to_string()).into_sql_str())
        .await
        .map_err(fail)?;
    // After preparing, so a typo is an SQL error as on SQLite.
    check_kind(sql)?;
    let columns: Vec<QueryColumn> = statement
        .columns()
        .iter()
        .map(|c| QueryColumn {
            name: c.name().to_string(),
            decl_type: Some(c.type_info().name().to_lowercase()),
        })
        .collect();
    let mut rows = LimitedRows::new(limits);
    {
        let mut stream = statement.query().fetch(&mut *conn);
        while let Some(row) = stream.try_next().await.map_err(fail)? {
            if !rows.push(decode_row(&row, limits)?) {
                break;
            }
        }
    }
    conn.execute("ROLLBACK").await.map_err(fail)?;
    Ok(rows.finish(columns))
}

fn millis(d: Duration) -> u128 {
    d.as_millis().max(1)
}

/// Maps a PostgreSQL error to what the user should hear.
fn failure(e: sqlx::Error, limits: &QueryLimits) -> QueryError {
    let sqlx::Error::Database(db) = &e else {
        return QueryError::Internal(e.to_string());
    };
    let message = db.message().to_string();
    match db.code().as_deref() {
        // query_canceled: the statement_timeout fired.
        Some("57014") => QueryError::Timeout(limits.timeout),
        Some("42601") if message.contains("multiple commands") => QueryError::MultipleStatements,
        // insufficient_privilege, read_only_sql_transaction
        Some("42501") | Some("25006") => {
            QueryError::Denied(format!("what the query asks for ({message})"))
        }
        _ => QueryError::Sql(message),
    }
}

fn decode_row(row: &PgRow, limits: &QueryLimits) -> Result<Vec<SqlValue>, QueryError> {
    (0..row.len())
        .map(|i| {
            let value = row
                .try_get_raw(i)
                .map_err(|e| QueryError::Internal(e.to_string()))?;
            let column = row.column(i);
            decode(value, limits).map_err(|why| {
                QueryError::Sql(format!(
                    "column {:?} ({}): {why}",
                    column.name(),
                    column.type_info().name().to_lowercase()
                ))
            })
        })
        .collect()
}

/// One binary value as an [`SqlValue`].
fn decode(value: PgValueRef<'_>, limits: &QueryLimits) -> Result<SqlValue, String> {
    if value.is_null() {
        return Ok(SqlValue::Null);
    }
    let kind = value.type_info().name().to_string();
    let bytes = value.as_bytes().map_err(|e| e.to_string())?;
    if bytes.len() > limits.max_value_bytes {
        return Err(format!(
            "a value of {} bytes is over the {}-byte limit for one value; select smaller values (substr, length) instead",
            bytes.len(),
            limits.max_value_bytes
        ));
    }
    let fixed = |n: usize| -> Result<&[u8], String> {
        (bytes.len() == n)
            .then_some(bytes)
            .ok_or_else(|| format!("{} bytes where {n} were expected", bytes.len()))
    };
    Ok(match kind.as_str() {
        "BOOL" => SqlValue::Integer(i64::from(fixed(1)?[0] != 0)),
        "INT2" => SqlValue::Integer(i64::from(i16::from_be_bytes(array(fixed(2)?)))),
        "INT4" | "OID" => SqlValue::Integer(i64::from(i32::from_be_bytes(array(fixed(4)?)))),
        "INT8" => SqlValue::Integer(i64::from_be_bytes(array(fixed(8)?))),
        "FLOAT4" => SqlValue::Real(f64::from(f32::from_be_bytes(array(fixed(4)?)))),
        "FLOAT8" => SqlValue::Real(f64::from_be_bytes(array(fixed(8)?))),
        "NUMERIC" => numeric(bytes)?,
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "CHAR" | "UNKNOWN" => {
            SqlValue::Text(String::from_utf8_lossy(bytes).into_owned())
        }
        "BYTEA" => SqlValue::Blob(bytes.to_vec()),
        "DATE" => SqlValue::Text(date(i32::from_be_bytes(array(fixed(4)?)))?),
        "TIMESTAMP" => SqlValue::Text(timestamp(i64::from_be_bytes(array(fixed(8)?)), "")?),
        "TIMESTAMPTZ" => SqlValue::Text(timestamp(i64::from_be_bytes(array(fixed(8)?)), "+00:00")?),
        _ => {
            return Err(
                "this type cannot be shown; cast the column to text (column::text) or a number"
                    .to_string(),
            );
        }
    })
}

fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    bytes.try_into().expect("length checked")
}

/// PostgreSQL's dates and timestamps count from 2000-01-01.
fn epoch() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
        .expect("a valid date")
        .and_hms_opt(0, 0, 0)
        .expect("a valid time")
}

fn date(days: i32) -> Result<String, String> {
    epoch()
        .date()
        .checked_add_signed(chrono::TimeDelta::days(i64::from(days)))
        .map(|d| d.to_string())
        .ok_or_else(|| "a date out of range (infinity?); cast it to text".to_string())
}

fn timestamp(micros: i64, zone: &str) -> Result<String, String> {
    epoch()
        .checked_add_signed(chrono::TimeDelta::microseconds(micros))
        .map(|t| format!("{}{zone}", t.format("%Y-%m-%dT%H:%M:%S%.f")))
        .ok_or_else(|| "a timestamp out of range (infinity?); cast it to text".to_string())
}

/// A binary NUMERIC: digit count, weight, sign, display scale, then
/// base-10,000 digits. A whole number that fits is an integer (a `SUM`
/// of bigints is a NUMERIC), anything else a real.
fn numeric(bytes: &[u8]) -> Result<SqlValue, String> {
    let word = |i: usize| -> Result<u16, String> {
        bytes
            .get(2 * i..2 * i + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a truncated numeric".to_string())
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let scale = word(3)?;
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Ok(SqlValue::Real(f64::NAN)),
        0xD000 => return Ok(SqlValue::Real(f64::INFINITY)),
        0xF000 => return Ok(SqlValue::Real(f64::NEG_INFINITY)),
        other => return Err(format!("a numeric with sign word {other:#x}")),
    }
    let negative = sign == 0x4000;
    let digits = (0..ndigits)
        .map(|i| word(4 + i))
        .collect::<Result<Vec<u16>, String>>()?;
    // Whole: every digit sits at or above the units (weight counts down).
    let whole = scale == 0 && (ndigits as i32) <= weight + 1;
    if whole {
        let mut n: i128 = 0;
        for (i, &d) in digits.iter().enumerate() {
            let power = (weight - i as i32) as u32;
            n = n.saturating_add(i128::from(d).saturating_mul(10_000i128.saturating_pow(power)));
        }
        let n = if negative { -n } else { n };
        if let Ok(n) = i64::try_from(n) {
            return Ok(SqlValue::Integer(n));
        }
    }
    let mut x = 0f64;
    for (i, &d) in digits.iter().enumerate() {
        x += f64::from(d) * 10_000f64.powi(weight - i as i32);
    }
    Ok(SqlValue::Real(if negative { -x } else { x }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_bytes(weight: i16, sign: u16, scale: u16, digits: &[u16]) -> Vec<u8> {
        let mut out = Vec::new();
        for w in [digits.len() as u16, weight as u16, sign, scale] {
            out.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            out.extend_from_slice(&d.to_be_bytes());
        }
        out
    }

    #[test]
    fn numerics_decode_to_integers_when_whole_and_reals_otherwise() {
        // 123456789 = 1|2345|6789, weight 2.
        assert_eq!(
            numeric(&numeric_bytes(2, 0, 0, &[1, 2345, 6789])).unwrap(),
            SqlValue::Integer(123_456_789)
        );
        // 1e8 is stored as the single digit 1 at weight 2 (trailing zero digits dropped).
        assert_eq!(
            numeric(&numeric_bytes(2, 0, 0, &[1])).unwrap(),
            SqlValue::Integer(100_000_000)
        );
        assert_eq!(
            numeric(&numeric_bytes(0, 0x4000, 0, &[42])).unwrap(),
            SqlValue::Integer(-42)
        );
        assert_eq!(
            numeric(&numeric_bytes(0, 0, 2, &[2, 5000])).unwrap(),
            SqlValue::Real(2.5)
        );
        assert_eq!(
            numeric(&numeric_bytes(0, 0, 0, &[])).unwrap(),
            SqlValue::Integer(0)
        );
        assert!(numeric(&[0, 1]).is_err());
    }

    #[test]
    fn only_reading_statements_pass_by_their_first_word() {
        for sql in [
            "SELECT 1",
            " (select 1)",
            "-- c\nWITH x AS (SELECT 1) TABLE x",
            "/* a */ values (1)",
        ] {
            assert!(check_kind(sql).is_ok(), "{sql}");
        }
        for (sql, word) in [
            ("COPY bars TO STDOUT", "COPY"),
            ("set role x", "SET"),
            ("/* */ DISCARD ALL", "DISCARD"),
            ("/* unclosed", ""),
        ] {
            assert_eq!(
                check_kind(sql).unwrap_err(),
                QueryError::Denied(format!("a {word} statement")),
                "{sql}"
            );
        }
    }

    #[test]
    fn dates_and_timestamps_count_from_2000() {
        assert_eq!(date(0).unwrap(), "2000-01-01");
        assert_eq!(date(8_857).unwrap(), "2024-04-01");
        assert_eq!(
            timestamp(86_400_000_000 + 1_500_000, "+00:00").unwrap(),
            "2000-01-02T00:00:01.500+00:00"
        );
        assert!(date(i32::MAX).is_err());
    }
}
