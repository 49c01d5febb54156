//! `sort_by` for the screener: an expression with an optional trailing
//! ` desc` (or ` asc`), and the order of two values under it.

use std::cmp::Ordering;

/// A parsed `sort_by`: the expression text and its direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey<'a> {
    /// The expression, to add to the screen's [`super::Program`]; error
    /// positions in it are positions in the original `sort_by` text.
    pub expression: &'a str,
    pub descending: bool,
}

impl<'a> SortKey<'a> {
    /// Splits `rsi(14) desc` into `rsi(14)` and descending. Ascending when
    /// no direction is given. The word must follow a space, so a name
    /// ending in "desc" is not cut.
    pub fn parse(text: &'a str) -> SortKey<'a> {
        let trimmed = text.trim_end();
        for (word, descending) in [("desc", true), ("asc", false)] {
            let cut = trimmed.len().saturating_sub(word.len());
            if let (Some(head), Some(tail)) = (trimmed.get(..cut), trimmed.get(cut..))
                && tail.eq_ignore_ascii_case(word)
                && head.ends_with(char::is_whitespace)
                && !head.trim().is_empty()
            {
                return SortKey {
                    expression: head.trim_end(),
                    descending,
                };
            }
        }
        SortKey {
            expression: trimmed,
            descending: false,
        }
    }

    /// The order of two sort values: by value in the key's direction, NaN
    /// (undefined) always last.
    pub fn compare(&self, a: f64, b: f64) -> Ordering {
        match (a.is_nan(), b.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) if self.descending => b.total_cmp(&a),
            (false, false) => a.total_cmp(&b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_word_is_split_off() {
        let k = SortKey::parse("rsi(14) desc");
        assert_eq!((k.expression, k.descending), ("rsi(14)", true));
        let k = SortKey::parse("  close / sma(200)   ASC ");
        assert_eq!((k.expression, k.descending), ("  close / sma(200)", false));
        let k = SortKey::parse("volume");
        assert_eq!((k.expression, k.descending), ("volume", false));
        // "desc" alone is an (unknown) expression, not an empty one.
        assert_eq!(SortKey::parse("desc").expression, "desc");
        assert_eq!(SortKey::parse("xdesc").expression, "xdesc");
        // Multi-byte text before the word does not split a character.
        assert_eq!(SortKey::parse("é desc").expression, "é");
    }

    #[test]
    fn nan_sorts_last_both_ways() {
        let mut v = [3.0, f64::NAN, 1.0, 2.0];
        let desc = SortKey::parse("x desc");
        v.sort_by(|a, b| desc.compare(*a, *b));
        assert_eq!(&v[..3], &[3.0, 2.0, 1.0]);
        assert!(v[3].is_nan());
        let asc = SortKey::parse("x");
        v.sort_by(|a, b| asc.compare(*a, *b));
        assert_eq!(&v[..3], &[1.0, 2.0, 3.0]);
        assert!(v[3].is_nan());
    }
}
