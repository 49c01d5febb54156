//! What a chart image draws besides the bars: its overlays and panes as
//! expressions of the expression language, compiled before any fetch and
//! turned into the renderer's lines after, and its pattern marks.

use crate::chart_image::{
    Direction, IndicatorPane, Line, Overlay, Pane, PaneKind, PatternMark, Tone,
};
use crate::expr::{Evaluation, Kind, Program, Root};
use crate::indicators::{IndicatorSpec, Ohlcv};
use crate::patterns::{self, PatternSpec};

use super::ToolError;

/// The pane that stands for the bars' volume rather than an expression.
const VOLUME: &str = "volume";

/// Oscillators drawn on a fixed 0..100 scale.
const PERCENT_SCALE: &[&str] = &[
    "RSI", "STOCH", "STOCHF", "STOCHRSI", "MFI", "ULTOSC", "ADX", "ADXR", "DX", "PLUS_DI",
    "MINUS_DI", "AROON",
];

/// Oscillators around zero, drawn with a zero line.
const ZERO_LINE: &[&str] = &[
    "MACD", "MACDEXT", "MACDFIX", "PPO", "APO", "MOM", "ROC", "TRIX", "AROONOSC", "BOP", "CMO",
    "ADOSC",
];

/// One overlay or pane as asked for, compiled.
#[derive(Debug, Clone)]
enum Plot {
    Volume { label: String },
    Expression { label: String, root: Root },
}

/// Every overlay and pane of one chart, compiled into one program (so
/// `sma(20)` drawn twice, or shared by two expressions, is computed once).
#[derive(Debug, Clone, Default)]
pub struct Plots {
    pub program: Program,
    overlays: Vec<Plot>,
    panes: Vec<Plot>,
}

impl Plots {
    /// Compiles the overlays and panes as written. An error names which one
    /// and what is wrong with it, before anything is fetched.
    pub fn compile(overlays: &[String], panes: &[String]) -> Result<Plots, ToolError> {
        let mut plots = Plots::default();
        for (i, text) in overlays.iter().enumerate() {
            if text.trim().eq_ignore_ascii_case(VOLUME) {
                return Err(ToolError::new(format!(
                    "overlay {} is `volume`: volume is drawn as a pane; put it in `panes`",
                    i + 1
                )));
            }
            let plot = plots.expression("overlay", i, text)?;
            plots.overlays.push(plot);
        }
        for (i, text) in panes.iter().enumerate() {
            let plot = if text.trim().eq_ignore_ascii_case(VOLUME) {
                Plot::Volume {
                    label: VOLUME.to_string(),
                }
            } else {
                plots.expression("pane", i, text)?
            };
            plots.panes.push(plot);
        }
        Ok(plots)
    }

    fn expression(&mut self, what: &str, i: usize, text: &str) -> Result<Plot, ToolError> {
        let root = self.program.add_plot(text).map_err(|e| {
            ToolError::new(format!(
                "{what} {} `{}`: {e}. Write a registry indicator as name(parameters), e.g. sma(20), bbands(20), rsi(14), macd, or an expression over them",
                i + 1,
                crate::echo::clip(text.trim())
            ))
        })?;
        if self.program.kind(root) == Kind::Condition {
            return Err(ToolError::new(format!(
                "{what} {} `{}` is a condition (true or false), not a number to draw; drop the comparison",
                i + 1,
                crate::echo::clip(text.trim())
            )));
        }
        let label = self.program.label(root).to_string();
        Ok(Plot::Expression { label, root })
    }

    /// Overlays and panes for the bars from index `first` of an evaluation
    /// over the drawn bars (warm-up first).
    pub fn draw(&self, ev: &Evaluation<'_>, first: usize) -> (Vec<Overlay>, Vec<Pane>) {
        let overlays = self
            .overlays
            .iter()
            .filter_map(|plot| match plot {
                Plot::Volume { .. } => None,
                Plot::Expression { label, root } => {
                    let spec = self.program.root_indicator(*root);
                    let (lines, _) = self.lines(ev, *root, first);
                    Some(Overlay {
                        label: label.clone(),
                        band: spec.is_some_and(is_band),
                        lines,
                    })
                }
            })
            .collect();
        let panes = self
            .panes
            .iter()
            .map(|plot| match plot {
                Plot::Volume { label } => Pane {
                    label: label.clone(),
                    kind: PaneKind::Volume,
                },
                Plot::Expression { label, root } => {
                    let spec = self.program.root_indicator(*root);
                    let (lines, histogram) = self.lines(ev, *root, first);
                    Pane {
                        label: label.clone(),
                        kind: PaneKind::Indicator(IndicatorPane {
                            lines,
                            histogram,
                            levels: spec.map(levels).unwrap_or_default(),
                            bounds: spec.and_then(bounds),
                        }),
                    }
                }
            })
            .collect();
        (overlays, panes)
    }

