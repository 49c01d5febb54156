//! A Pratt parser from tokens to an [`Ast`]. Recursion goes only through
//! [`Parser::expr`], which counts its depth and stops at [`MAX_DEPTH`]
//! before recursing further, and every node records the depth of its
//! subtree, so neither the parser nor the passes after it (which recurse
//! over the tree) can overflow the stack, whatever the input.

use super::ast::{Arg, Ast, AstKind, BinOp, Prec};
use super::error::{ErrorKind, ExprError};
use super::lexer::{Tok, Token, lex, shorten};
use super::names::KEYWORDS;
use super::{MAX_CHARS, MAX_DEPTH};

/// Parses one expression; checks the length limit before reading it.
pub(super) fn parse(text: &str) -> Result<Ast, ExprError> {
    let chars = text.chars().count();
    if chars > MAX_CHARS {
        return Err(ExprError::general(
            ErrorKind::Limit,
            format!(
                "expression is {chars} characters long; the limit is {MAX_CHARS}. Split it into smaller expressions"
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(ExprError::general(
            ErrorKind::Syntax,
            "empty expression; write a formula such as rsi(14) < 30 and close > sma(200)",
        ));
    }
    let mut parser = Parser {
        tokens: lex(text)?,
        i: 0,
        depth: 0,
    };
    let ast = parser.expr(0)?;
    let t = parser.peek();
    match &t.tok {
        Tok::End => Ok(ast),
        Tok::RParen => Err(ExprError::at(ErrorKind::Syntax, t.pos, "unmatched ')'")),
        Tok::Assign => Err(assign_error(t.pos)),
        other => Err(ExprError::placed(
            ErrorKind::Syntax,
            t.pos,
            format!(
                "expected an operator or the end of the expression at {}, found {}",
                t.pos,
                short(other)
            ),
        )),
    }
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    /// Current recursion depth of [`Parser::expr`].
    depth: usize,
}

/// Binding power of a precedence level (higher binds tighter).
fn bp(prec: Prec) -> u8 {
    2 * (prec as u8 + 1)
}

fn is_word(tok: &Tok, word: &str) -> bool {
    matches!(tok, Tok::Ident(s) if s.eq_ignore_ascii_case(word))
}

fn short(tok: &Tok) -> String {
    match tok {
        Tok::Ident(s) => format!("'{}'", shorten(s, 30)),
        other => other.describe(),
    }
}

fn assign_error(pos: usize) -> ExprError {
    ExprError::at(ErrorKind::Syntax, pos, "unexpected '='")
        .hint("use '==' to compare; '=' only names a parameter, as in rsi(timeperiod=14)")
}

/// A node whose subtree is `depth` deep, refused past the limit.
fn node(node: AstKind, pos: usize, depth: usize) -> Result<Ast, ExprError> {
    if depth > MAX_DEPTH {
        return Err(too_deep(pos));
    }
    Ok(Ast { node, pos, depth })
}

fn too_deep(pos: usize) -> ExprError {
    ExprError::at(
        ErrorKind::Limit,
        pos,
        format!("expression nests deeper than {MAX_DEPTH} levels (operators, calls, parentheses)"),
    )
    .hint("split it into simpler expressions")
}

impl Parser {
    fn peek(&self) -> &Token {
        // `lex` always ends the list with `End`, and `advance` never passes it.
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }

    fn peek2(&self) -> &Tok {
        &self.tokens[(self.i + 1).min(self.tokens.len() - 1)].tok
    }

    fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::End {
            self.i += 1;
        }
        t
    }

    fn expected(&self, what: &str) -> ExprError {
        let t = self.peek();
        ExprError::placed(
            ErrorKind::Syntax,
            t.pos,
            format!("expected {what} at {}, found {}", t.pos, short(&t.tok)),
        )
    }

    /// An expression whose operators bind at least as tightly as `min_bp`.
    fn expr(&mut self, min_bp: u8) -> Result<Ast, ExprError> {
        self.depth += 1;
        let result = if self.depth > MAX_DEPTH {
            Err(too_deep(self.peek().pos))
        } else {
            self.expr_inner(min_bp)
        };
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, min_bp: u8) -> Result<Ast, ExprError> {
        let mut lhs = self.prefix()?;
        let mut last_was_comparison = false;
        loop {
            let t = self.peek().clone();
            if is_word(&t.tok, "within") {
                if bp(Prec::Within) < min_bp {
                    break;
                }
                self.advance();
                let n = self.peek().clone();
                let Tok::Num(bars) = n.tok else {
                    return Err(self
                        .expected("a number of bars after 'within'")
                        .hint("e.g. cross_above(sma(20), sma(50)) within 5"));
                };
                self.advance();
                let (pos, depth) = (lhs.pos, lhs.depth + 1);
                lhs = node(
                    AstKind::Within {
                        cond: Box::new(lhs),
                        word_pos: t.pos,
                        bars,
                        bars_pos: n.pos,
                    },
                    pos,
                    depth,
                )?;
                last_was_comparison = false;
                continue;
            }
            if t.tok == Tok::Assign {
                return Err(assign_error(t.pos));
            }
            let Some(op) = binary_op(&t.tok) else { break };
            let lbp = bp(op.prec());
            if lbp < min_bp {
                break;
            }
            if op.is_comparison() && last_was_comparison {
                return Err(ExprError::at(
                    ErrorKind::Syntax,
                    t.pos,
                    "comparisons cannot be chained",
                )
                .hint("write 'a < b and b < c'"));
            }
            self.advance();
            let rhs = self.expr(lbp + 1)?;
            let (pos, depth) = (lhs.pos, 1 + lhs.depth.max(rhs.depth));
            lhs = node(
                AstKind::Binary {
                    op,
                    op_pos: t.pos,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                pos,
                depth,
            )?;
            last_was_comparison = op.is_comparison();
        }
        Ok(lhs)
    }

    /// A number, name, call, parenthesised expression, `-x` or `not x`,
    /// followed by any `.output` selectors.
    fn prefix(&mut self) -> Result<Ast, ExprError> {
        let t = self.peek().clone();
        let mut ast = match &t.tok {
            Tok::Num(x) => {
                self.advance();
                node(AstKind::Number(*x), t.pos, 1)?
            }
            Tok::Ident(word) if word.eq_ignore_ascii_case("not") => {
                self.advance();
                let operand = self.expr(bp(Prec::Within))?;
                let depth = operand.depth + 1;
                node(AstKind::Not(Box::new(operand)), t.pos, depth)?
            }
            // `not` was taken above; the other words cannot start an operand.
            Tok::Ident(word) if KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k)) => {
                return Err(self.expected("an expression"));
            }
            Tok::Ident(name) => {
                self.advance();
                if self.peek().tok == Tok::LParen {
                    self.call(name.clone(), t.pos)?
                } else {
                    node(AstKind::Name(name.clone()), t.pos, 1)?
                }
            }
            Tok::LParen => {
                self.advance();
                let inner = self.expr(0)?;
                if self.peek().tok != Tok::RParen {
                    return Err(self
                        .expected("')'")
                        .hint(format!("to close the '(' at {}", t.pos)));
                }
                self.advance();
                inner
            }
            Tok::Minus => {
                self.advance();
                let operand = self.expr(bp(Prec::Neg))?;
                let depth = operand.depth + 1;
                node(AstKind::Neg(Box::new(operand)), t.pos, depth)?
            }
            _ => return Err(self.expected("an expression")),
        };
        while self.peek().tok == Tok::Dot {
            self.advance();
            let f = self.peek().clone();
            let Tok::Ident(field) = f.tok else {
                return Err(self
                    .expected("an output name after '.'")
                    .hint("e.g. bbands(20).upperband or macd().signal"));
            };
            self.advance();
            let (pos, depth) = (ast.pos, ast.depth + 1);
            ast = node(
                AstKind::Select {
                    base: Box::new(ast),
                    field,
                    field_pos: f.pos,
                },
                pos,
                depth,
            )?;
        }
        Ok(ast)
    }

    /// The argument list of `name(`, positional then `keyword = value`.
    fn call(&mut self, name: String, pos: usize) -> Result<Ast, ExprError> {
        let open = self.advance();
        let mut args = Vec::new();
        let mut depth = 1;
        if self.peek().tok == Tok::RParen {
            self.advance();
        } else {
            loop {
                let at = self.peek().clone();
                let keyword = match (&at.tok, self.peek2()) {
                    (Tok::Ident(k), Tok::Assign) => {
                        self.advance();
                        self.advance();
                        Some(k.clone())
                    }
                    _ => None,
                };
                let value = self.expr(0)?;
                depth = depth.max(value.depth + 1);
                args.push(Arg {
                    keyword,
                    value,
                    pos: at.pos,
                });
                match self.peek().tok {
                    Tok::Comma => {
                        self.advance();
                    }
                    Tok::RParen => {
                        self.advance();
                        break;
                    }
                    _ => {
                        return Err(self
                            .expected("',' or ')'")
                            .hint(format!("to close the '(' of {name} at {}", open.pos)));
                    }
                }
            }
        }
        node(AstKind::Call { name, args }, pos, depth)
    }
}

fn binary_op(tok: &Tok) -> Option<BinOp> {
    Some(match tok {
        Tok::Plus => BinOp::Add,
        Tok::Minus => BinOp::Sub,
        Tok::Star => BinOp::Mul,
        Tok::Slash => BinOp::Div,
        Tok::Lt => BinOp::Lt,
        Tok::Le => BinOp::Le,
        Tok::Gt => BinOp::Gt,
        Tok::Ge => BinOp::Ge,
        Tok::EqEq => BinOp::Eq,
        Tok::Ne => BinOp::Ne,
        t if is_word(t, "and") => BinOp::And,
        t if is_word(t, "or") => BinOp::Or,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as a fully parenthesised string, to check precedence.
    fn show(a: &Ast) -> String {
        match &a.node {
            AstKind::Number(x) => format!("{x}"),
            AstKind::Name(n) => n.clone(),
            AstKind::Call { name, args } => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match &a.keyword {
                        Some(k) => format!("{k}={}", show(&a.value)),
                        None => show(&a.value),
                    })
                    .collect();
                format!("{name}({})", args.join(","))
            }
            AstKind::Select { base, field, .. } => format!("{}.{field}", show(base)),
            AstKind::Neg(x) => format!("(-{})", show(x)),
            AstKind::Not(x) => format!("(not {})", show(x)),
            AstKind::Binary { op, lhs, rhs, .. } => {
                format!("({} {} {})", show(lhs), op.symbol(), show(rhs))
            }
            AstKind::Within { cond, bars, .. } => format!("({} within {bars})", show(cond)),
        }
    }

    fn p(text: &str) -> String {
        show(&parse(text).unwrap())
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(p("1 + 2 * 3 - 4"), "((1 + (2 * 3)) - 4)");
        assert_eq!(p("a - b - c"), "((a - b) - c)");
        assert_eq!(p("-a * b"), "((-a) * b)");
        assert_eq!(
            p("rsi(14) < 30 and close > sma(200)"),
            "((rsi(14) < 30) and (close > sma(200)))"
        );
        assert_eq!(p("a or b and c"), "(a or (b and c))");
        assert_eq!(p("not a and b"), "((not a) and b)");
        assert_eq!(p("not a < b"), "(not (a < b))");
        assert_eq!(p("a < b within 5"), "((a < b) within 5)");
        assert_eq!(p("a and b within 5"), "(a and (b within 5))");
        assert_eq!(p("not x within 3"), "(not (x within 3))");
        assert_eq!(p("macd().signal > 0"), "(macd().signal > 0)");
        assert_eq!(
            p("bbands(close, 20, nbdevup=2.5).upper"),
            "bbands(close,20,nbdevup=2.5).upper"
        );
        assert_eq!(p("A AND NOT B"), "(A and (not B))");
    }

    #[test]
    fn positions_of_errors() {
        let e = parse("(close + 1").unwrap_err();
        assert_eq!(
            e.message,
            "expected ')' at 11, found end of input; to close the '(' at 1"
        );
        let e = parse("rsi(14 30)").unwrap_err();
        assert_eq!(
            e.message,
            "expected ',' or ')' at 8, found number 30; to close the '(' of rsi at 4"
        );
        assert_eq!(parse("a < b < c").unwrap_err().position, Some(7));
        assert_eq!(parse("close = 3").unwrap_err().position, Some(7));
    }

    #[test]
    fn depth_is_bounded_before_recursing() {
        let deep = format!(
            "{}1{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        let e = parse(&deep).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
        let ok = format!(
            "{}1{}",
            "(".repeat(MAX_DEPTH - 1),
            ")".repeat(MAX_DEPTH - 1)
        );
        assert!(parse(&ok).is_ok());
        let chain = vec!["close"; MAX_DEPTH + 2].join("+");
        assert_eq!(parse(&chain).unwrap_err().kind, ErrorKind::Limit);
    }
}
