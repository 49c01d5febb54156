//! Matching for completion and `search_symbols`.
//!
//! Case-insensitive. Ranked, best first:
//! 1. the symbol or a ticker-like alias equals the query;
//! 2. the symbol starts with it (`REL` -> RELIANCE, RELAXO);
//! 3. a ticker-like alias starts with it (`nif` -> NIFTY50);
//! 4. its words, in order, start the words of the name or an alias
//!    (`tata` -> TCS, `Tata Steel` -> TATASTEEL, `infosys` -> INFY).
//!
//! Within a rank, index members (and indices) come before other listings,
//! then shorter symbols, then alphabetical order.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Directory, Listing};

/// Longest query that can match anything (longer names do not exist);
/// anything longer matches nothing, without being scanned.
const MAX_QUERY_BYTES: usize = 256;

/// One page of `search_symbols` results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SymbolSearch {
    pub matches: Vec<Listing>,
    /// How many listings match in all.
    pub total: usize,
    /// True when `total` is more than `matches` holds.
    pub has_more: bool,
}

/// Completion values for a symbol argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Completion {
    pub values: Vec<String>,
    pub total: usize,
    pub has_more: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Exact,
    SymbolPrefix,
    AliasPrefix,
    Words,
}

/// Pre-folded text of one listing.
#[derive(Debug)]
struct Keys {
    symbol: String,
    ticker_aliases: Vec<String>,
    /// The words of the name and of each alias, lower case.
    phrases: Vec<Vec<String>>,
    prominence: u8,
}

#[derive(Debug)]
pub(super) struct SearchIndex {
    keys: Vec<Keys>,
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `query` words start consecutive words of `phrase`.
fn phrase_match(phrase: &[String], query: &[String]) -> bool {
    if query.is_empty() || query.len() > phrase.len() {
        return false;
    }
    phrase.windows(query.len()).any(|w| {
        w.iter()
            .zip(query)
            .all(|(word, q)| word.starts_with(q.as_str()))
    })
}

impl SearchIndex {
    pub(super) fn build(listings: &[Listing]) -> SearchIndex {
        let keys = listings
            .iter()
            .map(|l| Keys {
                symbol: l.symbol.clone(),
                ticker_aliases: l.ticker_aliases().map(str::to_string).collect(),
                phrases: std::iter::once(&l.name)
                    .chain(&l.aliases)
                    .map(|t| words(t))
                    .collect(),
                prominence: if l.is_index() || l.indices.iter().any(|i| i == "NIFTY 50") {
                    0
                } else if l.indices.is_empty() {
                    2
                } else {
                    1
                },
            })
            .collect();
        SearchIndex { keys }
    }

    fn rank(keys: &Keys, upper: &str, query_words: &[String]) -> Option<Rank> {
        if !upper.is_empty() {
            if keys.symbol == upper || keys.ticker_aliases.iter().any(|a| a == upper) {
                return Some(Rank::Exact);
            }
            if keys.symbol.starts_with(upper) {
                return Some(Rank::SymbolPrefix);
            }
            if keys.ticker_aliases.iter().any(|a| a.starts_with(upper)) {
                return Some(Rank::AliasPrefix);
            }
        }
        keys.phrases
            .iter()
            .any(|p| phrase_match(p, query_words))
            .then_some(Rank::Words)
    }

    /// Indices of matching listings, best first; all of them when the query is blank.
    fn ranked(&self, query: &str) -> Vec<usize> {
        let query = query.trim();
        if query.len() > MAX_QUERY_BYTES {
            return Vec::new();
        }
        let mut hits: Vec<(Rank, u8, usize, &str, usize)> = if query.is_empty() {
            self.keys
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    (
                        Rank::Words,
                        k.prominence,
                        k.symbol.len(),
                        k.symbol.as_str(),
                        i,
                    )
                })
                .collect()
        } else {
            let upper: String = query
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase();
            let query_words = words(query);
            self.keys
                .iter()
                .enumerate()
                .filter_map(|(i, k)| {
                    Self::rank(k, &upper, &query_words)
                        .map(|r| (r, k.prominence, k.symbol.len(), k.symbol.as_str(), i))
                })
                .collect()
        };
        hits.sort_unstable();
        hits.into_iter().map(|h| h.4).collect()
    }
}

impl Directory {
    /// Listings matching `query`, best first, at most `limit` of them.
    pub fn search(&self, query: &str, limit: usize) -> SymbolSearch {
        let ranked = self.search.ranked(query);
        let total = ranked.len();
        let matches: Vec<Listing> = ranked
            .into_iter()
            .take(limit)
            .map(|i| self.listings[i].clone())
            .collect();
        SymbolSearch {
            has_more: total > matches.len(),
            matches,
            total,
        }
    }

