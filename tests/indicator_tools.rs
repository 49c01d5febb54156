//! The indicator and pattern tools, black-box over stdio, checked against
//! TA-Lib's reference outputs.

mod shared_data;
mod support;

use serde_json::{Value, json};
use support::*;

const IND: &str = "calculate_technical_indicator";
const PAT: &str = "detect_candlestick_patterns";

fn reference_column(symbol: &str, column: &str) -> Vec<(String, f64)> {
    let r = shared_data::talib_reference(symbol);
    let values = r.csv.f64s(column);
    r.dates.into_iter().zip(values).collect()
}

fn assert_matches_reference(series: &[Value], key: &str, reference: &[(String, f64)]) {
    assert!(!series.is_empty());
    for row in series {
        let t = row["t"].as_str().unwrap();
        let (_, want) = reference
            .iter()
            .find(|(d, _)| d == t)
            .unwrap_or_else(|| panic!("{t} not in reference"));
        let got = row[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} at {t} is {}", row[key]));
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{key} at {t}: ours {got}, TA-Lib {want}"
        );
    }
}

#[tokio::test]
async fn rsi_with_warm_up_matches_talib_from_the_first_returned_bar() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let r = call(&client, IND, json!({"symbol": "RELIANCE", "indicator": "RSI", "start_date": "2023-06-01", "end_date": "2024-03-28"})).await;
    let out = ok(&r);
    let series = out["series"].as_array().unwrap();
    assert_eq!(series[0]["t"], "2023-06-01");
    assert_eq!(series.last().unwrap()["t"], "2024-03-28");
    assert_matches_reference(series, "rsi", &reference_column("RELIANCE.NS", "RSI_14"));
    assert!(out["history_bars_used"].as_u64().unwrap() >= 14);
    let ind = &out["indicators"][0];
    assert_eq!(ind["params"]["timeperiod"], 14.0);
    let reading = ind["reading"].as_str().unwrap();
    let latest = out["latest"]["rsi"].as_f64().unwrap();
    assert!(
        reading.starts_with(&format!("RSI {latest:.1}: ")),
        "{reading}"
    );
    assert_eq!(yahoo.count(), 1);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn several_indicators_over_one_fetch() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let r = call(
        &client,
        IND,
        json!({"symbol": "TCS", "start_date": "2023-01-01", "end_date": "2024-03-28", "indicators": [
            {"name": "SMA", "params": {"timeperiod": 20}},
            {"name": "sma", "params": {"timeperiod": 50}},
            {"name": "MACD"},
            {"name": "EMA", "params": {"timeperiod": 50}},
            {"name": "BBANDS", "params": {"timeperiod": 20, "nbdevup": 2, "nbdevdn": 2, "matype": 0}},
        ]}),
    )
    .await;
    let out = ok(&r);
    let series = out["series"].as_array().unwrap();
    let row = &series[0];
    for key in [
        "sma_20",
        "sma_50",
        "macd_12_26_9_macd",
        "macd_12_26_9_macdsignal",
        "macd_12_26_9_macdhist",
        "ema_50",
        "bbands_20_2_2_0_upperband",
    ] {
        assert!(row[key].is_f64(), "{key} missing in {row}");
    }
    assert_matches_reference(series, "sma_20", &reference_column("TCS.NS", "SMA_20"));
    assert_matches_reference(series, "sma_50", &reference_column("TCS.NS", "SMA_50"));
    assert_matches_reference(series, "ema_50", &reference_column("TCS.NS", "EMA_50"));
    assert_matches_reference(
        series,
        "macd_12_26_9_macdsignal",
        &reference_column("TCS.NS", "MACD_12_26_9_signal"),
    );
    assert_matches_reference(
        series,
        "bbands_20_2_2_0_lowerband",
        &reference_column("TCS.NS", "BBANDS_20_2_lower"),
    );
    assert_eq!(yahoo.count(), 1, "one fetch for all five");
    client.cancel().await.unwrap();
}

/// The INFY bars the fake serves from `first` (inclusive) with `history`
/// bars before it, up to `last`: (dates, high, low, close).
fn infy_bars(first: &str, history: usize, last: &str) -> (Vec<String>, [Vec<f64>; 3]) {
    let d = shared_data::yahoo_daily("INFY.NS").unwrap();
    let rows: Vec<usize> = (0..d.dates.len())
        .filter(|&i| {
            [d.open[i], d.high[i], d.low[i], d.close[i]]
                .iter()
                .all(|x| x.is_finite())
        })
        .filter(|&i| d.dates[i].as_str() <= last)
        .collect();
    let at = rows.iter().position(|&i| d.dates[i] == first).unwrap();
    let rows = &rows[at - history..];
    let col = |c: &[f64]| rows.iter().map(|&i| c[i]).collect::<Vec<f64>>();
    (
        rows.iter().map(|&i| d.dates[i].clone()).collect(),
        [col(&d.high), col(&d.low), col(&d.close)],
    )
}

