//! Indicator lines over the price pane, and the shading inside bands.

use std::ops::Range;

use super::canvas::Canvas;
use super::header::line_colour;
use super::layout::Layout;
use super::scale::{XScale, YScale};
use super::spec::{ChartSpec, Line};
use super::theme::{Rgb, Theme};

/// Band shading opacity (0..=255).
const BAND_ALPHA: u8 = 22;

/// The index ranges where `has_value` holds throughout (a gap breaks a line).
pub fn runs(n: usize, has_value: impl Fn(usize) -> bool) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for i in 0..n {
        match (has_value(i), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..n);
    }
    out
}

fn points(values: &[f64], range: Range<usize>, x: &XScale, y: &YScale) -> Vec<(f32, f32)> {
    range.map(|i| (x.centre(i), y.y(values[i]))).collect()
}

/// Shading between the first and last line of each band, under the bars.
pub fn draw_bands(canvas: &mut Canvas, spec: &ChartSpec, layout: &Layout, theme: &Theme) {
    canvas.set_clip(layout.price.frame);
    let (x, y) = (&layout.x, &layout.price.y);
    for (slot, o) in spec.overlays.iter().enumerate().filter(|(_, o)| o.band) {
        let (Some(upper), Some(lower)) = (o.lines.first(), o.lines.last()) else {
            continue;
        };
        let (u, l) = (&upper.values, &lower.values);
        for run in runs(u.len(), |i| u[i].is_finite() && l[i].is_finite()) {
            let mut polygon = points(u, run.clone(), x, y);
            polygon.extend(points(l, run, x, y).into_iter().rev());
            canvas.polygon(&polygon, theme.series(slot), BAND_ALPHA);
        }
    }
}

/// Draws `line` in `colour`, inside the current clip.
pub fn draw_line(
    canvas: &mut Canvas,
    line: &Line,
    colour: Rgb,
    (x, y): (&XScale, &YScale),
    width: f32,
) {
    let v = &line.values;
    for run in runs(v.len(), |i| v[i].is_finite()) {
        canvas.polyline(&points(v, run, x, y), width, colour);
    }
}

pub fn draw_overlay_lines(canvas: &mut Canvas, spec: &ChartSpec, layout: &Layout, theme: &Theme) {
    canvas.set_clip(layout.price.frame);
    let width = 1.5 * layout.sizes.scale;
    for (slot, o) in spec.overlays.iter().enumerate() {
        for line in &o.lines {
            let c = line_colour(theme, slot, line);
            draw_line(canvas, line, c, (&layout.x, &layout.price.y), width);
        }
    }
}
