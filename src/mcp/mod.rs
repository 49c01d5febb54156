//! The MCP face of the server. The only module that imports rmcp.
//!
//! [`McpServer`] maps MCP `tools/list` and `tools/call` onto the tool
//! registry through the one call path, [`calls::Calls`]; [`resources`]
//! reads through the same path, [`prompts`] holds the prompt router and
//! [`completion`] completes their arguments; [`stdio`] and
//! [`http`] run it over the two transports, and [`fast_path`] answers plain
//! HTTP tool calls with the encoded results, in front of rmcp.

pub mod calls;
mod completion;
mod fast_path;
mod hosts;
pub mod http;
mod logging;
pub mod metrics_route;
mod progress;
mod prompts;
mod resources;
pub mod stdio;
mod stdio_transport;

use std::sync::{Arc, OnceLock};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult,
    Implementation, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, prompt_handler};

pub use calls::{Answer, Calls, Shape};
pub use stdio_transport::EncodedAnswers;

use crate::app::App;
use crate::tools;

/// The tools as rmcp describes them, built once from the registry.
fn rmcp_tools() -> &'static Arc<Vec<Tool>> {
    static TOOLS: OnceLock<Arc<Vec<Tool>>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        Arc::new(
            tools::registry()
                .iter()
                .map(|t| {
                    Tool::new_with_raw(
                        t.name,
                        Some(t.description.clone().into()),
                        t.input_schema.clone(),
                    )
                    .with_raw_output_schema(t.output_schema.clone())
                })
                .collect(),
        )
    })
}

/// The MCP server handler. Cheap to clone: one per session or request.
#[derive(Debug, Clone)]
pub struct McpServer {
    calls: Calls,
    /// The level this session set with `logging/setLevel`.
    log: logging::SessionLog,
    /// Set on stdio with the encoded path on: answers go to the transport
    /// as [`Answer`]s, and rmcp carries only a placeholder.
    encoded: Option<EncodedAnswers>,
}

impl McpServer {
    pub fn new(calls: Calls) -> Self {
        Self {
            calls,
            log: logging::SessionLog::default(),
            encoded: None,
        }
    }

    pub fn for_app(app: App) -> Self {
        Self::new(Calls::new(app))
    }

    /// A handler whose answers the encoded stdio transport writes.
    pub fn with_encoded_answers(calls: Calls, answers: EncodedAnswers) -> Self {
        Self {
            calls,
            log: logging::SessionLog::default(),
            encoded: Some(answers),
        }
    }
}

/// The wire shape rmcp gives a result for this request's protocol version.
fn shape_for(context: &RequestContext<RoleServer>) -> Shape {
    let current = context
        .protocol_version()
        .is_some_and(|v| v.as_str() >= rmcp::model::ProtocolVersion::V_2026_07_28.as_str());
    if current {
        Shape::Current
    } else {
        Shape::Legacy
    }
}

#[prompt_handler(router = prompts::router())]
impl ServerHandler for McpServer {
    // Logging is deprecated from protocol 2026-07-28 on (SEP-2577) and still
    // offered to the older versions that have it; see `logging`.
    #[allow(deprecated)]
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_prompts()
            .enable_completions()
            .enable_logging()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new(
                "trading-mcp",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "Market data for NSE/BSE and global stocks: OHLCV bars with provenance \
                 (memory/store/upstream, stale flag), indicators, patterns, charts, news, SQL. \
                 Bare symbols are NSE. Resources: market://symbols, market://calendar/NSE, \
                 market://indicators, market://schema and templates per symbol; prompts: \
                 analyze_stock, compare_stocks, technical_setup, market_overview.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(
            rmcp_tools().as_ref().clone(),
        ))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let contents = resources::read(&self.calls, &request.uri).await?;
        Ok(ReadResourceResult::new(vec![contents]).into())
    }

    #[allow(deprecated)]
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.log.set(request.level);
        Ok(())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        let store = self.calls.app().chart.store();
        Ok(CompleteResult::new(
            completion::complete(store, &request).await?,
        ))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        rmcp_tools().iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        let work = async {
            match context.meta.get_progress_token() {
                None => self.calls.call(&request.name, args).await,
                Some(token) => {
                    let (sink, sent) = progress::PeerProgress::start(context.peer.clone(), token);
                    let answer = self
                        .calls
                        .call_with_progress(&request.name, args, Some(sink))
                        .await;
                    // Every report reaches the client before the result does.
                    sent.await;
                    answer
                }
            }
        };
        // rmcp only signals a cancellation (notifications/cancelled, or the
        // HTTP client gone); dropping the call stops its work. A fetch
        // stores each window in its own transaction, so what was stored
        // stays whole and the window in flight is rolled back, and
        // single flight hands the load to the next caller.
        let answer = tokio::select! {
            biased;
            () = context.ct.cancelled() => {
                return Err(ErrorData::internal_error("the request was cancelled", None));
            }
            answer = work => answer?,
        };
        if shape_for(&context) == Shape::Legacy
            && let Some(structured) = &answer.result().structured_content
        {
            self.log
                .warn_if_stale(&context.peer, &request.name, structured)
                .await;
        }
        if let Some(encoded) = &self.encoded {
            // The transport writes the answer's bytes for this request id.
            let placeholder = CallToolResult::success(Vec::new());
            encoded.put(context.id.clone(), answer, shape_for(&context));
            return Ok(placeholder.into());
        }
        Ok(answer.result().clone().into())
    }
}
