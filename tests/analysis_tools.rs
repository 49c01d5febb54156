//! The multi-symbol tools and custom indicators through the real binary
//! and the fake Yahoo, checked against numbers computed here from the
//! shared CSVs: `compare_symbols` statistics, `screen_stocks` against a
//! plain loop over the registry's functions at three dates, an expression
//! against the registry calls it is made of, and OBV/AD from the first
//! trade against TA-Lib's full-history reference.

mod shared_data;
mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use support::*;
use trading_mcp::indicators;

/// Close by date, for a shared daily file (rows without a close dropped).
fn closes(symbol: &str) -> BTreeMap<String, f64> {
    let d = shared_data::yahoo_daily(symbol).unwrap();
    d.dates
        .iter()
        .zip(&d.close)
        .filter(|(_, c)| c.is_finite())
        .map(|(t, c)| (t.clone(), *c))
        .collect()
}

fn close_to(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * b.abs().max(1.0),
        "{what}: tool {a} vs independent {b}"
    );
}

#[tokio::test]
async fn compare_symbols_matches_returns_computed_from_the_csvs() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let result = call(
        &client,
        "compare_symbols",
        json!({"symbols": ["TCS", "INFY", "WIPRO"], "start_date": "2023-01-01", "end_date": "2023-12-29",
               "risk_free_rate": 0.065, "include_series": true, "max_points": 100}),
    )
    .await;
    let out = ok(&result);
    assert_eq!(
        out["benchmark"]["yahoo_symbol"], "^NSEI",
        "NIFTY for Indian symbols"
    );

    // Independently: the dates all four traded in 2023, and the statistics.
    let names = ["TCS.NS", "INFY.NS", "WIPRO.NS", "^NSEI"];
    let series: Vec<BTreeMap<String, f64>> = names
        .iter()
        .map(|s| {
            closes(s)
                .into_iter()
                .filter(|(t, _)| t.as_str() >= "2023-01-01" && t.as_str() <= "2023-12-29")
                .collect()
        })
        .collect();
    let union: BTreeSet<&String> = series.iter().flat_map(|s| s.keys()).collect();
    let dates: Vec<&String> = union
        .iter()
        .copied()
        .filter(|t| series.iter().all(|s| s.contains_key(*t)))
        .collect();
    assert_eq!(out["aligned_dates"], dates.len());
    assert_eq!(out["dropped_dates"], union.len() - dates.len());
    assert_eq!(out["start"], **dates.first().unwrap());
    let cols: Vec<Vec<f64>> = series
        .iter()
        .map(|s| dates.iter().map(|t| s[*t]).collect())
        .collect();
    let rets: Vec<Vec<f64>> = cols
        .iter()
        .map(|c| (1..c.len()).map(|i| (c[i] / c[i - 1]).ln()).collect())
        .collect();
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let cov = |x: &[f64], y: &[f64]| {
        let (mx, my) = (mean(x), mean(y));
        x.iter()
            .zip(y)
            .map(|(a, b)| (a - mx) * (b - my))
            .sum::<f64>()
            / (x.len() - 1) as f64
    };
    let bench = &rets[3];
    for (i, stats) in out["symbols"].as_array().unwrap().iter().enumerate() {
        let c = &cols[i];
        let r = &rets[i];
        let total = c[c.len() - 1] / c[0] - 1.0;
        let vol = cov(r, r).sqrt() * 252f64.sqrt();
        let annual = (1.0 + total).powf(252.0 / r.len() as f64) - 1.0;
        let sharpe = (mean(r) * 252.0 - 0.065) / vol;
        let beta = cov(r, bench) / cov(bench, bench);
        let corr = cov(r, bench) / (cov(r, r).sqrt() * cov(bench, bench).sqrt());
        let (mut peak, mut worst) = (c[0], 0.0f64);
        for &x in c {
            peak = peak.max(x);
            worst = worst.min(x / peak - 1.0);
        }
        let f = |k: &str| stats[k].as_f64().unwrap();
        let name = names[i];
        close_to(f("total_return"), total, &format!("{name} total return"));
        close_to(
            f("annualized_return"),
            annual,
            &format!("{name} annualised"),
        );
        close_to(f("volatility"), vol, &format!("{name} volatility"));
        close_to(f("sharpe"), sharpe, &format!("{name} sharpe"));
        close_to(f("max_drawdown"), worst, &format!("{name} drawdown"));
        close_to(f("beta"), beta, &format!("{name} beta"));
        close_to(f("correlation"), corr, &format!("{name} correlation"));
    }
    let matrix = out["correlation_matrix"].as_array().unwrap();
    let c01 =
        cov(&rets[0], &rets[1]) / (cov(&rets[0], &rets[0]).sqrt() * cov(&rets[1], &rets[1]).sqrt());
    close_to(matrix[0][1].as_f64().unwrap(), c01, "TCS/INFY correlation");
    close_to(matrix[1][1].as_f64().unwrap(), 1.0, "diagonal");

    // The series share one budget: 100 points over four series.
    let s = out["series"].as_array().unwrap();
    assert_eq!(s.len(), 4);
    assert!(
        s.iter()
            .all(|x| x["points"].as_array().unwrap().len() == 25)
    );
    assert_eq!(out["series_truncated"], true);
    assert!(
        out["message"]
            .as_str()
            .unwrap()
            .contains("raise max_points")
    );
}

