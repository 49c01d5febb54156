//! `/metrics` through the real binary: Prometheus text that a parser
//! reads, counters that move as calls are made (over HTTP, and over stdio
//! with `--metrics-listen`), the same Host and token rules as `/mcp`; and
//! `--log-format json` writing one JSON object per log line.

mod shared_data;
mod support;

use prometheus_parse::{Scrape, Value as Metric};
use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};
use support::*;

async fn scrape(url: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = reqwest::Client::new().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

fn parse(text: &str) -> Scrape {
    let lines = text.lines().map(|l| Ok(l.to_string()));
    Scrape::parse(lines).expect("Prometheus text")
}

/// The value of `name` whose labels include all of `labels`.
fn value(s: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let sample = s
        .samples
        .iter()
        .find(|x| x.metric == name && labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v)))
        .unwrap_or_else(|| panic!("{name} {labels:?} in the scrape"));
    match &sample.value {
        Metric::Counter(v) | Metric::Gauge(v) | Metric::Untyped(v) => *v,
        Metric::Histogram(h) => h.iter().map(|b| b.count).fold(0.0, f64::max),
        other => panic!("{name}: {other:?}"),
    }
}

fn metrics_url(mcp_url: &str) -> String {
    mcp_url.replace("/mcp", "/metrics")
}

#[tokio::test]
async fn counters_move_as_calls_are_made_over_http() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let (_server, url) = env.http_server(&[]).await;
    let client = ().serve(StreamableHttpClientTransport::from_uri(url.clone())).await.unwrap();
    let chart = json!({"symbol": "TCS", "start_date": "2023-06-01", "end_date": "2024-03-28"});
    ok(&call(&client, "get_stock_chart_data", chart.clone()).await);
    tool_error(
        &call(
            &client,
            "get_stock_chart_data",
            json!({"symbol": "TCS", "interval": "7m"}),
        )
        .await,
    );

    let (status, text) = scrape(&metrics_url(&url), &[]).await;
    assert_eq!(status, 200);
    let s = parse(&text);
    let calls = |outcome: &str| {
        value(
            &s,
            "trading_mcp_tool_calls_total",
            &[("tool", "get_stock_chart_data"), ("outcome", outcome)],
        )
    };
    assert_eq!(calls("ok"), 1.0);
    assert_eq!(calls("tool_error"), 1.0);
    assert_eq!(calls("protocol_error"), 0.0);
    assert_eq!(
        value(
            &s,
            "trading_mcp_tool_calls_total",
            &[("tool", "screen_stocks"), ("outcome", "ok")]
        ),
        0.0
    );
    assert!(value(&s, "trading_mcp_store_rows", &[("table", "bars")]) > 100.0);
    assert!(value(&s, "trading_mcp_l1_series", &[]) >= 1.0);
    assert_eq!(
        value(
            &s,
            "trading_mcp_tier_lookups_total",
            &[("tier", "l2"), ("outcome", "miss")]
        ),
        1.0
    );
    assert_eq!(
        value(&s, "trading_mcp_l1_evictions_total", &[("cause", "size")]),
        0.0
    );
    let host = yahoo.url().trim_start_matches("http://").to_string();
    let host_name = host.split(':').next().unwrap().to_string();
    let upstream_ok = s
        .samples
        .iter()
        .filter(|x| {
            x.metric == "trading_mcp_upstream_calls_total" && x.labels.get("outcome") == Some("ok")
        })
        .map(|x| match x.value {
            Metric::Counter(v) | Metric::Untyped(v) => v,
            _ => 0.0,
        })
        .sum::<f64>();
    assert_eq!(
        upstream_ok,
        yahoo.count() as f64,
        "one upstream call counted per request ({host_name})"
    );
    assert_eq!(
        value(&s, "trading_mcp_breaker_state", &[("state", "closed")]),
        1.0
    );

    // Twice more: the first answer came from upstream and is not kept
    // (it would say "upstream" again); the second, from memory, is, and
    // the third is answered from the result cache.
    ok(&call(&client, "get_stock_chart_data", chart.clone()).await);
    ok(&call(&client, "get_stock_chart_data", chart).await);
    let s = parse(&scrape(&metrics_url(&url), &[]).await.1);
    assert_eq!(
        value(
            &s,
            "trading_mcp_tool_calls_total",
            &[("tool", "get_stock_chart_data"), ("outcome", "ok")]
        ),
        3.0
    );
    assert_eq!(
        value(
            &s,
            "trading_mcp_tool_cache_hits_total",
            &[("tool", "get_stock_chart_data")]
        ),
        1.0
    );
    let histogram_count = s
        .samples
        .iter()
        .find(|x| {
            x.metric == "trading_mcp_tool_call_duration_seconds"
                && x.labels.get("tool") == Some("get_stock_chart_data")
        })
        .map(|x| match &x.value {
            Metric::Histogram(h) => h.last().unwrap().count,
            other => panic!("{other:?}"),
        })
        .unwrap();
    assert_eq!(histogram_count, 4.0, "every call in the +Inf bucket");
}

