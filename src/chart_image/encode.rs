//! PNG encoding: 8-bit RGB (the image is opaque, so no alpha channel), with
//! the png crate's fdeflate-based fast compression and adaptive row
//! filters. Measured on the 1200x700 RELIANCE chart: 104 KB in about 3 ms;
//! the `Up` filter alone is faster (1 ms) but 217 KB, and the zlib-style
//! `Balanced` level saves 40 KB for 25 ms, as long as the drawing itself.

use png::{BitDepth, ColorType, Compression, Encoder, Filter};

use super::canvas::Canvas;
use super::validate::ChartError;

pub fn png(canvas: &Canvas) -> Result<Vec<u8>, ChartError> {
    let (w, h) = (canvas.width() as u32, canvas.height() as u32);
    let rgb = canvas.to_rgb();
    let mut out = Vec::with_capacity(rgb.len() / 16);
    let mut encoder = Encoder::new(&mut out, w, h);
    encoder.set_color(ColorType::Rgb);
    encoder.set_depth(BitDepth::Eight);
    encoder.set_compression(Compression::Fast);
    encoder.set_filter(Filter::Adaptive);
    let fail = |e: png::EncodingError| ChartError::Encode(e.to_string());
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(&rgb).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}
