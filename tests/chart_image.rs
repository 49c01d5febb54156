//! The chart renderer, judged by its pixels: the PNG decodes at the size
//! asked for, the same spec gives the same bytes, candles have their colours
//! where their bars fall, weekends leave no gap, an RSI pane's 70 line sits
//! at 70, and each style draws what it says. Golden images are in
//! `chart_golden.rs`, bad specs in `chart_image_errors.rs`.

mod chart_support;

use chart_support::{
    Image, candle_colour, draw, hand_made_spec as spec, in_body, monday, mostly, row_of, rsi_pane,
};
use chrono::{Datelike, Duration, NaiveDate};
use trading_mcp::chart_image::{
    ChartStyle, DEFAULT_HEIGHT, DEFAULT_WIDTH, Direction, Pane, PaneKind, PatternMark,
    RenderedChart, Rgb, Theme, ThemeName, render,
};
use trading_mcp::model::Interval;

#[test]
fn the_png_decodes_at_the_size_asked_for() {
    for (w, h) in [
        (DEFAULT_WIDTH, DEFAULT_HEIGHT),
        (400, 300),
        (2000, 1400),
        (1001, 333),
    ] {
        let mut s = spec(30);
        s.width = w;
        s.height = h;
        let (chart, image) = draw(&s);
        assert_eq!((image.width, image.height), (w, h));
        assert_eq!((chart.width, chart.height), (w, h));
    }
}

#[test]
fn the_same_spec_gives_the_same_bytes() {
    let extras = chart_support::Extras { rsi_pane: true };
    let mut s =
        chart_support::daily_spec("RELIANCE.NS", "Reliance Industries Limited", 250, extras);
    s.marks = vec![PatternMark {
        bar: 200,
        label: "Doji".to_string(),
        direction: Direction::Bearish,
    }];
    let a = render(&s).unwrap();
    let b = render(&s.clone()).unwrap();
    assert!(a.png == b.png, "two renders of one spec differ");
    // And a different spec does not (the comparison can fail).
    let mut other = s.clone();
    other.bars[10].close += 0.5;
    assert!(render(&other).unwrap().png != a.png);
}

#[test]
fn candles_have_their_colours_where_their_bars_fall() {
    let s = spec(20);
    let (chart, image) = draw(&s);
    let theme = Theme::of(ThemeName::Light);
    let price = chart.layout.price;
    for i in 0..20 {
        let x = chart.layout.bar_centres[i].floor() as i32;
        let y = row_of(&price, in_body(i));
        let want = candle_colour(theme, i);
        assert_eq!(image.at(x, y), want, "bar {i} body at ({x}, {y})");
        // Half a slot to the side is not: the body is its bar's alone.
        let beside = x + (chart.layout.slot / 2.0).ceil() as i32;
        let there = image.at(beside, y);
        assert!(
            there != theme.up && there != theme.down,
            "beside bar {i}: {there:?}"
        );
    }
    // Bars follow their index left to right, the last one nearest the axis.
    let c = &chart.layout.bar_centres;
    assert!(c.windows(2).all(|w| w[1] > w[0]));
    assert!(c[19] < chart.layout.axis_x as f32);
}

/// The columns of the body of bar `i` on its middle row.
fn body_run(image: &Image, chart: &RenderedChart, i: usize, colour: Rgb) -> (i32, i32) {
    let y = row_of(&chart.layout.price, in_body(i));
    let x = chart.layout.bar_centres[i].floor() as i32;
    assert_eq!(image.at(x, y), colour, "bar {i} body");
    let (mut l, mut r) = (x, x);
    while image.at(l - 1, y) == colour {
        l -= 1;
    }
    while image.at(r + 1, y) == colour {
        r += 1;
    }
    (l, r)
}

#[test]
fn a_weekend_leaves_no_gap() {
    let s = spec(20);
    assert_eq!(s.bars[4].time.weekday(), chrono::Weekday::Fri);
    assert_eq!(s.bars[5].time.weekday(), chrono::Weekday::Mon);
    let (chart, image) = draw(&s);
    let theme = Theme::of(ThemeName::Light);
    let centre = |i: usize| {
        let colour = candle_colour(theme, i);
        let (l, r) = body_run(&image, &chart, i, colour);
        (l + r) / 2
    };
    let (thu, fri, mon, tue) = (centre(3), centre(4), centre(5), centre(6));
    assert_eq!(mon - fri, tue - mon, "Friday->Monday vs Monday->Tuesday");
    assert_eq!(fri - thu, tue - mon);
    assert_eq!((mon - fri) as f32, chart.layout.slot);
}

