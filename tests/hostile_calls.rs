//! A corpus of hostile tool calls against one real stdio server: bad
//! symbols, dates, intervals and exchanges, huge and negative numbers,
//! unicode, SQL and FTS text in every string field, 1 MB strings and deep
//! JSON. Each call must end in the error the table says (a tool error or a
//! protocol error) whose message says what to do; afterwards the server
//! still answers, nothing was fetched, and no table changed.
//!
//! To cover a new tool, add its rows to [`corpus`]: hand-written [`Case`]s,
//! and its string fields to [`STRING_FIELDS`] so every hostile text is tried
//! in each.

mod shared_data;
mod support;

use serde_json::{Value, json};
use support::*;

const CHART: &str = "get_stock_chart_data";
const IND: &str = "calculate_technical_indicator";
const PAT: &str = "detect_candlestick_patterns";
const LIST: &str = "list_indicators";
const STATS: &str = "server_stats";

/// The longest error message we accept: it must tell the caller what to
/// do, not echo a megabyte back.
const MAX_MESSAGE: usize = 4_096;

/// How a hostile call must end.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// `isError: true` whose text contains this.
    Tool(&'static str),
    /// A JSON-RPC error whose message contains this.
    Protocol(&'static str),
}

#[derive(Debug, Clone)]
struct Case {
    tool: &'static str,
    args: Value,
    expect: Expect,
}

fn case(tool: &'static str, args: Value, expect: Expect) -> Case {
    Case { tool, args, expect }
}

/// Valid arguments of each tool that reads bars; a hostile value replaces
/// one field at a time.
fn base(tool: &str) -> Value {
    match tool {
        CHART => {
            json!({"symbol": "RELIANCE", "start_date": "2024-01-01", "end_date": "2024-03-28"})
        }
        IND => {
            json!({"symbol": "RELIANCE", "indicator": "RSI", "start_date": "2024-01-01", "end_date": "2024-03-28"})
        }
        PAT => json!({"symbol": "RELIANCE", "start_date": "2024-01-01", "end_date": "2024-03-28"}),
        other => panic!("no base arguments for {other}"),
    }
}

fn with(tool: &str, pointer: &str, value: Value) -> Value {
    let mut args = base(tool);
    set(&mut args, pointer, value);
    args
}

/// Sets `pointer` (e.g. `/params/timeperiod`, `/patterns/0`) in `args`,
/// creating the objects and arrays on the way.
fn set(args: &mut Value, pointer: &str, value: Value) {
    let mut at = args;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let next = if last {
            value.clone()
        } else if parts[i + 1].parse::<usize>().is_ok() {
            json!([])
        } else {
            json!({})
        };
        at = match at {
            Value::Array(a) => {
                let k: usize = part.parse().unwrap();
                while a.len() <= k {
                    a.push(Value::Null);
                }
                if last || a[k].is_null() {
                    a[k] = next;
                }
                &mut a[k]
            }
            Value::Object(o) => {
                let slot = o.entry(part.to_string()).or_insert(Value::Null);
                if last || slot.is_null() {
                    *slot = next;
                }
                slot
            }
            other => panic!("cannot set {pointer} in {other}"),
        };
    }
}

/// Every string field of every tool, and what a hostile (non-empty,
/// non-blank, invalid) value there must produce.
const STRING_FIELDS: &[(&str, &str, &str)] = &[
    (CHART, "/symbol", "symbol"),
    (CHART, "/start_date", "write YYYY-MM-DD"),
    (CHART, "/end_date", "write YYYY-MM-DD"),
    (
        CHART,
        "/interval",
        "use one of 1m, 5m, 15m, 30m, 1h, 1d, 1wk, 1mo",
    ),
    (CHART, "/exchange", "use one of NSE, BSE, US"),
    (IND, "/symbol", "symbol"),
    (IND, "/indicator", "valid choices: "),
    (IND, "/start_date", "write YYYY-MM-DD"),
    (IND, "/end_date", "write YYYY-MM-DD"),
    (IND, "/interval", "use one of 1m, 5m"),
    (IND, "/exchange", "use one of NSE, BSE, US"),
    (IND, "/params/timeperiod", "must be a number"),
    (PAT, "/symbol", "symbol"),
    (PAT, "/start_date", "write YYYY-MM-DD"),
    (PAT, "/end_date", "write YYYY-MM-DD"),
    (PAT, "/interval", "use one of 1m, 5m"),
    (PAT, "/exchange", "use one of NSE, BSE, US"),
    (PAT, "/patterns/0", "unknown candlestick pattern"),
];

