//! Answers sized for the model (#15), through the binary: prices printed
//! as the source's float32 and no longer, the output budget, paging with
//! `next_cursor`, `resample: true`, `precision`, and budgets shared by
//! multi-part answers.

mod shared_data;
mod support;

use std::collections::BTreeSet;

use rmcp::model::CallToolResult;
use serde_json::{Value, json};
use support::*;
use trading_mcp::indicators;

const CHART: &str = "get_stock_chart_data";
const IND: &str = "calculate_technical_indicator";
/// The default budget, in estimated tokens.
const BUDGET: usize = 8_000;

/// Bytes of the structured content as sent (compact JSON) and of the text.
fn sizes(r: &CallToolResult) -> (usize, usize) {
    let structured = serde_json::to_string(r.structured_content.as_ref().unwrap()).unwrap();
    (structured.len(), text(r).len())
}

/// Prints an answer's sizes for the closing note; returns (structured, text) bytes.
fn report(what: &str, r: &CallToolResult) -> (usize, usize) {
    let out = ok(r);
    let (structured, text_len) = sizes(r);
    eprintln!(
        "{what}: {} of {} bars, text {text_len} B (~{} tokens), structured {structured} B (~{} tokens)",
        out["bars"]["t"].as_array().unwrap().len(),
        out["total_bars"],
        text_len.div_ceil(4),
        structured.div_ceil(4)
    );
    (structured, text_len)
}

/// Tokens as the server estimates them: bytes / 4 of the larger content.
fn tokens(r: &CallToolResult) -> usize {
    let (s, t) = sizes(r);
    s.max(t).div_ceil(4)
}

/// `printed` reads back as `source`'s float32, and one significant digit
/// fewer would not: the shortest form.
fn assert_shortest_f32(printed: &str, source: f64, what: &str) {
    let want = source as f32;
    assert_eq!(
        printed.parse::<f32>().unwrap(),
        want,
        "{what}: {printed} vs {source}"
    );
    let digits = printed
        .trim_start_matches('-')
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .trim_start_matches('0')
        .trim_end_matches('0')
        .len();
    if digits > 1 {
        let shorter: f32 = format!("{:.*e}", digits - 2, want).parse().unwrap();
        assert_ne!(shorter, want, "{what}: {printed} is longer than needed");
    }
}

/// The text content's CSV rows (after the header lines), split in cells.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip_while(|l| !l.starts_with("t,"))
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn every_nse_price_prints_as_the_source_float32_in_json_and_text() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let dir = shared_data::shared_dir().join("data/nse_daily_yahoo");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".NS.csv"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 49);
    let mut checked = 0;
    for file in &files {
        let yahoo_symbol = file.trim_end_matches(".csv");
        let symbol = yahoo_symbol.trim_end_matches(".NS");
        let d = shared_data::yahoo_daily(yahoo_symbol).unwrap();
        let r = call(
            &client,
            CHART,
            json!({"symbol": symbol, "start_date": "2023-03-27", "end_date": "2024-03-28"}),
        )
        .await;
        let out = Value::Object(ok(&r).clone());
        let cols = &out["bars"];
        let text_rows = csv_rows(&text(&r));
        let adj_shown = cols["adj_close"].is_array();
        assert_eq!(
            text_rows.len(),
            cols["t"].as_array().unwrap().len(),
            "{symbol}"
        );
        for (i, t) in cols["t"].as_array().unwrap().iter().enumerate() {
            let t = t.as_str().unwrap();
            let k = d.dates.iter().position(|x| x == t).unwrap();
            let mut fields = vec![
                ("o", d.open[k]),
                ("h", d.high[k]),
                ("l", d.low[k]),
                ("c", d.close[k]),
            ];
            if adj_shown {
                fields.push(("adj_close", d.adj_close[k]));
            }
            let row = &text_rows[i];
            assert_eq!(row[0], t);
            for (j, (key, source)) in fields.iter().enumerate() {
                let printed = cols[*key][i].to_string();
                assert_shortest_f32(&printed, *source, &format!("{symbol} {t} {key}"));
                // JSON writes 638 as 638.0, text as 638: the same number.
                let cell = &row[j + 1];
                assert_shortest_f32(cell, *source, &format!("{symbol} {t} {key} in text"));
                assert_eq!(
                    cell.parse::<f64>().unwrap(),
                    cols[*key][i].as_f64().unwrap(),
                    "{symbol} {t} {key}: text and JSON agree"
                );
                checked += 1;
            }
            assert_eq!(
                cols["v"][i].as_i64().unwrap(),
                d.volume[k] as i64,
                "volumes are integers"
            );
            assert_eq!(row.last().unwrap(), &cols["v"][i].to_string());
        }
    }
    assert!(checked > 49 * 240 * 4, "{checked}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn split_adjusted_us_history_keeps_its_digits() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    let aapl = shared_data::shared_dir().join("data/us_daily/AAPL.csv");
    let out = env
        .command(&[
            "import",
            "--symbol",
            "AAPL",
            "--exchange",
            "US",
            aapl.to_str().unwrap(),
        ])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.set("TRADING_MCP_OFFLINE", "true");
    let args = json!({"symbol": "AAPL", "exchange": "US", "start_date": "1980-12-12", "end_date": "1981-06-30"});
    let (code, stdout, stderr) = env.cli_call(CHART, &args).await;
    assert_eq!(code, 0, "{stderr}");
    let out: Value = serde_json::from_str(&stdout).unwrap();
    let csv = shared_data::Csv::read(&aapl);
    let dates = csv.strings("Date");
    let bars = rows(&out);
    assert!(bars.len() > 100);
    assert_eq!(
        bars[0]["c"].to_string(),
        "0.128348",
        "not rounded to priceHint decimals"
    );
    for b in &bars {
        let t = b["t"].as_str().unwrap();
        let k = dates.iter().position(|x| x == t).unwrap();
        for (key, column) in [
            ("o", "Open"),
            ("h", "High"),
            ("l", "Low"),
            ("c", "Close"),
            ("adj_close", "Adj Close"),
        ] {
            let source = csv.f64s(column)[k];
            assert_shortest_f32(&b[key].to_string(), source, &format!("AAPL {t} {key}"));
        }
    }
}

