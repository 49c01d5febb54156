//! The MCP surface beyond tools, through rmcp's client and the real binary:
//! `initialize` advertises exactly tools, resources, prompts and
//! completions; the resources read through the tool path and the service
//! (the fake Yahoo counts the fetches); prompts name our tools with checked
//! arguments; completion comes from the symbol directory and the registries.

mod shared_data;
mod support;

use base64::Engine as _;
use rmcp::ServiceExt;
use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams, ResourceContents};
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};
use support::*;

async fn read(client: &Client, uri: &str) -> ResourceContents {
    let mut result = client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .unwrap_or_else(|e| panic!("{uri}: {e}"));
    assert_eq!(result.contents.len(), 1);
    result.contents.remove(0)
}

fn text_of(contents: &ResourceContents) -> (&str, &str) {
    match contents {
        ResourceContents::TextResourceContents {
            mime_type, text, ..
        } => (mime_type.as_deref().unwrap_or(""), text.as_str()),
        other => panic!("expected text contents, got {other:?}"),
    }
}

async fn read_error(client: &Client, uri: &str) -> String {
    client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .expect_err(uri)
        .to_string()
}

#[tokio::test]
async fn initialize_advertises_exactly_what_is_implemented() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let caps = &client.peer_info().expect("server info").capabilities;
    assert!(caps.tools.is_some());
    assert!(caps.resources.is_some());
    assert!(caps.prompts.is_some());
    assert!(caps.completions.is_some());
    assert!(
        caps.logging.is_some(),
        "logging/setLevel, for protocol versions before 2026-07-28"
    );

    let resources: Vec<String> = client
        .list_all_resources()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.uri.clone())
        .collect();
    assert_eq!(
        resources,
        [
            "market://symbols",
            "market://calendar/NSE",
            "market://calendar/US",
            "market://indicators",
            "market://schema"
        ]
    );
    let templates: Vec<String> = client
        .list_all_resource_templates()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.uri_template.clone())
        .collect();
    assert_eq!(
        templates,
        [
            "market://instrument/{symbol}",
            "market://bars/{symbol}/{interval}",
            "market://chart/{symbol}"
        ]
    );
    let mut prompts: Vec<String> = client
        .list_all_prompts()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name.clone())
        .collect();
    prompts.sort();
    assert_eq!(
        prompts,
        [
            "analyze_stock",
            "compare_stocks",
            "market_overview",
            "technical_setup"
        ]
    );
    // Every fixed resource reads.
    for uri in &resources {
        let contents = read(&client, uri).await;
        assert!(!text_of(&contents).1.is_empty(), "{uri}");
    }
    assert_eq!(yahoo.count(), 0, "fixed resources need no upstream");
}

#[tokio::test]
async fn fixed_resources_hold_the_directory_calendar_catalogue_and_schema() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;

    let symbols = read(&client, "market://symbols").await;
    let (mime, text) = text_of(&symbols);
    assert_eq!(mime, "application/json");
    let listings: Vec<Value> = serde_json::from_str(text).unwrap();
    let reliance = listings.iter().find(|l| l["symbol"] == "RELIANCE").unwrap();
    assert_eq!(reliance["yahoo"], "RELIANCE.NS");
    assert!(reliance["indices"].to_string().contains("NIFTY 50"));

    let calendar = read(&client, "market://calendar/NSE").await;
    let cal: Value = serde_json::from_str(text_of(&calendar).1).unwrap();
    assert_eq!(cal["timezone"], "Asia/Kolkata");
    assert_eq!(cal["regular_hours"], "09:15-15:30");
    let days = cal["days"].as_array().unwrap();
    let holi = days.iter().find(|d| d["date"] == "2025-03-14").unwrap();
    assert_eq!(holi["kind"], "holiday");
    assert_eq!(holi["name"], "Holi");
    let muhurat = days.iter().find(|d| d["date"] == "2024-11-01").unwrap();
    assert_eq!(muhurat["kind"], "special_session", "{muhurat}");

    let catalogue = read(&client, "market://indicators").await;
    let tool = call(&client, "list_indicators", json!({})).await;
    let from_tool = Value::Object(ok(&tool).clone());
    assert_eq!(
        serde_json::from_str::<Value>(text_of(&catalogue).1).unwrap(),
        from_tool,
        "the same data as list_indicators"
    );

    let schema = read(&client, "market://schema").await;
    let (mime, text) = text_of(&schema);
    assert_eq!(mime, "text/markdown");
    assert!(text.contains("bars") && text.contains("coverage"), "{text}");
}

