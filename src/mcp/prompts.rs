//! MCP prompts: ready-made analyses that tell the model which of our tools
//! to call, with which arguments, and how to read their freshness blocks.
//! Written for Indian markets by default: NSE symbols, NIFTY 50 as the
//! benchmark, IST times. Built with rmcp's prompt router, once.
//!
//! A prompt only writes text; the data comes from the tool calls the model
//! then makes, so nothing here reads the service. Arguments are checked
//! (symbols resolve, intervals and exchanges are among the choices) so a
//! prompt never sends the model off with arguments the tools will refuse.

use std::sync::OnceLock;

use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{GetPromptResult, PromptMessage, Role};
use rmcp::{ErrorData, prompt, prompt_router};
use schemars::JsonSchema;
use serde::Deserialize;

use super::McpServer;
use crate::model::Interval;
use crate::symbol;

/// The prompt router, built once.
pub(super) fn router() -> &'static PromptRouter<McpServer> {
    static ROUTER: OnceLock<PromptRouter<McpServer>> = OnceLock::new();
    ROUTER.get_or_init(McpServer::prompt_router)
}

/// How the tools' `freshness` blocks are read; every prompt ends with it.
const READ_FRESHNESS: &str = "Every tool answer has a `freshness` block: `source` is memory, store \
     or upstream (where this server got the bars, not how old they are); `fetched_at` is when they \
     left Yahoo; `stale: true` means the upstream could not be reached and stored data is shown, \
     with `stale_reason`. If anything is stale, say so and give its fetched_at. Times are IST for \
     NSE/BSE symbols. Do not invent numbers the tools did not return.";

