//! `completion/complete` for prompt and resource-template arguments:
//! symbols from the symbol directory (prefix matches first, then words of
//! company names and aliases), intervals, exchanges and indicator names
//! from their registries. At most rmcp's `CompletionInfo::MAX_VALUES`,
//! with `total` and `hasMore` set.

use rmcp::ErrorData;
use rmcp::model::{CompleteRequestParams, CompletionInfo};

use crate::directory::Directory;
use crate::model::INTERVALS;

pub fn complete(request: &CompleteRequestParams) -> Result<CompletionInfo, ErrorData> {
    let max = CompletionInfo::MAX_VALUES;
    let value = request.argument.value.as_str();
    let (values, total) = match request.argument.name.as_str() {
        "symbol" => symbols(value, "", max),
        // A comma-separated list: complete its last item, keep the rest.
        "symbols" => match value.rsplit_once(',') {
            Some((head, last)) => symbols(last, &format!("{head}, "), max),
            None => symbols(value, "", max),
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

fn symbols(prefix: &str, head: &str, max: usize) -> (Vec<String>, usize) {
    let found = Directory::get().complete(prefix.trim(), max);
    let values = found
        .values
        .into_iter()
        .map(|v| format!("{head}{v}"))
        .collect();
    (values, found.total)
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
