//! `get_stock_chart_image` through the real binary and the fake Yahoo: a
//! PNG image block of the size asked for, the same bytes from upstream,
//! memory and the store, a summary whose numbers match the shared CSV,
//! resampling of long ranges, `call -o`, and bad arguments refused before
//! any fetch with the store unchanged.

mod shared_data;
mod support;

use std::collections::BTreeSet;

use base64::Engine as _;
use chrono::{Datelike, NaiveDate};
use rmcp::model::CallToolResult;
use serde_json::{Value, json};
use support::*;

/// A decoded PNG's size (decoding also proves the bytes are a whole PNG).
struct Image {
    width: u32,
    height: u32,
}

impl Image {
    fn decode(png_bytes: &[u8]) -> Image {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("a buffer size")];
        let info = reader.next_frame(&mut buf).expect("PNG image data");
        Image {
            width: info.width,
            height: info.height,
        }
    }
}

/// The PNG of a result's one image block, decoded from base64.
fn png_of(result: &CallToolResult) -> Vec<u8> {
    let images: Vec<_> = result.content.iter().filter_map(|c| c.as_image()).collect();
    assert_eq!(images.len(), 1, "one image block: {}", text(result));
    assert_eq!(images[0].mime_type, "image/png");
    base64::engine::general_purpose::STANDARD
        .decode(&images[0].data)
        .expect("base64 PNG")
}

fn half_year() -> Value {
    json!({
        "symbol": "RELIANCE",
        "start_date": "2023-10-01",
        "end_date": "2024-03-28",
        "overlays": ["sma(20)", "sma(50)"],
        "panes": ["volume", "rsi(14)"],
        "width": 900,
        "height": 500,
    })
}

#[tokio::test]
async fn the_image_has_the_size_asked_and_the_same_bytes_from_every_tier() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;

    let first = call(&client, "get_stock_chart_image", half_year()).await;
    let png = png_of(&first);
    let image = Image::decode(&png);
    assert_eq!((image.width, image.height), (900, 500));
    let out = ok(&first);
    assert_eq!(out["freshness"]["source"], "upstream");
    assert_eq!(out["png_bytes"], png.len());
    assert_eq!(
        (out["width"].clone(), out["height"].clone()),
        (json!(900), json!(500))
    );
    let upstream_calls = yahoo.count();
    assert!(upstream_calls >= 1);

    // Again: the answer cache; no upstream call, the same bytes.
    let again = call(&client, "get_stock_chart_image", half_year()).await;
    assert_eq!(png_of(&again), png);
    assert_eq!(yahoo.count(), upstream_calls);

    // A new process over the same store: from SQLite, the same bytes (the
    // picture never says which tier served it).
    drop(client);
    let client = env.stdio_client().await;
    let from_store = call(&client, "get_stock_chart_image", half_year()).await;
    assert_eq!(ok(&from_store)["freshness"]["source"], "store");
    assert_eq!(png_of(&from_store), png);
    assert_eq!(yahoo.count(), upstream_calls);
}

#[tokio::test]
async fn the_summary_matches_the_shared_csv() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let result = call(&client, "get_stock_chart_image", half_year()).await;
    let out = ok(&result);

    let d = shared_data::yahoo_daily("RELIANCE.NS").unwrap();
    let from = d
        .dates
        .iter()
        .position(|t| t.as_str() >= "2023-10-01")
        .unwrap();
    let to = d
        .dates
        .iter()
        .rposition(|t| t.as_str() <= "2024-03-28")
        .unwrap();
    assert_eq!(out["bars"], to - from + 1);
    assert_eq!(out["first"], d.dates[from]);
    assert_eq!(out["last"], "2024-03-28");
    assert_eq!(out["last_close"].as_f64().unwrap(), quoted(d.close[to]));
    let change = d.close[to] - d.open[from];
    // To 10 significant digits, as computed values are printed.
    assert!((out["change"].as_f64().unwrap() - change).abs() <= 1e-9 * change.abs().max(1.0));

    let line = |group: &str| {
        out["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["group"] == group)
            .unwrap_or_else(|| panic!("{group} in {}", out["lines"]))["last"]
            .as_f64()
            .unwrap()
    };
    for period in [20usize, 50] {
        let mean = d.close[to + 1 - period..=to].iter().sum::<f64>() / period as f64;
        let drawn = line(&format!("sma({period})"));
        assert!(
            (drawn - mean).abs() < 1e-9 * mean,
            "sma({period}) {drawn} vs {mean}"
        );
    }
    let rsi = line("rsi(14)");
    assert!((0.0..=100.0).contains(&rsi));
    assert_eq!(line("volume"), d.volume[to]);

    let summary = text(&result);
    assert!(
        summary.starts_with("RELIANCE (RELIANCE.NS) 1d 2023-10-03 to 2024-03-28"),
        "{summary}"
    );
    assert!(
        summary.contains("sma(20) ") && summary.contains("rsi(14) "),
        "{summary}"
    );
}

