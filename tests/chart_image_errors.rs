//! Bad chart specs get clear errors that say what to change, and hostile
//! text is drawn (or left off), never obeyed.

mod chart_support;

use chart_support::{draw, hand_made_spec as spec, rsi_pane};
use trading_mcp::chart_image::{
    ChartSpec, DEFAULT_HEIGHT, DEFAULT_WIDTH, Direction, Line, Overlay, Pane, PaneKind,
    PatternMark, render,
};

#[test]
fn hostile_text_is_drawn_not_obeyed() {
    let mut s = spec(20);
    s.title.symbol = "A\u{0}\u{7}\n\r\u{1b}[31mB".to_string();
    s.title.name = Some("名前 😀 ".repeat(20_000));
    s.subtitle.notes = vec!["\u{202e}reversed".to_string(); 50];
    s.marks = vec![PatternMark {
        bar: 3,
        label: "x".repeat(10_000),
        direction: Direction::Bearish,
    }];
    let (chart, image) = draw(&s);
    assert_eq!((image.width, image.height), (DEFAULT_WIDTH, DEFAULT_HEIGHT));
    // The mark is drawn, its overlong label is left off.
    assert_eq!(
        (chart.summary.marks.drawn, chart.summary.marks.labelled),
        (1, 0)
    );
}

#[test]
fn absurd_but_finite_values_are_drawn() {
    let mut s = spec(20);
    s.bars[5].high = 1e300;
    s.bars[6].low = -1e300;
    s.bars[7].volume = 1e300;
    s.overlays = vec![Overlay {
        label: "huge".to_string(),
        lines: vec![Line::new("x", vec![f64::MAX; 20])],
        band: false,
    }];
    let (chart, image) = draw(&s);
    assert_eq!((image.width, image.height), (DEFAULT_WIDTH, DEFAULT_HEIGHT));
    assert!(
        chart.layout.axis_x >= DEFAULT_WIDTH as i32 * 3 / 4 - 8,
        "the plot keeps its room"
    );

    let mut flat = spec(1);
    flat.bars[0] = trading_mcp::chart_image::ChartBar {
        open: 0.0,
        high: 0.0,
        low: 0.0,
        close: 0.0,
        volume: 0.0,
        ..flat.bars[0]
    };
    flat.panes = vec![rsi_pane(vec![f64::NAN])];
    let (chart, _) = draw(&flat);
    assert!(chart.layout.price.min < 0.0 && chart.layout.price.max > 0.0);
}

fn error_of(s: &ChartSpec) -> String {
    render(s)
        .expect_err("the spec should be rejected")
        .to_string()
}

#[test]
fn bad_specs_get_clear_errors() {
    let mut s = spec(20);
    s.panes = vec![
        Pane {
            label: "volume".to_string(),
            kind: PaneKind::Volume,
        };
        20
    ];
    let e = error_of(&s);
    assert!(e.contains("20 panes") && e.contains("4"), "{e}");

    let mut s = spec(20);
    (s.width, s.height) = (5000, 5000);
    let e = error_of(&s);
    assert!(e.contains("5000x5000") && e.contains("400 to 2000"), "{e}");
    (s.width, s.height) = (1200, 299);
    assert!(error_of(&s).contains("1200x299"));

    let e = error_of(&spec(2001));
    assert!(e.contains("2001 bars") && e.contains("resample"), "{e}");

    let e = error_of(&spec(0));
    assert!(e.contains("no bars to draw"), "{e}");

    let mut s = spec(20);
    s.overlays = vec![
        Overlay {
            label: "sma(5)".to_string(),
            lines: vec![Line::new("sma", vec![1.0; 20])],
            band: false,
        };
        9
    ];
    assert!(error_of(&s).contains("9 overlays"));

    let mut s = spec(20);
    s.overlays = vec![Overlay {
        label: "sma(5)".to_string(),
        lines: vec![Line::new("sma", vec![1.0; 19])],
        band: false,
    }];
    let e = error_of(&s);
    assert!(e.contains("19 values for 20 bars"), "{e}");

    let mut s = spec(20);
    s.overlays = vec![Overlay {
        label: "bbands".to_string(),
        lines: vec![Line::new("upper", vec![f64::INFINITY; 20])],
        band: true,
    }];
    assert!(error_of(&s).contains("infinite"));

    let mut s = spec(20);
    s.bars[7].close = f64::NAN;
    let e = error_of(&s);
    assert!(e.contains("bar 7") && e.contains("2024-03-13"), "{e}");

    let mut s = spec(20);
    s.bars[3].high = s.bars[3].low - 1.0;
    assert!(error_of(&s).contains("below its low"));

    let mut s = spec(20);
    s.bars.swap(2, 3);
    assert!(error_of(&s).contains("oldest first"));

    let mut s = spec(20);
    s.marks = vec![PatternMark {
        bar: 20,
        label: "Doji".to_string(),
        direction: Direction::Bullish,
    }];
    assert!(error_of(&s).contains("only 20 bars"));

    let mut s = spec(20);
    s.panes = vec![rsi_pane(vec![50.0; 20])];
    if let PaneKind::Indicator(ind) = &mut s.panes[0].kind {
        ind.bounds = Some((100.0, 0.0));
    }
    assert!(error_of(&s).contains("lower below the upper"));
}
