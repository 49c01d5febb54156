//! `search_symbols` through the real binary: names and aliases to symbols,
//! honest totals, limits, hostile text harmless, no upstream call.

mod shared_data;
mod support;

use serde_json::{Value, json};
use support::*;

fn symbols(out: &serde_json::Map<String, Value>) -> Vec<String> {
    out["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["symbol"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn names_and_aliases_find_their_symbols() {
    let yahoo = FakeYahoo::start().await;
    let client = Env::new(&yahoo.url()).stdio_client().await;

    let steel = call(&client, "search_symbols", json!({"query": "Tata Steel"})).await;
    let steel = ok(&steel);
    assert_eq!(symbols(steel)[0], "TATASTEEL", "{steel:?}");
    let first = &steel["matches"][0];
    assert_eq!(first["exchange"], "NSE");
    assert_eq!(first["yahoo"], "TATASTEEL.NS");
    assert!(
        first["indices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i == "NIFTY 50"),
        "{first}"
    );

    let infy = call(&client, "search_symbols", json!({"query": "infosys"})).await;
    assert_eq!(symbols(ok(&infy))[0], "INFY");
    assert!(
        text(&infy).starts_with("INFY (NSE, INFY.NS): Infosys"),
        "{}",
        text(&infy)
    );

    let tata = call(
        &client,
        "search_symbols",
        json!({"query": "tata", "limit": 2}),
    )
    .await;
    let tata = ok(&tata);
    assert_eq!(symbols(tata).len(), 2);
    assert!(tata["total"].as_u64().unwrap() > 2, "{tata:?}");
    assert_eq!(tata["has_more"], true);

    for hostile in [
        "'; DROP TABLE bars; --",
        "%%%",
        "\u{202e}evil",
        &"x".repeat(10_000),
    ] {
        let r = call(&client, "search_symbols", json!({"query": hostile})).await;
        let r = ok(&r);
        assert_eq!(r["total"], 0, "{hostile:.20}");
    }
    for (args, expect) in [
        (json!({"query": "tcs", "limit": 0}), "use 1 to 100"),
        (json!({"query": "tcs", "limit": 101}), "use 1 to 100"),
        (json!({"query": "  "}), "query is empty"),
    ] {
        let err = tool_error(&call(&client, "search_symbols", args.clone()).await);
        assert!(err.contains(expect), "{args}: {err}");
    }
    assert_eq!(yahoo.count(), 0, "the directory needs no upstream");
}
