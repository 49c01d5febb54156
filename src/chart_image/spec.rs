//! What to draw: a plain-data description of one chart, built by the caller
//! from bars, indicator outputs and pattern codes it has already computed.

use chrono::{DateTime, NaiveDateTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::theme::ThemeName;
use crate::model::Interval;

/// Default image size in pixels.
pub const DEFAULT_WIDTH: u32 = 1200;
pub const DEFAULT_HEIGHT: u32 = 700;

/// One chart: everything the renderer reads. The same spec always gives the
/// same PNG bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub title: ChartTitle,
    pub subtitle: ChartSubtitle,
    /// The bars' interval: sets the time axis labels (dates or clock times).
    pub interval: Interval,
    /// Oldest first, at most [`super::MAX_BARS`]. Placed by index, so
    /// weekends, holidays and nights leave no gap.
    pub bars: Vec<ChartBar>,
    /// Lines drawn over the price pane (moving averages, bands, VWAP...).
    pub overlays: Vec<Overlay>,
    /// Panes under the price pane, top to bottom.
    pub panes: Vec<Pane>,
    /// Detected candlestick patterns, as arrows at their bars.
    pub marks: Vec<PatternMark>,
    pub style: ChartStyle,
    pub theme: ThemeName,
    pub width: u32,
    pub height: u32,
}

impl ChartSpec {
    /// A candlestick chart of `bars` with the default size and theme and
    /// nothing else on it.
    pub fn new(title: ChartTitle, interval: Interval, bars: Vec<ChartBar>) -> Self {
        Self {
            title,
            subtitle: ChartSubtitle::default(),
            interval,
            bars,
            overlays: Vec::new(),
            panes: Vec::new(),
            marks: Vec::new(),
            style: ChartStyle::default(),
            theme: ThemeName::default(),
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
        }
    }
}

/// The title line: `RELIANCE.NS  Reliance Industries Ltd · 1d · 2023-10-03 – 2024-03-28`.
/// The interval and the range come from the spec's interval and bars, so the
/// title cannot disagree with what is drawn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartTitle {
    pub symbol: String,
    /// The instrument's name, when known.
    pub name: Option<String>,
}

/// The line under the title: how old the data is. Deliberately not where it
/// was served from (memory, store, upstream), so that the same data gives
/// the same image.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartSubtitle {
    /// When the newest bar was fetched from upstream, in the exchange's zone.
    pub fetched_at: Option<DateTime<Tz>>,
    pub stale: bool,
    pub stale_reason: Option<String>,
    /// Things the reader must know, e.g. "resampled from 1d to 1wk".
    pub notes: Vec<String>,
}

/// One bar, with its start in exchange-local time (daily and coarser bars:
/// the trading date at midnight).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartBar {
    pub time: NaiveDateTime,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

/// How a line is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    /// The overlay's or pane line's own palette colour.
    #[default]
    Palette,
    /// The theme's up colour (e.g. Supertrend while it is below price).
    Up,
    /// The theme's down colour.
    Down,
}

/// One output series, aligned with the bars; NaN where it has no value
/// (warm-up, or the other side of a Supertrend), which breaks the line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The output's name (`macdsignal`), shown in the legend when a group
    /// has more than one line.
    pub name: String,
    pub values: Vec<f64>,
    pub tone: Tone,
}

impl Line {
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            values,
            tone: Tone::Palette,
        }
    }
}

/// An indicator drawn on the price pane: one or more lines in one colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// As the user wrote it: `sma(20)`, `bbands(20)`.
    pub label: String,
    pub lines: Vec<Line>,
    /// Shade between the first and the last line (Bollinger and Keltner
    /// bands: upper, middle, lower).
    pub band: bool,
}

/// A pane under the price pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Pane {
    /// As the user wrote it: `volume`, `rsi(14)`, `macd`.
    pub label: String,
    pub kind: PaneKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PaneKind {
    /// The bars' volume, coloured like their candles.
    Volume,
    Indicator(IndicatorPane),
}

/// An indicator's own pane.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndicatorPane {
    pub lines: Vec<Line>,
    /// Bars from zero, coloured by sign (MACD's histogram).
    pub histogram: Option<Line>,
    /// Reference lines: 30 and 70 for RSI, 0 for MACD (from the registry).
    pub levels: Vec<f64>,
    /// A fixed value range, e.g. 0..100 for RSI; `None` fits the data and
    /// the levels.
    pub bounds: Option<(f64, f64)>,
}

/// Which way a pattern points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// An arrow under the candle, pointing up.
    Bullish,
    /// An arrow over the candle, pointing down.
    Bearish,
}

/// A detected pattern at one bar.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternMark {
    /// Index into the spec's bars.
    pub bar: usize,
    /// Short text by the arrow: `Hammer`, `Engulfing`.
    pub label: String,
    pub direction: Direction,
}

/// How the price pane draws bars.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ChartStyle {
    /// Green and red candlesticks.
    #[default]
    Candles,
    /// OHLC bars: a high-low line with open (left) and close (right) ticks.
    Ohlc,
    /// A line through the closes.
    Line,
}