    /// Values to complete a symbol argument with: each match's symbol,
    /// followed by its ticker-like aliases that start with `prefix`
    /// (`nif` -> NIFTY, NIFTY50, NIFTYBANK). Every value resolves.
    pub fn complete(&self, prefix: &str, limit: usize) -> Completion {
        let upper = prefix.trim().to_uppercase();
        let mut all: Vec<String> = Vec::new();
        for i in self.search.ranked(prefix) {
            let listing = &self.listings[i];
            all.push(listing.symbol.clone());
            all.extend(
                listing
                    .ticker_aliases()
                    .filter(|a| !upper.is_empty() && a.starts_with(upper.as_str()))
                    .map(str::to_string),
            );
        }
        let total = all.len();
        all.truncate(limit);
        Completion {
            has_more: total > all.len(),
            values: all,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symbols(query: &str, limit: usize) -> Vec<String> {
        Directory::get()
            .search(query, limit)
            .matches
            .into_iter()
            .map(|l| l.symbol)
            .collect()
    }

    #[test]
    fn symbol_prefixes_come_first_index_members_leading() {
        let rel = symbols("REL", 10);
        assert_eq!(rel[0], "RELIANCE");
        assert!(rel.contains(&"RELAXO".to_string()), "{rel:?}");
        assert!(rel.contains(&"RELINFRA".to_string()), "{rel:?}");
        assert_eq!(symbols("rel", 10), rel, "case-insensitive");
    }

    #[test]
    fn index_aliases_complete() {
        let dir = Directory::get();
        let nif = dir.complete("nif", 100);
        assert_eq!(&nif.values[..2], ["NIFTY", "NIFTY50"], "{:?}", nif.values);
        assert!(nif.values.contains(&"NIFTYBANK".to_string()));
        assert_eq!(nif.total, nif.values.len());
        assert!(!nif.has_more);
        assert_eq!(symbols("nif", 10)[0], "NIFTY");
    }

    #[test]
    fn words_of_names_and_aliases_match() {
        let tata = symbols("tata", 50);
        for s in ["TCS", "TATAMOTORS", "TATASTEEL"] {
            assert!(tata.contains(&s.to_string()), "{s} in {tata:?}");
        }
        assert_eq!(symbols("Tata Steel", 10), ["TATASTEEL"]);
        assert_eq!(symbols("infosys", 10), ["INFY"]);
        assert_eq!(symbols("  INFOSYS\t", 10), ["INFY"]);
        assert_eq!(symbols("tata consultancy", 10), ["TCS"]);
        assert_eq!(symbols("RIL", 10)[0], "RELIANCE", "alias exact");
        assert_eq!(symbols("zomato", 10), ["ETERNAL"]);
        assert_eq!(symbols("l&t", 10), ["LT"]);
        assert_eq!(symbols("m&m", 10)[0], "M&M");
        let banks = symbols("bank", 100);
        assert!(banks.contains(&"HDFCBANK".to_string()));
        assert!(banks.contains(&"BANKNIFTY".to_string()));
    }

    #[test]
    fn totals_and_has_more_are_honest() {
        let dir = Directory::get();
        let all = dir.search("tata", 1000);
        let page = dir.search("tata", 2);
        assert_eq!(page.matches.len(), 2);
        assert_eq!(page.total, all.total);
        assert!(page.has_more);
        assert_eq!(page.matches[..], all.matches[..2]);
        assert!(!all.has_more);
        let none = dir.search("tata", 0);
        assert!(none.matches.is_empty() && none.total == all.total && none.has_more);
        let c = dir.complete("TATA", 3);
        assert_eq!(c.values.len(), 3);
        assert!(c.has_more && c.total > 3);
    }

    #[test]
    fn an_empty_query_lists_everything_in_rank_order() {
        let dir = Directory::get();
        let page = dir.search("", 5);
        assert_eq!(page.total, dir.len());
        assert!(page.has_more);
        assert_eq!(dir.search("   ", 5), page);
    }

    #[test]
    fn hostile_queries_never_panic_and_match_nothing() {
        let dir = Directory::get();
        let huge = "A".repeat(1 << 20);
        for q in [
            huge.as_str(),
            "'; DROP TABLE news; --",
            "\" OR 1=1 --",
            "रिलायंस",
            "🚀🚀🚀",
            "\u{0}\u{202e}",
            "%_*?",
            "NEAR(tata steel)",
        ] {
            let r = dir.search(q, 10);
            assert_eq!(r.total, 0, "{:?}", &q[..q.len().min(40)]);
            assert!(r.matches.is_empty() && !r.has_more);
            assert_eq!(dir.complete(q, 10).total, 0);
        }
    }
}