#[test]
fn an_rsi_pane_has_its_70_line_at_70() {
    let mut s = spec(40);
    s.panes.push(Pane {
        label: "volume".to_string(),
        kind: PaneKind::Volume,
    });
    s.panes.push(rsi_pane(vec![50.0; 40]));
    let (chart, image) = draw(&s);
    let theme = Theme::of(ThemeName::Light);
    let pane = chart.layout.panes[1];
    assert_eq!((pane.min, pane.max), (0.0, 100.0));
    assert!(
        pane.top > chart.layout.panes[0].bottom,
        "the RSI pane is under the volume pane"
    );

    let count = |row: i32, colour: Rgb| {
        (pane.left..pane.right)
            .filter(|&x| image.at(x, row) == colour)
            .count()
    };
    let width = (pane.right - pane.left) as usize;
    for level in [70.0, 30.0] {
        let row = row_of(&pane, level);
        // A dashed rule: about half of the row is the level colour.
        let n = count(row, theme.level);
        assert!(
            n * 10 >= width * 4,
            "level {level}: {n} of {width} pixels on row {row}"
        );
        for off in [-2, 2] {
            assert_eq!(
                count(row + off, theme.level),
                0,
                "level {level} is one row thick"
            );
        }
    }
    // 70 is above 30, 30% of the pane's value height apart from 50... and the
    // RSI line itself runs at 50, in the first palette colour.
    assert!(row_of(&pane, 70.0) < row_of(&pane, 30.0));
    let x = chart.layout.bar_centres[20].floor() as i32;
    assert!(
        mostly(
            image.at(x, row_of(&pane, 50.0)),
            theme.palette[0],
            theme.background
        ),
        "the RSI line at 50"
    );
}

#[test]
fn ohlc_and_line_styles() {
    let theme = Theme::of(ThemeName::Light);
    let mut s = spec(20);
    s.style = ChartStyle::Ohlc;
    let (chart, image) = draw(&s);
    for i in [0, 1] {
        let x = chart.layout.bar_centres[i].floor() as i32;
        let y = row_of(&chart.layout.price, in_body(i));
        let want = candle_colour(theme, i);
        assert_eq!(image.at(x, y), want, "OHLC bar {i}'s high-low line");
        // No body: two pixels right of the stem, between open and close, is empty.
        assert_eq!(image.at(x + 2, y), theme.background);
    }

    s.style = ChartStyle::Line;
    let (chart, image) = draw(&s);
    let x = chart.layout.bar_centres[6].floor() as i32;
    let y = row_of(&chart.layout.price, s.bars[6].close);
    let near = (-1..=1).any(|d| mostly(image.at(x, y + d), theme.price_line, theme.background));
    assert!(near, "the close line passes through bar 6's close");
    let body = image.at(x, row_of(&chart.layout.price, in_body(6) - 0.5));
    assert!(body != theme.up, "no candle bodies in line style");
}

#[test]
fn two_thousand_candles_fit_and_intraday_renders() {
    let mut s = spec(2000);
    s.panes.push(Pane {
        label: "volume".to_string(),
        kind: PaneKind::Volume,
    });
    let (chart, _) = draw(&s);
    assert!(chart.layout.slot < 1.0);
    assert!(chart.layout.bar_centres[0] >= chart.layout.price.left as f32);

    let open = monday().and_hms_opt(9, 15, 0).unwrap();
    let mut s = spec(150);
    for (i, b) in s.bars.iter_mut().enumerate() {
        let day = i as i64 / 75;
        b.time = open + Duration::days(day) + Duration::minutes(5 * (i as i64 % 75));
    }
    s.interval = Interval::M5;
    let (chart, image) = draw(&s);
    assert_eq!(image.width, DEFAULT_WIDTH);
    // The overnight step is one slot, like every other step.
    let c = &chart.layout.bar_centres;
    assert!(((c[75] - c[74]) - (c[74] - c[73])).abs() < 1e-3);
}

#[test]
fn real_reliance_chart_renders_with_its_summary() {
    let extras = chart_support::Extras { rsi_pane: true };
    let s = chart_support::daily_spec("RELIANCE.NS", "Reliance Industries Limited", 125, extras);
    let (chart, image) = draw(&s);
    assert_eq!((image.width, image.height), (DEFAULT_WIDTH, DEFAULT_HEIGHT));
    assert_eq!(chart.summary.bars, 125);
    assert_eq!(
        chart.summary.last.date(),
        NaiveDate::from_ymd_opt(2024, 3, 28).unwrap()
    );
    assert_eq!(chart.summary.last_close, 2971.699951171875);
    assert!(chart.png.len() < 150 * 1024, "{} bytes", chart.png.len());
}
