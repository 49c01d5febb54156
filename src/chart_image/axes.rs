//! Grid, pane frames, the price axis on the right (with the last-price
//! box) and the time axis at the bottom.

use super::canvas::{Canvas, PxRect};
use super::format::fixed;
use super::layout::{Layout, PaneGeom};
use super::price::last_is_up;
use super::spec::ChartSpec;
use super::text::Text;
use super::theme::Theme;

fn all_panes(layout: &Layout) -> impl Iterator<Item = &PaneGeom> {
    std::iter::once(&layout.price).chain(layout.panes.iter())
}

/// Grid lines at each pane's ticks and at the labelled bars, under
/// everything else.
pub fn draw_grid(canvas: &mut Canvas, layout: &Layout, theme: &Theme) {
    for g in all_panes(layout) {
        for t in &g.ticks {
            let row = g.y.row(*t);
            if (g.frame.y0..g.frame.y1).contains(&row) {
                canvas.hline(row, g.frame.x0, g.frame.x1 - 1, theme.grid);
            }
        }
        for label in &layout.time_labels {
            canvas.vline(
                layout.x.column(label.bar),
                g.frame.y0,
                g.frame.y1 - 1,
                theme.grid,
            );
        }
    }
}

/// Pane borders: the price axis rule and a rule under each pane.
pub fn draw_frames(canvas: &mut Canvas, layout: &Layout, theme: &Theme) {
    let top = layout.price.frame.y0;
    let bottom = layout.panes.last().unwrap_or(&layout.price).frame.y1 - 1;
    canvas.vline(layout.axis_x, top, bottom, theme.frame);
    for g in all_panes(layout) {
        canvas.hline(g.frame.y1 - 1, g.frame.x0, layout.axis_x, theme.frame);
        if g.frame.y0 != top {
            canvas.hline(g.frame.y0, g.frame.x0, layout.axis_x, theme.frame);
        }
    }
}

/// Tick labels right of the axis, the last-price box, and the time labels.
pub fn draw_labels(
    canvas: &mut Canvas,
    text: &Text,
    spec: &ChartSpec,
    layout: &Layout,
    theme: &Theme,
) {
    let size = layout.sizes.text;
    let x = layout.axis_x as f32 + 6.0 * layout.sizes.scale;
    // Digits are centred on a row when their baseline is half their height below it.
    let centre = text.ascent(size) * 0.36;
    for g in all_panes(layout) {
        for (t, label) in g.ticks.iter().zip(&g.tick_labels) {
            let row = g.y.row(*t);
            if (g.frame.y0 + 4..g.frame.y1 - 4).contains(&row) {
                text.draw(canvas, label, x, row as f32 + centre, size, theme.muted);
            }
        }
    }
    if let Some(last) = spec.bars.last() {
        let row = layout.price.y.row(last.close);
        let colour = if last_is_up(&spec.bars) {
            theme.up
        } else {
            theme.down
        };
        let half = (size * 0.75).round() as i32;
        let right = canvas.width() - layout.sizes.px(2.0);
        canvas.fill(
            PxRect {
                x0: layout.axis_x + 1,
                y0: row - half,
                x1: right,
                y1: row + half + 1,
            },
            colour,
        );
        let label = fixed(last.close, layout.price_decimals);
        text.draw(
            canvas,
            &label,
            x,
            row as f32 + centre,
            size,
            theme.on_colour,
        );
    }
    for label in &layout.time_labels {
        let w = text.width(&label.text, size);
        text.draw(
            canvas,
            &label.text,
            label.x - w / 2.0,
            layout.time_baseline,
            size,
            theme.muted,
        );
    }
}