#[tokio::test]
async fn a_year_of_itc_fits_the_targets_and_five_years_page_at_the_budget() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let r = call(
        &client,
        CHART,
        json!({"symbol": "ITC", "start_date": "2023-03-27", "end_date": "2024-03-28"}),
    )
    .await;
    let out = ok(&r);
    let (structured, text_len) = report("ITC 1y daily", &r);
    assert_eq!(out["truncated"], false);
    assert!(text_len <= 14 * 1024, "text {text_len}");
    assert!(structured <= 26 * 1024, "structured {structured}");
    assert_eq!(
        out["estimated_tokens"].as_u64().unwrap() as usize,
        tokens(&r)
    );
    let header = text(&r).lines().next().unwrap().to_string();
    for part in [
        "ITC (ITC.NS)",
        "1d",
        "dates in Asia/Kolkata",
        "source upstream",
        "of 247 bars",
    ] {
        assert!(header.contains(part), "{part}: {header}");
    }

    // Five years with default arguments: what fits, and a cursor to the rest.
    let r = call(
        &client,
        CHART,
        json!({"symbol": "ITC", "start_date": "2019-03-28", "end_date": "2024-03-28"}),
    )
    .await;
    let out = ok(&r);
    report("ITC 5y daily, default arguments", &r);
    assert!(tokens(&r) <= BUDGET, "{}", tokens(&r));
    assert_eq!(out["truncated"], true);
    assert!(out["next_cursor"].is_string());
    assert!(
        text(&r)
            .lines()
            .next()
            .unwrap()
            .contains("TRUNCATED; next_cursor ")
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_day_of_one_minute_bars_fits_the_default_budget() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_NOW", "2025-10-24T18:00:00+05:30");
    let client = env.stdio_client().await;
    let r = call(
        &client,
        CHART,
        json!({"symbol": "RELIANCE", "interval": "1m", "start_date": "2025-10-20", "end_date": "2025-10-20"}),
    )
    .await;
    let out = ok(&r);
    report("RELIANCE 1m, one day", &r);
    let n = out["bars"]["t"].as_array().unwrap().len();
    assert_eq!(n, 375);
    assert_eq!(out["truncated"], false, "{:?}", out["message"]);
    assert!(tokens(&r) <= BUDGET);
    // Times: RFC 3339 in the structured content, short in the text, with
    // the zone and offset said once.
    assert_eq!(out["bars"]["t"][0], "2025-10-20T09:15:00+05:30");
    assert!(
        out["bars"].get("adj_close").is_none(),
        "adj_close equals c on intraday bars"
    );
    let text = text(&r);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("times Asia/Kolkata (UTC+05:30)"),
        "{text:.300}"
    );
    assert!(
        text.contains("\nt,o,h,l,c,v\n2025-10-20 09:15,"),
        "{text:.400}"
    );
    client.cancel().await.unwrap();
}

