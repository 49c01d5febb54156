//! Chart images: candlesticks (or OHLC bars, or a close line) with volume,
//! indicator overlays and panes, and pattern marks, drawn to a PNG.
//!
//! Pure code: the caller fetches the bars, computes the indicators and
//! patterns, and passes plain data in a [`ChartSpec`]; [`render`] draws it
//! with tiny-skia and a font compiled into the binary, and encodes it with
//! the png crate. The same spec always gives the same bytes: nothing here
//! reads the clock, draws at random or iterates a hash map.
//!
//! Bars are placed by index, so the time axis has no gaps for weekends,
//! holidays or nights; its labels come from the bars' exchange-local times.

mod axes;
mod canvas;
mod encode;
mod format;
mod header;
mod layout;
mod marks;
mod overlays;
mod panes;
mod price;
mod scale;
mod spec;
mod summary;
mod text;
mod theme;
mod time_axis;
mod validate;

pub use marks::MarkCounts;
pub use spec::{
    ChartBar, ChartSpec, ChartStyle, ChartSubtitle, ChartTitle, DEFAULT_HEIGHT, DEFAULT_WIDTH,
    Direction, IndicatorPane, Line, Overlay, Pane, PaneKind, PatternMark, Tone,
};
pub use summary::{ChartSummary, LineValue};
pub use theme::{Rgb, Theme, ThemeName};
pub use validate::{
    ChartError, MAX_BARS, MAX_HEIGHT, MAX_LEVELS, MAX_LINES, MAX_MARKS, MAX_OVERLAYS, MAX_PANES,
    MAX_WIDTH, MIN_HEIGHT, MIN_WIDTH, check, check_counts, check_size,
};

/// A drawn chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The numbers behind the picture, for the text content.
    pub summary: ChartSummary,
    /// Where things were drawn (tests, image maps).
    pub layout: ChartLayout,
}

/// One pane's place in the image and its value scale: `max` is drawn at
/// row `value_top`, `min` at `value_bottom`, linearly between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaneArea {
    /// The pane's box `[left, right) x [top, bottom)` in pixels.
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
    pub value_top: f32,
    pub value_bottom: f32,
    pub min: f64,
    pub max: f64,
}

impl PaneArea {
    fn of(g: &layout::PaneGeom) -> Self {
        Self {
            left: g.frame.x0,
            top: g.frame.y0,
            right: g.frame.x1,
            bottom: g.frame.y1,
            value_top: g.y.top,
            value_bottom: g.y.bottom,
            min: g.y.min,
            max: g.y.max,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartLayout {
    pub price: PaneArea,
    /// In the spec's pane order.
    pub panes: Vec<PaneArea>,
    /// Each bar's centre x, in pixels.
    pub bar_centres: Vec<f32>,
    /// Width of one bar's slot, in pixels.
    pub slot: f32,
    /// The first column of the price axis.
    pub axis_x: i32,
}

/// Draws `spec` as a PNG. Fails only on a spec that breaks the limits in
/// [`check`] (with a message that says what to change).
pub fn render(spec: &ChartSpec) -> Result<RenderedChart, ChartError> {
    check(spec)?;
    let theme = Theme::of(spec.theme);
    let text = text::Text::load()?;
    let sizes = layout::Sizes::for_image(spec.width, spec.height);
    let header = header::Header::plan(spec, &text, theme, sizes, layout::price_decimals(spec));
    let layout = layout::plan(spec, &text, sizes, header.height);
    let mut canvas = canvas::Canvas::new(spec.width, spec.height, theme.background)?;

    axes::draw_grid(&mut canvas, &layout, theme);
    overlays::draw_bands(&mut canvas, spec, &layout, theme);
    panes::draw(&mut canvas, spec, &layout, theme);
    price::draw_bars(&mut canvas, spec, &layout, theme);
    overlays::draw_overlay_lines(&mut canvas, spec, &layout, theme);
    price::draw_last_price(&mut canvas, spec, &layout, theme);
    let marks = marks::draw(&mut canvas, &text, spec, &layout, theme);
    axes::draw_frames(&mut canvas, &layout, theme);
    axes::draw_labels(&mut canvas, &text, spec, &layout, theme);
    panes::draw_labels(&mut canvas, &text, spec, &layout, theme);
    header.draw(&mut canvas, &text);

    let png = encode::png(&canvas)?;
    Ok(RenderedChart {
        png,
        width: spec.width,
        height: spec.height,
        summary: summary::summarise(spec, marks),
        layout: ChartLayout {
            price: PaneArea::of(&layout.price),
            panes: layout.panes.iter().map(PaneArea::of).collect(),
            bar_centres: (0..spec.bars.len()).map(|i| layout.x.centre(i)).collect(),
            slot: layout.x.slot(),
            axis_x: layout.axis_x,
        },
    })
}
