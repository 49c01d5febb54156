//! Shared by the end-to-end benches: a seeded store and the release server
//! started on it, killed however the bench ends.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// "Now" for the benches: after the shared daily data ends, so all of it is settled.
pub const NOW: &str = "2024-04-01T12:00:00+05:30";

/// The binary under test: `TRADING_MCP_BIN` (to compare another build), or this crate's.
pub fn binary() -> PathBuf {
    std::env::var_os("TRADING_MCP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_trading-mcp")))
}

/// A server process, killed on drop.
pub struct Server {
    pub child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `VmRSS` and `VmHWM` (peak) of the server, in KiB.
    pub fn rss_kib(&self) -> (u64, u64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

/// The server on `db` at [`NOW`].
fn command(db: &Path, extra_env: &[(&str, &str)], offline: bool) -> Command {
    // Raise the descriptor limit for the 1,000-connection runs.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -n 65536 2>/dev/null || ulimit -n 4096; exec \"$0\" \"$@\"")
        .arg(binary())
        .args(offline.then_some("--offline"))
        .arg("--db")
        .arg(db)
        .args(["--now", NOW, "--log", "warn"]);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("TRADING_MCP_")) {
        if k != "TRADING_MCP_BIN" {
            cmd.env_remove(k);
        }
    }
    cmd.envs(extra_env.iter().copied());
    cmd
}

/// Starts `serve --transport http` (offline) on a free port; returns it
/// and its MCP URL.
pub fn http(db: &Path, extra_env: &[(&str, &str)]) -> (Server, String) {
    serve_http(command(db, extra_env, true))
}

/// [`http`] online, without the warming scheduler ([`NOW`] is mid-session):
/// give it `TRADING_MCP_YAHOO_URL`.
pub fn http_online(db: &Path, extra_env: &[(&str, &str)]) -> (Server, String) {
    let mut cmd = command(db, extra_env, false);
    cmd.env("TRADING_MCP_NO_WARM", "true");
    serve_http(cmd)
}

fn serve_http(mut cmd: Command) -> (Server, String) {
    let mut child = cmd
        .args(["serve", "--transport", "http", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("server exited").unwrap();
        if let Some(u) = line.split("MCP streamable HTTP at ").nth(1) {
            break u.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Server { child }, url)
}

/// Starts `serve` on stdio and initializes it; returns it and its pipes.
pub fn stdio(db: &Path) -> (Server, ChildStdin, BufReader<ChildStdout>) {
    let mut child = command(db, &[], true)
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the server");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","id":0,"method":"initialize","params":{{"protocolVersion":"2025-06-18","capabilities":{{}},"clientInfo":{{"name":"bench","version":"1"}}}}}}"#
    )
    .unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("\"result\""), "{line}");
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
    )
    .unwrap();
    (Server { child }, stdin, stdout)
}

/// One `tools/call` request line.
pub fn call_line(id: u64, tool: &str, args: &serde_json::Value) -> String {
    serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": args}})
        .to_string()
}