#[tokio::test]
async fn templates_read_through_the_cache_tiers() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;

    let bars = read(&client, "market://bars/RELIANCE/1d").await;
    let (mime, csv) = text_of(&bars);
    assert_eq!(mime, "text/csv");
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "t,o,h,l,c,adj_close,v");
    let d = shared_data::yahoo_daily("RELIANCE.NS").unwrap();
    let last = rows.last().unwrap();
    let close: f64 = last.split(',').nth(4).unwrap().parse().unwrap();
    assert!(last.starts_with("2024-03-28,"), "{last}");
    assert_eq!(close, quoted(*d.close.last().unwrap()));
    let fetched = yahoo.count();
    assert!(fetched >= 1);

    // The same bars again, and the instrument: no new upstream call.
    read(&client, "market://bars/RELIANCE/1d").await;
    let instrument = read(&client, "market://instrument/RELIANCE").await;
    let doc: Value = serde_json::from_str(text_of(&instrument).1).unwrap();
    assert_eq!(doc["instrument"]["yahoo_symbol"], "RELIANCE.NS");
    let daily = &doc["intervals"][0];
    assert_eq!(daily["interval"], "1d");
    assert_eq!(daily["bars"], rows.len() - 1);
    assert!(!daily["coverage"].as_array().unwrap().is_empty());
    assert_eq!(yahoo.count(), fetched);

    // The chart: a PNG blob, the same bytes as the tool draws by default.
    let chart = read(&client, "market://chart/RELIANCE").await;
    let ResourceContents::BlobResourceContents {
        mime_type, blob, ..
    } = chart
    else {
        panic!("expected a blob")
    };
    assert_eq!(mime_type.as_deref(), Some("image/png"));
    let png = base64::engine::general_purpose::STANDARD
        .decode(&blob)
        .unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let tool = call(
        &client,
        "get_stock_chart_image",
        json!({"symbol": "RELIANCE"}),
    )
    .await;
    let image = tool.content.iter().find_map(|c| c.as_image()).unwrap();
    assert_eq!(image.data, blob);
    assert_eq!(yahoo.count(), fetched);
}

#[tokio::test]
async fn bad_uris_get_not_found_and_bad_symbols_the_tools_message() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    for uri in [
        "market://nope",
        "market://calendar/LSE",
        "https://example.com/x",
        "market://bars/RELIANCE",
    ] {
        let e = read_error(&client, uri).await;
        assert!(e.contains("no resource"), "{uri}: {e}");
    }
    let e = read_error(&client, "market://bars/REL%24%24/1d").await;
    assert!(e.contains("'$'") || e.contains("character"), "{e}");
    let e = read_error(&client, "market://bars/RELIANCE/7m").await;
    assert!(e.contains("unknown interval") && e.contains("1d"), "{e}");
    let e = read_error(&client, "market://instrument/NOSUCHSTOCK").await;
    assert!(e.contains("NOSUCHSTOCK"), "{e}");
    // Escaped symbols decode: %5ECNXIT is ^CNXIT (NIFTY IT), which this
    // fake Yahoo does not serve, and the message names it decoded.
    let e = read_error(&client, "market://bars/%5ECNXIT/1d").await;
    assert!(e.contains("^CNXIT is not a symbol"), "{e}");
    // The server keeps serving.
    read(&client, "market://symbols").await;
}

fn prompt(name: &str, args: Value) -> GetPromptRequestParams {
    let Value::Object(map) = args else { panic!() };
    GetPromptRequestParams::new(name).with_arguments(map)
}

