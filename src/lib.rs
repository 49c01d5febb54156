//! trading-mcp: an MCP server with fast, honest market data for NSE/BSE and
//! global stocks.
//!
//! A request flows top to bottom through these modules:
//!
//! - [`cli`]: the `serve` and `call` subcommands; [`config`] merges flags,
//!   `TRADING_MCP_*` variables and a TOML file.
//! - [`mcp`]: the MCP server over stdio and streamable HTTP (the only module
//!   that imports rmcp); it dispatches to [`tools`].
//! - [`tools`]: each tool's arguments, validation and result rendering,
//!   independent of the transport.
//! - [`service`]: the read-through path L1 (moka) -> L2 ([`store`]) ->
//!   [`upstream`], coalesced per key.
//! - [`store`]: SQLite through sqlx (the only module that writes SQL).
//! - [`upstream`]: Yahoo's chart API over reqwest (the only module that uses
//!   reqwest), behind a circuit breaker, retries and a rate limit.
//!
//! Pure code, with no IO and no async: [`indicators`], [`patterns`],
//! [`calendar`], [`symbol`], [`model`]. Time comes from one injectable
//! [`clock`]. [`app::App`] is the cheap-to-clone handle that ties it
//! together; [`shutdown`] turns signals into one cancellation token.

pub mod app;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod export;
pub mod import;
pub mod indicators;
pub mod logging;
pub mod mcp;
pub mod model;
pub mod patterns;
pub mod service;
pub mod shutdown;
pub mod store;
pub mod symbol;
pub mod tools;
pub mod upstream;
