//! MCP resources: fixed documents (the symbol directory, the calendars, the
//! indicator catalogue, the store's schema) and templates over symbols
//! (instrument holdings, latest bars as CSV, the default chart as PNG).
//!
//! Every read goes through the same path as the tools: bars and charts are
//! tool calls through [`Calls::call`] (so they share its result cache and
//! the service's tiers), and the instrument document reads through the
//! service. A bad symbol gets the tools' own message.

use rmcp::ErrorData;
use rmcp::model::{ResourceContents, ResourceTemplate};
use serde_json::{Map, Value, json};

use super::Calls;
use crate::calendar;
use crate::directory::Directory;
use crate::symbol;

/// What a resource is, for `resources/list` and `resources/templates/list`.
struct Entry {
    uri: &'static str,
    name: &'static str,
    description: &'static str,
    mime: &'static str,
}

const FIXED: &[Entry] = &[
    Entry {
        uri: "market://symbols",
        name: "symbols",
        description: "The symbol directory: NSE/BSE symbols, company names, Yahoo tickers, sectors, aliases and index memberships (NIFTY 50, NIFTY BANK).",
        mime: "application/json",
    },
    Entry {
        uri: "market://calendar/NSE",
        name: "calendar-nse",
        description: "The NSE/BSE calendar: regular hours (IST), the years covered, and every holiday, special session (Muhurat, special Saturdays) and shortened day.",
        mime: "application/json",
    },
    Entry {
        uri: "market://calendar/US",
        name: "calendar-us",
        description: "The NYSE/Nasdaq calendar: regular hours (New York time), the years covered, holidays and early closes.",
        mime: "application/json",
    },
    Entry {
        uri: "market://indicators",
        name: "indicators",
        description: "The indicator and candlestick-pattern catalogue, the same as the list_indicators tool: names, parameters with defaults and ranges, outputs.",
        mime: "application/json",
    },
    Entry {
        uri: "market://schema",
        name: "schema",
        description: "The SQL schema of the store, a sentence per table and column: the contract for query_market_db and `trading-mcp sql`.",
        mime: "text/markdown",
    },
];

const TEMPLATES: &[Entry] = &[
    Entry {
        uri: "market://instrument/{symbol}",
        name: "instrument",
        description: "What the store holds for a symbol: the chart meta, per interval the bar count, first and last bar and covered ranges, and dividends and splits.",
        mime: "application/json",
    },
    Entry {
        uri: "market://bars/{symbol}/{interval}",
        name: "bars",
        description: "The latest bars (up to the default max_points, 500) of a symbol at an interval (1m...1mo) as CSV: t,o,h,l,c,adj_close,v.",
        mime: "text/csv",
    },
    Entry {
        uri: "market://chart/{symbol}",
        name: "chart",
        description: "The default chart of a symbol as a PNG: one year of daily candles with a volume pane.",
        mime: "image/png",
    },
];

pub fn list() -> Vec<rmcp::model::Resource> {
    FIXED
        .iter()
        .map(|e| {
            rmcp::model::Resource::new(e.uri, e.name)
                .with_description(e.description)
                .with_mime_type(e.mime)
        })
        .collect()
}

pub fn templates() -> Vec<ResourceTemplate> {
    TEMPLATES
        .iter()
        .map(|e| {
            ResourceTemplate::new(e.uri, e.name)
                .with_description(e.description)
                .with_mime_type(e.mime)
        })
        .collect()
}

