//! Splits expression text into tokens, each with its 1-based character
//! column. Only ASCII names, numbers and the operators of the language are
//! accepted; anything else (quotes, `;`, `&&`, letters outside ASCII) is an
//! error naming the character and, where there is one, the word to use.

use super::error::{ErrorKind, ExprError};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Num(f64),
    Ident(String),
    LParen,
    RParen,
    Comma,
    Dot,
    Plus,
    Minus,
    Star,
    Slash,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    /// `=`: only between a keyword parameter and its value.
    Assign,
    End,
}

impl Tok {
    /// How the token reads in "found ..." messages.
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::Num(x) => format!("number {x}"),
            Tok::Ident(s) => format!("'{s}'"),
            Tok::End => "end of input".to_string(),
            other => format!("'{}'", other.symbol()),
        }
    }

    pub(super) fn symbol(&self) -> &'static str {
        match self {
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Dot => ".",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::EqEq => "==",
            Tok::Ne => "!=",
            Tok::Assign => "=",
            Tok::Num(_) | Tok::Ident(_) | Tok::End => "",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    /// 1-based character column of the token's first character.
    pub pos: usize,
}

/// The tokens of `text`, ending with [`Tok::End`].
pub(super) fn lex(text: &str) -> Result<Vec<Token>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let (tok, len) = match c {
            '0'..='9' => number(&chars, i)?,
            'a'..='z' | 'A'..='Z' | '_' => {
                let end = (i..chars.len())
                    .find(|&j| !(chars[j].is_ascii_alphanumeric() || chars[j] == '_'))
                    .unwrap_or(chars.len());
                (Tok::Ident(chars[i..end].iter().collect()), end - i)
            }
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ',' => (Tok::Comma, 1),
            // `.5` as a number; after a value it is a (bad) selector instead.
            '.' if next.is_some_and(|d| d.is_ascii_digit())
                && !out.last().is_some_and(|t: &Token| {
                    matches!(t.tok, Tok::Num(_) | Tok::Ident(_) | Tok::RParen)
                }) =>
            {
                return Err(ExprError::at(
                    ErrorKind::Syntax,
                    pos,
                    "number without a leading digit",
                )
                .hint("write 0.5, not .5"));
            }
            '.' => (Tok::Dot, 1),
            '+' => (Tok::Plus, 1),
            '-' => (Tok::Minus, 1),
            '*' if next == Some('*') => return Err(unexpected("**", pos, NO_POWER)),
            '*' => (Tok::Star, 1),
            '/' => (Tok::Slash, 1),
            '<' if next == Some('=') => (Tok::Le, 2),
            '<' if next == Some('>') => {
                return Err(unexpected("<>", pos, "use '!=' for 'not equal'"));
            }
            '<' => (Tok::Lt, 1),
            '>' if next == Some('=') => (Tok::Ge, 2),
            '>' => (Tok::Gt, 1),
            '=' if next == Some('=') => (Tok::EqEq, 2),
            '=' => (Tok::Assign, 1),
            '!' if next == Some('=') => (Tok::Ne, 2),
            '!' => return Err(unexpected("!", pos, "use 'not'")),
            '&' => return Err(unexpected(&c.to_string(), pos, "use 'and'")),
            '|' => return Err(unexpected(&c.to_string(), pos, "use 'or'")),
            '^' => return Err(unexpected("^", pos, NO_POWER)),
            '%' => return Err(unexpected("%", pos, "there is no '%' operator")),
            '\'' | '"' | '`' => {
                return Err(unexpected(
                    &c.to_string(),
                    pos,
                    "expressions have no strings; write names without quotes, e.g. rsi(14) < 30",
                ));
            }
            ';' => {
                return Err(unexpected(
                    ";",
                    pos,
                    "an expression is a single formula, e.g. rsi(14) < 30 and close > sma(200)",
                ));
            }
            _ => {
                return Err(unexpected(
                    &c.escape_debug().to_string(),
                    pos,
                    "expressions use ASCII names (close, rsi), numbers and + - * / < <= > >= == != ( ) , .",
                ));
            }
        };
        out.push(Token { tok, pos });
        i += len;
    }
    out.push(Token {
        tok: Tok::End,
        pos: chars.len() + 1,
    });
    Ok(out)
}

const NO_POWER: &str = "there is no power operator; multiply instead (x * x)";

fn unexpected(what: &str, pos: usize, hint: &str) -> ExprError {
    ExprError::at(
        ErrorKind::Syntax,
        pos,
        format!("unexpected character '{what}'"),
    )
    .hint(hint)
}

/// `digits ('.' digits)? ([eE] [+-]? digits)?` from `start`; a '.' not
/// followed by a digit is left for the output selector.
fn number(chars: &[char], start: usize) -> Result<(Tok, usize), ExprError> {
    let digits = |from: usize| {
        (from..chars.len())
            .find(|&j| !chars[j].is_ascii_digit())
            .unwrap_or(chars.len())
    };
    let mut end = digits(start);
    if chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(|d| d.is_ascii_digit()) {
        end = digits(end + 1);
    }
    if matches!(chars.get(end), Some('e' | 'E')) {
        let sign = usize::from(matches!(chars.get(end + 1), Some('+' | '-')));
        if chars
            .get(end + 1 + sign)
            .is_some_and(|d| d.is_ascii_digit())
        {
            end = digits(end + 1 + sign);
        }
    }
    let text: String = chars[start..end].iter().collect();
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok((Tok::Num(x), end - start)),
        _ => Err(ExprError::at(
            ErrorKind::Syntax,
            start + 1,
            format!("number '{}' is too large", shorten(&text, 20)),
        )),
    }
}

/// At most `max` characters of `text`, for a message.
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}...", text.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok> {
        lex(text).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn numbers_names_and_operators_with_positions() {
        let t = lex("rsi(14) <= 30.5e1").unwrap();
        let got: Vec<(Tok, usize)> = t.into_iter().map(|t| (t.tok, t.pos)).collect();
        assert_eq!(
            got,
            vec![
                (Tok::Ident("rsi".into()), 1),
                (Tok::LParen, 4),
                (Tok::Num(14.0), 5),
                (Tok::RParen, 7),
                (Tok::Le, 9),
                (Tok::Num(305.0), 12),
                (Tok::End, 18),
            ]
        );
    }

    #[test]
    fn a_dot_after_a_number_selects_an_output() {
        assert_eq!(
            toks("1.upper"),
            vec![
                Tok::Num(1.0),
                Tok::Dot,
                Tok::Ident("upper".into()),
                Tok::End
            ]
        );
        assert_eq!(
            toks("2e"),
            vec![Tok::Num(2.0), Tok::Ident("e".into()), Tok::End]
        );
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let err = lex("é + €").unwrap_err();
        assert_eq!(err.position, Some(1));
        let err = lex("1 + €").unwrap_err();
        assert_eq!(err.position, Some(5));
        assert!(
            err.message.starts_with("unexpected character '€' at 5"),
            "{err}"
        );
    }

    #[test]
    fn hints_for_other_languages_operators() {
        assert_eq!(
            lex("a && b").unwrap_err().message,
            "unexpected character '&' at 3; use 'and'"
        );
        assert_eq!(
            lex("a ** 2").unwrap_err().message,
            "unexpected character '**' at 3; there is no power operator; multiply instead (x * x)"
        );
        assert_eq!(
            lex("1e999").unwrap_err().message,
            "number '1e999' is too large at 1"
        );
    }
}
