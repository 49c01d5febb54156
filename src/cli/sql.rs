//! `trading-mcp sql "SELECT ..."`: one read-only query over the store,
//! printed as a table, CSV or JSON. Works while a server writes (WAL).

use std::io::Write;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::config::Config;
use crate::store::{
    BarStore, DbLocation, QueryError, QueryLimits, QueryResult, SqlValue, query_read_only,
    schema_doc,
};

/// Rows printed when `--limit` is not given.
const DEFAULT_ROWS: usize = 10_000;
/// Output bytes at most: a CLI can print more than an agent should read.
const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Widest cell in table output; longer values end in `…`.
const MAX_CELL: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct SqlArgs {
    /// One SELECT statement (WITH, and pragmas such as table_info(bars), too).
    #[arg(required_unless_present = "schema")]
    pub query: Option<String>,
    /// Print the documented schema (every table and column) instead.
    #[arg(long, conflicts_with = "query")]
    pub schema: bool,
    #[arg(long, value_enum, default_value = "table")]
    pub format: SqlFormat,
    /// Rows printed at most.
    #[arg(long, default_value_t = DEFAULT_ROWS)]
    pub limit: usize,
    /// Milliseconds before the query is stopped.
    #[arg(long, default_value_t = QueryLimits::default().timeout.as_millis() as u64)]
    pub timeout_ms: u64,
}

/// Runs the query; exit code 0 on success, 1 when it was refused or failed.
pub async fn run(config: Config, args: SqlArgs) -> anyhow::Result<i32> {
    let Some(query) = args.query.as_deref().filter(|_| !args.schema) else {
        print!("{}", schema_doc::markdown());
        return Ok(0);
    };
    let limits = QueryLimits {
        max_rows: args.limit,
        max_bytes: MAX_BYTES,
        timeout: Duration::from_millis(args.timeout_ms),
        ..QueryLimits::default()
    };
    let answer = match &config.db {
        // Without opening the store: a missing file is an error, not a
        // new empty database.
        DbLocation::Sqlite(path) => query_read_only(path, query, limits).await,
        DbLocation::Postgres(_) => match BarStore::open_location(&config.db).await {
            Ok(store) => store.query_read_only(query, limits).await,
            Err(e) => Err(QueryError::Open {
                path: config.db.to_string(),
                detail: e.to_string(),
            }),
        },
    };
    let result = match answer {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(1);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        SqlFormat::Table => table(&result, &mut out)?,
        SqlFormat::Csv => csv(&result, &mut out)?,
        SqlFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &result)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    if let Some(note) = &result.note {
        eprintln!("note: {note}");
    }
    Ok(0)
}

/// A value as text: NULL as `NULL` in tables and empty in CSV.
fn text(v: &SqlValue, null: &str) -> String {
    match v {
        SqlValue::Null => null.to_string(),
        SqlValue::Integer(i) => i.to_string(),
        SqlValue::Real(f) => f.to_string(),
        SqlValue::Text(s) => s.clone(),
        SqlValue::Blob(b) => format!("x'{}'", SqlValue::hex(b)),
    }
}

fn clip(s: String) -> String {
    if s.chars().count() <= MAX_CELL {
        return s;
    }
    let mut c: String = s.chars().take(MAX_CELL - 1).collect();
    c.push('…');
    c
}

fn table(r: &QueryResult, out: &mut impl Write) -> std::io::Result<()> {
    let cells: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| clip(text(v, "NULL").replace(['\n', '\r'], " ")))
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = r.columns.iter().map(|c| c.name.chars().count()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let numeric = |i: usize| {
        r.rows.iter().all(|row| {
            matches!(
                row[i],
                SqlValue::Integer(_) | SqlValue::Real(_) | SqlValue::Null
            )
        })
    };
    let right: Vec<bool> = (0..widths.len()).map(numeric).collect();
    let line = |out: &mut dyn Write, values: &[String]| -> std::io::Result<()> {
        let padded: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let pad = widths[i].saturating_sub(v.chars().count());
                if right[i] {
                    format!("{}{v}", " ".repeat(pad))
                } else {
                    format!("{v}{}", " ".repeat(pad))
                }
            })
            .collect();
        writeln!(out, "{}", padded.join(" | ").trim_end())
    };
    let names: Vec<String> = r.columns.iter().map(|c| c.name.clone()).collect();
    line(out, &names)?;
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    writeln!(out, "{}", rule.join("-+-"))?;
    for row in &cells {
        line(out, row)?;
    }
    let n = r.rows.len();
    writeln!(out, "({n} row{})", if n == 1 { "" } else { "s" })
}

/// RFC 4180: fields with commas, quotes or line breaks are quoted.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(r: &QueryResult, out: &mut impl Write) -> std::io::Result<()> {
    let names: Vec<String> = r.columns.iter().map(|c| csv_field(&c.name)).collect();
    writeln!(out, "{}", names.join(","))?;
    for row in &r.rows {
        let fields: Vec<String> = row.iter().map(|v| csv_field(&text(v, ""))).collect();
        writeln!(out, "{}", fields.join(","))?;
    }
    Ok(())
}
