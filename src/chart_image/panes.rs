//! The panes under the price pane: volume bars, and indicator lines with
//! their reference levels and histogram; each pane's label with the latest
//! values.

use super::canvas::{Canvas, PxRect};
use super::format::compact;
use super::header::{Span, draw_spans, line_colour, value_decimals, values_spans};
use super::layout::{Layout, PaneGeom};
use super::overlays::draw_line;
use super::spec::{ChartSpec, IndicatorPane, Pane, PaneKind};
use super::text::Text;
use super::theme::Theme;

pub fn draw(canvas: &mut Canvas, spec: &ChartSpec, layout: &Layout, theme: &Theme) {
    for (pane, geom) in spec.panes.iter().zip(&layout.panes) {
        match &pane.kind {
            PaneKind::Volume => draw_volume(canvas, spec, layout, geom, theme),
            PaneKind::Indicator(ind) => draw_indicator(canvas, ind, layout, geom, theme),
        }
    }
}

fn draw_volume(
    canvas: &mut Canvas,
    spec: &ChartSpec,
    layout: &Layout,
    g: &PaneGeom,
    theme: &Theme,
) {
    let half = layout.x.body_width() / 2;
    let base = g.frame.y1 - 1;
    for (i, b) in spec.bars.iter().enumerate().filter(|(_, b)| b.volume > 0.0) {
        let col = layout.x.column(i);
        let top = g.y.row(b.volume).min(base);
        let c = theme.volume(b.close >= b.open);
        canvas.fill(
            PxRect {
                x0: col - half,
                y0: top,
                x1: col + half + 1,
                y1: base + 1,
            },
            c,
        );
    }
}

fn draw_indicator(
    canvas: &mut Canvas,
    ind: &IndicatorPane,
    layout: &Layout,
    g: &PaneGeom,
    theme: &Theme,
) {
    let (x0, x1) = (g.frame.x0, g.frame.x1 - 1);
    let dash = layout.sizes.px(3.0).max(2);
    for level in &ind.levels {
        let row = g.y.row(*level);
        if (g.frame.y0..g.frame.y1).contains(&row) {
            canvas.dashed_hline(row, x0, x1, dash, dash, theme.level);
        }
    }
    if let Some(h) = &ind.histogram {
        let half = layout.x.body_width() / 2;
        let zero = g.y.row(0.0).clamp(g.frame.y0, g.frame.y1 - 1);
        for (i, v) in h.values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
            let col = layout.x.column(i);
            let row = g.y.row(*v).clamp(g.frame.y0, g.frame.y1 - 1);
            let (y0, y1) = (row.min(zero), row.max(zero));
            canvas.fill(
                PxRect {
                    x0: col - half,
                    y0,
                    x1: col + half + 1,
                    y1: y1 + 1,
                },
                theme.volume(*v >= 0.0),
            );
        }
    }
    canvas.set_clip(g.frame);
    let width = 1.4 * layout.sizes.scale;
    for (slot, line) in ind.lines.iter().enumerate() {
        draw_line(
            canvas,
            line,
            line_colour(theme, slot, line),
            (&layout.x, &g.y),
            width,
        );
    }
}

/// Each pane's name and latest values at its top left, over a veil of
/// background so the lines under it do not garble it.
pub fn draw_labels(
    canvas: &mut Canvas,
    text: &Text,
    spec: &ChartSpec,
    layout: &Layout,
    theme: &Theme,
) {
    for (pane, g) in spec.panes.iter().zip(&layout.panes) {
        let spans = label_spans(pane, spec, theme);
        let size = layout.sizes.small;
        let pad = layout.sizes.px(4.0) as f32;
        let x = g.frame.x0 as f32 + pad;
        let baseline = g.frame.y0 as f32 + pad + text.ascent(size);
        let right = g.frame.x1 as f32 - pad;
        let width: f32 = spans.iter().map(|s| text.width(&s.text, size)).sum();
        let veil = PxRect {
            x0: g.frame.x0 + 1,
            y0: g.frame.y0 + 1,
            x1: ((x + width + pad) as i32).min(g.frame.x1 - 1),
            y1: (baseline + size * 0.45).ceil() as i32,
        };
        canvas.shade(veil, theme.background, 0.8);
        draw_spans(canvas, text, &spans, x, baseline, size, right);
    }
}

fn label_spans(pane: &Pane, spec: &ChartSpec, theme: &Theme) -> Vec<Span> {
    match &pane.kind {
        PaneKind::Volume => {
            let last = spec.bars.last().map_or(0.0, |b| b.volume);
            let up = spec.bars.last().is_some_and(|b| b.close >= b.open);
            let mut spans = values_spans(theme, &pane.label, std::iter::empty(), 0, false);
            spans.push(Span {
                text: format!(" {}", compact(last)),
                colour: if up { theme.up } else { theme.down },
            });
            if spec.bars.iter().all(|b| b.volume == 0.0) {
                spans.push(Span {
                    text: " (no volume reported)".to_string(),
                    colour: theme.muted,
                });
            }
            spans
        }
        PaneKind::Indicator(ind) => {
            let lines: Vec<_> = ind
                .lines
                .iter()
                .enumerate()
                .map(|(s, l)| (line_colour(theme, s, l), l))
                .collect();
            let hist = ind.histogram.iter().map(|h| (theme.muted, h));
            let all = lines.iter().copied().chain(hist);
            let decimals = value_decimals(ind.lines.iter().chain(ind.histogram.iter()), 2);
            let named = lines.len() + ind.histogram.iter().count() > 1;
            values_spans(theme, &pane.label, all, decimals, named)
        }
    }
}