    /// The lines of one expression, and its histogram (MACD's `macdhist`).
    /// Supertrend is one line coloured by its direction.
    fn lines(&self, ev: &Evaluation<'_>, root: Root, first: usize) -> (Vec<Line>, Option<Line>) {
        let outputs = ev.outputs(root);
        let tail = |v: &[f64]| v[first.min(v.len())..].to_vec();
        let spec = self.program.root_indicator(root);
        if self.program.kind(root) != Kind::Outputs {
            let name = self.program.label(root);
            return (vec![Line::new(name, tail(outputs[0]))], None);
        }
        let names: &[&str] = spec.map_or(&[], |s| s.outputs);
        if spec.is_some_and(|s| s.name == "SUPERTREND") && outputs.len() >= 2 {
            let (value, direction) = (tail(outputs[0]), tail(outputs[1]));
            let side = |up: bool, tone: Tone| {
                let values = value
                    .iter()
                    .zip(&direction)
                    .map(|(&v, &d)| if (d > 0.0) == up { v } else { f64::NAN })
                    .collect();
                Line {
                    name: if up { "up" } else { "down" }.to_string(),
                    values,
                    tone,
                }
            };
            return (vec![side(true, Tone::Up), side(false, Tone::Down)], None);
        }
        let mut lines = Vec::new();
        let mut histogram = None;
        for (i, values) in outputs.iter().enumerate() {
            let name = names.get(i).copied().unwrap_or("value");
            let line = Line::new(name, tail(values));
            if name.ends_with("hist") && histogram.is_none() {
                histogram = Some(line);
            } else {
                lines.push(line);
            }
        }
        (lines, histogram)
    }
}

/// Bands shade between their first and last line: BBANDS (upper, middle,
/// lower) and any other indicator whose outputs run upper ... lower.
fn is_band(spec: &IndicatorSpec) -> bool {
    let outs = spec.outputs;
    outs.len() >= 2
        && outs.first().is_some_and(|o| o.starts_with("upper"))
        && outs.last().is_some_and(|o| o.starts_with("lower"))
}

/// Reference lines: the registry's reading levels (30 and 70 for RSI), or
/// zero for oscillators around it.
fn levels(spec: &IndicatorSpec) -> Vec<f64> {
    match spec.reading {
        Some(r) => vec![r.low, r.high],
        None if ZERO_LINE.contains(&spec.name) => vec![0.0],
        None => Vec::new(),
    }
}

fn bounds(spec: &IndicatorSpec) -> Option<(f64, f64)> {
    if PERCENT_SCALE.contains(&spec.name) {
        Some((0.0, 100.0))
    } else if spec.name == "WILLR" {
        Some((-100.0, 0.0))
    } else {
        None
    }
}

/// Which patterns to mark.
#[derive(Debug, Clone)]
pub struct MarkedPatterns(Vec<&'static PatternSpec>);

impl MarkedPatterns {
    /// All 61 (`true`), none, or the named ones (checked against the registry).
    pub fn resolve(all: Option<bool>, names: Option<&[String]>) -> Result<Self, ToolError> {
        match (all, names) {
            (_, Some([])) => Err(ToolError::new(
                "`patterns` is an empty list; give pattern names (CDLHAMMER...), true for all, or leave it out",
            )),
            (_, Some(list)) => Ok(MarkedPatterns(
                list.iter()
                    .map(|n| patterns::lookup(n))
                    .collect::<Result<_, _>>()?,
            )),
            (Some(true), None) => Ok(MarkedPatterns(patterns::registry().iter().collect())),
            _ => Ok(MarkedPatterns(Vec::new())),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Bars of history the detectors look back over.
    pub fn lookback(&self) -> usize {
        self.0
            .iter()
            .map(|s| patterns::lookback(s))
            .max()
            .unwrap_or(0)
    }

    /// Marks for every detection on a drawn bar (index `first` and after
    /// in `ohlcv`), numbered from the first drawn bar.
    pub fn detect(&self, ohlcv: &Ohlcv<'_>, first: usize) -> Result<Vec<PatternMark>, ToolError> {
        let mut marks = Vec::new();
        let mut codes = vec![0i32; ohlcv.close.len()];
        for spec in &self.0 {
            patterns::detect_into(spec, ohlcv, None, &mut codes)?;
            for (i, &code) in codes.iter().enumerate().skip(first) {
                if code != 0 {
                    marks.push(PatternMark {
                        bar: i - first,
                        label: short_name(spec).to_string(),
                        direction: if code > 0 {
                            Direction::Bullish
                        } else {
                            Direction::Bearish
                        },
                    });
                }
            }
        }
        marks.sort_by(|a, b| a.bar.cmp(&b.bar).then_with(|| a.label.cmp(&b.label)));
        Ok(marks)
    }
}

/// `Hammer` for CDLHAMMER: the description's name, before its colon.
fn short_name(spec: &PatternSpec) -> &'static str {
    spec.description
        .split(':')
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(spec.name)
}
