//! Draws the README's screenshot: RELIANCE.NS, the last six months of the
//! shared daily data, candles with SMA(20) and SMA(50), volume and RSI(14).
//!
//! `cargo run --release --example chart_reliance -- [--dark] [OUT.png]`
//! (default `docs/chart-reliance.png`).

#[path = "../tests/chart_support/mod.rs"]
mod chart_support;

use trading_mcp::chart_image::{ThemeName, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut out = "docs/chart-reliance.png".to_string();
    let mut theme = ThemeName::Light;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--dark" => theme = ThemeName::Dark,
            _ => out = arg,
        }
    }
    let extras = chart_support::Extras { rsi_pane: true };
    let mut spec =
        chart_support::daily_spec("RELIANCE.NS", "Reliance Industries Limited", 125, extras);
    spec.theme = theme;
    let chart = render(&spec)?;
    std::fs::write(&out, &chart.png)?;
    let s = &chart.summary;
    eprintln!(
        "wrote {out}: {}x{}, {} bytes; {} bars {} .. {}, last close {:.2} ({:+.2}%)",
        chart.width,
        chart.height,
        chart.png.len(),
        s.bars,
        s.first.date(),
        s.last.date(),
        s.last_close,
        s.change_pct
    );
    Ok(())
}