/// Every page of a walk back from the newest, with its answer.
async fn walk(client: &Client, tool: &str, args: Value, key: &str) -> Vec<(Value, Vec<String>)> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut a = args.clone();
        if let Some(c) = &cursor {
            a["cursor"] = json!(c);
        }
        let r = call(client, tool, a).await;
        let out = Value::Object(ok(&r).clone());
        assert!(
            tokens(&r) <= BUDGET,
            "page {}: {} tokens",
            pages.len(),
            tokens(&r)
        );
        let times: Vec<String> = match key {
            "bars" => out["bars"]["t"].as_array().unwrap().iter(),
            _ => out["series"].as_array().unwrap().iter(),
        }
        .map(|v| match key {
            "bars" => v.as_str().unwrap().to_string(),
            _ => v["t"].as_str().unwrap().to_string(),
        })
        .collect();
        cursor = out["next_cursor"].as_str().map(str::to_string);
        if cursor.is_some() {
            let m = out["message"].as_str().unwrap();
            assert!(
                m.contains("pass next_cursor as `cursor`"),
                "never cut silently: {m}"
            );
            assert!(out["truncated"] == true);
        }
        pages.push((out, times));
        if cursor.is_none() {
            return pages;
        }
        assert!(pages.len() < 100, "the walk ends");
    }
}

#[tokio::test]
async fn next_cursor_walks_twenty_years_back_to_the_first_bar() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    // An explicit max_points above what the budget holds still pages at it.
    let args = json!({"symbol": "RELIANCE", "start_date": "2000-01-01", "end_date": "2024-03-28", "max_points": 20000});
    let pages = walk(&client, CHART, args, "bars").await;
    let first = &pages[0].0;
    assert!(
        first["message"].as_str().unwrap().contains("limited by the output budget of 8000 tokens; a larger max_points still pages at the budget"),
        "{}",
        first["message"]
    );
    // Newest page first: reversed, the pages join without gaps or overlaps.
    let mut all: Vec<String> = Vec::new();
    for (_, times) in pages.iter().rev() {
        if let (Some(prev), Some(next)) = (all.last(), times.first()) {
            assert!(prev < next, "{prev} then {next}");
        }
        all.extend(times.iter().cloned());
    }
    let d = shared_data::yahoo_daily("RELIANCE.NS").unwrap();
    assert_eq!(all, d.dates, "every bar exactly once, in order");
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), all.len());
    eprintln!(
        "RELIANCE 2000-2024: {} bars in {} pages",
        all.len(),
        pages.len()
    );
    assert!(pages.len() >= 10);
    assert_eq!(yahoo.count(), 1, "later pages come from memory");

    // The indicator tool pages the same way, its values unchanged by paging.
    let args = json!({"symbol": "RELIANCE", "indicators": [{"name": "RSI"}, {"name": "SMA"}, {"name": "MACD"}], "start_date": "2010-01-01", "end_date": "2024-03-28", "max_points": 20000});
    let pages = walk(&client, IND, args.clone(), "series").await;
    assert!(pages.len() >= 2, "{}", pages.len());
    let mut rows: Vec<Value> = pages
        .iter()
        .rev()
        .flat_map(|(out, _)| out["series"].as_array().unwrap().clone())
        .collect();
    let dates: Vec<&str> = rows.iter().map(|r| r["t"].as_str().unwrap()).collect();
    let want: Vec<&str> = d
        .dates
        .iter()
        .map(String::as_str)
        .filter(|t| *t >= "2010-01-01")
        .collect();
    assert_eq!(dates, want);
    let oldest = pages.last().unwrap().0["series"][0].clone();
    rows.truncate(1);
    assert_eq!(rows[0], oldest);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn bad_foreign_and_stale_cursors_get_clear_errors() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let args = json!({"symbol": "TCS", "start_date": "2015-01-01", "end_date": "2024-03-28"});
    for junk in ["", "not-a-cursor", "YzE6Ojo6", "%%%"] {
        let mut a = args.clone();
        a["cursor"] = json!(junk);
        let e = tool_error(&call(&client, CHART, a).await);
        assert!(e.contains("not a cursor this server issued"), "{junk}: {e}");
    }
    assert_eq!(yahoo.count(), 0, "a bad cursor is refused before any fetch");
    let r = call(&client, CHART, args.clone()).await;
    let cursor = ok(&r)["next_cursor"].as_str().unwrap().to_string();
    let mut other = json!({"symbol": "INFY", "start_date": "2015-01-01", "end_date": "2024-03-28"});
    other["cursor"] = json!(cursor);
    let e = tool_error(&call(&client, CHART, other).await);
    assert!(
        e.contains("belongs to a request with other arguments"),
        "{e}"
    );
    let mut page2 = args.clone();
    page2["cursor"] = json!(cursor);
    let r = call(&client, CHART, page2).await;
    assert!(ok(&r)["bars"]["t"].as_array().unwrap().len() > 100);
    client.cancel().await.unwrap();

    // Dates left out default from today: a day later, the range has moved.
    let defaults = json!({"symbol": "TCS"});
    env.set("TRADING_MCP_NOW", "2024-03-29T20:00:00+05:30");
    env.set("TRADING_MCP_OUTPUT_BUDGET_TOKENS", "1000");
    let (code, stdout, stderr) = env.cli_call(CHART, &defaults).await;
    assert_eq!(code, 0, "{stderr}");
    let out: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        out["estimated_tokens"].as_u64().unwrap() <= 1000,
        "the flag sets the budget"
    );
    let cursor = out["next_cursor"].as_str().unwrap().to_string();
    env.set("TRADING_MCP_NOW", "2024-04-02T20:00:00+05:30");
    let mut again = defaults.clone();
    again["cursor"] = json!(cursor);
    let (code, stdout, stderr) = env.cli_call(CHART, &again).await;
    assert_eq!(code, 1, "a tool error: {stdout}");
    assert!(
        stderr.contains("is stale: the range these arguments name has moved"),
        "{stderr}"
    );
}

