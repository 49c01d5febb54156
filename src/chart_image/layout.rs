//! Where everything goes: the header band, the price pane and the panes
//! under it, the price axis on the right and the time axis at the bottom,
//! with each pane's value range and ticks.

use super::canvas::PxRect;
use super::format::{compact, decimals_for_magnitude, decimals_for_step, fixed};
use super::scale::{XScale, YScale, extent, nice_ticks, widen_flat};
use super::spec::{ChartSpec, ChartStyle, IndicatorPane, PaneKind};
use super::text::Text;
use super::time_axis::{TimeLabel, time_labels};

/// Font sizes in pixels, grown a little with the image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sizes {
    pub scale: f32,
    pub title: f32,
    pub text: f32,
    pub small: f32,
}

impl Sizes {
    pub fn for_image(width: u32, height: u32) -> Self {
        let scale = (width as f32 / 1200.0)
            .min(height as f32 / 700.0)
            .clamp(0.85, 1.4);
        Self {
            scale,
            title: (16.0 * scale).round(),
            text: (12.0 * scale).round(),
            small: (11.0 * scale).round(),
        }
    }

    /// Pixels between the pieces, scaled.
    pub fn px(&self, base: f32) -> i32 {
        (base * self.scale).round() as i32
    }
}

const MARGIN: f32 = 8.0;
const PANE_GAP: f32 = 6.0;
/// Price pane height, in shares of one sub-pane's.
const PRICE_SHARE: i32 = 3;

/// What a pane shows, for drawing its ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneRole {
    Price,
    Volume,
    Indicator,
}

/// One pane's box, value scale and ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct PaneGeom {
    pub role: PaneRole,
    /// The pane's box, from the left margin to the price axis.
    pub frame: PxRect,
    pub y: YScale,
    pub ticks: Vec<f64>,
    pub tick_labels: Vec<String>,
}

pub struct Layout {
    pub sizes: Sizes,
    /// Columns of the plot area (all panes), `[x0, x1)`.
    pub plot: (i32, i32),
    /// First column of the price axis.
    pub axis_x: i32,
    pub x: XScale,
    pub price: PaneGeom,
    pub panes: Vec<PaneGeom>,
    pub time_labels: Vec<TimeLabel>,
    /// Baseline of the time labels.
    pub time_baseline: f32,
    /// Decimals of prices in labels and the legend.
    pub price_decimals: usize,
}

/// Decimals of prices in the legend and the last-price box: as many as the
/// last close needs (two from 1 up, more below).
pub fn price_decimals(spec: &ChartSpec) -> usize {
    decimals_for_magnitude(spec.bars.last().map(|b| b.close).unwrap_or(0.0))
}

/// Room the pattern marks need over and under the candles.
pub fn mark_room(sizes: &Sizes) -> f32 {
    sizes.small + 16.0 * sizes.scale
}

pub fn plan(spec: &ChartSpec, text: &Text, sizes: Sizes, header_height: i32) -> Layout {
    let (w, h) = (spec.width as i32, spec.height as i32);
    let margin = sizes.px(MARGIN);
    let gap = sizes.px(PANE_GAP);
    let time_axis = (sizes.text + 10.0 * sizes.scale).round() as i32;
    let top = header_height + sizes.px(4.0);
    let bottom = h - time_axis - sizes.px(2.0);
    let k = spec.panes.len() as i32;
    let avail = (bottom - top - gap * k).max(PRICE_SHARE + k);
    let unit = avail / (PRICE_SHARE + k);
    let price_h = avail - unit * k;

    let frames: Vec<PxRect> = (0..k)
        .map(|i| {
            let y0 = top + price_h + gap + i * (unit + gap);
            PxRect {
                x0: margin,
                y0,
                x1: 0,
                y1: y0 + unit,
            }
        })
        .collect();
    let price_frame = PxRect {
        x0: margin,
        y0: top,
        x1: 0,
        y1: top + price_h,
    };

    let mut price = price_geom(spec, sizes, price_frame);
    let mut panes: Vec<PaneGeom> = spec
        .panes
        .iter()
        .zip(frames)
        .map(|(pane, frame)| match &pane.kind {
            PaneKind::Volume => volume_geom(spec, frame),
            PaneKind::Indicator(ind) => indicator_geom(ind, frame),
        })
        .collect();

    let last_close = spec.bars.last().map(|b| b.close).unwrap_or(0.0);
    let price_decimals = price_decimals(spec);
    let widest = std::iter::once(fixed(last_close, price_decimals))
        .chain(price.tick_labels.iter().cloned())
        .chain(panes.iter().flat_map(|p| p.tick_labels.iter().cloned()))
        .map(|s| text.width(&s, sizes.text))
        .fold(0.0, f32::max);
    // Absurd magnitudes (1e300) make absurd labels; they may not squeeze
    // the plot to nothing.
    let axis_w = ((widest + 14.0 * sizes.scale).ceil() as i32).min(w / 4);
    let axis_x = w - margin - axis_w;
    for g in std::iter::once(&mut price).chain(panes.iter_mut()) {
        g.frame.x1 = axis_x;
    }
    let plot = (margin, axis_x);
    let x = XScale::new(plot.0 + 1, plot.1 - 1, spec.bars.len());
    let time_labels = time_labels(&spec.bars, spec.interval, &x, text, sizes.text, plot);
    let last_bottom = panes.last().map(|p| p.frame.y1).unwrap_or(price.frame.y1);
    Layout {
        sizes,
        plot,
        axis_x,
        x,
        price,
        panes,
        time_labels,
        time_baseline: last_bottom as f32 + 5.0 * sizes.scale + text.ascent(sizes.text),
        price_decimals,
    }
}