#[tokio::test]
async fn metrics_obey_the_host_and_token_rules_of_mcp() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let (_open, url) = env.http_server(&[]).await;
    let (status, _) = scrape(&metrics_url(&url), &[("host", "evil.example")]).await;
    assert_eq!(status, 403);

    let (_locked, url) = env
        .http_server(&[("TRADING_MCP_AUTH_TOKEN", "s3cret-token-for-metrics")])
        .await;
    assert_eq!(scrape(&metrics_url(&url), &[]).await.0, 401);
    assert_eq!(
        scrape(&metrics_url(&url), &[("authorization", "Bearer wrong")])
            .await
            .0,
        401
    );
    let (status, text) = scrape(
        &metrics_url(&url),
        &[("authorization", "Bearer s3cret-token-for-metrics")],
    )
    .await;
    assert_eq!(status, 200);
    parse(&text);
}

#[tokio::test]
async fn stdio_serves_metrics_on_metrics_listen() {
    let yahoo = FakeYahoo::start().await;
    // Outside the kernel's ephemeral range (32768-60999 on Linux): a port
    // from bind(0) could be handed to another test's server, bound to port
    // 0, between this check and our server's bind ("Address already in use").
    let port = (20_000..30_000)
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port below the ephemeral range");
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_METRICS_LISTEN", &format!("127.0.0.1:{port}"));
    let client = env.stdio_client().await;
    ok(&call(&client, "list_indicators", json!({})).await);
    let url = format!("http://127.0.0.1:{port}/metrics");
    let mut text = String::new();
    for _ in 0..100 {
        if let Ok(res) = reqwest::get(&url).await {
            text = res.text().await.unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let s = parse(&text);
    assert_eq!(
        value(
            &s,
            "trading_mcp_tool_calls_total",
            &[("tool", "list_indicators"), ("outcome", "ok")]
        ),
        1.0
    );
}

#[tokio::test]
async fn log_format_json_writes_one_object_per_line() {
    let yahoo = FakeYahoo::start().await;
    let mut env = Env::new(&yahoo.url());
    env.set("TRADING_MCP_LOG", "info");
    env.set("TRADING_MCP_LOG_FORMAT", "json");
    let (code, _out, err) = env
        .cli_call(
            "get_stock_chart_data",
            &json!({"symbol": "TCS", "interval": "7m"}),
        )
        .await;
    assert_eq!(code, 1, "a tool error");
    let lines: Vec<Value> = err
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert!(!lines.is_empty(), "{err}");
    let tool_error = lines
        .iter()
        .find(|l| l["fields"]["message"] == "tool error")
        .unwrap_or_else(|| panic!("the tool error event in {err}"));
    assert_eq!(tool_error["level"], "INFO");
    assert_eq!(tool_error["span"]["tool"], "get_stock_chart_data");
    assert_eq!(tool_error["span"]["symbol"], "TCS");
    assert!(
        tool_error["fields"]["error"]
            .as_str()
            .unwrap()
            .contains("7m")
    );
}