#[tokio::test]
async fn twenty_four_years_of_daily_bars_are_drawn_as_weekly_candles_with_a_note() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let args = json!({
        "symbol": "RELIANCE",
        "start_date": "2000-01-01",
        "end_date": "2024-03-28",
        "overlays": ["sma(20)"],
        "patterns": true,
    });
    let result = call(&client, "get_stock_chart_image", args).await;
    let out = ok(&result);
    assert_eq!(out["interval"], "1wk");
    assert_eq!(out["source_interval"], "1d");

    let d = shared_data::yahoo_daily("RELIANCE.NS").unwrap();
    let weeks: BTreeSet<(i32, u32)> = d
        .dates
        .iter()
        .filter(|t| t.as_str() <= "2024-03-28")
        .map(|t| {
            let w = NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap().iso_week();
            (w.year(), w.week())
        })
        .collect();
    assert_eq!(out["bars"], weeks.len());
    assert!(weeks.len() <= 2000);
    let notes = out["notes"].to_string();
    assert!(
        notes.contains("resampled to") && notes.contains("1wk"),
        "{notes}"
    );
    assert!(out["pattern_marks"].as_u64().unwrap() > 0);
    let image = Image::decode(&png_of(&result));
    assert_eq!((image.width, image.height), (1200, 700));
}

#[tokio::test]
async fn call_with_o_writes_the_png_to_a_file() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let path = env.dir.path().join("chart.png");
    let out = env
        .command(&[
            "call",
            "get_stock_chart_image",
            &half_year().to_string(),
            "-o",
            path.to_str().unwrap(),
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let png = std::fs::read(&path).expect("the file -o names");
    let image = Image::decode(&png);
    assert_eq!((image.width, image.height), (900, 500));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("the summary as JSON");
    assert_eq!(printed["png_bytes"], png.len());
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("iVBOR"),
        "no base64 printed"
    );

    // -o on a tool without an image says so.
    let out = env
        .command(&[
            "call",
            "list_indicators",
            "{}",
            "-o",
            path.to_str().unwrap(),
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("returned no image"));
}

#[tokio::test]
async fn bad_arguments_are_refused_before_any_fetch_and_the_store_is_unchanged() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    ok(&call(&client, "get_stock_chart_image", half_year()).await);
    let (calls, counts) = (yahoo.count(), db_counts(&env.db()).await);

    let with = |k: &str, v: Value| {
        let mut a = json!({"symbol": "INFY", "start_date": "2023-01-01", "end_date": "2024-03-28"});
        a[k] = v;
        a
    };
    let cases = [
        (with("overlays", json!(["smaa(20)"])), "did you mean 'sma'"),
        (with("overlays", json!(["rsi(14) < 30"])), "is a condition"),
        (with("overlays", json!(["volume"])), "put it in `panes`"),
        (with("panes", json!(vec!["rsi(14)"; 20])), "20 panes"),
        (with("overlays", json!(vec!["sma(5)"; 9])), "9 overlays"),
        (with("width", json!(5000)), "5000x700"),
        (
            json!({"symbol": "INFY", "width": 5000, "height": 5000}),
            "5000x5000 is outside the limits",
        ),
        (with("patterns", json!(["CDLNOPE"])), "CDLNOPE"),
        (with("patterns", json!([])), "empty list"),
        (with("style", json!("renko")), "candles, ohlc, line"),
        (with("theme", json!("neon")), "light, dark"),
        (
            json!({"symbol": "INFY", "interval": "1m", "start_date": "2022-04-01", "end_date": "2024-03-28"}),
            "at most 100000 source bars",
        ),
        (
            json!({"symbol": "INFY", "start_date": "2024-03-01", "end_date": "2023-03-01"}),
            "swap them",
        ),
    ];
    for (args, expected) in cases {
        let err = tool_error(&call(&client, "get_stock_chart_image", args.clone()).await);
        assert!(err.contains(expected), "{args}: {err}");
    }
    assert_eq!(yahoo.count(), calls, "validation happens before any fetch");
    assert_eq!(db_counts(&env.db()).await, counts);

    // A wrong type is a protocol error naming the field.
    let e = try_call(
        &client,
        "get_stock_chart_image",
        with("width", json!("wide")),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("width"), "{e}");
    // The server keeps serving.
    ok(&call(&client, "get_stock_chart_image", half_year()).await);
}
