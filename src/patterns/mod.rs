//! Candlestick patterns: TA-Lib's 61 `CDL*` functions, bar for bar.
//!
//! Pure code: no IO, no async. Outputs are TA-Lib's integer codes
//! (-200/-100/-80/0/80/100/200), aligned with the input, 0 in the warm-up prefix.
//!
//! The candle settings and running averages are TA-Lib's defaults, computed
//! with TA-Lib's own arithmetic ([`candle`]), so the codes equal TA-Lib 0.6+'s
//! at every bar. [`registry`] lists the patterns; [`detect`] and
//! [`detect_all_into`] validate inputs and run them.

// Pattern loops walk a bar index that addresses several candles (`i - 2`,
// `i - 1`, `i`) and the output together; an iterator over `out` would hide that.
#![allow(clippy::needless_range_loop)]

pub mod candle;
mod double;
mod multi;
mod registry;
mod single;
mod star;
mod triple;

pub use registry::{
    PatternError, detect, detect_all, detect_all_into, detect_into, find, lookback, lookup,
    registry,
};

use crate::indicators::Ohlcv;

/// One candlestick pattern function.
#[derive(Debug, Clone, Copy)]
pub struct PatternSpec {
    /// TA-Lib's name, e.g. `CDLHAMMER`.
    pub name: &'static str,
    /// A short human description ("Hammer: small body near the high after a decline").
    pub description: &'static str,
    /// TA-Lib's default penetration for the patterns that take one, else `None`.
    pub penetration: Option<f64>,
    /// Bars before the first one that can carry a signal (TA-Lib's `_Lookback`).
    pub lookback: usize,
    /// Writes TA-Lib's codes for every bar into `out` (same length as the input).
    pub compute: fn(&Ohlcv, f64, &mut [i32]),
}
