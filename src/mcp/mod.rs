//! The MCP face of the server. The only module that imports rmcp.
//!
//! [`McpServer`] maps MCP `tools/list` and `tools/call` onto the tool
//! registry through the one call path, [`calls::Calls`]; [`stdio`] and
//! [`http`] run it over the two transports, and [`fast_path`] answers plain
//! HTTP tool calls with the encoded results, in front of rmcp.

pub mod calls;
mod fast_path;
pub mod http;
pub mod stdio;

use std::sync::{Arc, OnceLock};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

pub use calls::{Answer, Calls, Shape};

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
}

impl McpServer {
    pub fn new(calls: Calls) -> Self {
        Self { calls }
    }

    pub fn for_app(app: App) -> Self {
        Self::new(Calls::new(app))
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
        Ok(ListToolsResult::with_all_items(
            rmcp_tools().as_ref().clone(),
        ))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        rmcp_tools().iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        let answer = self.calls.call(&request.name, args).await?;
        Ok(answer.result().clone().into())
    }
}
