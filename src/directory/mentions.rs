//! Which listings a piece of text names: the rule news linking uses.
//!
//! A listing is named when the text contains, as a whole word:
//! - its company name without the legal suffix and a leading "The"
//!   ("Infosys" for Infosys Limited, "Federal Bank" for The Federal Bank
//!   Limited), or one of its aliases, as written in the directory or in
//!   upper case ("Infosys", "INFOSYS"; never "infosys", which is rarely a
//!   name in running text);
//! - its ticker in upper case ("TCS"), unless the directory marks the
//!   ticker as an ordinary word (OIL, IDEA).
//!
//! A name inside a longer name is not a mention: "State Bank of India" names
//! SBIN, not Bank of India. Group names alone ("Tata") name nothing, because
//! the directory lists none as an alias.

use aho_corasick::{AhoCorasick, MatchKind};

use super::Listing;

const LEGAL_SUFFIXES: [&str; 3] = [" Limited", " Ltd.", " Ltd"];

#[derive(Debug)]
pub(super) struct MentionMatcher {
    automaton: Option<AhoCorasick>,
    /// Pattern id -> listing index.
    owners: Vec<usize>,
}

/// The company name as news text writes it.
fn short_name(name: &str) -> &str {
    let name = name.strip_prefix("The ").unwrap_or(name);
    LEGAL_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name)
        .trim()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

impl MentionMatcher {
    pub(super) fn build(listings: &[Listing]) -> MentionMatcher {
        let mut patterns: Vec<String> = Vec::new();
        let mut owners = Vec::new();
        for (i, l) in listings.iter().enumerate() {
            let mut forms: Vec<String> = Vec::new();
            for text in
                std::iter::once(short_name(&l.name)).chain(l.aliases.iter().map(|a| a.as_str()))
            {
                forms.push(text.to_string());
                forms.push(text.to_uppercase());
            }
            if l.ticker_links {
                forms.push(l.symbol.clone());
            }
            forms.sort();
            forms.dedup();
            for form in forms.into_iter().filter(|f| f.chars().any(is_word_char)) {
                patterns.push(form);
                owners.push(i);
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok();
        MentionMatcher { automaton, owners }
    }

    /// Listing indices named in `text`, in order of first mention.
    pub(super) fn find(&self, text: &str) -> Vec<usize> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let whole_word = |start: usize, end: usize| {
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
        };
        let mut spans: Vec<(usize, usize, usize)> = automaton
            .find_overlapping_iter(text)
            .filter(|m| whole_word(m.start(), m.end()))
            .map(|m| (m.start(), m.end(), self.owners[m.pattern().as_usize()]))
            .collect();
        // Longest first at each start; then a span ending no later than the
        // furthest-reaching span so far lies inside that (longer) one.
        spans.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut kept: Vec<(usize, usize, usize)> = Vec::new();
        let mut cover: Option<(usize, usize)> = None;
        for span in spans {
            let inside =
                cover.is_some_and(|(start, end)| span.1 <= end && end - start > span.1 - span.0);
            if inside {
                continue;
            }
            if cover.is_none_or(|(_, end)| span.1 > end) {
                cover = Some((span.0, span.1));
            }
            kept.push(span);
        }
        let mut found: Vec<usize> = Vec::new();
        for (_, _, owner) in kept {
            if !found.contains(&owner) {
                found.push(owner);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use crate::directory::Directory;

    fn named(text: &str) -> Vec<String> {
        Directory::get()
            .mentions(text)
            .into_iter()
            .map(|l| l.symbol.clone())
            .collect()
    }

    #[test]
    fn names_aliases_and_tickers_link() {
        assert_eq!(named("Infosys wins a $1.5 billion deal"), ["INFY"]);
        assert_eq!(
            named("INFOSYS LIMITED - Outcome of Board Meeting"),
            ["INFY"]
        );
        assert_eq!(named("TCS and Wipro report Q2 numbers"), ["TCS", "WIPRO"]);
        assert_eq!(named("Tata Consultancy Services hires"), ["TCS"]);
        assert_eq!(
            named("RIL's AGM: Reliance Industries to list Jio"),
            ["RELIANCE"]
        );
        assert_eq!(
            named("Tata Steel and Tata Motors rally"),
            ["TATASTEEL", "TATAMOTORS"]
        );
        assert_eq!(
            named("Nifty ends flat; HDFC Bank drags"),
            ["NIFTY", "HDFCBANK"]
        );
    }

    #[test]
    fn group_names_and_parts_of_words_do_not_link() {
        assert!(named("Tata group plans a chip plant").is_empty());
        assert!(named("the Tata family").is_empty());
        assert!(named("infosys in lower case is not a name in running text").is_empty());
        assert!(
            named("BATCS ITCS TCSL").is_empty(),
            "the ticker inside words"
        );
        assert!(
            named("Oil prices rise; OIL output steady").is_empty(),
            "OIL is a word"
        );
    }

    #[test]
    fn a_name_inside_a_longer_name_is_not_a_mention() {
        assert_eq!(named("State Bank of India raises rates"), ["SBIN"]);
        assert_eq!(named("Bank of India raises rates"), ["BANKINDIA"]);
        assert_eq!(named("SBI Life premiums grow"), ["SBILIFE"]);
        assert_eq!(
            named("Reliance Power and Reliance Industries"),
            ["RPOWER", "RELIANCE"]
        );
    }

    #[test]
    fn hostile_text_never_panics() {
        let big = "Infosys ".repeat(100_000);
        assert_eq!(named(&big), ["INFY"]);
        assert!(named("").is_empty());
        assert!(named("रिलायंस 🚀 \u{202e}TCS\u{0}").contains(&"TCS".to_string()));
        assert!(named("éTCS").is_empty(), "é is a word character");
    }
}
