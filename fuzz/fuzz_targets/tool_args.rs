//! Tool-argument decoding and validation on arbitrary JSON, through the
//! real tool dispatch of an offline server (a temporary store, no network):
//! any input ends in an answer or an error, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use trading_mcp::app::App;
use trading_mcp::config::Settings;

const TOOLS: [&str; 6] = [
    "get_stock_chart_data",
    "calculate_technical_indicator",
    "detect_candlestick_patterns",
    "list_indicators",
    "server_stats",
    "no_such_tool",
];

struct Harness {
    rt: tokio::runtime::Runtime,
    app: App,
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            db: Some(dir.path().join("fuzz.db")),
            offline: Some(true),
            now: Some("2024-04-01T12:00:00+05:30".into()),
            ..Settings::default()
        };
        let config = settings.resolve(None).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let app = rt.block_on(App::start(config)).unwrap();
        Harness { rt, app, _dir: dir }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, json)) = data.split_first() else {
        return;
    };
    let Ok(Value::Object(args)) = serde_json::from_slice::<Value>(json) else {
        return;
    };
    let h = harness();
    let tool = TOOLS[first as usize % TOOLS.len()];
    let _ = h.rt.block_on(trading_mcp::tools::call(&h.app, tool, args));
});
