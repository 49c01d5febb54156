//! The tools, independent of the transport (no rmcp here).
//!
//! Each tool is a type implementing [`Tool`]: typed arguments (`Args`,
//! whose JSON schema clients see), typed output (`Output`, with its
//! `outputSchema`), `run`, and a compact text rendering. [`registry`] erases
//! them once, at start-up, into [`ToolEntry`]s: dispatch, `tools/list`,
//! schema lookup and the `call` subcommand all come from it. The one call
//! path that logs, times, caches and counts calls is `mcp::calls`.

mod args;
mod catalogue;
mod chart;
mod chart_image;
mod chart_plots;
mod columns;
mod compare;
mod context;
mod custom_indicator;
mod freshness;
mod indicators;
mod market_status;
mod news;
mod numbers;
mod paging;
mod patterns;
mod quote;
pub mod reference;
mod registry;
mod screen;
mod search;
mod sql;
mod stats;

use std::future::Future;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::app::App;

pub use args::{Choice, Choices, NoArgs};
pub use context::{CallContext, Dependency, ProgressSink};
pub use freshness::Freshness;
pub use registry::{ToolEntry, registry};
pub use stats::{StatsOutput, server_snapshot};

/// One tool: what it takes, what it returns, and how it runs.
pub trait Tool: Send + Sync + 'static {
    /// The name clients call it by.
    const NAME: &'static str;
    type Args: DeserializeOwned + JsonSchema + Send + 'static;
    type Output: Serialize + JsonSchema + Send + 'static;

    /// What the tool does, for the model choosing a tool.
    fn description() -> String;

    /// Fills in what the derived input schema cannot know (choices that
    /// come from the registries, for example).
    fn refine_input_schema(_schema: &mut Map<String, Value>) {}

    /// Runs the tool. Every check of the arguments happens before any
    /// fetch; what the answer depends on is recorded in `ctx`.
    fn run(
        app: &App,
        args: Self::Args,
        ctx: &mut CallContext,
    ) -> impl Future<Output = Result<Self::Output, ToolError>> + Send;

    /// The answer as compact text, for clients that read only text.
    fn text(output: &Self::Output) -> String;

    /// A picture that goes with the answer (the chart image tool's PNG),
    /// sent as an image content block; never part of the structured content.
    fn image(_output: &Self::Output) -> Option<ToolImage> {
        None
    }
}

/// An image a tool returns beside its structured answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolImage {
    pub mime_type: &'static str,
    pub data: bytes::Bytes,
}

/// A tool ran and failed: the client sees the message with `isError: true`.
/// It says what went wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ToolError(pub String);

impl ToolError {
    pub fn new(message: impl Into<String>) -> Self {
        ToolError(message.into())
    }
}

macro_rules! tool_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for ToolError {
            fn from(e: $t) -> Self {
                ToolError(e.to_string())
            }
        }
    )*};
}
tool_error_from!(
    crate::service::ServiceError,
    crate::indicators::IndicatorError,
    crate::patterns::PatternError,
    crate::symbol::SymbolError,
    crate::store::StoreError
);

/// A tool's answer, erased: the structured content and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    pub structured: Value,
    pub text: String,
    pub image: Option<ToolImage>,
}

/// Why a call did not produce an answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    /// The tool ran and failed: the client sees this as `isError: true`.
    #[error("{0}")]
    Tool(String),
    /// The request itself is malformed (arguments of the wrong shape or
    /// type, an unknown argument): a protocol error naming the field.
    #[error("{0}")]
    InvalidParams(String),
    #[error("unknown tool {0:?}")]
    UnknownTool(String),
}

impl From<ToolError> for CallError {
    fn from(e: ToolError) -> Self {
        CallError::Tool(e.0)
    }
}