fn prompt_text(result: &rmcp::model::GetPromptResult) -> String {
    result
        .messages
        .iter()
        .map(|m| serde_json::to_string(&m.content).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn prompts_name_our_tools_with_checked_arguments() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;

    let analysis = client
        .get_prompt(prompt("analyze_stock", json!({"symbol": "reliance"})))
        .await
        .unwrap();
    let text = prompt_text(&analysis);
    for needle in [
        "RELIANCE",
        "get_stock_chart_image",
        "calculate_technical_indicator",
        "detect_candlestick_patterns",
        "get_market_news",
        "NIFTY",
        "freshness",
        // TEST_NOW is 2024-04-01 IST: a year back from it.
        "2023-04-02 to 2024-04-01",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    let setup = client
        .get_prompt(prompt(
            "technical_setup",
            json!({"symbol": "TCS", "interval": "1H"}),
        ))
        .await
        .unwrap();
    assert!(prompt_text(&setup).contains(r#"\"interval\": \"1h\""#));
    let overview = client
        .get_prompt(prompt("market_overview", json!({})))
        .await
        .unwrap();
    assert!(prompt_text(&overview).contains("get_market_status"));
    let compare = client
        .get_prompt(prompt(
            "compare_stocks",
            json!({"symbols": "TCS, INFY,WIPRO"}),
        ))
        .await
        .unwrap();
    assert!(prompt_text(&compare).contains("TCS, INFY, WIPRO"));

    // Missing or bad arguments are protocol errors that name them.
    let e = client
        .get_prompt(prompt("analyze_stock", json!({})))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("symbol"), "{e}");
    for (name, args, expected) in [
        ("compare_stocks", json!({"symbols": "TCS"}), "2 to 20"),
        (
            "analyze_stock",
            json!({"symbol": "RELIANCE", "horizon": "forever"}),
            "short, medium, long",
        ),
        (
            "technical_setup",
            json!({"symbol": "TCS", "interval": "7m"}),
            "1m, 5m",
        ),
        (
            "market_overview",
            json!({"exchange": "LSE"}),
            "NSE, BSE or US",
        ),
        ("analyze_stock", json!({"symbol": "RE LIANCE!"}), "symbol"),
    ] {
        let e = client
            .get_prompt(prompt(name, args))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains(expected), "{name}: {e}");
    }
    assert_eq!(yahoo.count(), 0, "prompts only write text");
}

#[tokio::test]
async fn completion_comes_from_the_directory_and_the_registries() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    let rel = client
        .complete_prompt_argument("analyze_stock", "symbol", "REL", None)
        .await
        .unwrap();
    assert_eq!(rel.values.first().map(String::as_str), Some("RELIANCE"));
    assert!(rel.values.iter().all(|v| !v.is_empty()));
    assert_eq!(rel.total, Some(rel.values.len() as u32));
    assert_eq!(rel.has_more, Some(false));

    let nif = client
        .complete_resource_argument("market://bars/{symbol}/{interval}", "symbol", "nif", None)
        .await
        .unwrap();
    assert!(
        nif.values.contains(&"NIFTY".to_string()),
        "{:?}",
        nif.values
    );
    assert!(
        nif.values.contains(&"NIFTY50".to_string()),
        "{:?}",
        nif.values
    );

    let tata = client
        .complete_prompt_argument("analyze_stock", "symbol", "tata", None)
        .await
        .unwrap();
    for s in ["TCS", "TATASTEEL"] {
        assert!(
            tata.values.contains(&s.to_string()),
            "{s} in {:?}",
            tata.values
        );
    }
    let listed = client
        .complete_prompt_argument("compare_stocks", "symbols", "TCS, inf", None)
        .await
        .unwrap();
    assert_eq!(listed.values.first().map(String::as_str), Some("TCS, INFY"));

    let intervals = client
        .complete_resource_argument("market://bars/{symbol}/{interval}", "interval", "1", None)
        .await
        .unwrap();
    assert_eq!(intervals.values, ["1m", "15m", "1h", "1d", "1wk", "1mo"]);

    // A ticker the directory does not list completes once it is stored.
    let before = client
        .complete_prompt_argument("analyze_stock", "symbol", "MS", None)
        .await
        .unwrap();
    assert!(!before.values.contains(&"MSFT".to_string()));
    yahoo.pin("MSFT", "historical_via_chart/historical-via-chart-MSFT-dividends-2021-02-01-to-2022-01-31.csv.json");
    ok(&call(&client, "get_stock_chart_data", json!({"symbol": "MSFT", "exchange": "US", "start_date": "2021-02-01", "end_date": "2022-01-31"})).await);
    let after = client
        .complete_prompt_argument("analyze_stock", "symbol", "ms", None)
        .await
        .unwrap();
    assert!(
        after.values.contains(&"MSFT".to_string()),
        "{:?}",
        after.values
    );
    assert_eq!(after.total, before.total.map(|t| t + 1));

    // Everything, capped at 100 with an honest total.
    let all = client
        .complete_prompt_argument("analyze_stock", "symbol", "", None)
        .await
        .unwrap();
    assert_eq!(all.values.len(), 100);
    assert!(all.total.unwrap() > 100);
    assert_eq!(all.has_more, Some(true));
}

#[tokio::test]
async fn resources_and_prompts_work_over_http_too() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let (_server, url) = env.http_server(&[]).await;
    let client = ().serve(StreamableHttpClientTransport::from_uri(url)).await.unwrap();
    assert_eq!(client.list_all_resources().await.unwrap().len(), 5);
    let bars = read(&client, "market://bars/TCS/1d").await;
    assert!(text_of(&bars).1.lines().count() > 100);
    let p = client
        .get_prompt(prompt("analyze_stock", json!({"symbol": "TCS"})))
        .await
        .unwrap();
    assert!(prompt_text(&p).contains("TCS"));
    let c = client
        .complete_prompt_argument("technical_setup", "symbol", "INF", None)
        .await
        .unwrap();
    assert_eq!(c.values.first().map(String::as_str), Some("INFY"));
}