#[derive(Debug, Deserialize, JsonSchema)]
pub struct AnalyzeStockArgs {
    /// NSE symbol (RELIANCE), Yahoo ticker or alias (NIFTY).
    pub symbol: String,
    /// short (3 months of daily bars), medium (1 year, the default) or long (5 years, weekly).
    #[serde(default)]
    pub horizon: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CompareStocksArgs {
    /// 2 to 20 symbols, comma-separated: "TCS, INFY, WIPRO".
    pub symbols: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TechnicalSetupArgs {
    /// NSE symbol (RELIANCE), Yahoo ticker or alias.
    pub symbol: String,
    /// Bar interval: 1m, 5m, 15m, 30m, 1h, 1d (default), 1wk, 1mo.
    #[serde(default)]
    pub interval: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct MarketOverviewArgs {
    /// NSE (default), BSE or US.
    #[serde(default)]
    pub exchange: Option<String>,
}

/// Most symbols one comparison takes.
const MAX_COMPARE: usize = 20;

#[prompt_router(vis = "pub(super)")]
impl McpServer {
    /// A full read of one stock: trend, momentum, patterns and news.
    #[prompt(
        name = "analyze_stock",
        description = "Analyse one stock (NSE by default) over a horizon: chart, trend and momentum indicators, recent candlestick patterns, news, and how it did against NIFTY 50."
    )]
    async fn analyze_stock(
        &self,
        Parameters(args): Parameters<AnalyzeStockArgs>,
    ) -> Result<GetPromptResult, ErrorData> {
        let symbol = checked_symbol(&args.symbol)?;
        let (span, interval, label) = match args.horizon.as_deref().map(str::trim) {
            None | Some("") | Some("medium") => (365, "1d", "the last year"),
            Some("short") => (92, "1d", "the last three months"),
            Some("long") => (5 * 365, "1wk", "the last five years"),
            Some(other) => {
                return Err(ErrorData::invalid_params(
                    format!(
                        "horizon {:?} is not one of short, medium, long",
                        crate::echo::clip(other)
                    ),
                    None,
                ));
            }
        };
        let (start, end) = self.dates(span);
        let range = format!(r#""start_date": "{start}", "end_date": "{end}""#);
        let text = format!(
            "Analyse {symbol} over {label} ({start} to {end}).\n\
             1. get_stock_chart_image {{\"symbol\": \"{symbol}\", {range}, \"interval\": \"{interval}\", \
             \"overlays\": [\"sma(50)\", \"sma(200)\"], \"panes\": [\"volume\", \"rsi(14)\", \"macd\"]}} to see it.\n\
             2. calculate_technical_indicator {{\"symbol\": \"{symbol}\", {range}, \"interval\": \"{interval}\", \
             \"indicators\": [{{\"name\": \"RSI\"}}, {{\"name\": \"MACD\"}}, {{\"name\": \"BBANDS\"}}, \
             {{\"name\": \"SMA\", \"params\": {{\"timeperiod\": 50}}}}, {{\"name\": \"SMA\", \"params\": {{\"timeperiod\": 200}}}}, \
             {{\"name\": \"ATR\"}}], \"max_points\": 5}} for the latest values and their `reading`.\n\
             3. detect_candlestick_patterns {{\"symbol\": \"{symbol}\", \"start_date\": \"{recent}\", \"end_date\": \"{end}\"}} \
             for patterns in the last month.\n\
             4. get_stock_chart_data for {symbol} and for NIFTY over the same range (max_points 1 is enough \
             for the last close; compare the first and last closes for the returns).\n\
             5. get_market_news {{\"symbol\": \"{symbol}\"}} for what moved it.\n\
             Then write: the trend (price against SMA 50/200), momentum (RSI, MACD), volatility (ATR, bands), \
             notable patterns, the return against NIFTY 50, and the news, in that order. {READ_FRESHNESS}",
            recent = self.dates(31).0,
        );
        Ok(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description(format!("Analysis of {symbol} over {label}")),
        )
    }

    /// Side-by-side returns and momentum of several stocks.
    #[prompt(
        name = "compare_stocks",
        description = "Compare 2 to 20 stocks (comma-separated symbols) over the last year: returns against NIFTY 50, momentum and volatility."
    )]
    async fn compare_stocks(
        &self,
        Parameters(args): Parameters<CompareStocksArgs>,
    ) -> Result<GetPromptResult, ErrorData> {
        let symbols: Vec<String> = args
            .symbols
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(checked_symbol)
            .collect::<Result<_, _>>()?;
        if !(2..=MAX_COMPARE).contains(&symbols.len()) {
            return Err(ErrorData::invalid_params(
                format!(
                    "symbols: give 2 to {MAX_COMPARE} comma-separated symbols (got {})",
                    symbols.len()
                ),
                None,
            ));
        }
        let (start, end) = self.dates(365);
        let list = symbols.join(", ");
        let text = format!(
            "Compare {list} from {start} to {end}.\n\
             For each symbol and for NIFTY (the benchmark):\n\
             1. get_stock_chart_data {{\"symbol\": <symbol>, \"start_date\": \"{start}\", \"end_date\": \"{end}\"}}: \
             the return is the last close over the first close, minus one.\n\
             2. calculate_technical_indicator {{\"symbol\": <symbol>, \"start_date\": \"{start}\", \"end_date\": \"{end}\", \
             \"indicators\": [{{\"name\": \"RSI\"}}, {{\"name\": \"ATR\"}}, {{\"name\": \"NATR\"}}], \"max_points\": 1}}.\n\
             Then give a table: symbol, return, return minus NIFTY's, RSI with its reading, NATR (volatility), \
             and say which led and which lagged. Returns must come from the closes the tools gave. {READ_FRESHNESS}"
        );
        Ok(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description(format!("Comparison of {list}")),
        )
    }

