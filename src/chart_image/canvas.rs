//! The drawing surface: crisp pixel-aligned rectangles and rules written
//! straight into the pixmap, and anti-aliased lines and areas through
//! tiny-skia, clipped to a pane.
//!
//! The pixmap is always opaque (it starts filled with the background), so
//! its premultiplied pixels equal straight RGB and text coverage can be
//! blended directly.

use tiny_skia::{
    FillRule, LineCap, LineJoin, Mask, Paint, PathBuilder, Pixmap, PremultipliedColorU8, Stroke,
    Transform,
};

use super::theme::Rgb;
use super::validate::ChartError;

/// A pixel rectangle `[x0, x1) x [y0, y1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PxRect {
    pub x0: i32,
    pub y0: i32,
    pub x1: i32,
    pub y1: i32,
}

impl PxRect {
    pub fn height(&self) -> i32 {
        self.y1 - self.y0
    }

    pub fn intersects(&self, other: &PxRect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    pub fn contains(&self, other: &PxRect) -> bool {
        self.x0 <= other.x0 && self.y0 <= other.y0 && other.x1 <= self.x1 && other.y1 <= self.y1
    }
}

pub struct Canvas {
    pixmap: Pixmap,
    clip: Mask,
    width: i32,
    height: i32,
}

fn px(c: Rgb) -> PremultipliedColorU8 {
    // Opaque colours are always valid premultiplied colours.
    PremultipliedColorU8::from_rgba(c.0, c.1, c.2, 255).unwrap_or(PremultipliedColorU8::TRANSPARENT)
}

fn paint(c: Rgb, alpha: u8) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(c.0, c.1, c.2, alpha);
    paint.anti_alias = true;
    paint
}

impl Canvas {
    pub fn new(width: u32, height: u32, background: Rgb) -> Result<Self, ChartError> {
        let mut pixmap = Pixmap::new(width, height).ok_or_else(|| {
            ChartError::Encode(format!("cannot allocate a {width}x{height} image"))
        })?;
        pixmap.pixels_mut().fill(px(background));
        let mut clip = Mask::new(width, height).ok_or_else(|| {
            ChartError::Encode(format!("cannot allocate a {width}x{height} mask"))
        })?;
        // Until a pane sets one, the clip is the whole image.
        clip.data_mut().fill(255);
        Ok(Self {
            pixmap,
            clip,
            width: width as i32,
            height: height as i32,
        })
    }

    pub fn width(&self) -> i32 {
        self.width
    }

    pub fn height(&self) -> i32 {
        self.height
    }

    /// Fills `[x0, x1) x [y0, y1)` exactly, clipped to the image.
    pub fn fill(&mut self, r: PxRect, c: Rgb) {
        let (x0, x1) = (r.x0.clamp(0, self.width), r.x1.clamp(0, self.width));
        let (y0, y1) = (r.y0.clamp(0, self.height), r.y1.clamp(0, self.height));
        if x0 >= x1 {
            return;
        }
        let colour = px(c);
        let w = self.width as usize;
        let pixels = self.pixmap.pixels_mut();
        for y in y0..y1 {
            let row = y as usize * w;
            pixels[row + x0 as usize..row + x1 as usize].fill(colour);
        }
    }

    /// A one-pixel horizontal rule on row `y` from `x0` to `x1` inclusive.
    pub fn hline(&mut self, y: i32, x0: i32, x1: i32, c: Rgb) {
        self.fill(
            PxRect {
                x0,
                y0: y,
                x1: x1 + 1,
                y1: y + 1,
            },
            c,
        );
    }

    /// A one-pixel vertical rule in column `x` from `y0` to `y1` inclusive.
    pub fn vline(&mut self, x: i32, y0: i32, y1: i32, c: Rgb) {
        let (y0, y1) = (y0.min(y1), y0.max(y1));
        self.fill(
            PxRect {
                x0: x,
                y0,
                x1: x + 1,
                y1: y1 + 1,
            },
            c,
        );
    }

