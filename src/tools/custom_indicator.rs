//! `calculate_technical_indicator` with `expression`: a custom indicator
//! written in the expression language (`sma(close, 20) - sma(close, 50)`,
//! `ema(rsi(14), 9)`), compiled before any fetch, with its warm-up derived
//! from the expression, evaluated over the same bars as the registry's
//! indicators.

use std::collections::BTreeMap;

use super::ToolError;
use super::columns::Columns;
use super::indicators::IndicatorInfo;
use crate::expr::{self, Kind, Program, Root};
use crate::indicators::Warmup;

/// The name the answer gives a custom indicator.
const NAME: &str = "EXPRESSION";

/// One compiled expression.
pub struct ExpressionJob {
    program: Program,
    root: Root,
}

impl ExpressionJob {
    /// Compiles `text`; an error names the position and what was expected.
    pub fn compile(text: &str) -> Result<ExpressionJob, ToolError> {
        let (program, root) = expr::compile(text).map_err(|e| {
            ToolError::new(format!(
                "expression: {e}. Write it in the expression language, e.g. sma(close, 20) - sma(close, 50), ema(rsi(14), 9) or (close - lowest(low, 14)) / (highest(high, 14) - lowest(low, 14))"
            ))
        })?;
        Ok(ExpressionJob { program, root })
    }

    /// The history before the range its values need to be final.
    pub fn warmup(&self, intraday: bool) -> Warmup {
        self.program.warmup(intraday)
    }

    /// The canonical text, which names its column (`sma(20) - sma(50)`).
    pub fn label(&self) -> &str {
        self.program.label(self.root)
    }

    /// Evaluates over `cols` (warm-up included): the description and the
    /// one column. A condition gives 1 (true), 0 (false), or no value.
    pub fn compute(&self, cols: &Columns) -> Result<(IndicatorInfo, Vec<f64>), ToolError> {
        let ev = self
            .program
            .evaluate(&cols.ohlcv())
            .map_err(|e| ToolError::new(format!("expression: {e}")))?;
        let values = ev.series_of(self.root).to_vec();
        let label = self.label().to_string();
        let last = values.last().copied().filter(|v| v.is_finite());
        let info = IndicatorInfo {
            name: NAME.to_string(),
            label: label.clone(),
            params: BTreeMap::new(),
            columns: vec![label.clone()],
            // Leading bars without a value over the whole evaluation.
            warmup_bars: values.iter().take_while(|v| !v.is_finite()).count(),
            latest: BTreeMap::from([(label, last)]),
            reading: (self.program.kind(self.root) == Kind::Condition).then(|| match last {
                Some(v) if v != 0.0 => "true on the last bar".to_string(),
                Some(_) => "false on the last bar".to_string(),
                None => "unknown on the last bar (a term has no value there)".to_string(),
            }),
        };
        Ok((info, values))
    }
}
