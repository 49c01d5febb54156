//! Technical indicators: pure batch functions over price slices.
//!
//! Pure code: no IO, no async, no clock. Every function takes slices (oldest
//! first) and returns vectors aligned with the input, with `NaN` in the
//! warm-up prefix — exactly TA-Lib's lookback for the TA-Lib functions.
//!
//! The [`IndicatorSpec`] table is the single source of truth for names,
//! inputs, parameters (defaults and valid ranges) and outputs: the MCP tool
//! descriptions, `list_indicators` and parameter validation are all built
//! from it.

mod common;
/// The longest period any indicator (and the expression language's `lag`,
/// `highest`, `lowest`, `within`) accepts, in bars.
pub use common::MAX_PERIOD;
pub use common::Series3;
pub mod directional;
pub mod ma;
mod mama;
pub mod momentum;
pub mod oscillators;
pub mod overlap;
pub mod price;
pub mod registry;
mod specs;
mod specs_momentum;
pub mod statistics;
pub mod trader;
pub mod volatility;
pub mod volume;

pub use directional::{adx, adxr, dx, minus_di, plus_di};
pub use ma::{MaType, dema, ema, kama, ma, ma_lookback, sma, t3, tema, trima, wma};
pub use momentum::{apo, bop, cmo, macd, mom, ppo, roc, rsi, trix};
pub use oscillators::{aroon, aroonosc, cci, stoch, stochf, stochrsi, ultosc, willr};
pub use overlap::{bbands, midpoint, midprice, sar};
pub use price::typprice;
pub use registry::{check_params, compute, find, registry, resolve_params, warmup};
pub use statistics::{linearreg, linearreg_slope, stddev};
pub use volatility::{atr, natr, trange};
pub use volume::{ad, adosc, mfi, obv};

/// Price and volume columns of one series, oldest first, all of one length.
#[derive(Debug, Clone, Copy)]
pub struct Ohlcv<'a> {
    pub open: &'a [f64],
    pub high: &'a [f64],
    pub low: &'a [f64],
    pub close: &'a [f64],
    pub volume: &'a [f64],
    /// Bar start times, epoch seconds UTC (session-anchored indicators use them).
    pub ts: &'a [i64],
    /// The exchange's offset from UTC in seconds (IST is 19_800), to find sessions.
    pub utc_offset_secs: i32,
    /// True for bars shorter than a day.
    pub intraday: bool,
}

impl Ohlcv<'_> {
    pub fn len(&self) -> usize {
        self.close.len()
    }

    pub fn is_empty(&self) -> bool {
        self.close.is_empty()
    }
}

/// Why an indicator could not be computed. The messages are shown to users.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndicatorError {
    #[error("unknown indicator '{name}'; valid choices: {valid}")]
    Unknown { name: String, valid: String },
    #[error("parameter '{param}' = {value} is invalid: {reason}")]
    InvalidParam {
        param: String,
        value: f64,
        reason: String,
    },
    #[error("not enough data: {indicator} needs at least {need} bars, got {have}")]
    NotEnoughData {
        indicator: String,
        need: usize,
        have: usize,
    },
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

/// One input column an indicator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Open,
    High,
    Low,
    Close,
    Volume,
    Time,
}

impl Input {
    /// The column's name as users write it (`close`; `time` for the bar times).
    pub fn name(self) -> &'static str {
        match self {
            Input::Open => "open",
            Input::High => "high",
            Input::Low => "low",
            Input::Close => "close",
            Input::Volume => "volume",
            Input::Time => "time",
        }
    }
}

/// One numeric parameter: its default and inclusive valid range.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    /// Whole numbers only (periods, MA types).
    pub integer: bool,
    pub description: &'static str,
}

/// One indicator: everything a caller needs to validate, compute and describe it.
#[derive(Debug, Clone, Copy)]
#[allow(clippy::type_complexity)]
pub struct IndicatorSpec {
    /// Upper case; TA-Lib's name for TA-Lib functions (`RSI`), ours otherwise (`SUPERTREND`).
    pub name: &'static str,
    /// overlap | momentum | volume | volatility | statistics | price | trader
    pub group: &'static str,
    pub description: &'static str,
    pub inputs: &'static [Input],
    pub params: &'static [ParamSpec],
    /// Output names, TA-Lib's where it has them (`macd`, `macdsignal`, `macdhist`);
    /// a single output is the lower-case indicator name (`rsi`).
    pub outputs: &'static [&'static str],
    /// Warm-up length (leading NaNs) for these parameter values (in `params` order).
    pub lookback: fn(&[f64]) -> usize,
    /// Computes every output for these parameter values (in `params` order,
    /// already validated against the ranges).
    pub compute: fn(&Ohlcv, &[f64]) -> Result<Vec<Vec<f64>>, IndicatorError>,
    /// How much history before the first returned bar a value needs to be
    /// final: see [`registry::warmup`].
    pub warmup: WarmupRule,
    /// Levels a trader reads the latest value against (RSI 70/30), if any.
    pub reading: Option<Reading>,
}

/// How an indicator's value depends on the history before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarmupRule {
    /// Only the last `lookback + 1` bars matter.
    Window,
    /// Recursive smoothing (EMA family, Wilder, SAR, KAMA...): every earlier
    /// bar matters, with a weight that decays geometrically.
    Recursive,
    /// A running sum from the first bar (OBV, AD): the value depends on
    /// where the series starts, so it is computed from the first trade.
    Cumulative,
    /// Anchored at the range start, or at each session for intraday (VWAP).
    Anchored,
    /// The previous period's H/L/C: the previous bar daily, the previous
    /// session intraday (pivots).
    PreviousSession,
}

/// Overbought/oversold style levels for a one-line reading of the latest value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub label: &'static str,
    /// Above this: overbought (or the indicator's "high" verdict).
    pub high: f64,
    /// Below this: oversold.
    pub low: f64,
}

/// History an indicator needs before the first bar it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Warmup {
    /// At least this many bars.
    Bars(usize),
    /// Everything from the instrument's first bar.
    FullHistory,
}