/// Reads `uri`: its contents, or rmcp's resource-not-found for a URI that
/// names no resource, or invalid-params with the tools' message for a bad
/// symbol or interval inside a template.
pub async fn read(calls: &Calls, uri: &str) -> Result<ResourceContents, ErrorData> {
    let not_found = || {
        ErrorData::resource_not_found(
            format!(
                "no resource {:?}; see resources/list and resources/templates/list (market://symbols, market://bars/{{symbol}}/{{interval}}, ...)",
                crate::echo::clip(uri)
            ),
            None,
        )
    };
    let path = uri.strip_prefix("market://").ok_or_else(not_found)?;
    let parts: Vec<String> = path.split('/').map(percent_decode).collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["symbols"] => json_contents(uri, &Directory::get().listings()),
        ["calendar", exchange] => {
            let exchange = exchange
                .parse::<calendar::Exchange>()
                .map_err(|_| not_found())?;
            let document = calendar::listing::document(exchange.calendar());
            json_contents(uri, &document)
        }
        ["indicators"] => {
            let out = tool(calls, "list_indicators", Map::new()).await?;
            json_contents(uri, &out)
        }
        ["schema"] => Ok(text_contents(
            uri,
            "text/markdown",
            crate::store::schema_doc::markdown(),
        )),
        ["instrument", symbol] if !symbol.is_empty() => {
            let resolved = symbol::resolve_on(symbol, None)
                .map_err(|e| ErrorData::invalid_params(e.to_string(), None))?;
            let overview = calls
                .app()
                .chart
                .instrument_overview(&resolved)
                .await
                .map_err(|e| ErrorData::invalid_params(e.to_string(), None))?;
            json_contents(uri, &overview)
        }
        ["bars", symbol, interval] if !symbol.is_empty() => {
            let args = json!({"symbol": symbol, "interval": interval});
            let out = tool(calls, "get_stock_chart_data", object(args)).await?;
            Ok(text_contents(uri, "text/csv", bars_csv(&out)))
        }
        ["chart", symbol] if !symbol.is_empty() => {
            let args = object(json!({"symbol": symbol}));
            let answer = calls.call("get_stock_chart_image", args).await?;
            if answer.is_error() {
                return Err(ErrorData::invalid_params(first_text(&answer), None));
            }
            let image = answer
                .result()
                .content
                .iter()
                .find_map(|c| c.as_image())
                .ok_or_else(|| ErrorData::internal_error("the chart tool drew no image", None))?;
            Ok(ResourceContents::BlobResourceContents {
                uri: uri.to_string(),
                mime_type: Some(image.mime_type.clone()),
                blob: image.data.clone(),
                meta: None,
            })
        }
        _ => Err(not_found()),
    }
}

/// A tool's structured answer, or its error as invalid-params.
async fn tool(calls: &Calls, name: &str, args: Map<String, Value>) -> Result<Value, ErrorData> {
    let answer = calls.call(name, args).await?;
    if answer.is_error() {
        return Err(ErrorData::invalid_params(first_text(&answer), None));
    }
    Ok(answer
        .result()
        .structured_content
        .clone()
        .unwrap_or(Value::Null))
}

fn first_text(answer: &super::Answer) -> String {
    answer
        .result()
        .content
        .iter()
        .find_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn json_contents(uri: &str, value: &impl serde::Serialize) -> Result<ResourceContents, ErrorData> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| ErrorData::internal_error(format!("cannot encode {uri}: {e}"), None))?;
    Ok(text_contents(uri, "application/json", text))
}

fn text_contents(uri: &str, mime: &str, text: String) -> ResourceContents {
    ResourceContents::TextResourceContents {
        uri: uri.to_string(),
        mime_type: Some(mime.to_string()),
        text,
        meta: None,
    }
}

/// The chart tool's bars as CSV, oldest first (its columns as rows).
fn bars_csv(out: &Value) -> String {
    let bars = &out["bars"];
    let mut csv = String::from("t,o,h,l,c,adj_close,v\n");
    let column = |k: &str| bars[k].as_array().map(Vec::as_slice).unwrap_or_default();
    // adj_close is left out when it equals c on every bar.
    let adj = if bars["adj_close"].is_array() {
        "adj_close"
    } else {
        "c"
    };
    let cols = ["t", "o", "h", "l", "c", adj, "v"].map(column);
    for i in 0..cols[0].len() {
        let row = cols.map(|col| match col.get(i) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        });
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    csv
}

/// `%5ENSEI` is `^NSEI`, `M%26M` is `M&M`; a malformed escape stays as written.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_escapes_decode_and_malformed_ones_stay() {
        assert_eq!(percent_decode("%5ENSEI"), "^NSEI");
        assert_eq!(percent_decode("M%26M"), "M&M");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
