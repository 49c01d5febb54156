//! Pattern marks: a small arrow under a bullish pattern's candle (pointing
//! up) or over a bearish one's (pointing down), with its label beside the
//! arrow's base. Several marks on one bar stack outward.

use super::canvas::{Canvas, PxRect};
use super::layout::Layout;
use super::spec::{ChartSpec, Direction};
use super::text::Text;
use super::theme::Theme;

/// How many marks were drawn, and how many of them have their label (a
/// label that would overlap another or leave the pane is left off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarkCounts {
    pub drawn: usize,
    pub labelled: usize,
}

pub fn draw(
    canvas: &mut Canvas,
    text: &Text,
    spec: &ChartSpec,
    layout: &Layout,
    theme: &Theme,
) -> MarkCounts {
    let s = layout.sizes;
    let (y, frame) = (&layout.price.y, layout.price.frame);
    let arrow_h = 7.0 * s.scale;
    let half_w = (4.5 * s.scale).max(layout.x.slot().min(12.0) * 0.35);
    let gap = 3.0 * s.scale;
    let label_h = s.small + 2.0 * s.scale;
    let step = arrow_h + label_h + gap;
    let mut stacks = vec![(0usize, 0usize); spec.bars.len()];
    let mut placed: Vec<PxRect> = Vec::new();
    let mut counts = MarkCounts::default();
    canvas.set_clip(frame);
    for m in &spec.marks {
        let bar = spec.bars[m.bar];
        let cx = layout.x.centre(m.bar);
        let up = m.direction == Direction::Bullish;
        let stack = &mut stacks[m.bar];
        let depth = if up { &mut stack.0 } else { &mut stack.1 };
        let offset = gap + *depth as f32 * step;
        *depth += 1;
        // Tip next to the candle, base away from it, label past the base.
        let (tip, base, label_baseline) = if up {
            let tip = y.y(bar.low) + offset;
            (
                tip,
                tip + arrow_h,
                tip + arrow_h + gap + text.ascent(s.small),
            )
        } else {
            let tip = y.y(bar.high) - offset;
            (tip, tip - arrow_h, tip - arrow_h - gap)
        };
        let colour = if up { theme.up } else { theme.down };
        canvas.polygon(
            &[(cx, tip), (cx + half_w, base), (cx - half_w, base)],
            colour,
            255,
        );
        counts.drawn += 1;

        let width = text.width(&m.label, s.small);
        let rect = PxRect {
            x0: (cx - width / 2.0).floor() as i32,
            y0: (label_baseline - text.ascent(s.small)).floor() as i32,
            x1: (cx + width / 2.0).ceil() as i32,
            y1: (label_baseline + s.small * 0.25).ceil() as i32,
        };
        if frame.contains(&rect) && placed.iter().all(|p| !p.intersects(&rect)) {
            canvas.shade(rect, theme.background, 0.7);
            text.draw(
                canvas,
                &m.label,
                rect.x0 as f32,
                label_baseline,
                s.small,
                colour,
            );
            placed.push(rect);
            counts.labelled += 1;
        }
    }
    counts
}
