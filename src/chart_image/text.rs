//! Text: the Hack typeface compiled in from the `epaint_default_fonts`
//! crate (never a system font, so every machine draws the same pixels),
//! rasterised by ab_glyph and blended into the canvas.
//!
//! A monospaced face keeps price columns aligned. User-supplied text
//! (symbols, names, labels) is shown as given except that control
//! characters become spaces and characters the face lacks become `?`.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};

use super::canvas::Canvas;
use super::theme::Rgb;
use super::validate::ChartError;

const ELLIPSIS: char = '…';

pub struct Text {
    font: FontRef<'static>,
}

impl Text {
    pub fn load() -> Result<Self, ChartError> {
        let font = FontRef::try_from_slice(epaint_default_fonts::HACK_REGULAR)
            .map_err(|e| ChartError::Encode(format!("the built-in font does not load: {e}")))?;
        Ok(Self { font })
    }

    fn glyph(&self, c: char) -> GlyphId {
        let c = if c.is_control() { ' ' } else { c };
        let id = self.font.glyph_id(c);
        if id.0 == 0 {
            self.font.glyph_id('?')
        } else {
            id
        }
    }

    /// The advance width of `s` at `size` pixels.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(size));
        s.chars().map(|c| scaled.h_advance(self.glyph(c))).sum()
    }

    /// Height above the baseline of capitals and digits at `size`.
    pub fn ascent(&self, size: f32) -> f32 {
        self.font.as_scaled(PxScale::from(size)).ascent()
    }

    /// The part of `s` that fits in `max_width`, ending in `…` when cut.
    pub fn fit(&self, s: &str, size: f32, max_width: f32) -> String {
        if self.width(s, size) <= max_width {
            return s.to_string();
        }
        let scaled = self.font.as_scaled(PxScale::from(size));
        let budget = max_width - scaled.h_advance(self.glyph(ELLIPSIS));
        let mut used = 0.0;
        let mut out = String::new();
        for c in s.chars() {
            used += scaled.h_advance(self.glyph(c));
            if used > budget {
                break;
            }
            out.push(c);
        }
        out.push(ELLIPSIS);
        out
    }

    /// Draws `s` with its left end at `x` and its baseline at `baseline`;
    /// returns the advance width.
    pub fn draw(
        &self,
        canvas: &mut Canvas,
        s: &str,
        x: f32,
        baseline: f32,
        size: f32,
        c: Rgb,
    ) -> f32 {
        let scale = PxScale::from(size);
        let scaled = self.font.as_scaled(scale);
        let baseline = baseline.round();
        let mut pen = x.round();
        for ch in s.chars() {
            let id = self.glyph(ch);
            let glyph = id.with_scale_and_position(scale, point(pen, baseline));
            pen += scaled.h_advance(id);
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue; // a space
            };
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|gx, gy, coverage| {
                canvas.blend(left + gx as i32, top + gy as i32, c, coverage);
            });
        }
        pen - x.round()
    }
}