#[tokio::test]
async fn resample_true_returns_coarser_bars_that_fit_and_says_so() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let r = call(
        &client,
        CHART,
        json!({"symbol": "RELIANCE", "start_date": "2000-01-01", "end_date": "2024-03-28", "max_points": 20000, "resample": true}),
    )
    .await;
    let out = ok(&r);
    assert_eq!(out["resampled_from"], "1d");
    assert_eq!(
        out["interval"], "1mo",
        "weekly bars of 24 years do not fit 8000 tokens"
    );
    assert_eq!(out["truncated"], false);
    assert!(out["next_cursor"].is_null());
    assert!(tokens(&r) <= BUDGET);
    let m = out["message"].as_str().unwrap();
    assert!(
        m.contains("1d bars resampled to") && m.contains("1mo bars to fit the output budget"),
        "{m}"
    );
    assert_eq!(out["bars"]["t"][0], "2000-01-01");
    assert!(
        text(&r)
            .lines()
            .next()
            .unwrap()
            .contains("1mo (resampled from 1d)")
    );
    // A range that fits is not resampled.
    let r = call(
        &client,
        CHART,
        json!({"symbol": "RELIANCE", "start_date": "2024-01-01", "end_date": "2024-03-28", "resample": true}),
    )
    .await;
    assert_eq!(ok(&r)["interval"], "1d");
    assert!(ok(&r).get("resampled_from").is_none());
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn precision_rounds_only_the_rendering() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let args = |precision: Option<i64>| {
        let mut a = json!({"symbol": "RELIANCE", "indicator": "RSI", "start_date": "2023-06-01", "end_date": "2024-03-28"});
        if let Some(p) = precision {
            a["precision"] = json!(p);
        }
        a
    };
    let full = call(&client, IND, args(Some(17))).await;
    let default = call(&client, IND, args(None)).await;
    let three = call(&client, IND, args(Some(3))).await;
    let full = ok(&full);
    // The library over the same bars (warm-up included), at full precision.
    let d = shared_data::yahoo_daily("RELIANCE.NS").unwrap();
    let first = d.dates.iter().position(|t| t == "2023-06-01").unwrap();
    let history = full["history_bars_used"].as_u64().unwrap() as usize;
    let last = d.dates.iter().position(|t| t == "2024-03-28").unwrap();
    let slice = |v: &[f64]| v[first - history..=last].to_vec();
    let (o, h, l, c, v) = (
        slice(&d.open),
        slice(&d.high),
        slice(&d.low),
        slice(&d.close),
        slice(&d.volume),
    );
    let ts: Vec<i64> = (0..c.len() as i64).collect();
    let bars = indicators::Ohlcv {
        open: &o,
        high: &h,
        low: &l,
        close: &c,
        volume: &v,
        ts: &ts,
        utc_offset_secs: 19_800,
        intraday: false,
    };
    let spec = indicators::find("RSI").unwrap();
    let params = indicators::resolve_params(spec, &[]).unwrap();
    let want = indicators::compute(spec, &bars, &params).unwrap().remove(0);
    let series = full["series"].as_array().unwrap();
    assert_eq!(series.len(), last - first + 1);
    for (i, row) in series.iter().enumerate() {
        assert_eq!(
            row["rsi"].as_f64().unwrap(),
            want[history + i],
            "precision 17 is exact at {}",
            row["t"]
        );
    }
    for (row, f) in ok(&default)["series"]
        .as_array()
        .unwrap()
        .iter()
        .zip(series)
    {
        let (x, y) = (row["rsi"].as_f64().unwrap(), f["rsi"].as_f64().unwrap());
        assert!(
            (x - y).abs() <= 1e-9 * y.abs().max(1.0),
            "default within 1e-9: {x} {y}"
        );
        assert!(
            row["rsi"]
                .to_string()
                .trim_start_matches('-')
                .replace('.', "")
                .trim_start_matches('0')
                .len()
                <= 10
        );
    }
    for row in ok(&three)["series"].as_array().unwrap() {
        let s = row["rsi"].to_string();
        assert!(
            s.replace('.', "").trim_start_matches('0').len() <= 3,
            "3 digits: {s}"
        );
    }
    for bad in [0, 18, -1] {
        let e = tool_error(&call(&client, IND, args(Some(bad))).await);
        assert!(e.contains("precision must be 1 to 17"), "{e}");
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn compare_and_screen_share_one_budget_across_their_parts() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let symbols = [
        "TCS",
        "INFY",
        "WIPRO",
        "HCLTECH",
        "TECHM",
        "RELIANCE",
        "ITC",
        "SBIN",
        "ICICIBANK",
        "HDFCBANK",
    ];
    let r = call(
        &client,
        "compare_symbols",
        json!({"symbols": symbols, "start_date": "2018-01-01", "end_date": "2023-11-09", "include_series": true, "max_points": 20000}),
    )
    .await;
    let out = ok(&r);
    assert!(tokens(&r) <= BUDGET, "{}", tokens(&r));
    assert_eq!(out["series_truncated"], true);
    let m = out["message"].as_str().unwrap();
    assert!(
        m.contains("limited by the output budget of 8000 tokens, shared by the 11 series"),
        "{m}"
    );
    let series = out["series"].as_array().unwrap();
    assert_eq!(series.len(), 11);
    let n = series[0]["points"].as_array().unwrap().len();
    assert!(
        series
            .iter()
            .all(|s| s["points"].as_array().unwrap().len() == n)
    );
    assert!(n > 20 && n < out["aligned_dates"].as_u64().unwrap() as usize);
    // The text carries the series too.
    assert_eq!(csv_rows(&text(&r)).len(), n, "{}", text(&r));

    // A screen's matches and the pattern tool's occurrences are cut at the
    // budget too, newest first, with counts over all of them.
    let r = call(
        &client,
        "detect_candlestick_patterns",
        json!({"symbol": "RELIANCE", "start_date": "2020-01-01", "end_date": "2024-03-28"}),
    )
    .await;
    let out = ok(&r);
    assert!(tokens(&r) <= BUDGET);
    let listed = out["occurrences"].as_array().unwrap().len();
    let total = out["total_occurrences"].as_u64().unwrap() as usize;
    assert!(
        listed < total && out["truncated"] == true,
        "{listed} of {total}"
    );
    let counted: u64 = out["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, total);
    let m = out["message"].as_str().unwrap();
    assert!(
        m.contains("limited by the output budget of 8000 tokens") && m.contains("end_date"),
        "{m}"
    );
    let r = call(
        &client,
        "screen_stocks",
        json!({"conditions": "close > 0", "as_of": "2024-03-28", "limit": 200}),
    )
    .await;
    let out = ok(&r);
    assert!(tokens(&r) <= BUDGET);
    let listed = out["matches"].as_array().unwrap().len();
    assert!(listed > 0 && listed <= out["total_matches"].as_u64().unwrap() as usize);
    if listed < out["total_matches"].as_u64().unwrap() as usize {
        assert!(
            out["message"].as_str().unwrap().contains("limited by"),
            "{out:?}"
        );
    }
    client.cancel().await.unwrap();
}
