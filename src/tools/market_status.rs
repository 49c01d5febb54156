//! `get_market_status`: whether an exchange trades now, why not, and when
//! it next opens and closes, from the compiled-in calendars.

use std::fmt::Write as _;

use chrono::Timelike;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::args::Choice;
use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::calendar::{ClosedReason, Exchange, MarketStatus, Phase};

/// Result of `get_market_status`: the exchange asked about and its status.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct MarketStatusOutput {
    /// NSE, BSE or US.
    pub exchange: Exchange,
    #[serde(flatten)]
    pub status: MarketStatus,
}

/// The `get_market_status` tool.
pub struct MarketStatusTool;

/// Arguments of `get_market_status`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarketStatusArgs {
    /// NSE (default), BSE or US (NYSE and Nasdaq).
    #[serde(default)]
    pub exchange: Option<Choice<Exchange>>,
}

impl Tool for MarketStatusTool {
    const NAME: &'static str = "get_market_status";
    type Args = MarketStatusArgs;
    type Output = MarketStatusOutput;

    fn description() -> String {
        "Whether NSE, BSE or the US market is trading now: the phase (pre_open, open, \
         special_session, closed with the reason: weekend, holiday name, before the open or \
         after the close), the next open and close as exchange-local timestamps, today's \
         session times, and when this answer next changes."
            .to_string()
    }

    async fn run(
        app: &App,
        args: MarketStatusArgs,
        ctx: &mut CallContext,
    ) -> Result<MarketStatusOutput, ToolError> {
        let exchange = match &args.exchange {
            Some(e) => e.get()?,
            None => Exchange::Nse,
        };
        // The answer carries the instant it was computed at, and the
        // computation is microseconds: caching it would only go stale.
        ctx.never_cache();
        let now = app.clock().now();
        let now = now.with_nanosecond(0).unwrap_or(now);
        Ok(MarketStatusOutput {
            exchange,
            status: exchange.calendar().status(now),
        })
    }

    fn text(out: &MarketStatusOutput) -> String {
        let (exchange, out) = (out.exchange, &out.status);
        let phase = match &out.phase {
            Phase::PreOpen { .. } => "pre-open".to_string(),
            Phase::Open => "open".to_string(),
            Phase::SpecialSession { name } => format!("open (special session: {name})"),
            Phase::HoursUnknown { name } => format!("{name} today, hours not published"),
            Phase::Closed { reason } => format!("closed ({})", closed_reason(reason)),
        };
        let mut text = format!("{exchange} at {}: {phase}", out.at.to_rfc3339());
        if let Some(t) = out.next_open {
            let _ = write!(text, "; next open {}", t.to_rfc3339());
        }
        if let Some(t) = out.next_close {
            let _ = write!(text, "; next close {}", t.to_rfc3339());
        }
        for note in &out.notes {
            let _ = write!(text, "\nnote: {note}");
        }
        text
    }
}

fn closed_reason(reason: &ClosedReason) -> String {
    match reason {
        ClosedReason::Weekend => "weekend".to_string(),
        ClosedReason::Holiday { holiday } => format!("holiday: {holiday}"),
        ClosedReason::BeforeOpen => "before the open".to_string(),
        ClosedReason::BetweenSegments => "between segments".to_string(),
        ClosedReason::AfterClose => "after the close".to_string(),
    }
}