#[tokio::test]
async fn supertrend_through_the_tool_equals_the_library_on_the_served_bars() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let r = call(&client, IND, json!({"symbol": "INFY", "indicator": "SUPERTREND", "params": {"period": 10, "multiplier": 3}, "start_date": "2024-01-01", "end_date": "2024-03-28"})).await;
    let out = ok(&r);
    let series = out["series"].as_array().unwrap();
    let history = out["history_bars_used"].as_u64().unwrap() as usize;
    assert!(
        history >= 10,
        "warm-up of at least the ATR period: {history}"
    );
    let first = series[0]["t"].as_str().unwrap();
    assert_eq!(first, "2024-01-01");
    let (dates, [h, l, c]) = infy_bars(first, history, "2024-03-28");
    let want = trading_mcp::indicators::trader::supertrend(&h, &l, &c, 10, 3.0).unwrap();
    assert_eq!(dates.len(), history + series.len());
    let mut flips = 0;
    for (k, row) in series.iter().enumerate() {
        let i = history + k;
        assert_eq!(row["t"], dates[i].as_str());
        for (key, col) in [
            ("supertrend", &want.supertrend),
            ("direction", &want.direction),
            ("upper", &want.upper),
            ("lower", &want.lower),
        ] {
            let got = row[key]
                .as_f64()
                .unwrap_or_else(|| panic!("{key} at {}", dates[i]));
            assert!(
                (got - col[i]).abs() <= 1e-9 * col[i].abs().max(1.0),
                "{key} at {}: tool {got}, library {}",
                dates[i],
                col[i]
            );
        }
        // The stop is the band on the trend's side, below the close in an
        // uptrend and above it in a downtrend.
        let (st, dir, close) = (want.supertrend[i], want.direction[i], c[i]);
        if dir > 0.0 {
            assert_eq!(st, want.lower[i]);
            assert!(st <= close, "{}", dates[i]);
        } else {
            assert_eq!(st, want.upper[i]);
            assert!(st >= close, "{}", dates[i]);
        }
        if k > 0 && want.direction[i] != want.direction[i - 1] {
            flips += 1;
        }
    }
    assert!(flips > 0, "the quarter has at least one trend change");
    assert_eq!(out["latest"], *series.last().unwrap());
    assert_eq!(yahoo.count(), 1);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn readings_state_the_latest_value_against_the_levels() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    // TA-Lib on INFY 2024-03-28: STOCH 7.99, MFI 28.50, WILLR -90.64, CCI(20) -134.50.
    for (name, params, key, column, reading) in [
        (
            "STOCH",
            json!({}),
            "slowk",
            "STOCH_5_3_3_slowk",
            "Stochastic %K 8.0: below 20, oversold",
        ),
        (
            "MFI",
            json!({}),
            "mfi",
            "MFI_14",
            "MFI 28.5: between 20 and 80, neutral",
        ),
        (
            "WILLR",
            json!({}),
            "willr",
            "WILLR_14",
            "Williams %R -90.6: below -80, oversold",
        ),
        (
            "CCI",
            json!({"timeperiod": 20}),
            "cci",
            "CCI_20",
            "CCI -134.5: below -100, oversold",
        ),
    ] {
        let r = call(&client, IND, json!({"symbol": "INFY", "indicator": name, "params": params, "start_date": "2024-01-01", "end_date": "2024-03-28"})).await;
        let out = ok(&r);
        let reference = reference_column("INFY.NS", column);
        assert_matches_reference(out["series"].as_array().unwrap(), key, &reference);
        let latest = out["latest"][key].as_f64().unwrap();
        let want = reference.iter().find(|(d, _)| d == "2024-03-28").unwrap().1;
        assert!(
            (latest - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{name}: {latest} vs {want}"
        );
        assert_eq!(out["indicators"][0]["reading"], reading, "{name}");
        assert!(
            text(&r).contains(&format!("# {reading}\n")),
            "{name}: {}",
            text(&r)
        );
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn indicator_errors_name_the_valid_choices() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let e = tool_error(&call(&client, IND, json!({"symbol": "TCS", "indicator": "RSII"})).await);
    let valid: Vec<&str> = trading_mcp::indicators::registry()
        .iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(
        e,
        format!(
            "unknown indicator 'RSII'; valid choices: {}",
            valid.join(", ")
        )
    );
    assert!(e.contains(", RSI, "), "{e}");
    let e = tool_error(
        &call(
            &client,
            IND,
            json!({"symbol": "TCS", "indicator": "RSI", "params": {"timeperiod": 0}}),
        )
        .await,
    );
    assert!(
        e.contains("timeperiod") && e.contains("must be in 2..=100000"),
        "{e}"
    );
    let e = tool_error(
        &call(
            &client,
            IND,
            json!({"symbol": "TCS", "indicator": "RSI", "params": {"period": 14}}),
        )
        .await,
    );
    assert!(e.contains("valid parameters: timeperiod"), "{e}");
    let e = tool_error(&call(&client, IND, json!({"symbol": "TCS", "indicator": "MACD", "params": {"fastperiod": 30, "slowperiod": 10}})).await);
    assert!(e.contains("fast"), "{e}");
    let e = tool_error(&call(&client, IND, json!({"symbol": "TCS", "indicator": "SMA", "params": {"timeperiod": 50000}, "start_date": "2024-03-01", "end_date": "2024-03-28"})).await);
    assert!(
        e.contains("not enough data") && e.contains("widen start_date"),
        "{e}"
    );
    let e = tool_error(&call(&client, IND, json!({"symbol": "TCS"})).await);
    assert!(e.contains("name an indicator"), "{e}");
    let e = tool_error(
        &call(
            &client,
            PAT,
            json!({"symbol": "TCS", "patterns": ["CDLNOPE"]}),
        )
        .await,
    );
    assert!(
        e.contains("unknown candlestick pattern") && e.contains("CDLDOJI"),
        "{e}"
    );
    // Still serving.
    ok(&call(&client, IND, json!({"symbol": "TCS", "indicator": "ATR", "start_date": "2024-03-01", "end_date": "2024-03-28"})).await);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn patterns_match_talib_newest_first_with_counts() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    // Every occurrence of 15 months in one answer (the default budget cuts
    // them, tests/output_budget.rs).
    env.set("TRADING_MCP_OUTPUT_BUDGET_TOKENS", "200000");
    let client = env.stdio_client().await;
    let r = call(
        &client,
        PAT,
        json!({"symbol": "RELIANCE", "start_date": "2023-01-01", "end_date": "2024-03-28"}),
    )
    .await;
    let out = ok(&r);
    let occ = out["occurrences"].as_array().unwrap();
    assert!(!occ.is_empty());
    let dates: Vec<&str> = occ.iter().map(|o| o["t"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    // Every reference code in the range appears, and nothing else.
    let reference = shared_data::talib_reference("RELIANCE.NS");
    let mut expected = 0;
    for spec in trading_mcp::patterns::registry() {
        let codes = reference.csv.f64s(spec.name);
        for (d, c) in reference.dates.iter().zip(codes) {
            if d.as_str() >= "2023-01-01" && c != 0.0 {
                expected += 1;
                let hit = occ
                    .iter()
                    .find(|o| o["t"] == d.as_str() && o["pattern"] == spec.name);
                let hit = hit.unwrap_or_else(|| panic!("{} on {d} missing", spec.name));
                assert_eq!(hit["code"].as_f64().unwrap(), c);
                assert_eq!(hit["signal"], if c > 0.0 { "bullish" } else { "bearish" });
            }
        }
    }
    assert_eq!(occ.len(), expected);
    let counts = out["counts"].as_object().unwrap();
    assert_eq!(
        counts.values().map(|v| v.as_u64().unwrap()).sum::<u64>() as usize,
        expected
    );

    let only = call(&client, PAT, json!({"symbol": "RELIANCE", "start_date": "2023-01-01", "end_date": "2024-03-28", "patterns": ["doji", "CDLENGULFING"]})).await;
    let only = ok(&only);
    assert_eq!(only["patterns_checked"], 2);
    assert!(
        only["occurrences"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["pattern"] == "CDLDOJI" || o["pattern"] == "CDLENGULFING")
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn list_indicators_describes_everything_and_matches_the_tool_schema() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let out = call(&client, "list_indicators", json!({})).await;
    let out = ok(&out);
    let inds = out["indicators"].as_array().unwrap();
    let names: Vec<&str> = inds.iter().map(|i| i["name"].as_str().unwrap()).collect();
    for n in [
        "SMA",
        "RSI",
        "MACD",
        "BBANDS",
        "SAR",
        "ADX",
        "OBV",
        "ATR",
        "LINEARREG_SLOPE",
        "TYPPRICE",
        "VWAP",
        "SUPERTREND",
        "ICHIMOKU",
        "KELTNER",
        "DONCHIAN",
        "PIVOT_CLASSIC",
        "HEIKIN_ASHI",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    let rsi = inds.iter().find(|i| i["name"] == "RSI").unwrap();
    assert_eq!(rsi["params"][0]["name"], "timeperiod");
    assert_eq!(rsi["params"][0]["default"], 14.0);
    assert_eq!(out["patterns"].as_array().unwrap().len(), 61);
    let tools = client.list_all_tools().await.unwrap();
    let calc = tools.iter().find(|t| t.name == IND).unwrap();
    let enum_names: Vec<&str> = calc.input_schema["properties"]["indicator"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(enum_names, names, "schema and list come from one table");
    client.cancel().await.unwrap();
}
