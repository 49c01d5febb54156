//! `query_market_db`: one read-only SQL query over the server's own store,
//! with row, byte, value and time limits (see `store::query`).

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::store::{QueryColumn, QueryLimits, schema_doc};

/// Rows an agent may ask for at most in one call.
const MAX_ROWS: usize = 1_000;

/// The `query_market_db` tool.
pub struct QueryMarketDb;

/// Arguments of `query_market_db`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlArgs {
    /// One read-only SQLite statement: SELECT or WITH (writes, ATTACH, PRAGMA changes and extensions are refused).
    pub sql: String,
    /// Rows returned at most (default 200, at most 1000); more are reported as truncated.
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Result of `query_market_db`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SqlOutput {
    pub columns: Vec<QueryColumn>,
    /// One array per row, in column order; a blob is `{"blob_hex": "..."}`.
    pub rows: Vec<Vec<Value>>,
    /// True when more rows existed than the limits let through.
    pub truncated: bool,
    /// Why the rows stop early, when they do.
    pub note: Option<String>,
}

impl Tool for QueryMarketDb {
    const NAME: &'static str = "query_market_db";
    type Args = SqlArgs;
    type Output = SqlOutput;

    fn description() -> String {
        format!(
            "Runs one read-only SQL query (SQLite dialect) over this server's own store of \
             bars, instruments, corporate actions, coverage and news, e.g. the average volume \
             of TCS on Fridays in 2023. Limits: {} rows by default ({MAX_ROWS} at most), 256 KiB \
             of output, 5 s. The schema:\n{}",
            QueryLimits::DEFAULT_ROWS,
            schema_doc::summary()
        )
    }

    async fn run(app: &App, args: SqlArgs, ctx: &mut CallContext) -> Result<SqlOutput, ToolError> {
        let max_rows = super::args::limit(args.limit, QueryLimits::DEFAULT_ROWS, MAX_ROWS)?;
        // The store changes under any query: never answer from a cache.
        ctx.never_cache();
        let limits = QueryLimits {
            max_rows,
            ..QueryLimits::default()
        };
        let result = app
            .chart
            .store()
            .query_read_only(&args.sql, limits)
            .await
            .map_err(|e| ToolError::new(e.to_string()))?;
        Ok(SqlOutput {
            columns: result.columns,
            rows: result
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|v| serde_json::to_value(v).unwrap_or(Value::Null))
                        .collect()
                })
                .collect(),
            truncated: result.truncated,
            note: result.note,
        })
    }

    /// Tab-separated: a header line, then one line per row.
    fn text(out: &SqlOutput) -> String {
        let mut text = out
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join("\t");
        for row in &out.rows {
            text.push('\n');
            let cells: Vec<String> = row
                .iter()
                .map(|v| match v {
                    Value::Null => "NULL".to_string(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            text.push_str(&cells.join("\t"));
        }
        let _ = write!(text, "\n({} rows", out.rows.len());
        if let Some(note) = &out.note {
            let _ = write!(text, "; {note}");
        }
        text.push(')');
        text
    }
}
