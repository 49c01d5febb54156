//! The command line: `serve`, `call`, `import`, `export` and `sql`.

mod export;
mod import;
mod sql;

use std::io::Write as _;
use std::net::SocketAddr;

use clap::{Parser, Subcommand, ValueEnum};
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::config::Settings;
use crate::tools::{self, CallError};

#[derive(Debug, Parser)]
#[command(
    name = "trading-mcp",
    version,
    about = "MCP server for NSE/BSE and global market data"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    Stdio,
    Http,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the MCP server.
    Serve {
        /// stdio (default) or http (streamable HTTP at /mcp).
        #[arg(
            long,
            value_enum,
            default_value = "stdio",
            env = "TRADING_MCP_TRANSPORT"
        )]
        transport: Transport,
        /// Address for --transport http.
        #[arg(long, env = "TRADING_MCP_LISTEN")]
        listen: Option<SocketAddr>,
    },
    /// Run one tool through the server's code path and print its result.
    Call {
        /// Tool name, e.g. get_stock_chart_data.
        tool: String,
        /// Arguments as a JSON object, e.g. '{"symbol":"RELIANCE"}'.
        #[arg(default_value = "{}")]
        args: String,
    },
    /// Load bar files (Yahoo CSV, yfinance, broker CSV) into the store.
    Import(import::ImportArgs),
    /// Write stored bars as CSV, Arrow IPC or Parquet.
    Export(export::ExportArgs),
    /// Run one read-only SQL query over the store.
    Sql(sql::SqlArgs),
}

/// Runs the parsed command; returns the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<i32> {
    let listen = match &cli.command {
        Command::Serve { listen, .. } => *listen,
        _ => None,
    };
    let config = cli.settings.resolve(listen)?;
    crate::logging::init(&config.log);
    match cli.command {
        Command::Serve { transport, .. } => {
            let app = App::start(config).await?;
            let shutdown = CancellationToken::new();
            crate::shutdown::on_signal(shutdown.clone());
            tracing::info!(?transport, db = %app.config.db.display(), offline = app.config.upstream.offline, "serving");
            let result = match transport {
                Transport::Stdio => crate::mcp::stdio::serve(app.clone(), shutdown.clone()).await,
                Transport::Http => {
                    let addr = app.config.listen;
                    crate::mcp::http::serve(app.clone(), addr, shutdown.clone(), |bound| {
                        // Always said, whatever the log level: scripts and tests read it.
                        eprintln!("trading-mcp: MCP streamable HTTP at http://{bound}/mcp");
                    })
                    .await
                }
            };
            shutdown.cancel();
            app.shutdown().await;
            result.map(|_| 0)
        }
        Command::Call { tool, args } => {
            let args: serde_json::Value = serde_json::from_str(&args)
                .map_err(|e| anyhow::anyhow!("arguments are not JSON: {e}"))?;
            let serde_json::Value::Object(args) = args else {
                anyhow::bail!("arguments must be a JSON object");
            };
            let app = App::start(config).await?;
            let outcome = tools::call(&app, &tool, args).await;
            app.shutdown().await;
            match outcome {
                Ok(out) => {
                    let mut stdout = std::io::stdout().lock();
                    serde_json::to_writer_pretty(&mut stdout, &out.structured)?;
                    writeln!(stdout)?;
                    Ok(0)
                }
                Err(CallError::Tool(message)) => {
                    eprintln!("error: {message}");
                    Ok(1)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    Ok(2)
                }
            }
        }
        Command::Import(args) => import::run(config, args).await,
        Command::Export(args) => export::run(config, args).await,
        Command::Sql(args) => sql::run(config, args).await,
    }
}
