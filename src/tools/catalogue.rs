//! `list_indicators`: every indicator and pattern, from their registries.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;

use super::args::NoArgs;
use super::{CallContext, Tool, ToolError};
use crate::app::App;
use crate::indicators::{self, WarmupRule};
use crate::patterns;

/// The `list_indicators` tool.
pub struct ListIndicators;

/// One parameter with its default and valid range.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ParamEntry {
    pub name: String,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    /// Whole numbers only.
    pub integer: bool,
    pub description: String,
}

/// One indicator.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct IndicatorEntry {
    /// TA-Lib's name (RSI) or ours (SUPERTREND).
    pub name: String,
    /// overlap, momentum, volume, volatility, statistics, price or trader.
    pub group: String,
    pub description: String,
    /// The columns it reads: open, high, low, close, volume, time.
    pub inputs: Vec<String>,
    pub params: Vec<ParamEntry>,
    /// Its output columns, TA-Lib's names.
    pub outputs: Vec<String>,
    /// How much history before a range its values need: window, recursive, cumulative, anchored or previous_session.
    pub warmup: String,
}

/// One candlestick pattern.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PatternEntry {
    pub name: String,
    pub description: String,
    pub inputs: Vec<String>,
    pub params: Vec<ParamEntry>,
    pub outputs: Vec<String>,
}

/// Result of `list_indicators`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Catalogue {
    pub indicators: Vec<IndicatorEntry>,
    pub patterns: Vec<PatternEntry>,
}

fn warmup_name(rule: WarmupRule) -> &'static str {
    match rule {
        WarmupRule::Window => "window",
        WarmupRule::Recursive => "recursive",
        WarmupRule::Cumulative => "cumulative",
        WarmupRule::Anchored => "anchored",
        WarmupRule::PreviousSession => "previous_session",
    }
}

/// The catalogue, built from the registries.
pub fn catalogue() -> Catalogue {
    let indicators = indicators::registry()
        .iter()
        .map(|s| IndicatorEntry {
            name: s.name.into(),
            group: s.group.into(),
            description: s.description.into(),
            inputs: s.inputs.iter().map(|i| i.name().into()).collect(),
            params: s
                .params
                .iter()
                .map(|p| ParamEntry {
                    name: p.name.into(),
                    default: p.default,
                    min: p.min,
                    max: p.max,
                    integer: p.integer,
                    description: p.description.into(),
                })
                .collect(),
            outputs: s.outputs.iter().map(|o| o.to_string()).collect(),
            warmup: warmup_name(s.warmup).into(),
        })
        .collect();
    let patterns = patterns::registry()
        .iter()
        .map(|p| PatternEntry {
            name: p.name.into(),
            description: p.description.into(),
            inputs: ["open", "high", "low", "close"].map(String::from).to_vec(),
            params: p
                .penetration
                .map(|d| ParamEntry {
                    name: "penetration".into(),
                    default: d,
                    min: 0.0,
                    max: f64::MAX,
                    integer: false,
                    description:
                        "how far the body must penetrate the earlier candle, as a fraction".into(),
                })
                .into_iter()
                .collect(),
            outputs: vec!["code: -200/-100/0/100/200 (negative bearish, positive bullish)".into()],
        })
        .collect();
    Catalogue {
        indicators,
        patterns,
    }
}

impl Tool for ListIndicators {
    const NAME: &'static str = "list_indicators";
    type Args = NoArgs;
    type Output = Catalogue;

    fn description() -> String {
        "Every indicator and candlestick pattern this server computes, with inputs, \
         parameters (name, default, valid range) and outputs."
            .to_string()
    }

    async fn run(_app: &App, _args: NoArgs, ctx: &mut CallContext) -> Result<Catalogue, ToolError> {
        ctx.constant();
        Ok(catalogue())
    }

    fn text(out: &Catalogue) -> String {
        let mut text = format!("{} indicators:\n", out.indicators.len());
        for s in &out.indicators {
            let params = s
                .params
                .iter()
                .map(|p| format!("{}={}", p.name, p.default))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                text,
                "  {}({params}) [{}] -> {}",
                s.name,
                s.group,
                s.outputs.join(", ")
            );
        }
        let _ = writeln!(
            text,
            "{} candlestick patterns: {}",
            out.patterns.len(),
            out.patterns
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        text
    }
}
