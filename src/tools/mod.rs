//! The tools, independent of any transport: each takes JSON arguments and
//! returns structured JSON plus a text rendering. The MCP server and the
//! `call` subcommand both dispatch here, so they run the same code.

mod chart;
mod indicators;
mod patterns;
mod series;
mod stats;

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::app::App;

pub use chart::{ChartArgs, ChartOutput, Encode};

/// The tool whose encoded answers are memoised (see [`call_chart_encoded`]).
pub const CHART_TOOL: &str = chart::NAME;

/// `get_stock_chart_data`, encoded by `encode` and memoised with its L1
/// entry when served from memory.
pub async fn call_chart_encoded(
    app: &App,
    args: Map<String, Value>,
    variant: u64,
    encode: Encode<'_>,
) -> Result<Arc<[u8]>, CallError> {
    chart::call_encoded(app, args, variant, encode).await
}

/// A tool's successful answer.
#[derive(Debug, Clone)]
pub struct ToolOutput {
    pub structured: Value,
    pub text: String,
}

/// Why a call did not produce an answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    /// The tool ran and failed: the client sees this as `isError: true`.
    #[error("{0}")]
    Tool(String),
    /// The request itself is malformed (unknown tool, arguments of the
    /// wrong shape): a protocol error.
    #[error("{0}")]
    InvalidParams(String),
    #[error("unknown tool {0:?}")]
    UnknownTool(String),
}

/// A tool's name, description and schemas, as listed to clients.
#[derive(Debug, Clone)]
pub struct ToolInfo {
    pub name: &'static str,
    pub description: String,
    pub input_schema: Arc<Map<String, Value>>,
    pub output_schema: Option<Arc<Map<String, Value>>>,
}

/// Every tool this server offers, built once: descriptions and schemas
/// are generated from the registries, which does not change at run time.
pub fn list() -> &'static [ToolInfo] {
    static LIST: std::sync::OnceLock<Vec<ToolInfo>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        vec![
            chart::info(),
            indicators::info(),
            patterns::info(),
            indicators::list_info(),
            stats::info(),
        ]
    })
}

/// Runs tool `name` with `args`.
pub async fn call(
    app: &App,
    name: &str,
    args: Map<String, Value>,
) -> Result<ToolOutput, CallError> {
    match name {
        chart::NAME => chart::call(app, args).await,
        indicators::NAME => indicators::call(app, args).await,
        indicators::LIST_NAME => indicators::list(app, args).await,
        patterns::NAME => patterns::call(app, args).await,
        stats::NAME => stats::call(app, args).await,
        other => Err(CallError::UnknownTool(other.to_string())),
    }
}

/// Deserialises arguments; a shape error is a protocol error.
pub(crate) fn parse_args<T: serde::de::DeserializeOwned>(
    tool: &str,
    args: Map<String, Value>,
) -> Result<T, CallError> {
    serde_json::from_value(Value::Object(args))
        .map_err(|e| CallError::InvalidParams(format!("{tool}: invalid arguments: {e}")))
}

/// A JSON schema object for `T`.
pub(crate) fn schema_for<T: schemars::JsonSchema>() -> Arc<Map<String, Value>> {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    match serde_json::to_value(schema) {
        Ok(Value::Object(map)) => Arc::new(map),
        _ => Arc::new(Map::new()),
    }
}

/// The input schema of a tool that takes no arguments.
pub(crate) fn no_args_schema() -> Arc<Map<String, Value>> {
    let mut schema = Map::new();
    schema.insert("type".into(), Value::from("object"));
    schema.insert("properties".into(), Value::Object(Map::new()));
    schema.insert("additionalProperties".into(), Value::Bool(false));
    Arc::new(schema)
}
