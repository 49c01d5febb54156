//! Chart specs for the chart tests and the chart bench (which include this
//! file by path): real daily data
//! from `shared/`, and a hand-made series whose every pixel is predictable;
//! plus a PNG decoder for looking at the result.
#![allow(dead_code)]

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use trading_mcp::chart_image::{
    ChartBar, ChartSpec, ChartSubtitle, ChartTitle, IndicatorPane, Line, Overlay, Pane, PaneArea,
    PaneKind, RenderedChart, Rgb, Theme, render,
};
use trading_mcp::indicators::{self, registry};
use trading_mcp::model::Interval;

#[path = "../shared_data/mod.rs"]
mod shared_data;

/// Which indicators to put on a chart of real data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extras {
    pub rsi_pane: bool,
}

/// The last `last_n` daily bars of `symbol` from `shared/data/nse_daily_yahoo`
/// with SMA(20) and SMA(50) overlays (computed over the whole history, so
/// they have values from the first bar shown), a volume pane and,
/// optionally, an RSI(14) pane with the registry's reading levels.
pub fn daily_spec(symbol: &str, name: &str, last_n: usize, extras: Extras) -> ChartSpec {
    let d = shared_data::yahoo_daily(symbol)
        .unwrap_or_else(|| panic!("{symbol} in shared/data/nse_daily_yahoo"));
    let n = d.dates.len();
    let from = n.saturating_sub(last_n);
    let bars: Vec<ChartBar> = (from..n)
        .map(|i| ChartBar {
            time: NaiveDate::parse_from_str(&d.dates[i], "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
            open: d.open[i],
            high: d.high[i],
            low: d.low[i],
            close: d.close[i],
            volume: d.volume[i],
        })
        .collect();
    let window = |v: Vec<f64>| v[from..].to_vec();
    let sma = |p| window(indicators::sma(&d.close, p).unwrap());
    let title = ChartTitle {
        symbol: symbol.to_string(),
        name: Some(name.to_string()),
    };
    let mut spec = ChartSpec::new(title, Interval::D1, bars);
    spec.subtitle = ChartSubtitle {
        notes: vec!["source: shared nse_daily_yahoo CSV".to_string()],
        ..ChartSubtitle::default()
    };
    spec.overlays = [20, 50]
        .into_iter()
        .map(|p| Overlay {
            label: format!("sma({p})"),
            lines: vec![Line::new("sma", sma(p))],
            band: false,
        })
        .collect();
    spec.panes.push(Pane {
        label: "volume".to_string(),
        kind: PaneKind::Volume,
    });
    if extras.rsi_pane {
        let reading = registry::find("RSI")
            .unwrap()
            .reading
            .expect("RSI has reading levels");
        spec.panes.push(Pane {
            label: "rsi(14)".to_string(),
            kind: PaneKind::Indicator(IndicatorPane {
                lines: vec![Line::new(
                    "rsi",
                    window(indicators::rsi(&d.close, 14).unwrap()),
                )],
                levels: vec![reading.low, reading.high],
                bounds: Some((0.0, 100.0)),
                ..IndicatorPane::default()
            }),
        });
    }
    spec
}

/// A decoded image: width, height, RGB rows.
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Image {
    pub fn decode(png_bytes: &[u8]) -> Image {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("a buffer size")];
        let info = reader.next_frame(&mut buf).expect("PNG image data");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        buf.truncate(info.buffer_size());
        Image {
            width: info.width,
            height: info.height,
            rgb: buf,
        }
    }

    pub fn at(&self, x: i32, y: i32) -> Rgb {
        assert!(x >= 0 && y >= 0 && (x as u32) < self.width && (y as u32) < self.height);
        let i = (y as usize * self.width as usize + x as usize) * 3;
        Rgb(self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }
}

pub fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 4).unwrap()
}

/// `n` weekday dates from Monday 2024-03-04: weekends skipped, so bar 4 is
/// a Friday and bar 5 the Monday after.
pub fn weekdays(n: usize) -> Vec<NaiveDateTime> {
    let mut d = monday();
    let mut out = Vec::new();
    while out.len() < n {
        if d.weekday().num_days_from_monday() < 5 {
            out.push(d.and_hms_opt(0, 0, 0).unwrap());
        }
        d += Duration::days(1);
    }
    out
}

/// Rising bars around `100 + i`: even bars up (open 100+i, close 102+i),
/// odd bars down (open 102+i, close 100+i).
pub fn hand_made(n: usize) -> Vec<ChartBar> {
    weekdays(n)
        .into_iter()
        .enumerate()
        .map(|(i, time)| {
            let base = 100.0 + i as f64;
            let (open, close) = if i.is_multiple_of(2) {
                (base, base + 2.0)
            } else {
                (base + 2.0, base)
            };
            ChartBar {
                time,
                open,
                high: base + 3.0,
                low: base - 1.0,
                close,
                volume: 1000.0 + 100.0 * i as f64,
            }
        })
        .collect()
}

/// A value inside bar `i`'s body, on no other bar's close (where the
/// last-price line could run).
pub fn in_body(i: usize) -> f64 {
    100.75 + i as f64
}

/// The colour of [`hand_made`] bar `i`: even bars rise.
pub fn candle_colour(theme: &Theme, i: usize) -> Rgb {
    if i.is_multiple_of(2) {
        theme.up
    } else {
        theme.down
    }
}

pub fn title() -> ChartTitle {
    ChartTitle {
        symbol: "TEST.NS".to_string(),
        name: Some("Hand-made Series Ltd".to_string()),
    }
}

pub fn hand_made_spec(n: usize) -> ChartSpec {
    ChartSpec::new(title(), Interval::D1, hand_made(n))
}

/// The row `value` is drawn at in `pane`, computed from the pane's reported
/// scale.
pub fn row_of(pane: &PaneArea, value: f64) -> i32 {
    let t = (pane.max - value) / (pane.max - pane.min);
    (pane.value_top + t as f32 * (pane.value_bottom - pane.value_top)).floor() as i32
}

pub fn draw(spec: &ChartSpec) -> (RenderedChart, Image) {
    let chart = render(spec).unwrap_or_else(|e| panic!("render failed: {e}"));
    let image = Image::decode(&chart.png);
    (chart, image)
}

pub fn rsi_pane(values: Vec<f64>) -> Pane {
    Pane {
        label: "rsi(14)".to_string(),
        kind: PaneKind::Indicator(IndicatorPane {
            lines: vec![Line::new("rsi", values)],
            levels: vec![30.0, 70.0],
            bounds: Some((0.0, 100.0)),
            ..IndicatorPane::default()
        }),
    }
}

/// Whether an anti-aliased pixel `p` is more `ink` than `paper`.
pub fn mostly(p: Rgb, ink: Rgb, paper: Rgb) -> bool {
    let d = |a: Rgb, b: Rgb| {
        [(a.0, b.0), (a.1, b.1), (a.2, b.2)]
            .iter()
            .map(|(x, y)| i32::from(x.abs_diff(*y)))
            .sum::<i32>()
    };
    d(p, ink) < d(p, paper)
}
