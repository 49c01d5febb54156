//! Malformed and hostile expressions: each gives a clear error naming the
//! position and what to write, or NaN where the language defines it; none
//! panics, runs unbounded or changes a program it failed to join.

mod expr_support;

use expr_support::{Bars, error, same, values};
use trading_mcp::expr::{self, ErrorKind, MAX_CHARS, MAX_DEPTH, Program};

/// (expression, the exact error message).
const CORPUS: &[(&str, &str)] = &[
    // ---- syntax
    (
        "",
        "empty expression; write a formula such as rsi(14) < 30 and close > sma(200)",
    ),
    (
        " \t\n ",
        "empty expression; write a formula such as rsi(14) < 30 and close > sma(200)",
    ),
    (
        "(close + 1",
        "expected ')' at 11, found end of input; to close the '(' at 1",
    ),
    (
        "close + ",
        "expected an expression at 9, found end of input",
    ),
    (
        "rsi(14",
        "expected ',' or ')' at 7, found end of input; to close the '(' of rsi at 4",
    ),
    ("rsi(14,)", "expected an expression at 8, found ')'"),
    ("rsi(,14)", "expected an expression at 5, found ','"),
    (")", "expected an expression at 1, found ')'"),
    ("close)", "unmatched ')' at 6"),
    (
        "close close",
        "expected an operator or the end of the expression at 7, found 'close'",
    ),
    (
        "14rsi",
        "expected an operator or the end of the expression at 3, found 'rsi'",
    ),
    (
        "close = 3",
        "unexpected '=' at 7; use '==' to compare; '=' only names a parameter, as in rsi(timeperiod=14)",
    ),
    (
        "a < b < c",
        "comparisons cannot be chained at 7; write 'a < b and b < c'",
    ),
    (
        "close > 1 < 2",
        "comparisons cannot be chained at 11; write 'a < b and b < c'",
    ),
    (
        "close > 3 within",
        "expected a number of bars after 'within' at 17, found end of input; e.g. cross_above(sma(20), sma(50)) within 5",
    ),
    (
        "close > 3 within x",
        "expected a number of bars after 'within' at 18, found 'x'; e.g. cross_above(sma(20), sma(50)) within 5",
    ),
    ("within 5", "expected an expression at 1, found 'within'"),
    ("and close", "expected an expression at 1, found 'and'"),
    (
        "close and",
        "expected an expression at 10, found end of input",
    ),
    ("not", "expected an expression at 4, found end of input"),
    (
        "bbands(20).",
        "expected an output name after '.' at 12, found end of input; e.g. bbands(20).upperband or macd().signal",
    ),
    (
        "bbands(20).5",
        "expected an output name after '.' at 12, found number 5; e.g. bbands(20).upperband or macd().signal",
    ),
    (
        ".5 + close",
        "number without a leading digit at 1; write 0.5, not .5",
    ),
    (
        "1.2.3",
        "expected an output name after '.' at 5, found number 3; e.g. bbands(20).upperband or macd().signal",
    ),
    (
        "close ** 2",
        "unexpected character '**' at 7; there is no power operator; multiply instead (x * x)",
    ),
    (
        "close ^ 2",
        "unexpected character '^' at 7; there is no power operator; multiply instead (x * x)",
    ),
    (
        "close % 2",
        "unexpected character '%' at 7; there is no '%' operator",
    ),
    ("a && b", "unexpected character '&' at 3; use 'and'"),
    ("a || b", "unexpected character '|' at 3; use 'or'"),
    ("!a", "unexpected character '!' at 1; use 'not'"),
    (
        "close <> open",
        "unexpected character '<>' at 7; use '!=' for 'not equal'",
    ),
    ("close > 1e999", "number '1e999' is too large at 9"),
    // ---- SQL and other hostile text
    (
        "'; DROP TABLE bars; --",
        "unexpected character ''' at 1; expressions have no strings; write names without quotes, e.g. rsi(14) < 30",
    ),
    (
        "SELECT * FROM bars WHERE close > 3",
        "expected an operator or the end of the expression at 15, found 'bars'",
    ),
    (
        "close > 3; DELETE FROM bars",
        "unexpected character ';' at 10; an expression is a single formula, e.g. rsi(14) < 30 and close > sma(200)",
    ),
    (
        "close > 0 or 1=1 --",
        "unexpected '=' at 15; use '==' to compare; '=' only names a parameter, as in rsi(timeperiod=14)",
    ),
    (
        "\"close\" > 3",
        "unexpected character '\"' at 1; expressions have no strings; write names without quotes, e.g. rsi(14) < 30",
    ),
    (
        "<script>alert(1)</script>",
        "expected an expression at 1, found '<'",
    ),
    // ---- unicode
    (
        "clôse > 3",
        "unexpected character 'ô' at 3; expressions use ASCII names (close, rsi), numbers and + - * / < <= > >= == != ( ) , .",
    ),
    (
        "close > ３",
        "unexpected character '３' at 9; expressions use ASCII names (close, rsi), numbers and + - * / < <= > >= == != ( ) , .",
    ),
    (
        "close\u{202e} > 3",
        "unexpected character '\\u{202e}' at 6; expressions use ASCII names (close, rsi), numbers and + - * / < <= > >= == != ( ) , .",
    ),
    (
        "rsi(14) < 30 ∧ close > 1",
        "unexpected character '∧' at 14; expressions use ASCII names (close, rsi), numbers and + - * / < <= > >= == != ( ) , .",
    ),
    (
        "📈 > 3",
        "unexpected character '📈' at 1; expressions use ASCII names (close, rsi), numbers and + - * / < <= > >= == != ( ) , .",
    ),
    (
        "close\0",
        "unexpected character '\\0' at 6; expressions use ASCII names (close, rsi), numbers and + - * / < <= > >= == != ( ) , .",
    ),
    // ---- unknown names
    (
        "smaa(20)",
        "unknown function 'smaa' at 1; did you mean 'sma'?",
    ),
    (
        "clsoe > 3",
        "unknown name 'clsoe' at 1; did you mean 'close'?",
    ),
    (
        "rsii(14) < 30",
        "unknown function 'rsii' at 1; did you mean 'rsi'?",
    ),
    (
        "cross_abov(close, 3)",
        "unknown function 'cross_abov' at 1; did you mean 'cross_above'?",
    ),
    (
        "foo",
        "unknown name 'foo' at 1; names are price columns (open, high, low, close, volume) and indicators (rsi, sma, ...)",
    ),
    (
        "foo(1)",
        "unknown function 'foo' at 1; functions are the registry's indicators (list_indicators) and lag, highest, lowest, cross_above, cross_below, abs, min, max",
    ),
    (
        "NaN > 1",
        "unknown name 'NaN' at 1; names are price columns (open, high, low, close, volume) and indicators (rsi, sma, ...)",
    ),
    ("lag", "lag needs arguments at 1; write lag(x, n)"),
    (
        "close(1)",
        "close is a price column, not a function at 1; write close alone; for an earlier bar use lag(close, 1)",
    ),
    (
        "bbands(20).top",
        "bbands(20) has no output 'top' at 12; valid outputs: upperband (.upper), middleband (.middle), lowerband (.lower)",
    ),
    (
        "macd().signl",
        "macd(12) has no output 'signl' at 8; valid outputs: macd, macdsignal (.signal), macdhist (.hist)",
    ),
    (
        "close.upper",
        "'.upper' selects an output of an indicator, but 'close' is not an indicator call at 7",
    ),
    (
        "bbands(20).upper.lower",
        "'.lower' selects an output of an indicator, but 'bbands(20).upperband' is not an indicator call at 18",
    ),
    (
        "rsi(foo=3)",
        "rsi at 5: parameter 'foo' = 3 is invalid: unknown parameter for RSI; valid parameters: timeperiod",
    ),
    // ---- arity and argument order
    ("lag(close)", "lag(x, n) takes 2 arguments, got 1 at 1"),
    (
        "lag(close, 1, 2)",
        "lag(x, n) takes 2 arguments, got 3 at 1",
    ),
    ("abs()", "abs(x) takes 1 argument, got 0 at 1"),
    (
        "cross_above(close)",
        "cross_above(a, b) takes 2 arguments, got 1 at 1",
    ),
    (
        "rsi(14, 3)",
        "rsi takes 1 parameter, got 2 at 9; parameters, in order: timeperiod=14; to name an input series, write it first: rsi(close, 14)",
    ),
    (
        "sma(20, close)",
        "sma: the input series must be the first argument at 9; e.g. sma(close, 30)",
    ),
    (
        "atr(close, 14)",
        "atr reads high, low, close itself and takes no input series at 5; parameters, in order: timeperiod=14",
    ),
    (
        "rsi(timeperiod=14, 3)",
        "rsi: positional argument after a keyword argument at 20; give positional arguments first",
    ),
    (
        "lag(close, n=3)",
        "lag takes no keyword arguments at 12; write lag(x, n)",
    ),
    (
        "rsi(14, timeperiod=14)",
        "rsi at 5: parameter 'timeperiod' = 14 is invalid: given more than once",
    ),
    (
        "obv(3)",
        "obv takes 0 parameters, got 1 at 5; obv takes no parameters",
    ),
    // ---- parameter values: the registry's own validation
    (
        "rsi(1)",
        "rsi at 5: parameter 'timeperiod' = 1 is invalid: must be in 2..=100000",
    ),
    (
        "sma(0)",
        "sma at 5: parameter 'timeperiod' = 0 is invalid: must be in 1..=100000",
    ),
    (
        "sma(2.5)",
        "sma at 5: parameter 'timeperiod' = 2.5 is invalid: must be a whole number in 1..=100000",
    ),
    (
        "sma(1e9)",
        "sma at 5: parameter 'timeperiod' = 1000000000 is invalid: must be in 1..=100000",
    ),
    (
        "sma(-5)",
        "sma at 5: parameter 'timeperiod' = -5 is invalid: must be in 1..=100000",
    ),
    (
        "sma(1/0)",
        "sma at 5: parameter 'timeperiod' = NaN is invalid: must be a finite number",
    ),
    (
        "bbands(20, matype=9).upper",
        "bbands at 12: parameter 'matype' = 9 is invalid: must be in 0..=8",
    ),
    (
        "macd(26, 12).signal",
        "macd at 1: parameter 'fastperiod' = 26 is invalid: fastperiod must be below slowperiod (12)",
    ),
    (
        "rsi(timeperiod=close)",
        "rsi: parameter 'timeperiod' must be a number at 5",
    ),
    // ---- built-in bar counts
    (
        "lag(close, -1)",
        "lag: n must be a whole number of bars in 0..=100000, got -1 at 12",
    ),
    (
        "lag(close, 1.5)",
        "lag: n must be a whole number of bars in 0..=100000, got 1.5 at 12",
    ),
    (
        "highest(close, 0)",
        "highest: n must be a whole number of bars in 1..=100000, got 0 at 16",
    ),
    (
        "lowest(low, 1e6)",
        "lowest: n must be a whole number of bars in 1..=100000, got 1000000 at 13",
    ),
    (
        "close > 3 within 0",
        "within: n must be a whole number of bars in 1..=100000, got 0 at 18",
    ),
    (
        "close > 3 within 2.5",
        "within: n must be a whole number of bars in 1..=100000, got 2.5 at 18",
    ),
    (
        "lag(close, rsi(14))",
        "lag: n must be a number of bars, not a series such as 'rsi(14)' at 12",
    ),
    // ---- types
    (
        "close and 3",
        "the left side of 'and' at 7 needs a condition, but 'close' is a number; compare it, e.g. close > 0",
    ),
    (
        "close > 1 and 3",
        "the right side of 'and' at 11 needs a condition, but '3' is a number; compare it, e.g. 3 > 0",
    ),
    (
        "not close",
        "'not' at 1 needs a condition, but 'close' is a number; compare it, e.g. close > 0",
    ),
    (
        "close + (open > 1)",
        "the right side of '+' at 7 needs a number, but 'open > 1' is a condition (true/false)",
    ),
    (
        "-(close > 1)",
        "'-' at 1 needs a number, but 'close > 1' is a condition (true/false)",
    ),
    (
        "(close > 1) > 0",
        "the left side of '>' at 13 needs a number, but 'close > 1' is a condition (true/false)",
    ),
    (
        "sma(close > 1, 5)",
        "sma needs a number series as input, but 'close > 1' is a condition at 5",
    ),
    (
        "highest(close > 1, 5)",
        "argument 1 of highest at 9 needs a number, but 'close > 1' is a condition (true/false)",
    ),
    (
        "close within 3",
        "'within' at 7 needs a condition, but 'close' is a number; compare it, e.g. close > 0",
    ),
    (
        "macd()",
        "macd(12) has 3 outputs: macd, macdsignal (.signal), macdhist (.hist) at 1; select one, e.g. macd(12).macd",
    ),
    (
        "bbands(20) + 1",
        "bbands(20) has 3 outputs: upperband (.upper), middleband (.middle), lowerband (.lower) at 1; select one, e.g. bbands(20).upperband",
    ),
];

