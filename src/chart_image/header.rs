//! The band above the price pane: the title, the data's age, and the legend
//! (the last bar's OHLC and each overlay's latest value).

use super::canvas::{Canvas, PxRect};
use super::format::{decimals_for_magnitude, fixed};
use super::layout::Sizes;
use super::spec::{ChartSpec, Line, Tone};
use super::text::Text;
use super::theme::{Rgb, Theme};

/// A run of text in one colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub colour: Rgb,
}

fn span(text: impl Into<String>, colour: Rgb) -> Span {
    Span {
        text: text.into(),
        colour,
    }
}

/// One legend entry: an optional colour swatch, then spans.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    swatch: Option<Rgb>,
    spans: Vec<Span>,
}

pub struct Header {
    title: Vec<Span>,
    subtitle: Vec<Span>,
    /// Legend items with their left edge and row.
    legend: Vec<(Item, f32, usize)>,
    title_baseline: f32,
    subtitle_baseline: f32,
    legend_baseline: f32,
    row_height: f32,
    sizes: Sizes,
    pub height: i32,
}

const GAP: &str = "  ";

/// A line's colour: its palette slot, or the up/down colour it asks for.
pub fn line_colour(theme: &Theme, slot: usize, line: &Line) -> Rgb {
    match line.tone {
        Tone::Palette => theme.series(slot),
        Tone::Up => theme.up,
        Tone::Down => theme.down,
    }
}

/// The value of `line` at the last bar, if it has one there.
pub fn last_value(line: &Line) -> Option<f64> {
    line.values.last().copied().filter(|v| v.is_finite())
}

fn date_format(spec: &ChartSpec) -> &'static str {
    if spec.interval.is_intraday() {
        "%Y-%m-%d %H:%M"
    } else {
        "%Y-%m-%d"
    }
}

fn title(spec: &ChartSpec, theme: &Theme) -> Vec<Span> {
    let mut spans = vec![span(spec.title.symbol.clone(), theme.text)];
    if let Some(name) = spec.title.name.as_deref().filter(|n| !n.trim().is_empty()) {
        spans.push(span(format!("{GAP}{name}"), theme.text));
    }
    let (first, last) = (&spec.bars[0], &spec.bars[spec.bars.len() - 1]);
    let f = date_format(spec);
    spans.push(span(
        format!(
            " · {} · {} – {}",
            spec.interval,
            first.time.format(f),
            last.time.format(f)
        ),
        theme.muted,
    ));
    spans
}

fn subtitle(spec: &ChartSpec, theme: &Theme) -> Vec<Span> {
    let s = &spec.subtitle;
    let mut spans = Vec::new();
    if let Some(t) = &s.fetched_at {
        spans.push(span(
            format!("Data fetched {}", t.format("%Y-%m-%d %H:%M %Z")),
            theme.muted,
        ));
    }
    if s.stale {
        let reason = s
            .stale_reason
            .as_deref()
            .unwrap_or("newer bars could not be fetched");
        spans.push(span(format!("STALE: {reason}"), theme.down));
    } else if s.fetched_at.is_some() {
        spans.push(span("fresh", theme.muted));
    }
    for note in &s.notes {
        spans.push(span(note.clone(), theme.muted));
    }
    // " · " between the parts, whichever are present.
    for s in spans.iter_mut().skip(1) {
        s.text.insert_str(0, " · ");
    }
    spans
}

fn ohlc_item(spec: &ChartSpec, theme: &Theme, decimals: usize) -> Item {
    let n = spec.bars.len();
    let last = spec.bars[n - 1];
    let reference = if n > 1 {
        spec.bars[n - 2].close
    } else {
        last.open
    };
    let change = last.close - reference;
    let colour = if change >= 0.0 { theme.up } else { theme.down };
    let p = |v: f64| fixed(v, decimals);
    let pct = if reference != 0.0 {
        format!(" ({:+.2}%)", change / reference * 100.0)
    } else {
        String::new()
    };
    Item {
        swatch: None,
        spans: vec![
            span(
                format!(
                    "O {} H {} L {} C {}",
                    p(last.open),
                    p(last.high),
                    p(last.low),
                    p(last.close)
                ),
                theme.text,
            ),
            span(
                format!(
                    " {}{}{pct}",
                    if change >= 0.0 { "+" } else { "" },
                    p(change)
                ),
                colour,
            ),
        ],
    }
}

/// A legend entry for a group of lines: `label v1 v2 ...`, each value in
/// its line's colour, after the line's name when `named`; `—` where a line
/// has no value at the last bar.
pub fn values_spans<'a>(
    theme: &Theme,
    label: &str,
    lines: impl Iterator<Item = (Rgb, &'a Line)>,
    decimals: usize,
    named: bool,
) -> Vec<Span> {
    let mut spans = vec![span(label, theme.text)];
    for (colour, line) in lines {
        let v = last_value(line).map_or("—".to_string(), |v| fixed(v, decimals));
        let text = if named {
            format!(" {} {v}", line.name)
        } else {
            format!(" {v}")
        };
        spans.push(span(text, colour));
    }
    spans
}

