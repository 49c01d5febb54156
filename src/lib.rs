//! trading-mcp: an MCP server with fast, honest market data for NSE/BSE and
//! global stocks.
//!
//! A request flows top to bottom through these modules:
//!
//! - [`cli`]: the `serve`, `call` and `config` subcommands; [`config`] is
//!   the one settings struct (flags > `TRADING_MCP_*` variables > TOML >
//!   defaults).
//! - [`mcp`]: the MCP server over stdio and streamable HTTP (the only module
//!   that imports rmcp). Every tool call goes through its one call path,
//!   `mcp::calls`, which logs, times, counts and caches it.
//! - [`tools`]: each tool's typed arguments, typed output and text
//!   rendering, erased once into a registry; independent of the transport.
//! - [`service`]: the read-through path L1 (moka) -> L2 ([`store`]) ->
//!   [`upstream`], coalesced per (symbol, interval); news reads through the
//!   store to the feeds the same way.
//! - [`store`]: SQLite through sqlx (the only module that writes SQL).
//! - [`upstream`]: Yahoo's chart API over reqwest (the only module that uses
//!   reqwest), behind a circuit breaker, retries and a rate limit.
//!
//! Pure code, with no IO and no async: [`indicators`], [`patterns`], [`expr`], [`analysis`],
//! [`chart_image`], [`calendar`], [`symbol`], [`directory`], [`news`],
//! [`model`]. Time comes from one injectable [`clock`]. [`app::App`] is the
//! cheap-to-clone handle that ties it together; [`telemetry`] holds the call
//! path's counters; [`progress`] carries a long call's progress from deep in
//! the service to the client; [`shutdown`] turns signals into one
//! cancellation token. [`scheduler`] keeps the watchlist warm during market
//! hours, reading through the service like a tool, with [`background`]
//! marking its requests so tool calls go first.

pub mod analysis;
pub mod app;
pub mod background;
pub mod calendar;
pub mod chart_image;
pub mod cli;
pub mod clock;
pub mod config;
pub mod directory;
pub mod echo;
pub mod export;
pub mod expr;
pub mod import;
pub mod indicators;
pub mod logging;
pub mod mcp;
pub mod metrics;
pub mod model;
pub mod news;
pub mod patterns;
pub mod progress;
pub mod scheduler;
pub mod service;
pub mod shutdown;
pub mod store;
pub mod symbol;
pub mod telemetry;
pub mod tools;
pub mod upstream;
