//! What a chart shows, in numbers, for the text that goes with the image
//! (clients that cannot show images read this instead).

use chrono::NaiveDateTime;

use super::header::last_value;
use super::marks::MarkCounts;
use super::spec::{ChartSpec, PaneKind};

/// The latest value of one drawn line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineValue {
    /// The overlay's or pane's label (`sma(20)`, `macd`).
    pub group: String,
    /// The line's own name (`macdsignal`).
    pub line: String,
    /// The value at the last bar; `None` where the line has none there.
    pub last: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartSummary {
    pub bars: usize,
    /// Exchange-local times of the first and last bar.
    pub first: NaiveDateTime,
    pub last: NaiveDateTime,
    pub first_open: f64,
    pub last_close: f64,
    /// `last_close - first_open`: the move over the whole chart.
    pub change: f64,
    /// `change` as a percentage of `first_open` (0 when that is 0).
    pub change_pct: f64,
    /// Overlays' lines, then each indicator pane's lines and histogram;
    /// volume panes report the last bar's volume.
    pub lines: Vec<LineValue>,
    /// Pattern marks drawn, and how many of them carry their label.
    pub marks: MarkCounts,
}

pub fn summarise(spec: &ChartSpec, marks: MarkCounts) -> ChartSummary {
    let (first, last) = (spec.bars[0], spec.bars[spec.bars.len() - 1]);
    let change = last.close - first.open;
    let mut lines = Vec::new();
    for o in &spec.overlays {
        for l in &o.lines {
            lines.push(LineValue {
                group: o.label.clone(),
                line: l.name.clone(),
                last: last_value(l),
            });
        }
    }
    for p in &spec.panes {
        match &p.kind {
            PaneKind::Volume => lines.push(LineValue {
                group: p.label.clone(),
                line: "volume".to_string(),
                last: Some(last.volume),
            }),
            PaneKind::Indicator(ind) => {
                for l in ind.lines.iter().chain(ind.histogram.iter()) {
                    lines.push(LineValue {
                        group: p.label.clone(),
                        line: l.name.clone(),
                        last: last_value(l),
                    });
                }
            }
        }
    }
    ChartSummary {
        bars: spec.bars.len(),
        first: first.time,
        last: last.time,
        first_open: first.open,
        last_close: last.close,
        change,
        change_pct: if first.open != 0.0 {
            change / first.open * 100.0
        } else {
            0.0
        },
        lines,
        marks,
    }
}
