//! `logging/setLevel` and `notifications/message`: a session hears nothing
//! until it sets a level; at `warning` or below it is told when a tool
//! served stale data (the upstream failed), and at `error` it is not.
#![allow(deprecated)]

mod shared_data;
mod support;

use rmcp::RoleClient;
use rmcp::model::{CallToolRequestParams, LoggingLevel, SetLevelRequestParams};
use rmcp::service::RunningService;
use serde_json::{Value, json};
use support::notifications::{Recorder, stdio_recorder};
use support::*;

async fn chart(client: &RunningService<RoleClient, Recorder>, start: &str) -> Value {
    let Value::Object(args) =
        json!({"symbol": "RELIANCE", "start_date": start, "end_date": "2024-03-28"})
    else {
        panic!()
    };
    let result = client
        .call_tool(CallToolRequestParams::new("get_stock_chart_data").with_arguments(args))
        .await
        .unwrap();
    result.structured_content.unwrap()
}

#[tokio::test]
async fn stale_answers_are_told_at_warning_once_a_level_is_set() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let (client, recorder) = stdio_recorder(&env).await;

    // Stored while the upstream works; then it fails.
    assert_eq!(
        chart(&client, "2023-06-01").await["freshness"]["stale"],
        false
    );
    yahoo.always(Some(Fault::Status(500)));

    // No level set: a stale answer, and nothing said.
    assert_eq!(
        chart(&client, "2023-05-01").await["freshness"]["stale"],
        true
    );
    assert!(recorder.logs.lock().unwrap().is_empty());

    client
        .set_level(SetLevelRequestParams::new(LoggingLevel::Warning))
        .await
        .unwrap();
    assert_eq!(
        chart(&client, "2023-04-01").await["freshness"]["stale"],
        true
    );
    {
        let seen = recorder.logs.lock().unwrap();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].level, LoggingLevel::Warning);
        assert_eq!(seen[0].logger.as_deref(), Some("trading-mcp"));
        let message = seen[0].data["message"].as_str().unwrap();
        assert!(
            message.starts_with("get_stock_chart_data: stale data served for RELIANCE.NS"),
            "{message}"
        );
        assert_eq!(seen[0].data["symbol"], "RELIANCE.NS");
    }

    // At error, a warning is not sent.
    client
        .set_level(SetLevelRequestParams::new(LoggingLevel::Error))
        .await
        .unwrap();
    assert_eq!(
        chart(&client, "2023-03-01").await["freshness"]["stale"],
        true
    );
    assert_eq!(recorder.logs.lock().unwrap().len(), 1);
}
