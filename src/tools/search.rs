//! `search_symbols`: company names, aliases and tickers to symbols, from
//! the compiled-in symbol directory (`data/symbols.csv`).

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::directory::{Directory, SymbolSearch};

/// Matches returned when `limit` is not given.
const DEFAULT_LIMIT: usize = 10;
/// Matches returned at most.
const MAX_LIMIT: usize = 100;

/// The `search_symbols` tool.
pub struct SearchSymbols;

/// Arguments of `search_symbols`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// A symbol, its start, a company name or an alias, in any case: "Tata Steel", "infosys", "REL", "nifty bank".
    pub query: String,
    /// Matches returned at most (default 10, at most 100).
    #[serde(default)]
    pub limit: Option<usize>,
}

impl Tool for SearchSymbols {
    const NAME: &'static str = "search_symbols";
    type Args = SearchArgs;
    type Output = SymbolSearch;

    fn description() -> String {
        "Finds NSE/BSE symbols by symbol, company name or alias (\"Tata Steel\" -> TATASTEEL, \
         \"infosys\" -> INFY): each match's symbol, name, exchange, Yahoo ticker, sector and index \
         memberships, best first, with the total number of matches."
            .to_string()
    }

    async fn run(
        _app: &App,
        args: SearchArgs,
        ctx: &mut CallContext,
    ) -> Result<SymbolSearch, ToolError> {
        let limit = super::args::limit(args.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        if args.query.trim().is_empty() {
            return Err(ToolError::new(
                "query is empty; give a symbol or a company name, e.g. \"infosys\"",
            ));
        }
        // The directory is compiled in: the answer never changes.
        ctx.constant();
        Ok(Directory::get().search(&args.query, limit))
    }

    fn text(out: &SymbolSearch) -> String {
        if out.matches.is_empty() {
            return "no symbol matches; try a shorter name or the ticker's first letters".into();
        }
        let mut text = String::new();
        for m in &out.matches {
            let _ = write!(
                text,
                "{} ({}, {}): {}",
                m.symbol, m.exchange, m.yahoo, m.name
            );
            if !m.indices.is_empty() {
                let _ = write!(text, " [{}]", m.indices.join(", "));
            }
            text.push('\n');
        }
        let _ = write!(text, "{} of {} matches", out.matches.len(), out.total);
        text
    }
}