/// Decimals for the latest values of `lines`: as many as their size needs,
/// and at least `min`.
pub fn value_decimals<'a>(lines: impl Iterator<Item = &'a Line>, min: usize) -> usize {
    let magnitude = lines
        .filter_map(last_value)
        .fold(0.0, |m: f64, v| m.max(v.abs()));
    decimals_for_magnitude(magnitude).max(min)
}

impl Header {
    pub fn plan(
        spec: &ChartSpec,
        text: &Text,
        theme: &Theme,
        sizes: Sizes,
        price_decimals: usize,
    ) -> Header {
        let margin = 8.0 * sizes.scale;
        let width = spec.width as f32 - 2.0 * margin;
        let mut items = vec![ohlc_item(spec, theme, price_decimals)];
        for (slot, o) in spec.overlays.iter().enumerate() {
            let decimals = value_decimals(o.lines.iter(), price_decimals);
            let lines = o.lines.iter().map(|l| (line_colour(theme, slot, l), l));
            // An overlay drawn in up/down tones (Supertrend) shows the
            // colour it has at the last bar.
            let swatch = o
                .lines
                .iter()
                .find(|l| last_value(l).is_some())
                .map_or(theme.series(slot), |l| line_colour(theme, slot, l));
            items.push(Item {
                swatch: Some(swatch),
                spans: values_spans(theme, &o.label, lines, decimals, false),
            });
        }
        let swatch_w = 14.0 * sizes.scale;
        let gap_w = text.width(GAP, sizes.text);
        let mut legend = Vec::new();
        let (mut x, mut row) = (margin, 0usize);
        for item in items {
            let w = item.swatch.map_or(0.0, |_| swatch_w)
                + item
                    .spans
                    .iter()
                    .map(|s| text.width(&s.text, sizes.text))
                    .sum::<f32>();
            if x > margin && x + w > margin + width {
                x = margin;
                row += 1;
            }
            legend.push((item, x, row));
            x += w + gap_w;
        }
        let rows = legend.last().map_or(1, |(_, _, r)| r + 1);
        let row_height = (sizes.text * 1.45).round();
        let title_baseline = margin + text.ascent(sizes.title);
        let subtitle = subtitle(spec, theme);
        let subtitle_row = if subtitle.is_empty() {
            0.0
        } else {
            (sizes.text * 1.5).round()
        };
        let subtitle_baseline = title_baseline + subtitle_row;
        let legend_baseline = subtitle_baseline + row_height;
        let height =
            (legend_baseline + row_height * (rows - 1) as f32 + sizes.text * 0.5).ceil() as i32;
        Header {
            title: title(spec, theme),
            subtitle,
            legend,
            title_baseline,
            subtitle_baseline,
            legend_baseline,
            row_height,
            sizes,
            height,
        }
    }

    pub fn draw(&self, canvas: &mut Canvas, text: &Text) {
        let s = self.sizes;
        let margin = 8.0 * s.scale;
        let right = canvas.width() as f32 - margin;
        draw_spans(
            canvas,
            text,
            &self.title,
            margin,
            self.title_baseline,
            s.title,
            right,
        );
        draw_spans(
            canvas,
            text,
            &self.subtitle,
            margin,
            self.subtitle_baseline,
            s.text,
            right,
        );
        for (item, x, row) in &self.legend {
            let baseline = self.legend_baseline + *row as f32 * self.row_height;
            let mut x = *x;
            if let Some(c) = item.swatch {
                let y = (baseline - s.text * 0.35).round() as i32;
                let w = (10.0 * s.scale).round() as i32;
                let th = s.px(2.0).max(2);
                canvas.fill(
                    PxRect {
                        x0: x as i32,
                        y0: y - th / 2,
                        x1: x as i32 + w,
                        y1: y - th / 2 + th,
                    },
                    c,
                );
                x += 14.0 * s.scale;
            }
            draw_spans(canvas, text, &item.spans, x, baseline, s.text, right);
        }
    }
}

/// Draws spans left to right from `x`, cutting the last one that does not
/// fit before `right` (with `…`) and dropping the rest.
pub fn draw_spans(
    canvas: &mut Canvas,
    text: &Text,
    spans: &[Span],
    x: f32,
    baseline: f32,
    size: f32,
    right: f32,
) {
    let mut x = x;
    for s in spans {
        let fitted = text.fit(&s.text, size, right - x);
        x += text.draw(canvas, &fitted, x, baseline, size, s.colour);
        if fitted != s.text {
            break;
        }
    }
}
