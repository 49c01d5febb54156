//! Colour themes. Every colour the renderer uses is named here.

use serde::{Deserialize, Serialize};

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `self` over `under` at `alpha` (0 = `under`, 1 = `self`), as a solid
    /// colour: translucent fills are mixed here once, so a pixel's colour
    /// does not depend on what was drawn under it first.
    pub fn over(self, under: Rgb, alpha: f32) -> Rgb {
        let mix =
            |a: u8, b: u8| (f32::from(a) * alpha + f32::from(b) * (1.0 - alpha)).round() as u8;
        Rgb(
            mix(self.0, under.0),
            mix(self.1, under.1),
            mix(self.2, under.2),
        )
    }
}

/// Which palette a chart is drawn in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Light,
    Dark,
}

/// The palette of one theme.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub background: Rgb,
    pub text: Rgb,
    /// Axis labels, subtitle, pane labels.
    pub muted: Rgb,
    pub grid: Rgb,
    /// Pane borders and separators.
    pub frame: Rgb,
    /// Up candles, bullish marks, the last-price line after a rise.
    pub up: Rgb,
    pub down: Rgb,
    /// The close line of the `line` style.
    pub price_line: Rgb,
    /// Indicator reference levels (RSI 30/70, MACD zero).
    pub level: Rgb,
    /// Text drawn on an up/down coloured box (the last-price label).
    pub on_colour: Rgb,
    /// Overlay and indicator line colours, in the order they are given.
    pub palette: [Rgb; 8],
}

impl Theme {
    pub fn of(name: ThemeName) -> &'static Theme {
        match name {
            ThemeName::Light => &LIGHT,
            ThemeName::Dark => &DARK,
        }
    }

    /// The colour of the `i`-th overlay or pane line.
    pub fn series(&self, i: usize) -> Rgb {
        self.palette[i % self.palette.len()]
    }

    /// Volume bars: the candle colours, softened toward the background.
    pub fn volume(&self, up: bool) -> Rgb {
        let c = if up { self.up } else { self.down };
        c.over(self.background, 0.55)
    }
}

static LIGHT: Theme = Theme {
    background: Rgb(255, 255, 255),
    text: Rgb(19, 23, 34),
    muted: Rgb(100, 104, 115),
    grid: Rgb(236, 239, 245),
    frame: Rgb(200, 204, 212),
    up: Rgb(22, 163, 74),
    down: Rgb(220, 38, 38),
    price_line: Rgb(19, 23, 34),
    level: Rgb(130, 134, 145),
    on_colour: Rgb(255, 255, 255),
    palette: [
        Rgb(37, 99, 235),
        Rgb(234, 88, 12),
        Rgb(147, 51, 234),
        Rgb(8, 145, 178),
        Rgb(219, 39, 119),
        Rgb(161, 98, 7),
        Rgb(71, 85, 105),
        Rgb(101, 163, 13),
    ],
};

static DARK: Theme = Theme {
    background: Rgb(19, 23, 34),
    text: Rgb(215, 218, 226),
    muted: Rgb(140, 145, 158),
    grid: Rgb(36, 41, 54),
    frame: Rgb(62, 68, 82),
    up: Rgb(34, 197, 94),
    down: Rgb(239, 68, 68),
    price_line: Rgb(215, 218, 226),
    level: Rgb(120, 126, 140),
    on_colour: Rgb(255, 255, 255),
    palette: [
        Rgb(96, 165, 250),
        Rgb(251, 146, 60),
        Rgb(192, 132, 252),
        Rgb(34, 211, 238),
        Rgb(244, 114, 182),
        Rgb(250, 204, 21),
        Rgb(148, 163, 184),
        Rgb(163, 230, 53),
    ],
};