#[test]
fn every_malformed_expression_gets_its_exact_error() {
    assert!(CORPUS.len() >= 60, "{}", CORPUS.len());
    let mut wrong = Vec::new();
    for (text, want) in CORPUS {
        let got = error(text);
        if got != *want {
            wrong.push(format!("{text:?}\n  got:  {got}\n  want: {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn positions_are_character_columns() {
    for (text, _) in CORPUS {
        let err = expr::compile(text).err().unwrap();
        if let Some(pos) = err.position {
            let len = text.chars().count();
            assert!(pos >= 1 && pos <= len + 1, "{text:?}: {pos}");
            assert!(err.message.contains(&format!("at {pos}")), "{text:?}");
        }
    }
}

#[test]
fn oversized_and_deeply_nested_input_is_refused_before_parsing() {
    let huge = "close + ".repeat(100_000 / 8) + "1";
    let err = expr::compile(&huge).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Limit);
    assert_eq!(
        err.message,
        "expression is 100001 characters long; the limit is 2000. Split it into smaller expressions"
    );
    let parens = format!("{}close{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(
        expr::compile(&parens).unwrap_err().message,
        "expression is 20005 characters long; the limit is 2000. Split it into smaller expressions"
    );
    // Under the length limit, nesting stops at the depth limit, at the
    // token that would go one level deeper.
    for (deep, at) in [
        (format!("{}close{}", "(".repeat(900), ")".repeat(900)), 65),
        (format!("{}close", "-".repeat(1_500)), 65),
        (format!("{}close", "abs(".repeat(400)), 64 * 4 + 1),
    ] {
        assert!(deep.chars().count() <= MAX_CHARS);
        let err = expr::compile(&deep).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Limit);
        assert_eq!(
            err.message,
            format!(
                "expression nests deeper than {MAX_DEPTH} levels (operators, calls, parentheses) at {at}; split it into simpler expressions"
            )
        );
    }
    // A long flat chain is a deep tree: refused, not recursed into.
    let chain = format!("close{}", " + close".repeat(200));
    assert_eq!(
        expr::compile(&chain).unwrap_err().message,
        format!(
            "expression nests deeper than {MAX_DEPTH} levels (operators, calls, parentheses) at 1; split it into simpler expressions"
        )
    );
    let nots = format!("{}close > 1", "not ".repeat(70));
    assert_eq!(expr::compile(&nots).unwrap_err().kind, ErrorKind::Limit);
    // Just under the limits compiles.
    let ok = format!("{}close{}", "(".repeat(60), ")".repeat(60));
    let (p, r) = expr::compile(&ok).unwrap();
    assert_eq!(p.label(r), "close");
}

#[test]
fn indicator_calls_are_limited() {
    let calls: Vec<String> = (2..=18).map(|p| format!("sma({p})")).collect();
    let err = expr::compile(&calls.join(" + ")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Limit);
    assert_eq!(
        err.message,
        "more than 16 different indicator calls in one expression at 153; split it into smaller expressions"
    );
    // The same call repeated is one call.
    let (p, _) = expr::compile(&vec!["sma(20)"; 60].join(" + ")).unwrap();
    assert_eq!(p.indicator_count(), 1);
    assert!(expr::compile(&calls[..16].join(" + ")).is_ok());
    let nested = format!("{}close{}", "ema(".repeat(20), ", 2)".repeat(20));
    assert_eq!(expr::compile(&nested).unwrap_err().kind, ErrorKind::Limit);
}

#[test]
fn undefined_arithmetic_is_nan_not_an_error() {
    let mut bars = Bars::from_close(&[5.0, 6.0, 7.0, 8.0]);
    bars.volume = vec![0.0, 10.0, 0.0, 10.0];
    let n = f64::NAN;
    let cases: [(&str, [f64; 4]); 6] = [
        ("close / 0", [n; 4]),
        ("close / volume", [n, 0.6, n, 0.8]),
        ("close / volume > 0.7", [n, 0.0, n, 1.0]),
        ("0 / 0 + close", [n; 4]),
        ("close * 1e308 * 10", [n; 4]),
        ("(close - close) / (close - close)", [n; 4]),
    ];
    for (text, want) in cases {
        assert!(same(&values(text, &bars), &want), "{text}");
    }
}

#[test]
fn a_failed_add_leaves_the_program_unchanged() {
    let bars = Bars::from_close(&(0..60).map(f64::from).collect::<Vec<_>>());
    let mut p = Program::new();
    let good = p.add("sma(20) > sma(30)").unwrap();
    for (bad, _) in CORPUS {
        assert!(p.add(bad).is_err());
    }
    assert_eq!(p.roots().count(), 1);
    assert_eq!(p.indicator_count(), 2);
    let ev = p.evaluate(&bars.ohlcv()).unwrap();
    let (alone, _) = expr::compile("sma(20) > sma(30)").unwrap();
    let alone_nodes = alone.evaluate(&bars.ohlcv()).unwrap().stats().nodes;
    assert_eq!(ev.stats().nodes, alone_nodes);
    assert_eq!(ev.latest(good), 1.0);
}

/// Pieces that random expressions are glued from: valid words, operators,
/// numbers at the edges of the ranges, and hostile characters.
const PIECES: &[&str] = &[
    "close",
    "open",
    "high",
    "low",
    "volume",
    "rsi",
    "sma",
    "ema",
    "bbands",
    "macd",
    "atr",
    "obv",
    "vwap",
    "ichimoku",
    "stoch",
    "supertrend",
    "lag",
    "highest",
    "lowest",
    "cross_above",
    "cross_below",
    "abs",
    "min",
    "max",
    "and",
    "or",
    "not",
    "within",
    "(",
    ")",
    "(",
    ")",
    ",",
    ".",
    "upper",
    "signal",
    "chikou",
    "k",
    "timeperiod",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "0",
    "1",
    "2",
    "14",
    "200",
    "-1",
    "2.5",
    "1e308",
    "100000",
    "100001",
    "9e15",
    " ",
    " ",
    "é",
    "'",
    ";",
    "\u{202e}",
    "\0",
    "📈",
    "&&",
    "%",
];

fn random_text(rng: &mut fastrand::Rng) -> String {
    let pieces = rng.usize(1..30);
    (0..pieces)
        .map(|_| PIECES[rng.usize(..PIECES.len())])
        .collect::<Vec<_>>()
        .join(if rng.bool() { " " } else { "" })
}

/// A random well-formed expression of depth at most `depth`.
fn random_expr(rng: &mut fastrand::Rng, depth: usize) -> String {
    let leaf = |rng: &mut fastrand::Rng| {
        let leaves = [
            "close", "high", "low", "volume", "rsi(14)", "sma(5)", "3", "0", "obv",
        ];
        leaves[rng.usize(..leaves.len())].to_string()
    };
    if depth == 0 {
        return leaf(rng);
    }
    let a = random_expr(rng, depth - 1);
    let b = random_expr(rng, depth - 1);
    let n = [0, 1, 2, 3, 50, 100_000][rng.usize(..6)];
    match rng.usize(..14) {
        0 => format!("({a} + {b})"),
        1 => format!("({a} / {b})"),
        2 => format!("({a} > {b})"),
        3 => format!("({a} < {b} and {b} > 0)"),
        4 => format!("lag({a}, {n})"),
        5 => format!("highest({a}, {n})"),
        6 => format!("cross_above({a}, {b})"),
        7 => format!("({a} > {b} within {n})"),
        8 => format!("ema({a}, {})", n.max(1)),
        9 => format!("bbands({a}, {}).lower", n.max(2)),
        10 => format!("not ({a} >= {b})"),
        11 => format!("min(abs({a}), {b})"),
        12 => format!("macd({a}).hist"),
        _ => leaf(rng),
    }
}

#[test]
fn random_input_never_panics_and_labels_round_trip() {
    let bars = Bars::from_close(
        &(0..120)
            .map(|i| 100.0 + (i as f64 * 0.7).sin() * 5.0)
            .collect::<Vec<_>>(),
    );
    let mut rng = fastrand::Rng::with_seed(11);
    let (mut compiled, mut evaluated) = (0, 0);
    for case in 0..6_000 {
        let text = match case % 3 {
            0 => random_text(&mut rng),
            1 => {
                let depth = rng.usize(0..5);
                random_expr(&mut rng, depth)
            }
            _ => (0..rng.usize(0..40))
                .map(|_| char::from_u32(rng.u32(0..0x2_0000)).unwrap_or('?'))
                .collect(),
        };
        let Ok((p, r)) = expr::compile(&text) else {
            continue;
        };
        compiled += 1;
        // The canonical label is itself an expression with the same label.
        let (again, r2) = expr::compile(p.label(r))
            .unwrap_or_else(|e| panic!("{text:?} -> {:?}: {e}", p.label(r)));
        assert_eq!(again.label(r2), p.label(r), "{text:?}");
        if let Ok(ev) = p.evaluate(&bars.ohlcv()) {
            evaluated += 1;
            assert_eq!(ev.series_of(r).len(), bars.close.len());
            let _ = ev.terms(r, bars.close.len() - 1);
        }
        let _ = p.warmup(false);
    }
    // The generator reaches the resolver and the evaluator, not just the lexer.
    assert!(
        compiled > 1_000 && evaluated > 500,
        "{compiled} {evaluated}"
    );
}
