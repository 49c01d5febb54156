//! Parsing every recorded Yahoo chart response in shared/data/yahoo_chart.

mod shared_data;

use serde_json::Value;
use trading_mcp::model::{CorporateAction, Interval, key_date};
use trading_mcp::upstream::{ParseError, parse_chart};

fn recorded() -> Vec<(String, Value)> {
    shared_data::yahoo_chart_recordings()
}

fn interval_of(url: &str) -> Interval {
    url.split("interval=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .unwrap_or("1d")
        .parse()
        .unwrap()
}

#[test]
fn every_recorded_response_parses_to_its_bars() {
    let all = recorded();
    assert_eq!(all.len(), 44);
    for (name, rec) in all {
        let interval = interval_of(rec["request"]["url"].as_str().unwrap());
        let body = serde_json::to_vec(&rec["response"]["bodyJson"]).unwrap();
        let data = parse_chart(&body, interval).unwrap_or_else(|e| panic!("{name}: {e}"));
        let result = &rec["response"]["bodyJson"]["chart"]["result"][0];
        let meta = &result["meta"];
        assert_eq!(
            data.instrument.yahoo_symbol,
            meta["symbol"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            data.instrument.currency,
            meta["currency"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            data.instrument.timezone,
            meta["exchangeTimezoneName"].as_str().unwrap(),
            "{name}"
        );
        let ts = result["timestamp"].as_array().map(|a| a.len()).unwrap_or(0);
        assert_eq!(data.bars.len() + data.skipped_null, ts, "{name}");
        if ts > 0 {
            let q = &result["indicators"]["quote"][0];
            let last = data.bars.last().unwrap();
            assert_eq!(last.close, q["close"][ts - 1].as_f64().unwrap(), "{name}");
            assert_eq!(
                last.volume,
                q["volume"][ts - 1].as_f64().unwrap_or(0.0) as i64,
                "{name}"
            );
        }
    }
}

#[test]
fn daily_bars_are_keyed_by_exchange_local_date() {
    let rec = recorded()
        .into_iter()
        .find(|(n, _)| n == "chart/chart-AAPL-2020-01-01-to-2020-01-03.json")
        .unwrap()
        .1;
    let data = parse_chart(
        &serde_json::to_vec(&rec["response"]["bodyJson"]).unwrap(),
        Interval::D1,
    )
    .unwrap();
    // 2020-01-02 09:30 New York.
    assert_eq!(key_date(data.bars[0].ts).to_string(), "2020-01-02");
    assert_eq!(data.instrument.long_name.as_deref(), Some("Apple Inc."));
}

#[test]
fn dividends_and_splits_come_from_events() {
    let all = recorded();
    let body = |n: &str| {
        serde_json::to_vec(
            &all.iter().find(|(f, _)| f.contains(n)).unwrap().1["response"]["bodyJson"],
        )
        .unwrap()
    };
    let msft = parse_chart(&body("MSFT-dividends"), Interval::D1).unwrap();
    let divs: Vec<_> = msft
        .actions
        .iter()
        .filter_map(|a| match a {
            CorporateAction::Dividend { ts, amount } => Some((key_date(*ts).to_string(), *amount)),
            _ => None,
        })
        .collect();
    assert_eq!(
        divs,
        [
            ("2021-02-17".to_string(), 0.56),
            ("2021-05-19".into(), 0.56),
            ("2021-08-18".into(), 0.56),
            ("2021-11-17".into(), 0.62)
        ]
    );
    let nvda = parse_chart(&body("NVDA-split"), Interval::D1).unwrap();
    assert_eq!(
        nvda.actions,
        [CorporateAction::Split {
            ts: trading_mcp::model::date_key(chrono::NaiveDate::from_ymd_opt(2021, 7, 20).unwrap()),
            numerator: 4.0,
            denominator: 1.0
        }]
    );
}

#[test]
fn a_weekend_intraday_request_has_no_bars() {
    let rec = recorded()
        .into_iter()
        .find(|(n, _)| n.contains("interval-1m"))
        .unwrap()
        .1;
    let data = parse_chart(
        &serde_json::to_vec(&rec["response"]["bodyJson"]).unwrap(),
        Interval::M1,
    )
    .unwrap();
    assert!(data.bars.is_empty());
    assert_eq!(data.instrument.yahoo_symbol, "AAPL");
}

#[test]
fn yahoo_errors_and_garbage_are_told_apart() {
    let path = shared_data::shared_dir()
        .join("data/yahoo_chart/error_examples/quoteSummary-assetProfile-ADH.json");
    let rec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let body = serde_json::to_vec(&rec["response"]["bodyJson"]).unwrap();
    match parse_chart(&body, Interval::D1) {
        Err(ParseError::Refused { code, .. }) => assert_eq!(code, "Not Found"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_chart(b"<html>rate limited</html>", Interval::D1),
        Err(ParseError::Malformed(_))
    ));
    assert!(matches!(
        parse_chart(b"{\"chart\":{\"result\":[]}}", Interval::D1),
        Err(ParseError::Malformed(_))
    ));
    let mismatched = br#"{"chart":{"result":[{"meta":{"symbol":"X"},"timestamp":[1,2],"indicators":{"quote":[{"open":[1],"high":[1],"low":[1],"close":[1]}]}}]}}"#;
    assert!(
        matches!(parse_chart(mismatched, Interval::D1), Err(ParseError::Malformed(m)) if m.contains("1 values for 2 timestamps"))
    );
}
