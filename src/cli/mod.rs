//! The command line: `serve`, `call`, `config`, `import`, `export` and `sql`.

mod export;
mod import;
mod reference;
mod sql;

pub use reference::settings_markdown;

use std::io::Write as _;

use base64::Engine as _;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::config::{Settings, Transport};
use crate::mcp::Calls;

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the MCP server (--transport stdio or http).
    Serve,
    /// Run one tool through the server's call path and print its structured result.
    Call {
        /// Tool name, e.g. get_stock_chart_data.
        tool: String,
        /// Arguments as a JSON object, e.g. '{"symbol":"RELIANCE"}'.
        #[arg(default_value = "{}")]
        args: String,
        /// Write the tool's image (get_stock_chart_image's PNG) to this file
        /// instead of leaving it out of the printed result.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Print the resolved settings as TOML (flags > environment > file > defaults).
    Config,
    /// Load bar files (Yahoo CSV, yfinance, broker CSV) into the store.
    Import(import::ImportArgs),
    /// Write stored bars as CSV, Arrow IPC or Parquet.
    Export(export::ExportArgs),
    /// Run one read-only SQL query over the store.
    Sql(sql::SqlArgs),
}

/// Exit code of `call` for a tool error (the tool ran and failed).
pub const EXIT_TOOL_ERROR: i32 = 1;
/// Exit code of `call` for a malformed call (not JSON, unknown tool or argument).
pub const EXIT_MALFORMED: i32 = 2;

/// Parses the process arguments, runs the command and returns the exit code.
pub async fn main() -> i32 {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(cli, &matches).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    }
}

/// Runs the parsed command; returns the process exit code.
pub async fn run(cli: Cli, matches: &ArgMatches) -> anyhow::Result<i32> {
    let settings = cli.settings.resolve(matches)?;
    if let Command::Config = cli.command {
        print!("{}", settings.to_toml());
        return Ok(0);
    }
    let config = settings.into_config()?;
    crate::logging::init(&config.log, config.log_format);
    match cli.command {
        Command::Serve => serve(config).await.map(|_| 0),
        Command::Call { tool, args, output } => call(config, &tool, &args, output.as_deref()).await,
        Command::Import(args) => import::run(config, args).await,
        Command::Export(args) => export::run(config, args).await,
        Command::Sql(args) => sql::run(config, args).await,
        Command::Config => Ok(0),
    }
}

async fn serve(config: crate::config::Config) -> anyhow::Result<()> {
    let app = App::start(config).await?;
    let calls = Calls::new(app.clone());
    let shutdown = CancellationToken::new();
    crate::shutdown::on_signal(shutdown.clone());
    let transport = app.config.transport;
    tracing::info!(?transport, db = %app.config.db, offline = app.config.upstream.offline, "serving");
    if let Some(addr) = app.config.settings.metrics_listen {
        let (app, stop) = (app.clone(), shutdown.clone());
        tokio::spawn(async move {
            let served = crate::mcp::metrics_route::serve(app, addr, stop, |bound| {
                eprintln!("trading-mcp: Prometheus metrics at http://{bound}/metrics");
            })
            .await;
            if let Err(e) = served {
                tracing::error!(error = %e, %addr, "the metrics listener failed");
            }
        });
    }
    let warming = app.config.warm.clone().map(|warm| {
        tracing::info!(interval_secs = warm.interval.as_secs(), intraday = %warm.intraday, "warming scheduler on");
        crate::scheduler::spawn(app.clone(), warm, shutdown.clone())
    });
    // Replay's requests say nothing about today's demand.
    let flushing = app.config.as_of.is_none().then(|| {
        tokio::spawn(crate::scheduler::flush_popularity(
            app.clone(),
            shutdown.clone(),
        ))
    });
    let result = match transport {
        Transport::Stdio => crate::mcp::stdio::serve(calls, shutdown.clone()).await,
        Transport::Http => {
            let addr = app.config.listen;
            crate::mcp::http::serve(calls, addr, shutdown.clone(), |bound| {
                // Always said, whatever the log level: scripts and tests read it.
                eprintln!("trading-mcp: MCP streamable HTTP at http://{bound}/mcp");
            })
            .await
        }
    };
    shutdown.cancel();
    // The run in progress finishes its writes; a hung one is not waited for.
    let drain = std::time::Duration::from_secs(app.config.settings.drain_secs);
    for task in warming.into_iter().chain(flushing) {
        if tokio::time::timeout(drain, task).await.is_err() {
            tracing::warn!("a background task did not stop in time");
        }
    }
    app.shutdown().await;
    result
}

async fn call(
    config: crate::config::Config,
    tool: &str,
    args: &str,
    image_file: Option<&std::path::Path>,
) -> anyhow::Result<i32> {
    let args = match serde_json::from_str::<serde_json::Value>(args) {
        Ok(serde_json::Value::Object(args)) => args,
        Ok(_) => {
            eprintln!("error: arguments must be a JSON object, e.g. '{{\"symbol\":\"RELIANCE\"}}'");
            return Ok(EXIT_MALFORMED);
        }
        Err(e) => {
            eprintln!("error: arguments are not JSON: {e}");
            return Ok(EXIT_MALFORMED);
        }
    };
    let app = App::start(config).await?;
    let outcome = Calls::new(app.clone()).call(tool, args).await;
    app.shutdown().await;
    match outcome {
        Ok(answer) if answer.is_error() => {
            for c in &answer.result().content {
                if let Some(t) = c.as_text() {
                    eprintln!("error: {}", t.text);
                }
            }
            Ok(EXIT_TOOL_ERROR)
        }
        Ok(answer) => {
            if let Some(path) = image_file {
                let Some(image) = answer.result().content.iter().find_map(|c| c.as_image()) else {
                    eprintln!(
                        "error: {tool} returned no image to write to {}; -o is for get_stock_chart_image",
                        path.display()
                    );
                    return Ok(EXIT_MALFORMED);
                };
                let png = base64::engine::general_purpose::STANDARD
                    .decode(&image.data)
                    .map_err(|e| anyhow::anyhow!("the image is not valid base64: {e}"))?;
                std::fs::write(path, &png)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                eprintln!(
                    "wrote {} ({} bytes, {})",
                    path.display(),
                    png.len(),
                    image.mime_type
                );
            }
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &answer.result().structured_content)?;
            writeln!(stdout)?;
            Ok(0)
        }
        Err(e) => {
            eprintln!("error: {}", e.message);
            Ok(EXIT_MALFORMED)
        }
    }
}
