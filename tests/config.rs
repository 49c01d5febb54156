//! Configuration through the real binary: flag > environment > TOML file
//! (`--config` or `TRADING_MCP_CONFIG`) > the defaults of
//! `Settings::default`, the one place they are written.

mod shared_data;
mod support;

use std::process::Stdio;

use serde_json::json;
use support::*;
use trading_mcp::config::Settings;

/// `trading-mcp ARGS` with exactly `env` as its TRADING_MCP_* variables.
async fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("TRADING_MCP_")) {
        cmd.env_remove(k);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().await.unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn resolved(stdout: &str) -> Settings {
    toml::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[tokio::test]
async fn the_resolved_defaults_are_the_default_impl() {
    let (code, out, err) = run(&["config"], &[]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(resolved(&out), Settings::default());
    assert_eq!(out, Settings::default().to_toml());
}

#[tokio::test]
async fn flags_beat_the_environment_which_beats_the_file_which_beats_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trading-mcp.toml");
    std::fs::write(
        &file,
        "cache_mib = 10\nretries = 1\nlog = \"debug\"\nlisten = \"127.0.0.1:9999\"\noffline = true\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    for how in ["flag", "env"] {
        let (mut args, mut env) = (vec!["config"], vec![]);
        if how == "flag" {
            args.extend(["--config", path]);
        } else {
            env.push(("TRADING_MCP_CONFIG", path));
        }
        let (code, out, err) = run(&args, &env).await;
        assert_eq!(code, 0, "{err}");
        let s = resolved(&out);
        assert_eq!(s.cache_mib, 10, "file over default ({how})");
        assert_eq!(s.retries, 1);
        assert!(s.offline);
        assert_eq!(s.listen.to_string(), "127.0.0.1:9999");
        assert_eq!(
            s.rate_limit,
            Settings::default().rate_limit,
            "default where the file is silent"
        );

        env.push(("TRADING_MCP_CACHE_MIB", "20"));
        env.push(("TRADING_MCP_OFFLINE", "false"));
        let (_, out, _) = run(&args, &env).await;
        let s = resolved(&out);
        assert_eq!(s.cache_mib, 20, "environment over file ({how})");
        assert!(!s.offline, "environment over file for booleans too");
        assert_eq!(s.retries, 1);

        let mut with_flag = args.clone();
        with_flag.extend(["--cache-mib", "30", "--retries=4"]);
        let (_, out, _) = run(&with_flag, &env).await;
        let s = resolved(&out);
        assert_eq!(s.cache_mib, 30, "flag over environment ({how})");
        assert_eq!(s.retries, 4, "flag over file");
        assert_eq!(s.log, "debug", "the file still fills the rest");
    }
}

#[tokio::test]
async fn bad_configuration_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "colour = \"red\"\n").unwrap();
    let (code, _, err) = run(&["--config", file.to_str().unwrap(), "config"], &[]).await;
    assert_ne!(code, 0);
    assert!(err.contains("unknown field `colour`"), "{err}");
    std::fs::write(&file, "cache_mib = \"lots\"\n").unwrap();
    let (code, _, err) = run(&["--config", file.to_str().unwrap(), "config"], &[]).await;
    assert_ne!(code, 0);
    assert!(err.contains("cache_mib"), "{err}");
    let (code, _, err) = run(&["config", "--config", "/nonexistent/x.toml"], &[]).await;
    assert_ne!(code, 0);
    assert!(err.contains("cannot read config file"), "{err}");
    let (code, _, err) = run(&["call", "list_indicators", "--now", "yesterday"], &[]).await;
    assert_ne!(code, 0);
    assert!(err.contains("RFC 3339"), "{err}");
}

#[tokio::test]
async fn serve_and_call_use_the_file() {
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-file.db");
    let file = dir.path().join("trading-mcp.toml");
    std::fs::write(
        &file,
        format!("db = {:?}\noffline = true\n", db.display().to_string()),
    )
    .unwrap();
    let mut env = env;
    env.vars.retain(|(k, _)| k != "TRADING_MCP_DB");
    env.set("TRADING_MCP_CONFIG", file.to_str().unwrap());
    let (code, _, err) = env
        .cli_call("get_stock_chart_data", &json!({"symbol": "TCS"}))
        .await;
    assert_eq!(
        code, 1,
        "offline from the file: nothing stored, a tool error"
    );
    assert!(err.contains("offline"), "{err}");
    assert!(db.is_file(), "the database named in the file was created");
    assert_eq!(yahoo.count(), 0);
    let client = env.stdio_client().await;
    let r = call(&client, "get_stock_chart_data", json!({"symbol": "TCS"})).await;
    assert!(tool_error(&r).contains("offline"));
    client.cancel().await.unwrap();
    assert_eq!(yahoo.count(), 0);
}