    /// Where a stock stands for a trade: trend, levels, momentum, patterns.
    #[prompt(
        name = "technical_setup",
        description = "The technical setup of one stock at an interval: Supertrend, moving averages, RSI, MACD, ATR-based levels and recent candlestick patterns."
    )]
    async fn technical_setup(
        &self,
        Parameters(args): Parameters<TechnicalSetupArgs>,
    ) -> Result<GetPromptResult, ErrorData> {
        let symbol = checked_symbol(&args.symbol)?;
        let interval = match args.interval.as_deref().map(str::trim) {
            None | Some("") => Interval::D1,
            Some(text) => text.parse::<Interval>().map_err(|_| {
                ErrorData::invalid_params(
                    format!(
                        "interval {:?} is not one of 1m, 5m, 15m, 30m, 1h, 1d, 1wk, 1mo",
                        crate::echo::clip(text)
                    ),
                    None,
                )
            })?,
        };
        let text = format!(
            "Describe the technical setup of {symbol} on {interval} bars (default range for the interval, ending today).\n\
             1. get_stock_chart_image {{\"symbol\": \"{symbol}\", \"interval\": \"{interval}\", \
             \"overlays\": [\"supertrend\", \"sma(20)\", \"sma(50)\"], \"panes\": [\"volume\", \"rsi(14)\", \"macd\"], \"patterns\": true}}.\n\
             2. calculate_technical_indicator {{\"symbol\": \"{symbol}\", \"interval\": \"{interval}\", \
             \"indicators\": [{{\"name\": \"SUPERTREND\"}}, {{\"name\": \"RSI\"}}, {{\"name\": \"MACD\"}}, {{\"name\": \"ATR\"}}, \
             {{\"name\": \"PIVOT_CLASSIC\"}}], \"max_points\": 3}}.\n\
             3. detect_candlestick_patterns {{\"symbol\": \"{symbol}\", \"interval\": \"{interval}\"}}.\n\
             Then state: the trend (Supertrend direction, price against SMA 20/50), momentum (RSI reading, MACD \
             against its signal), support and resistance (pivots, Supertrend line, ATR for a stop distance), and \
             the latest patterns. This is analysis, not advice. {READ_FRESHNESS}"
        );
        Ok(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description(format!("Technical setup of {symbol} on {interval}")),
        )
    }

    /// The state of a market today.
    #[prompt(
        name = "market_overview",
        description = "Today's overview of a market (NSE by default): whether it is open, the main indices, and the news."
    )]
    async fn market_overview(
        &self,
        Parameters(args): Parameters<MarketOverviewArgs>,
    ) -> Result<GetPromptResult, ErrorData> {
        let exchange = match args.exchange.as_deref().map(str::trim) {
            None | Some("") => crate::calendar::Exchange::Nse,
            Some(text) => text
                .parse::<crate::calendar::Exchange>()
                .map_err(|e| ErrorData::invalid_params(e, None))?,
        };
        let indices = match exchange {
            crate::calendar::Exchange::Us => {
                "^GSPC (S&P 500) and ^IXIC (Nasdaq Composite), with exchange US"
            }
            _ => "NIFTY (NIFTY 50), BANKNIFTY and SENSEX",
        };
        let (start, end) = self.dates(31);
        let text = format!(
            "Give an overview of the {exchange} market today ({end}).\n\
             1. get_market_status {{\"exchange\": \"{exchange}\"}}: open or closed, why, and the next open or close.\n\
             2. get_stock_chart_data for {indices}, {{\"start_date\": \"{start}\", \"end_date\": \"{end}\"}}: \
             the last close, the day's change and the month's.\n\
             3. get_market_news {{\"query\": \"market\"}} for the headlines.\n\
             Then write a short overview: the session state, the indices' moves, and the news that explains them. \
             If the market is closed, say the figures are from the last session. {READ_FRESHNESS}"
        );
        Ok(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description(format!("{exchange} market overview")),
        )
    }
}

impl McpServer {
    /// `span` days before today, and today, as the exchange-local (IST)
    /// dates the tools take, from the server's one clock.
    fn dates(&self, span: i64) -> (chrono::NaiveDate, chrono::NaiveDate) {
        let now = self.calls.app().clock().now();
        let today = crate::calendar::Exchange::Nse.calendar().local_date(now);
        (today - chrono::Duration::days(span), today)
    }
}

/// The symbol as the tools will resolve it, or the tools' own message.
fn checked_symbol(text: &str) -> Result<String, ErrorData> {
    symbol::resolve_on(text, None)
        .map(|_| text.trim().to_ascii_uppercase())
        .map_err(|e| ErrorData::invalid_params(format!("symbol: {e}"), None))
}