/// Evenly spread ticks for a pane `height` pixels tall.
fn tick_target(height: i32, per_tick: i32) -> usize {
    (height / per_tick).clamp(2, 12) as usize
}

fn price_geom(spec: &ChartSpec, sizes: Sizes, frame: PxRect) -> PaneGeom {
    let bars = &spec.bars;
    let prices = bars.iter().flat_map(|b| match spec.style {
        ChartStyle::Line => [b.close, b.close],
        _ => [b.low, b.high],
    });
    let overlays = spec
        .overlays
        .iter()
        .flat_map(|o| o.lines.iter().flat_map(|l| l.values.iter().copied()));
    let (lo, hi) = extent(prices.chain(overlays)).unwrap_or((0.0, 1.0));
    let (lo, hi) = widen_flat(lo, hi);
    let pad = 8.0 * sizes.scale
        + if spec.marks.is_empty() {
            0.0
        } else {
            mark_room(&sizes)
        };
    let y = YScale {
        top: frame.y0 as f32 + pad,
        bottom: (frame.y1 - 1) as f32 - pad,
        min: lo,
        max: hi,
    };
    // The ticks cover the padded range too, so grid lines reach the edges.
    let (tlo, thi) = (
        value_at(&y, (frame.y1 - 1) as f32),
        value_at(&y, frame.y0 as f32),
    );
    let (ticks, step) = nice_ticks(tlo, thi, tick_target(frame.height(), 50));
    let decimals = decimals_for_step(step);
    let tick_labels = ticks.iter().map(|t| fixed(*t, decimals)).collect();
    PaneGeom {
        role: PaneRole::Price,
        frame,
        y,
        ticks,
        tick_labels,
    }
}

/// The value drawn at row `y` (the inverse of [`YScale::y`]).
fn value_at(scale: &YScale, y: f32) -> f64 {
    let t = f64::from((y - scale.top) / (scale.bottom - scale.top));
    scale.max - t * (scale.max - scale.min)
}

fn volume_geom(spec: &ChartSpec, frame: PxRect) -> PaneGeom {
    let max = spec.bars.iter().map(|b| b.volume).fold(0.0, f64::max);
    let hi = if max > 0.0 { max * 1.1 } else { 1.0 };
    let y = YScale {
        top: frame.y0 as f32 + 2.0,
        bottom: (frame.y1 - 1) as f32,
        min: 0.0,
        max: hi,
    };
    let (ticks, _) = nice_ticks(0.0, max.max(1.0), 2);
    let ticks: Vec<f64> = ticks.into_iter().filter(|t| *t > 0.0).collect();
    let tick_labels = ticks.iter().map(|t| compact(*t)).collect();
    PaneGeom {
        role: PaneRole::Volume,
        frame,
        y,
        ticks,
        tick_labels,
    }
}

fn indicator_geom(ind: &IndicatorPane, frame: PxRect) -> PaneGeom {
    let pad_px = 4.0;
    let (lo, hi) = match ind.bounds {
        Some(b) => b,
        None => {
            let values = ind
                .lines
                .iter()
                .chain(ind.histogram.iter())
                .flat_map(|l| l.values.iter().copied())
                .chain(ind.levels.iter().copied())
                .chain(ind.histogram.as_ref().map(|_| 0.0));
            let (lo, hi) = widen_flat_opt(extent(values));
            let pad = (hi - lo) * 0.06;
            (lo - pad, hi + pad)
        }
    };
    let y = YScale {
        top: frame.y0 as f32 + pad_px,
        bottom: (frame.y1 - 1) as f32 - pad_px,
        min: lo,
        max: hi,
    };
    let (ticks, decimals) = if ind.levels.is_empty() {
        let (ticks, step) = nice_ticks(lo, hi, tick_target(frame.height(), 40).min(4));
        (ticks, decimals_for_step(step))
    } else {
        let mut levels: Vec<f64> = ind
            .levels
            .iter()
            .copied()
            .filter(|l| (lo..=hi).contains(l))
            .collect();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        let decimals = levels
            .iter()
            .filter(|l| **l != 0.0)
            .map(|l| decimals_for_step(l.abs()))
            .max()
            .unwrap_or(0);
        (levels, decimals.min(4))
    };
    let tick_labels = ticks.iter().map(|t| fixed(*t, decimals)).collect();
    PaneGeom {
        role: PaneRole::Indicator,
        frame,
        y,
        ticks,
        tick_labels,
    }
}

fn widen_flat_opt(range: Option<(f64, f64)>) -> (f64, f64) {
    let (lo, hi) = range.unwrap_or((0.0, 1.0));
    widen_flat(lo, hi)
}
