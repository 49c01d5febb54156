//! The README's tool reference and configuration table are generated from
//! the tool registry and the flags; this fails when they disagree. Run with
//! `TRADING_MCP_UPDATE_README=1` to rewrite the README's generated sections.

use std::path::Path;

fn section(readme: &str, name: &str) -> (usize, usize) {
    let begin = format!("<!-- generated:{name}:begin -->\n");
    let end = format!("<!-- generated:{name}:end -->");
    let start = readme
        .find(&begin)
        .unwrap_or_else(|| panic!("README.md lacks the marker {begin:?}"))
        + begin.len();
    let stop = readme[start..]
        .find(&end)
        .unwrap_or_else(|| panic!("README.md lacks the marker {end:?}"))
        + start;
    (start, stop)
}

#[test]
fn readme_sections_are_generated_from_the_registry_and_the_flags() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let mut readme = std::fs::read_to_string(&path).unwrap();
    let generated = [
        ("tools", trading_mcp::tools::reference::markdown()),
        ("settings", trading_mcp::cli::settings_markdown()),
    ];
    let update = std::env::var_os("TRADING_MCP_UPDATE_README").is_some();
    for (name, text) in generated {
        let (start, stop) = section(&readme, name);
        if update {
            readme.replace_range(start..stop, &text);
        } else {
            assert!(
                readme[start..stop] == text,
                "README.md's {name} section is out of date; run `TRADING_MCP_UPDATE_README=1 cargo test --test readme`"
            );
        }
    }
    if update {
        std::fs::write(&path, readme).unwrap();
    }
}
