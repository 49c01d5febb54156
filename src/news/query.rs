//! A user's search text -> the words to search for, and nothing else.
//!
//! Every run of letters and digits is one word, so nothing the user types
//! is search syntax: quotes, `AND`/`OR`/`NOT`, `NEAR`, `*`, `^`, `:`,
//! `&`, `|`, `!`, parentheses and column filters are plain words or
//! separators. The words are ANDed: an article must contain every one.
//! Each backend's expression is built from the words alone: SQLite's FTS5
//! gets each as a double-quoted string ([`SearchWords::fts5`]); PostgreSQL
//! gets them as `plainto_tsquery` text ([`SearchWords::plain`]).

/// Most words a query may have.
pub const MAX_QUERY_WORDS: usize = 16;
/// Longest word kept (longer runs cannot be words of an article).
const MAX_WORD_CHARS: usize = 64;

/// The words of a search, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchWords(Vec<String>);

impl SearchWords {
    /// The FTS5 `MATCH` expression: each word double-quoted, ANDed.
    pub fn fts5(&self) -> String {
        self.0
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The words, space-separated: `plainto_tsquery` ANDs them.
    pub fn plain(&self) -> String {
        self.0.join(" ")
    }
}

/// The words of `query`, or an error saying what to fix.
pub fn search_words(query: &str) -> Result<SearchWords, String> {
    let words: Vec<&str> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err(format!(
            "query {:?} has no words to search for; give words such as \"results dividend\"",
            preview(query)
        ));
    }
    if words.len() > MAX_QUERY_WORDS {
        return Err(format!(
            "query has {} words; use at most {MAX_QUERY_WORDS} (every word must appear in an article)",
            words.len()
        ));
    }
    if let Some(long) = words.iter().find(|w| w.chars().count() > MAX_WORD_CHARS) {
        return Err(format!(
            "query word {:?}... is over {MAX_WORD_CHARS} characters long; no article has such a word",
            long.chars().take(20).collect::<String>()
        ));
    }
    Ok(SearchWords(words.iter().map(|w| w.to_string()).collect()))
}

fn preview(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts_query(query: &str) -> Result<String, String> {
        search_words(query).map(|w| w.fts5())
    }

    #[test]
    fn words_are_quoted_and_anded() {
        assert_eq!(
            fts_query("Infosys results").unwrap(),
            "\"Infosys\" \"results\""
        );
        assert_eq!(
            fts_query("tata NEAR(steel, 5) OR \"unbalanced").unwrap(),
            "\"tata\" \"NEAR\" \"steel\" \"5\" \"OR\" \"unbalanced\""
        );
        assert_eq!(
            fts_query("title:infy* ^nifty").unwrap(),
            "\"title\" \"infy\" \"nifty\""
        );
        assert_eq!(fts_query("रिलायंस").unwrap(), "\"रिलायंस\"");
        assert_eq!(
            fts_query("'; DROP TABLE news; --").unwrap(),
            "\"DROP\" \"TABLE\" \"news\""
        );
    }

    #[test]
    fn postgres_gets_the_same_words_without_operators() {
        let words = search_words("tata & !steel | (infy):*").unwrap();
        assert_eq!(words.plain(), "tata steel infy");
    }

    #[test]
    fn unusable_queries_are_clear_errors() {
        assert!(fts_query("").unwrap_err().contains("no words"));
        assert!(fts_query("\"*() -- ;").unwrap_err().contains("no words"));
        let many = "word ".repeat(2000);
        assert!(fts_query(&many).unwrap_err().contains("at most 16"));
        let long = "x".repeat(100);
        assert!(fts_query(&long).unwrap_err().contains("over 64"));
    }
}
