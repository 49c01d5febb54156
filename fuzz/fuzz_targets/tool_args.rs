//! Tool-argument decoding and validation on arbitrary JSON, through the
//! real tool dispatch of an offline server (a temporary store, no network):
//! any input ends in an answer or an error, never a panic. The first byte
//! picks the tool, among every registered one.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use trading_mcp::app::App;
use trading_mcp::config::Settings;
use trading_mcp::mcp::Calls;

/// Every registered tool, and one that does not exist.
fn tools() -> &'static [&'static str] {
    static T: OnceLock<Vec<&'static str>> = OnceLock::new();
    T.get_or_init(|| {
        let mut names: Vec<&'static str> = trading_mcp::tools::registry()
            .iter()
            .map(|t| t.name)
            .collect();
        names.push("no_such_tool");
        names
    })
}

struct Harness {
    rt: tokio::runtime::Runtime,
    calls: Calls,
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            db: dir.path().join("fuzz.db"),
            offline: true,
            now: Some("2024-04-01T12:00:00+05:30".into()),
            ..Settings::default()
        };
        let config = settings.into_config().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let app = rt.block_on(App::start(config)).unwrap();
        Harness {
            rt,
            calls: Calls::new(app),
            _dir: dir,
        }
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
    let tool = tools()[first as usize % tools().len()];
    let _ = h.rt.block_on(h.calls.call(tool, args));
});