#[tokio::test]
async fn compare_symbols_refuses_bad_arguments_before_any_fetch() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    for (args, expected) in [
        (json!({"symbols": ["TCS"]}), "give 2 to 20"),
        (
            json!({"symbols": ["TCS", "INFY"], "interval": "5m"}),
            "1d, 1wk or 1mo",
        ),
        (
            json!({"symbols": ["TCS", "INFY"], "risk_free_rate": 6.5}),
            "annual fraction",
        ),
        (json!({"symbols": ["TCS", "IN FY!"]}), "IN FY!"),
    ] {
        let e = tool_error(&call(&client, "compare_symbols", args.clone()).await);
        assert!(e.contains(expected), "{args}: {e}");
    }
    assert_eq!(yahoo.count(), 0);
}

/// The 49 shared NSE symbols, without their suffix.
fn shared_universe() -> Vec<String> {
    let dir = shared_data::shared_dir().join("data/nse_daily_yahoo");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".NS.csv").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_screener_finds_exactly_what_a_plain_loop_finds() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let universe = shared_universe();
    assert_eq!(universe.len(), 49);
    let mut matched_somewhere = 0;
    for as_of in ["2019-06-28", "2022-03-15", "2024-03-28"] {
        let args = json!({"universe": universe, "conditions": "rsi(14) < 60 and close > sma(50)",
                          "as_of": as_of, "sort_by": "rsi(14) desc", "limit": 200});
        let result = call(&client, "screen_stocks", args).await;
        let out = ok(&result);
        let found: BTreeSet<String> = out["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["symbol"].as_str().unwrap().to_string())
            .collect();

        let mut expected = BTreeSet::new();
        let mut unknown = BTreeSet::new();
        for s in &universe {
            let c: Vec<f64> = closes(&format!("{s}.NS"))
                .into_iter()
                .filter(|(t, _)| t.as_str() <= as_of)
                .map(|(_, c)| c)
                .collect();
            if c.len() < 60 {
                unknown.insert(s.clone());
                continue;
            }
            let rsi = *indicators::rsi(&c, 14).unwrap().last().unwrap();
            let sma = *indicators::sma(&c, 50).unwrap().last().unwrap();
            if rsi < 60.0 && c[c.len() - 1] > sma {
                expected.insert(s.clone());
            }
        }
        assert_eq!(found, expected, "as of {as_of}");
        let not: BTreeSet<String> = out["not_evaluated"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["symbol"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(not, unknown, "as of {as_of}: {}", out["not_evaluated"]);
        // Sorted by RSI, highest first, with every term's value.
        let rsis: Vec<f64> = out["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["sort_value"].as_f64().unwrap())
            .collect();
        assert!(rsis.windows(2).all(|w| w[0] >= w[1]), "{rsis:?}");
        for m in out["matches"].as_array().unwrap() {
            let terms: Vec<&str> = m["terms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["term"].as_str().unwrap())
                .collect();
            assert_eq!(terms, ["rsi(14)", "close", "sma(50)"]);
            assert!(m["date"].as_str().unwrap() <= as_of);
        }
        matched_somewhere += found.len();
    }
    assert!(
        matched_somewhere > 5,
        "the screen must find something to compare"
    );
}

#[tokio::test]
async fn the_screener_defaults_to_nifty_50_and_says_membership_is_todays() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let result = call(
        &client,
        "screen_stocks",
        json!({"conditions": "close > 0", "as_of": "2024-03-28"}),
    )
    .await;
    let out = ok(&result);
    assert_eq!(out["universe"], "NIFTY 50");
    assert_eq!(out["symbols_screened"], 50);
    assert!(out["note"].as_str().unwrap().contains("survivorship"));
    // Members without shared data are reported, not silently dropped.
    let screened = out["total_matches"].as_u64().unwrap()
        + out["not_evaluated"].as_array().unwrap().len() as u64;
    assert_eq!(screened, 50);
    assert_eq!(
        out["matches"].as_array().unwrap().len(),
        20,
        "default limit"
    );

    for (args, expected) in [
        (json!({"conditions": "rsi(14)"}), "not a condition"),
        (json!({"conditions": "rsi(14) <"}), "at 10"),
        (json!({"conditions": "smaa(20) > 1"}), "did you mean 'sma'"),
        (
            json!({"conditions": "close > 0", "universe": "DOWJONES"}),
            "not an index",
        ),
        (
            json!({"conditions": "close > 0", "as_of": "2030-01-01"}),
            "after today",
        ),
        (json!({"conditions": "close > 0", "limit": 0}), "limit 0"),
    ] {
        let e = tool_error(&call(&client, "screen_stocks", args.clone()).await);
        assert!(e.contains(expected), "{args}: {e}");
    }
}

#[tokio::test]
async fn an_expression_equals_the_registry_calls_it_is_made_of() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    // Full precision on both sides: bit for bit, not to 10 digits.
    let range = json!({"symbol": "RELIANCE", "start_date": "2023-06-01", "end_date": "2024-03-28", "max_points": 1000, "precision": 17});
    let mut custom = range.clone();
    custom["expression"] = json!("sma(close, 20) - sma(close, 50)");
    let mut parts = range.clone();
    parts["indicators"] = json!([{"name": "SMA", "params": {"timeperiod": 20}}, {"name": "SMA", "params": {"timeperiod": 50}}]);
    let custom = call(&client, "calculate_technical_indicator", custom).await;
    let parts = call(&client, "calculate_technical_indicator", parts).await;
    let (custom, parts) = (ok(&custom), ok(&parts));
    assert_eq!(custom["indicators"][0]["name"], "EXPRESSION");
    let label = custom["indicators"][0]["label"].as_str().unwrap();
    assert_eq!(label, "sma(20) - sma(50)");
    let rows = custom["series"].as_array().unwrap();
    let part_rows = parts["series"].as_array().unwrap();
    assert_eq!(rows.len(), part_rows.len());
    for (a, b) in rows.iter().zip(part_rows) {
        assert_eq!(a["t"], b["t"]);
        let want = b["sma_20"].as_f64().unwrap() - b["sma_50"].as_f64().unwrap();
        assert_eq!(
            a[label].as_f64().unwrap(),
            want,
            "bit for bit at {}",
            a["t"]
        );
    }

    // Its warm-up comes from the expression: ema(rsi(14), 9) has a value
    // on the first requested day.
    let mut smooth = range.clone();
    smooth["expression"] = json!("ema(rsi(14), 9)");
    let smooth = call(&client, "calculate_technical_indicator", smooth).await;
    let first = &ok(&smooth)["series"][0];
    assert!(first["ema(rsi(14), 9)"].as_f64().is_some(), "{first}");

    for (extra, expected) in [
        (json!({"expression": "sma(close, 20) -"}), "expression:"),
        (json!({"expression": "macd()"}), "macd"),
        (
            json!({"expression": "rsi(14)", "indicator": "RSI"}),
            "not several",
        ),
        (
            json!({"expression": "rsi(14)", "params": {"timeperiod": 3}}),
            "in the call",
        ),
    ] {
        let mut args = range.clone();
        for (k, v) in extra.as_object().unwrap() {
            args[k] = v.clone();
        }
        let e = tool_error(&call(&client, "calculate_technical_indicator", args).await);
        assert!(e.contains(expected), "{extra}: {e}");
    }
}

#[tokio::test]
async fn obv_and_ad_through_the_tool_equal_talib_on_full_history() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    for symbol in ["TCS.NS", "INFY.NS"] {
        let reference = shared_data::talib_reference(symbol);
        let result = call(
            &client,
            "calculate_technical_indicator",
            json!({"symbol": symbol, "start_date": "2023-06-01", "end_date": "2024-03-28",
                   "indicators": [{"name": "OBV"}, {"name": "AD"}], "max_points": 1000}),
        )
        .await;
        let out = ok(&result);
        let obv = reference.csv.f64s("OBV");
        let ad = reference.csv.f64s("AD");
        let by_date: BTreeMap<&str, usize> = reference
            .dates
            .iter()
            .enumerate()
            .map(|(i, d)| (d.as_str(), i))
            .collect();
        let rows = out["series"].as_array().unwrap();
        assert!(rows.len() > 200);
        for row in rows {
            let i = by_date[row["t"].as_str().unwrap()];
            let value = |k: &str| row[k].as_f64().unwrap();
            close_to(value("obv"), obv[i], &format!("{symbol} OBV {}", row["t"]));
            close_to(value("ad"), ad[i], &format!("{symbol} AD {}", row["t"]));
        }
        assert!(
            out["history_bars_used"].as_u64().unwrap() > 4_000,
            "from the first trade"
        );
    }
}