/// Text no field accepts: SQL, FTS5 syntax, markup, paths, control
/// characters, scripts from right to left, emoji, a megabyte.
fn hostile_texts() -> Vec<String> {
    let mut texts: Vec<String> = [
        "RELIANCE'; DROP TABLE bars;--",
        "' OR '1'='1",
        "1; DELETE FROM coverage WHERE 1=1",
        "\"); ATTACH DATABASE '/tmp/x.db' AS x;--",
        "x' UNION SELECT sql FROM sqlite_master--",
        "bars MATCH 'reliance*' OR NEAR(tata motors, 5)",
        "\"reliance\" AND NOT \"tcs\"",
        "{symbol}: ^tata* -infy",
        "<script>alert(1)</script>",
        "../../../etc/passwd",
        "%00%27%22",
        "${jndi:ldap://127.0.0.1/x}",
        "NUL\u{0}BYTE",
        "\u{202e}ECNAILER",
        "\u{200b}",
        "रिलायंस इंडस्ट्रीज",
        "टाटा-मोटर्स",
        "📈🚀",
        "ＲＥＬＩＡＮＣＥ",
        "Robert'); DROP TABLE instruments;--",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    texts.push("A".repeat(1 << 20));
    texts.push("'".repeat(1 << 20));
    texts
}

/// Numbers and wrong types in the numeric fields.
fn number_cases() -> Vec<Case> {
    use Expect::*;
    let mut out = Vec::new();
    for tool in [CHART, IND] {
        for (v, expect) in [
            (json!(0), Tool("max_points 0 is out of range; use 1 to")),
            (json!(-1), Tool("max_points -1 is out of range; use 1 to")),
            (json!(i64::MIN), Tool("is out of range; use 1 to")),
            (json!(i64::MAX), Tool("is out of range; use 1 to")),
            (
                json!(20_001),
                Tool("max_points 20001 is out of range; use 1 to 20000"),
            ),
            (json!(u64::MAX), Protocol("invalid argument")),
            (json!(1e300), Protocol("invalid argument")),
            (json!(-1e300), Protocol("invalid argument")),
            (json!(2.5), Protocol("invalid argument")),
            (json!("500"), Protocol("invalid argument")),
            (json!(true), Protocol("invalid argument")),
            (json!([500]), Protocol("invalid argument")),
            (json!({"n": 500}), Protocol("invalid argument")),
        ] {
            out.push(case(tool, with(tool, "/max_points", v), expect));
        }
    }
    for (name, param, v, expect) in [
        ("RSI", "timeperiod", json!(0), "must be in 2..=100000"),
        ("RSI", "timeperiod", json!(-14), "must be in 2..=100000"),
        ("RSI", "timeperiod", json!(1e308), "must be in 2..=100000"),
        ("RSI", "timeperiod", json!(-1e308), "must be in 2..=100000"),
        (
            "RSI",
            "timeperiod",
            json!(u64::MAX),
            "must be in 2..=100000",
        ),
        (
            "RSI",
            "timeperiod",
            json!(i64::MIN),
            "must be in 2..=100000",
        ),
        ("RSI", "timeperiod", json!(14.5), "timeperiod"),
        ("RSI", "timeperiod", json!(1e-300), "timeperiod"),
        ("RSI", "timeperiod", json!("1e400"), "timeperiod"),
        ("RSI", "timeperiod", json!("-inf"), "timeperiod"),
        ("RSI", "timeperiod", json!("NaN"), "timeperiod"),
        ("RSI", "timeperiod", json!(null), "must be a number"),
        ("RSI", "timeperiod", json!(true), "must be a number"),
        ("RSI", "timeperiod", json!([14]), "must be a number"),
        ("RSI", "timeperiod", json!({"v": 14}), "must be a number"),
        ("BBANDS", "nbdevup", json!(1e308), "nbdevup"),
        ("BBANDS", "matype", json!(-1), "matype"),
        ("BBANDS", "matype", json!(9), "matype"),
        ("SAR", "acceleration", json!(-0.02), "acceleration"),
        ("SAR", "maximum", json!(1e308), "maximum"),
        ("SUPERTREND", "multiplier", json!(-3), "multiplier"),
        ("SUPERTREND", "period", json!(0), "period"),
        ("MACD", "signalperiod", json!(0), "signalperiod"),
        ("T3", "vfactor", json!(-1e9), "vfactor"),
    ] {
        let mut args = with(IND, "/indicator", json!(name));
        set(&mut args, &format!("/params/{param}"), v);
        out.push(case(IND, args, Expect::Tool(expect)));
    }
    out
}

/// Arguments of the wrong shape, unknown fields, huge arrays, deep JSON.
fn shape_cases() -> Vec<Case> {
    use Expect::*;
    let deep = |depth: usize| (0..depth).fold(json!("RELIANCE"), |inner, _| json!([inner]));
    let deep_object = |depth: usize| (0..depth).fold(json!(1), |inner, _| json!({"a": inner}));
    let mut out = vec![
        case(CHART, json!({}), Protocol("missing field `symbol`")),
        case(CHART, json!({"symbol": null}), Protocol("invalid argument")),
        case(CHART, json!({"symbol": 42}), Protocol("invalid argument")),
        case(
            CHART,
            json!({"symbol": ["RELIANCE"]}),
            Protocol("invalid argument"),
        ),
        case(
            CHART,
            json!({"symbol": {"$ne": null}}),
            Protocol("invalid argument"),
        ),
        case(
            CHART,
            json!({"symbol": deep(100)}),
            Protocol("invalid argument"),
        ),
        case(
            CHART,
            json!({"symbol": "RELIANCE", "start_date": 20240101}),
            Protocol("invalid argument"),
        ),
        case(
            CHART,
            json!({"symbol": "RELIANCE", "extra": deep_object(100)}),
            Protocol("unknown field `extra`"),
        ),
        case(
            CHART,
            json!({"symbol": "RELIANCE", "symbol'; DROP TABLE bars;--": 1}),
            Protocol("unknown field"),
        ),
        case(
            CHART,
            json!({"symbol": "RELIANCE", "SYMBOL": "TCS"}),
            Protocol("unknown field `SYMBOL`"),
        ),
        case(
            IND,
            json!({"symbol": "RELIANCE", "indicator": "RSI", "params": [14]}),
            Protocol("invalid argument"),
        ),
        case(
            IND,
            json!({"symbol": "RELIANCE", "indicator": "RSI", "params": "timeperiod=14"}),
            Protocol("invalid argument"),
        ),
        case(
            IND,
            json!({"symbol": "RELIANCE", "indicators": {"name": "RSI"}}),
            Protocol("invalid argument"),
        ),
        case(
            IND,
            json!({"symbol": "RELIANCE", "indicators": [{"name": "RSI", "colour": "red"}]}),
            Protocol("unknown field `colour`"),
        ),
        case(
            IND,
            json!({"symbol": "RELIANCE", "indicators": [deep_object(100)]}),
            Protocol("invalid argument"),
        ),
        case(
            IND,
            json!({"symbol": "RELIANCE", "indicators": vec![json!({"name": "SMA"}); 10_000]}),
            Tool("`indicators` must list 1 to 20 indicators"),
        ),
        case(
            IND,
            json!({"symbol": "RELIANCE", "indicator": "RSI", "params": {"timeperiod": 14, "x".repeat(1 << 20): 1}}),
            Tool("valid parameters: timeperiod"),
        ),
        case(
            IND,
            json!({"symbol": "RELIANCE", "indicator": "RSI", "params": {"timeperiod; DROP TABLE bars": 14}}),
            Tool("valid parameters: timeperiod"),
        ),
        case(
            IND,
            json!({"symbol": "RELIANCE", "indicator": "RSI", "params": {"timeperiod": deep(100)}}),
            Tool("must be a number"),
        ),
        case(
            PAT,
            json!({"symbol": "RELIANCE", "patterns": "CDLDOJI"}),
            Protocol("invalid argument"),
        ),
        case(
            PAT,
            json!({"symbol": "RELIANCE", "patterns": [1, 2]}),
            Protocol("invalid argument"),
        ),
        case(
            PAT,
            json!({"symbol": "RELIANCE", "patterns": vec![json!("CDLNOPE"); 10_000]}),
            Tool("unknown candlestick pattern"),
        ),
        case(
            PAT,
            json!({"symbol": "RELIANCE", "patterns": [deep(100)]}),
            Protocol("invalid argument"),
        ),
        case(
            PAT,
            json!({"symbol": "RELIANCE", "penetration": 0.3}),
            Protocol("unknown field `penetration`"),
        ),
        case(LIST, json!({"x": 1}), Protocol("takes no arguments")),
        case(
            LIST,
            json!({"'; DROP TABLE bars;--": deep(100)}),
            Protocol("takes no arguments"),
        ),
        case(
            STATS,
            json!({"verbose": true}),
            Protocol("takes no arguments"),
        ),
        case(
            STATS,
            json!({"a".repeat(1 << 20): 1}),
            Protocol("takes no arguments"),
        ),
        case(
            "get_stock_chart_data'; DROP TABLE bars;--",
            json!({"symbol": "RELIANCE"}),
            Protocol("unknown tool"),
        ),
        case("", json!({}), Protocol("unknown tool")),
        case("рилаянс", json!({}), Protocol("unknown tool")),
    ];
    // Blank and over-long symbols, exchanges that look right but are not.
    for (tool, symbol, expect) in [
        (CHART, "", "symbol is empty"),
        (CHART, " \t\n ", "symbol is empty"),
        (IND, "", "symbol is empty"),
        (PAT, "\u{3000}", "symbol is empty"),
        (CHART, "A".repeat(33).leak() as &str, "the limit is 32"),
        (
            CHART,
            "RELIANCE.NS.NS.NS.NS.NS.NS.NS.NS.NS.NS",
            "the limit is 32",
        ),
    ] {
        out.push(case(
            tool,
            with(tool, "/symbol", json!(symbol)),
            Tool(expect),
        ));
    }
    for exchange in ["NSEX", "LSE", "N S E", "nse;"] {
        out.push(case(
            CHART,
            with(CHART, "/exchange", json!(exchange)),
            Tool("use one of NSE, BSE, US"),
        ));
    }
    // A reversed range, for every tool that reads bars (the warm-up is
    // added only after the range is checked).
    for (tool, extra) in [
        (CHART, json!({})),
        (IND, json!({"indicator": "RSI"})),
        (PAT, json!({})),
    ] {
        let mut args =
            json!({"symbol": "RELIANCE", "start_date": "2024-03-28", "end_date": "2024-01-01"});
        for (k, v) in extra.as_object().unwrap() {
            args[k] = v.clone();
        }
        out.push(case(
            tool,
            args,
            Tool("start_date is after end_date (2024-03-28 > 2024-01-01); swap them"),
        ));
    }
    // Dates that parse but no market has.
    for (start, end, expect) in [
        ("1969-12-31", "2024-01-01", "before 1970-01-01"),
        ("0001-01-01", "2024-01-01", "before 1970-01-01"),
        ("-262143-01-01", "2024-01-01", "before 1970-01-01"),
        (
            "2024-01-01",
            "+262142-12-31",
            "more than a year in the future",
        ),
        ("2024-02-30", "2024-03-28", "write YYYY-MM-DD"),
        ("2024-13-01", "2024-03-28", "write YYYY-MM-DD"),
        ("2024-01-01T25:00:00Z", "2024-03-28", "write YYYY-MM-DD"),
        (
            "2024-01-01T09:15:00+25:00",
            "2024-03-28",
            "write YYYY-MM-DD",
        ),
        (
            "9999-12-31T23:59:59Z",
            "2024-03-28",
            "more than a year in the future",
        ),
    ] {
        for tool in [CHART, IND, PAT] {
            let mut args = with(tool, "/start_date", json!(start));
            set(&mut args, "/end_date", json!(end));
            out.push(case(tool, args, Tool(expect)));
        }
    }
    out
}

/// The whole corpus: every hostile text in every string field, then the
/// numeric and shape cases.
fn corpus() -> Vec<Case> {
    let mut out = Vec::new();
    for text in hostile_texts() {
        for &(tool, pointer, expect) in STRING_FIELDS {
            out.push(case(
                tool,
                with(tool, pointer, json!(text)),
                Expect::Tool(expect),
            ));
        }
    }
    out.extend(number_cases());
    out.extend(shape_cases());
    out
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 200 {
        format!("{}… ({} bytes)", &s[..s.floor_char_boundary(200)], s.len())
    } else {
        s
    }
}

#[tokio::test]
async fn hostile_calls_get_clear_errors_and_change_nothing() {
    let corpus = corpus();
    assert!(corpus.len() >= 200, "{} cases", corpus.len());
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let client = env.stdio_client().await;
    // Something stored, so "unchanged" means something.
    let normal = base(CHART);
    ok(&call(&client, CHART, normal.clone()).await);
    let rows = db_rows(
        &env.db(),
        "SELECT (SELECT COUNT(*) FROM instruments), (SELECT COUNT(*) FROM bars),
                (SELECT COUNT(*) FROM coverage), (SELECT COUNT(*) FROM corporate_actions),
                (SELECT COUNT(*) FROM upstream_calls), (SELECT COUNT(*) FROM breaker_transitions)",
    )
    .await;
    let mut fetched = yahoo.count();

    let mut failures = Vec::new();
    let (mut tool_errors, mut protocol_errors) = (0, 0);
    for (i, c) in corpus.iter().enumerate() {
        let Value::Object(map) = c.args.clone() else {
            unreachable!()
        };
        let outcome = client
            .call_tool(
                rmcp::model::CallToolRequestParams::new(c.tool.to_string()).with_arguments(map),
            )
            .await;
        let what = format!("#{i} {} {}", c.tool, short(&c.args));
        let (kind, message) = match &outcome {
            Ok(r) if r.is_error == Some(true) => ("tool", text(r)),
            Ok(r) => ("success", text(r)),
            Err(e) => ("protocol", e.to_string()),
        };
        let (want_kind, fragment) = match c.expect {
            Expect::Tool(f) => ("tool", f),
            Expect::Protocol(f) => ("protocol", f),
        };
        if kind != want_kind || !message.contains(fragment) {
            failures.push(format!(
                "{what}: expected a {want_kind} error containing {fragment:?}, got a {kind}: {}",
                &message[..message.floor_char_boundary(300)]
            ));
        } else if message.len() > MAX_MESSAGE {
            failures.push(format!(
                "{what}: a {}-byte message: {}…",
                message.len(),
                &message[..message.floor_char_boundary(200)]
            ));
        }
        if yahoo.count() != fetched {
            failures.push(format!(
                "{what}: reached the upstream ({kind}: {message:.300})"
            ));
            fetched = yahoo.count();
        }
        match kind {
            "tool" => tool_errors += 1,
            "protocol" => protocol_errors += 1,
            _ => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile calls misbehaved:\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );
    assert!(tool_errors > 0 && protocol_errors > 0);

    // Still serving, from memory, and nothing changed or was fetched.
    let r = call(&client, CHART, normal).await;
    assert_eq!(source(&r), "memory");
    assert_eq!(
        yahoo.count(),
        fetched,
        "no hostile call reached the upstream"
    );
    let after = db_rows(
        &env.db(),
        "SELECT (SELECT COUNT(*) FROM instruments), (SELECT COUNT(*) FROM bars),
                (SELECT COUNT(*) FROM coverage), (SELECT COUNT(*) FROM corporate_actions),
                (SELECT COUNT(*) FROM upstream_calls), (SELECT COUNT(*) FROM breaker_transitions)",
    )
    .await;
    assert_eq!(after, rows);
    eprintln!(
        "{} hostile calls: {tool_errors} tool errors, {protocol_errors} protocol errors",
        corpus.len()
    );
    client.cancel().await.unwrap();
}

/// Deeper than serde_json's recursion limit (128), the request cannot be
/// parsed at all, so it has no id to answer. Spoken raw over stdio: the
/// server must survive it and answer the next request. (JSON-RPC asks for
/// a -32700 parse error with a null id; today the transport sends none,
/// so a client waits for it forever.)
#[tokio::test]
async fn json_deeper_than_the_parser_allows_does_not_stop_the_server() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let yahoo = FakeYahoo::start().await;
    let env = Env::new(&yahoo.url());
    let mut child = env
        .command(&["serve"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deep = (0..300).fold(json!("RELIANCE"), |inner, _| json!([inner]));
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "hostile", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
               "params": {"name": CHART, "arguments": {"symbol": deep}}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
               "params": {"name": CHART, "arguments": base(CHART)}}),
    ];
    for m in &messages {
        stdin.write_all(format!("{m}\n").as_bytes()).await.unwrap();
    }
    stdin.flush().await.unwrap();
    let mut ids = Vec::new();
    loop {
        let line = lines.next_line().await.unwrap().expect("server exited");
        let v: Value = serde_json::from_str(&line).unwrap();
        ids.push(v["id"].clone());
        if v["id"] == 3 {
            assert!(
                v["result"]["structuredContent"]["bars"]["t"].is_array(),
                "{line:.300}"
            );
            break;
        }
    }
    assert_eq!(ids.first(), Some(&json!(1)), "initialize answered first");
    assert!(
        !ids.contains(&json!(2)),
        "the unparsable request has no id to answer"
    );
    drop(stdin);
    assert!(child.wait().await.unwrap().success(), "clean exit at EOF");
}
