//! `completion/complete` for prompt and resource-template arguments:
//! symbols from the symbol directory (prefix matches first, then words of
//! company names and aliases), then stored tickers the directory does not
//! list (`AAPL` once it was fetched); intervals, exchanges and indicator
//! names from their registries. At most rmcp's `CompletionInfo::MAX_VALUES`,
//! with `total` and `hasMore` set.

use rmcp::ErrorData;
use rmcp::model::{CompleteRequestParams, CompletionInfo};

use crate::directory::Directory;
use crate::model::INTERVALS;
use crate::store::BarStore;

pub async fn complete(
    store: &BarStore,
    request: &CompleteRequestParams,
) -> Result<CompletionInfo, ErrorData> {
    let max = CompletionInfo::MAX_VALUES;
    let value = request.argument.value.as_str();
    let (values, total) = match request.argument.name.as_str() {
        "symbol" => symbols(store, value, "", max).await?,
        // A comma-separated list: complete its last item, keep the rest.
        "symbols" => match value.rsplit_once(',') {
            Some((head, last)) => symbols(store, last, &format!("{head}, "), max).await?,
            None => symbols(store, value, "", max).await?,
        },
        "interval" => fixed(value, INTERVALS.iter().map(|i| i.as_str())),
        "exchange" => fixed(value, ["NSE", "BSE", "US"].into_iter()),
        "horizon" => fixed(value, ["short", "medium", "long"].into_iter()),
        "indicator" => fixed(value, crate::indicators::registry().iter().map(|s| s.name)),
        _ => (Vec::new(), 0),
    };
    let has_more = total > values.len();
    CompletionInfo::with_pagination(
        values,
        Some(u32::try_from(total).unwrap_or(u32::MAX)),
        has_more,
    )
    .map_err(|e| ErrorData::internal_error(e, None))
}

async fn symbols(
    store: &BarStore,
    prefix: &str,
    head: &str,
    max: usize,
) -> Result<(Vec<String>, usize), ErrorData> {
    let directory = Directory::get();
    let found = directory.complete(prefix.trim(), max);
    let mut values: Vec<String> = found.values;
    let mut total = found.total;
    // Stored tickers the directory does not list; a directory listing's own
    // ticker (RELIANCE.NS) is already offered as its symbol.
    let prefix = prefix.trim();
    if !prefix.is_empty() {
        let stored = store
            .stored_symbols(prefix, max)
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        for ticker in stored {
            if directory.by_yahoo(&ticker).is_none() && !values.contains(&ticker) {
                total += 1;
                if values.len() < max {
                    values.push(ticker);
                }
            }
        }
    }
    let values = values.into_iter().map(|v| format!("{head}{v}")).collect();
    Ok((values, total))
}

/// The choices that start with `prefix`, in any case.
fn fixed<'a>(prefix: &str, choices: impl Iterator<Item = &'a str>) -> (Vec<String>, usize) {
    let prefix = prefix.trim().to_ascii_lowercase();
    let values: Vec<String> = choices
        .filter(|c| c.to_ascii_lowercase().starts_with(&prefix))
        .map(str::to_string)
        .collect();
    let total = values.len();
    (values, total)
}
