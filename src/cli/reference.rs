//! The README's configuration table, generated from the flags clap knows:
//! each setting's flag, variable, default (from `Settings::default`) and
//! help. A test keeps the README equal to it.

use std::fmt::Write as _;

use clap::CommandFactory;

use super::Cli;

/// Markdown: one table row per setting.
pub fn settings_markdown() -> String {
    let mut out = String::from("| flag | environment | default | meaning |\n|---|---|---|---|\n");
    let command = Cli::command();
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if matches!(long, "help" | "version") {
            continue;
        }
        let env = arg
            .get_env()
            .map(|e| format!("`{}`", e.to_string_lossy()))
            .unwrap_or_default();
        let default = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        let default = if default.is_empty() {
            "none".to_string()
        } else {
            format!("`{default}`")
        };
        let help = arg
            .get_help()
            .map(|h| h.to_string())
            .unwrap_or_default()
            .replace('|', "\\|");
        let _ = writeln!(out, "| `--{long}` | {env} | {default} | {help} |");
    }
    out
}
