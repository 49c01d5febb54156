//! The README's tool reference, generated from the registry: each tool's
//! description and the arguments its input schema declares. A test keeps
//! the README equal to it.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::registry;

/// Markdown: a section per tool with its description and an argument table.
pub fn markdown() -> String {
    let mut out = String::new();
    for tool in registry().iter() {
        let _ = writeln!(out, "### `{}`\n", tool.name);
        let _ = writeln!(out, "{}\n", tool.description);
        let schema = &tool.input_schema;
        let props = schema.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        match props.filter(|p| !p.is_empty()) {
            None => out.push_str("No arguments.\n\n"),
            Some(props) => {
                out.push_str("| argument | type | required | meaning |\n|---|---|---|---|\n");
                for (name, prop) in props {
                    let _ = writeln!(
                        out,
                        "| `{name}` | {} | {} | {} |",
                        type_of(prop, schema),
                        if required.contains(&name.as_str()) {
                            "yes"
                        } else {
                            "no"
                        },
                        one_line(
                            prop.get("description")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                        )
                    );
                }
                out.push('\n');
            }
        }
        let outputs: Vec<&String> = tool
            .output_schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "Result fields (`structuredContent`, described by its `outputSchema`): {}.\n",
            outputs
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// A short type for a property schema: `string`, `integer`, one of a few
/// choices, an array of some item type, an object.
fn type_of(prop: &Value, root: &Map<String, Value>) -> String {
    let prop = resolve(prop, root);
    if let Some(choices) = prop.get("enum").and_then(Value::as_array) {
        let names: Vec<&str> = choices.iter().filter_map(Value::as_str).collect();
        return if names.len() <= 8 {
            format!("one of {}", names.join(", "))
        } else {
            format!("one of {} names", names.len())
        };
    }
    if let Some(any) = prop.get("anyOf").and_then(Value::as_array) {
        let parts: Vec<String> = any
            .iter()
            .map(|p| type_of(p, root))
            .filter(|t| t != "null")
            .collect();
        return parts.join(" or ");
    }
    let kind = match prop.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".into(),
    };
    if kind == "array"
        && let Some(items) = prop.get("items")
    {
        return format!("array of {}", type_of(items, root));
    }
    kind
}

/// Follows a `$ref` into `$defs`.
fn resolve<'a>(prop: &'a Value, root: &'a Map<String, Value>) -> &'a Value {
    let Some(r) = prop.get("$ref").and_then(Value::as_str) else {
        return prop;
    };
    r.strip_prefix("#/$defs/")
        .and_then(|name| root.get("$defs")?.get(name))
        .unwrap_or(prop)
}