    /// A dashed one-pixel horizontal rule; dashes start at `x0`.
    pub fn dashed_hline(&mut self, y: i32, x0: i32, x1: i32, dash: i32, gap: i32, c: Rgb) {
        let mut x = x0;
        while x <= x1 {
            self.hline(y, x, (x + dash - 1).min(x1), c);
            x += dash + gap;
        }
    }

    /// Blends `c` at `alpha` over every pixel of `r`.
    pub fn shade(&mut self, r: PxRect, c: Rgb, alpha: f32) {
        for y in r.y0..r.y1 {
            for x in r.x0..r.x1 {
                self.blend(x, y, c, alpha);
            }
        }
    }

    /// Blends `c` over the pixel at (`x`, `y`) with `coverage` in 0..=1.
    pub fn blend(&mut self, x: i32, y: i32, c: Rgb, coverage: f32) {
        if x < 0 || y < 0 || x >= self.width || y >= self.height || coverage <= 0.0 {
            return;
        }
        let i = y as usize * self.width as usize + x as usize;
        let pixels = self.pixmap.pixels_mut();
        let under = pixels[i];
        let under = Rgb(under.red(), under.green(), under.blue());
        pixels[i] = px(c.over(under, coverage.min(1.0)));
    }

    /// An anti-aliased polyline of `width` pixels through `points`, clipped
    /// to the clip rectangle.
    pub fn polyline(&mut self, points: &[(f32, f32)], width: f32, c: Rgb) {
        if points.len() < 2 {
            if let [(x, y)] = points {
                // A lone value between gaps still shows, as a dot.
                self.dot(*x, *y, width, c);
            }
            return;
        }
        let mut pb = PathBuilder::new();
        pb.move_to(points[0].0, points[0].1);
        for &(x, y) in &points[1..] {
            pb.line_to(x, y);
        }
        let Some(path) = pb.finish() else {
            return;
        };
        let stroke = Stroke {
            width,
            line_cap: LineCap::Round,
            line_join: LineJoin::Round,
            ..Stroke::default()
        };
        self.pixmap.stroke_path(
            &path,
            &paint(c, 255),
            &stroke,
            Transform::identity(),
            Some(&self.clip),
        );
    }

    fn dot(&mut self, x: f32, y: f32, width: f32, c: Rgb) {
        if let Some(path) = PathBuilder::from_circle(x, y, width.max(1.0)) {
            self.pixmap.fill_path(
                &path,
                &paint(c, 255),
                FillRule::Winding,
                Transform::identity(),
                Some(&self.clip),
            );
        }
    }

    /// An anti-aliased filled polygon at `alpha` (0..=255), clipped to the
    /// clip rectangle.
    pub fn polygon(&mut self, points: &[(f32, f32)], c: Rgb, alpha: u8) {
        if points.len() < 3 {
            return;
        }
        let mut pb = PathBuilder::new();
        pb.move_to(points[0].0, points[0].1);
        for &(x, y) in &points[1..] {
            pb.line_to(x, y);
        }
        pb.close();
        if let Some(path) = pb.finish() {
            self.pixmap.fill_path(
                &path,
                &paint(c, alpha),
                FillRule::Winding,
                Transform::identity(),
                Some(&self.clip),
            );
        }
    }

    /// Limits the anti-aliased drawing ([`Canvas::polyline`],
    /// [`Canvas::polygon`]) to `r`.
    pub fn set_clip(&mut self, r: PxRect) {
        self.clip.clear();
        let w = self.width as usize;
        let (x0, x1) = (
            r.x0.clamp(0, self.width) as usize,
            r.x1.clamp(0, self.width) as usize,
        );
        let (y0, y1) = (r.y0.clamp(0, self.height), r.y1.clamp(0, self.height));
        if x0 >= x1 {
            return;
        }
        let data = self.clip.data_mut();
        for y in y0..y1 {
            let row = y as usize * w;
            data[row + x0..row + x1].fill(255);
        }
    }

    /// The image as 8-bit RGB rows, top to bottom.
    pub fn to_rgb(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.pixmap.pixels().len() * 3);
        for p in self.pixmap.pixels() {
            out.extend_from_slice(&[p.red(), p.green(), p.blue()]);
        }
        out
    }
}
