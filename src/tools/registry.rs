//! The tool registry: every [`Tool`] erased once to JSON in and JSON out,
//! with its schemas generated once at start-up.

use std::sync::{Arc, OnceLock};

use futures::FutureExt as _;
use futures::future::BoxFuture;
use serde_json::{Map, Value};

use super::{CallContext, CallError, Tool, ToolOutput};
use crate::app::App;

type RunFn = for<'a> fn(
    &'a App,
    Map<String, Value>,
    &'a mut CallContext,
) -> BoxFuture<'a, Result<ToolOutput, CallError>>;

/// One tool as clients see it, and how to run it on JSON arguments.
pub struct ToolEntry {
    pub name: &'static str,
    pub description: String,
    pub input_schema: Arc<Map<String, Value>>,
    pub output_schema: Arc<Map<String, Value>>,
    run: RunFn,
}

impl std::fmt::Debug for ToolEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolEntry")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ToolEntry {
    fn of<T: Tool>() -> ToolEntry {
        let mut input = schema_for::<T::Args>();
        T::refine_input_schema(&mut input);
        ToolEntry {
            name: T::NAME,
            description: T::description(),
            input_schema: Arc::new(input),
            output_schema: Arc::new(schema_for::<T::Output>()),
            run: run_erased::<T>,
        }
    }

    /// Decodes `args`, runs the tool and encodes its answer. A shape
    /// error in the arguments is [`CallError::InvalidParams`] naming the
    /// field; a failure of the tool is [`CallError::Tool`].
    pub async fn run(
        &self,
        app: &App,
        args: Map<String, Value>,
        ctx: &mut CallContext,
    ) -> Result<ToolOutput, CallError> {
        (self.run)(app, args, ctx).await
    }
}

fn run_erased<'a, T: Tool>(
    app: &'a App,
    args: Map<String, Value>,
    ctx: &'a mut CallContext,
) -> BoxFuture<'a, Result<ToolOutput, CallError>> {
    Box::pin(async move {
        ctx.set_request(super::paging::request_hash(&args));
        let args: T::Args = decode(T::NAME, args)?;
        // A panic in a tool is a bug; it must not leave the call without
        // an answer (the client would wait forever) or take the server down.
        let output = std::panic::AssertUnwindSafe(T::run(app, args, ctx))
            .catch_unwind()
            .await
            .map_err(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(tool = T::NAME, panic = %what, "tool panicked");
                CallError::Tool(format!(
                    "{}: internal error ({what}); this is a bug in the server, which keeps serving. Try other arguments, and report it",
                    T::NAME
                ))
            })??;
        let text = T::text(&output);
        let image = T::image(&output);
        let structured = serde_json::to_value(&output)
            .map_err(|e| CallError::Tool(format!("{}: cannot encode the answer: {e}", T::NAME)))?;
        Ok(ToolOutput {
            structured,
            text,
            image,
        })
    })
}

/// Deserialises arguments; a shape error is a protocol error that names
/// the field (`start_date: invalid type: integer ...`).
fn decode<A: serde::de::DeserializeOwned>(
    tool: &str,
    args: Map<String, Value>,
) -> Result<A, CallError> {
    serde_path_to_error::deserialize(Value::Object(args)).map_err(|e| {
        let path = crate::echo::clip(&e.path().to_string()).into_owned();
        let inner = bounded(&e.into_inner().to_string());
        if path == "." || path.is_empty() {
            CallError::InvalidParams(format!("{tool}: invalid arguments: {inner}"))
        } else {
            CallError::InvalidParams(format!("{tool}: invalid argument `{path}`: {inner}"))
        }
    })
}

/// serde's message, which quotes the offending key or value whole, with
/// any quoted text over the echo limit clipped.
fn bounded(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1_024));
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts are between backticks: what serde quotes from the input.
        if i % 2 == 1 {
            out.push_str(&crate::echo::clip(part));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// A JSON schema object for `T` (draft 2020-12, as MCP uses).
fn schema_for<T: schemars::JsonSchema>() -> Map<String, Value> {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    match serde_json::to_value(schema) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Every tool this server offers, in the order clients see them.
pub struct Registry {
    entries: Vec<ToolEntry>,
}

impl Registry {
    pub fn get(&self, name: &str) -> Option<&ToolEntry> {
        self.entries.iter().find(|t| t.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &ToolEntry> {
        self.entries.iter()
    }

    /// The tool names, comma-separated, for error messages.
    pub fn names(&self) -> String {
        self.entries
            .iter()
            .map(|t| t.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The registry, built on first use: descriptions and schemas come from
/// the indicator and pattern registries, which never change at run time.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry {
        entries: vec![
            ToolEntry::of::<super::chart::ChartData>(),
            ToolEntry::of::<super::chart_image::ChartImage>(),
            ToolEntry::of::<super::quote::GetQuote>(),
            ToolEntry::of::<super::indicators::TechnicalIndicator>(),
            ToolEntry::of::<super::patterns::CandlestickPatterns>(),
            ToolEntry::of::<super::screen::ScreenStocks>(),
            ToolEntry::of::<super::compare::CompareSymbols>(),
            ToolEntry::of::<super::catalogue::ListIndicators>(),
            ToolEntry::of::<super::news::MarketNews>(),
            ToolEntry::of::<super::market_status::MarketStatusTool>(),
            ToolEntry::of::<super::sql::QueryMarketDb>(),
            ToolEntry::of::<super::search::SearchSymbols>(),
            ToolEntry::of::<super::stats::ServerStats>(),
        ],
    })
}
