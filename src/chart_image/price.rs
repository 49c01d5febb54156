//! The price pane's bars: candlesticks, OHLC bars or a close line, and the
//! dashed last-price line.

use super::canvas::{Canvas, PxRect};
use super::layout::Layout;
use super::spec::{ChartBar, ChartSpec, ChartStyle};
use super::theme::{Rgb, Theme};

/// Up when the bar closed at or above its open.
pub fn bar_colour(theme: &Theme, bar: &ChartBar) -> Rgb {
    if bar.close >= bar.open {
        theme.up
    } else {
        theme.down
    }
}

/// Whether the last close is at or above the one before it (or its own
/// open, for a single bar).
pub fn last_is_up(bars: &[ChartBar]) -> bool {
    match bars {
        [.., prev, last] => last.close >= prev.close,
        [only] => only.close >= only.open,
        [] => true,
    }
}

pub fn draw_bars(canvas: &mut Canvas, spec: &ChartSpec, layout: &Layout, theme: &Theme) {
    let (x, y) = (&layout.x, &layout.price.y);
    match spec.style {
        ChartStyle::Candles => {
            let half = layout.x.body_width() / 2;
            for (i, b) in spec.bars.iter().enumerate() {
                let c = bar_colour(theme, b);
                let col = x.column(i);
                canvas.vline(col, y.row(b.high), y.row(b.low), c);
                let top = y.row(b.open.max(b.close));
                let bottom = y.row(b.open.min(b.close)).max(top);
                canvas.fill(
                    PxRect {
                        x0: col - half,
                        y0: top,
                        x1: col + half + 1,
                        y1: bottom + 1,
                    },
                    c,
                );
            }
        }
        ChartStyle::Ohlc => {
            let tick = (layout.x.body_width() / 2).max(1);
            for (i, b) in spec.bars.iter().enumerate() {
                let c = bar_colour(theme, b);
                let col = x.column(i);
                canvas.vline(col, y.row(b.high), y.row(b.low), c);
                canvas.hline(y.row(b.open), col - tick, col, c);
                canvas.hline(y.row(b.close), col, col + tick, c);
            }
        }
        ChartStyle::Line => {
            let points: Vec<(f32, f32)> = spec
                .bars
                .iter()
                .enumerate()
                .map(|(i, b)| (x.centre(i), y.y(b.close)))
                .collect();
            canvas.set_clip(layout.price.frame);
            canvas.polyline(&points, 1.6 * layout.sizes.scale, theme.price_line);
        }
    }
}

/// The last close as a dashed rule across the price pane; its label box on
/// the axis is drawn with the axis labels.
pub fn draw_last_price(canvas: &mut Canvas, spec: &ChartSpec, layout: &Layout, theme: &Theme) {
    let Some(last) = spec.bars.last() else {
        return;
    };
    let c = if last_is_up(&spec.bars) {
        theme.up
    } else {
        theme.down
    };
    let row = layout.price.y.row(last.close);
    let dash = layout.sizes.px(4.0).max(2);
    canvas.dashed_hline(row, layout.plot.0, layout.axis_x - 1, dash, dash, c);
}
