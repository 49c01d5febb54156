//! The MCP face of the server. The only module that imports rmcp.
//!
//! [`McpServer`] maps MCP `tools/list` and `tools/call` onto [`crate::tools`];
//! [`stdio`] and [`http`] run it over the two transports.

mod fast_path;
pub mod http;
pub mod stdio;

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use crate::app::App;
use crate::tools::{self, CallError, ToolOutput};

/// The MCP server handler. Cheap to clone: one per session or request.
#[derive(Debug, Clone)]
pub struct McpServer {
    app: App,
    tools: Arc<Vec<Tool>>,
}

impl McpServer {
    pub fn new(app: App) -> Self {
        let tools = tools::list()
            .iter()
            .map(|t| {
                let mut tool = Tool::new_with_raw(
                    t.name,
                    Some(t.description.clone().into()),
                    t.input_schema.clone(),
                );
                if let Some(out) = t.output_schema.clone() {
                    tool = tool.with_raw_output_schema(out);
                }
                tool
            })
            .collect();
        Self {
            app,
            tools: Arc::new(tools),
        }
    }
}

/// The MCP result for a tool's outcome: structured content plus text, or a
/// tool error (`isError: true`) for failures; malformed calls are protocol errors.
pub fn to_result(outcome: Result<ToolOutput, CallError>) -> Result<CallToolResult, ErrorData> {
    match outcome {
        Ok(out) => {
            let mut result = CallToolResult::success(vec![ContentBlock::text(out.text)]);
            result.structured_content = Some(out.structured);
            Ok(result)
        }
        Err(CallError::Tool(message)) => {
            Ok(CallToolResult::error(vec![ContentBlock::text(message)]))
        }
        Err(CallError::InvalidParams(message)) => Err(ErrorData::invalid_params(message, None)),
        Err(e @ CallError::UnknownTool(_)) => Err(ErrorData::invalid_params(
            format!(
                "{e}; available: {}",
                tools::list()
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
        )),
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "trading-mcp",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "Market data for NSE/BSE and global stocks: OHLCV bars with provenance \
                 (memory/store/upstream, stale flag). Bare symbols are NSE.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.as_ref().clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        let outcome = tools::call(&self.app, &request.name, args).await;
        if let Err(e) = &outcome {
            tracing::info!(tool = %request.name, error = %e, "tool call failed");
        }
        to_result(outcome).map(Into::into)
    }
}
