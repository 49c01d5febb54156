//! The expression language of the screener (`screen_stocks` conditions and
//! `sort_by`), of custom indicators (`calculate_technical_indicator` with
//! `expression`) and of chart overlays and panes. Pure code: no IO, no
//! async, no clock.
//!
//! # The language
//!
//! - **Inputs:** `open`, `high`, `low`, `close`, `volume`; numbers (`30`,
//!   `2.5`, `1e6`); `+ - * /`, unary minus, parentheses.
//! - **Comparisons:** `<  <=  >  >=  ==  !=` (`==` and `!=` compare exactly;
//!   `=` alone is an error, it only names a parameter). They do not chain:
//!   write `a < b and b < c`.
//! - **Logic:** `and`, `or`, `not` (any case).
//! - **Indicators:** every registry indicator (`list_indicators`), by name in
//!   any case. Parameters are positional in TA-Lib's order (`bbands(20, 2,
//!   2)`) or keyword arguments with TA-Lib's names (`rsi(timeperiod=14)`),
//!   positional first; missing ones take the registry's defaults, and the
//!   registry validates them. An indicator that reads only close takes
//!   close by default (`rsi(14)`, `sma(200)`) or any number series named as
//!   its first argument (`sma(high, 20)`, `ema(rsi(14), 9)`); the others
//!   (ATR, ADX, OBV, VWAP...) read their columns themselves. A bare name is
//!   the indicator with its defaults: `vwap`, `obv`.
//! - **Outputs:** a multi-output indicator is followed by one of its
//!   outputs, with TA-Lib's names, the same as the indicator tool returns:
//!   `macd().macdsignal`, `bbands(20).upperband`, `stoch().slowk`. Short
//!   aliases: `.signal` `.hist` (MACD), `.upper` `.middle` `.lower` (BBANDS),
//!   `.k` `.d` (STOCH, STOCHF, STOCHRSI), `.up` `.down` (AROON), `.open`
//!   `.high` `.low` `.close` (HEIKIN_ASHI); see [`OUTPUT_ALIASES`]. Without
//!   a selector a multi-output indicator is an error that lists its outputs
//!   (no output is a safe guess: MACD's first is the line, BBANDS' first the
//!   upper band), except in a chart overlay ([`Program::add_plot`]), where
//!   it stands for all its outputs.
//! - **Built-ins:** `lag(x, n)` (x, n bars earlier), `highest(x, n)` and
//!   `lowest(x, n)` (over the last n bars, the current one included),
//!   `cross_above(a, b)` (a moves from at or below b to above it on this
//!   bar) and `cross_below(a, b)`, `abs(x)`, `min(a, b)`, `max(a, b)`;
//!   `cond within n` (cond held on at least one of the last n bars, the
//!   current one included). n is a whole number 1..=100,000 (0 allowed for
//!   lag).
//! - **Precedence**, loosest first: `or`, `and`, `not`, `within`,
//!   comparisons, `+ -`, `* /`, unary minus, then calls and `.output`.
//!   So `not a within 3` is `not (a within 3)`, and `rsi(14) < 30 within 5`
//!   is `(rsi(14) < 30) within 5`.
//!
//! # Values
//!
//! A number expression gives one value per bar, NaN where it is undefined:
//! an indicator's warm-up, `lag` before the series starts, a division by
//! zero and any other result that is not finite. A condition gives true,
//! false or unknown (1.0, 0.0, NaN): a comparison with an undefined side is
//! unknown, `and` is false if either side is false (else unknown if either
//! is unknown), `or` is true if either side is true, `not unknown` is
//! unknown. A screen matches only where the condition is true.
//!
//! An indicator whose input is a computed series runs on each stretch of
//! defined values (TA-Lib's wrappers do this for a leading NaN prefix): its
//! values start once a stretch is long enough, and are NaN elsewhere.
//!
//! Subexpressions are computed once per evaluation, keyed on their
//! canonical text ([`Program::label`]): `sma(close, 200)` and `sma(200)` are
//! one computation, in one expression or across the expressions of one
//! [`Program`] (a screen's condition and its sort key).
//!
//! # Limits
//!
//! An expression has at most [`MAX_CHARS`] characters, nests at most
//! [`MAX_DEPTH`] levels and uses at most [`MAX_INDICATOR_CALLS`] different
//! indicator calls; every count of bars is at most [`MAX_BARS`]. No input
//! panics: errors name the 1-based character position and what was
//! expected.
//!
//! # Use
//!
//! ```
//! use trading_mcp::expr::Program;
//! let mut screen = Program::new();
//! let cond = screen.add("rsi(14) < 30 and close > sma(200)").unwrap();
//! let sort = screen.add("rsi(14)").unwrap();
//! assert_eq!(screen.term_labels(cond), ["rsi(14)", "close", "sma(200)"]);
//! assert_eq!(screen.indicator_count(), 2); // rsi(14) is shared with the sort key
//! # let _ = sort;
//! ```

mod ast;
mod calls;
mod error;
mod eval;
mod kernels;
mod lexer;
mod names;
mod parser;
mod program;
mod resolve;
mod sort;
mod warmup;

pub use error::{ErrorKind, ExprError};
pub use eval::{EvalStats, Evaluation, TermValue, last_bar_at_or_before, truth};
pub use names::{Column, OUTPUT_ALIASES};
pub use program::{Kind, Program, Root};
pub use sort::SortKey;

/// The longest expression, in characters.
pub const MAX_CHARS: usize = 2_000;

/// The deepest nesting of operators, calls and parentheses.
pub const MAX_DEPTH: usize = 64;

/// The most different indicator calls one expression may use.
pub const MAX_INDICATOR_CALLS: usize = 16;

/// The largest bar count of `lag`, `highest`, `lowest` and `within`: the
/// registry's own longest period.
pub const MAX_BARS: usize = crate::indicators::MAX_PERIOD;

/// Compiles one expression into a program of its own.
pub fn compile(text: &str) -> Result<(Program, Root), ExprError> {
    let mut program = Program::new();
    let root = program.add(text)?;
    Ok((program, root))
}
