//! The symbol directory: what NSE/BSE listings are called, which index they
//! belong to, their sector. Pure code.
//!
//! The facts live in `data/symbols.csv` (compiled into the binary). Symbol
//! resolution ([`crate::symbol`]) takes its aliases from here; completion and
//! `search_symbols` use [`Directory::search`] and [`Directory::complete`];
//! news linking uses [`Directory::mentions`].

mod mentions;
mod search;

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

pub use search::{Completion, SymbolSearch};

const BUNDLED: &str = include_str!("../../data/symbols.csv");

const HEADER: &str = "symbol,name,exchange,yahoo,sector,indices,aliases,ticker_link";
const AS_OF_KEY: &str = "index_memberships_as_of:";
/// The `sector` of index rows.
const INDEX_SECTOR: &str = "Index";

/// One listing: a stock or an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Listing {
    /// The exchange symbol, as typed into the tools (`RELIANCE`, `M&M`, `NIFTY`).
    pub symbol: String,
    /// The company's or index's name.
    pub name: String,
    /// `NSE` or `BSE`.
    pub exchange: String,
    /// The Yahoo Finance ticker (`RELIANCE.NS`, `^NSEI`).
    pub yahoo: String,
    /// The sector (`Index` for indices).
    pub sector: String,
    /// The indices it belongs to, by name (`NIFTY 50`, `NIFTY BANK`), as of
    /// [`Directory::memberships_as_of`].
    pub indices: Vec<String>,
    /// Other names it goes by (`RIL`, `Reliance Industries`).
    pub aliases: Vec<String>,
    /// Whether the ticker, as a whole upper-case word, names it in news text.
    #[serde(skip)]
    pub ticker_links: bool,
}

impl Listing {
    pub fn is_index(&self) -> bool {
        self.sector == INDEX_SECTOR
    }

    /// Aliases spelled like tickers (upper case, no spaces): typed as symbols.
    pub fn ticker_aliases(&self) -> impl Iterator<Item = &str> {
        self.aliases
            .iter()
            .map(String::as_str)
            .filter(|a| is_ticker_like(a))
    }
}

/// Why a directory file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("symbol directory line {line}: {message}")]
pub struct DirectoryError {
    pub line: usize,
    pub message: String,
}

/// The loaded directory, with its lookup and matching indexes.
#[derive(Debug)]
pub struct Directory {
    listings: Vec<Listing>,
    as_of: NaiveDate,
    /// Upper-case symbol and ticker-like alias -> listing.
    tickers: HashMap<String, usize>,
    by_yahoo: HashMap<String, usize>,
    search: search::SearchIndex,
    mentions: mentions::MentionMatcher,
}

fn is_ticker_like(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "&-".contains(c))
}

fn valid_symbol(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= crate::symbol::MAX_SYMBOL_LEN
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "&-".contains(c))
}

fn list(field: &str) -> Vec<String> {
    field
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A row as written, before index symbols are resolved to names.
struct Row {
    line: usize,
    listing: Listing,
    index_symbols: Vec<String>,
}

fn parse_row(line: usize, text: &str) -> Result<Row, DirectoryError> {
    let err = |message: String| DirectoryError { line, message };
    let cells: Vec<&str> = text.split(',').map(str::trim).collect();
    let [
        symbol,
        name,
        exchange,
        yahoo,
        sector,
        indices,
        aliases,
        ticker_link,
    ] = cells[..]
    else {
        return Err(err(format!(
            "expected 8 comma-separated fields ({HEADER}), found {}",
            cells.len()
        )));
    };
    if !valid_symbol(symbol) {
        return Err(err(format!(
            "symbol {symbol:?} must be upper-case letters, digits, & or -"
        )));
    }
    if name.is_empty() || sector.is_empty() {
        return Err(err(format!("{symbol}: name and sector are required")));
    }
    let suffix = match exchange {
        "NSE" => "NS",
        "BSE" => "BO",
        other => {
            return Err(err(format!(
                "{symbol}: exchange {other:?} is not NSE or BSE"
            )));
        }
    };
    let ticker_links = match ticker_link {
        "yes" => true,
        "no" => false,
        other => {
            return Err(err(format!(
                "{symbol}: ticker_link {other:?} is not yes or no"
            )));
        }
    };
    let yahoo = if yahoo.is_empty() {
        format!("{symbol}.{suffix}")
    } else {
        yahoo.to_string()
    };
    Ok(Row {
        line,
        listing: Listing {
            symbol: symbol.to_string(),
            name: name.to_string(),
            exchange: exchange.to_string(),
            yahoo,
            sector: sector.to_string(),
            indices: Vec::new(),
            aliases: list(aliases),
            ticker_links,
        },
        index_symbols: list(indices),
    })
}

impl Directory {
    /// The directory compiled into the binary.
    pub fn get() -> &'static Directory {
        static BUNDLED_DIRECTORY: OnceLock<Directory> = OnceLock::new();
        BUNDLED_DIRECTORY.get_or_init(|| {
            // The file is compiled in and a test parses it; should it ever
            // fail, resolution still works without aliases.
            Directory::parse(BUNDLED)
                .unwrap_or_else(|_| Directory::from_listings(Vec::new(), NaiveDate::MIN))
        })
    }

    /// Parses the format of `data/symbols.csv`.
    pub fn parse(text: &str) -> Result<Directory, DirectoryError> {
        let mut as_of = None;
        let mut header_seen = false;
        let mut rows = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = n + 1;
            let trimmed = raw.trim();
            if let Some(comment) = trimmed.strip_prefix('#') {
                if let Some(date) = comment.trim().strip_prefix(AS_OF_KEY) {
                    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|e| {
                        DirectoryError {
                            line,
                            message: format!("{AS_OF_KEY} {date:?}: {e}"),
                        }
                    })?;
                    as_of = Some(date);
                }
                continue;
            }
            if trimmed.is_empty() {
                continue;
            }
            if !header_seen {
                if trimmed != HEADER {
                    return Err(DirectoryError {
                        line,
                        message: format!("expected the header {HEADER:?}"),
                    });
                }
                header_seen = true;
                continue;
            }
            rows.push(parse_row(line, trimmed)?);
        }
        let as_of = as_of.ok_or(DirectoryError {
            line: 0,
            message: format!("missing the `# {AS_OF_KEY} YYYY-MM-DD` line"),
        })?;
        let index_names: HashMap<String, String> = rows
            .iter()
            .filter(|r| r.listing.is_index())
            .map(|r| (r.listing.symbol.clone(), r.listing.name.clone()))
            .collect();
        let mut listings = Vec::with_capacity(rows.len());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for row in rows {
            let Row {
                line,
                mut listing,
                index_symbols,
            } = row;
            for index in index_symbols {
                let name = index_names.get(&index).ok_or_else(|| DirectoryError {
                    line,
                    message: format!(
                        "{}: index {index:?} has no row with sector {INDEX_SECTOR}",
                        listing.symbol
                    ),
                })?;
                listing.indices.push(name.clone());
            }
            let tickers = std::iter::once(listing.symbol.clone())
                .chain(listing.ticker_aliases().map(str::to_string))
                .collect::<Vec<_>>();
            for ticker in tickers {
                if let Some(first) = seen.insert(ticker.clone(), line) {
                    return Err(DirectoryError {
                        line,
                        message: format!("{ticker:?} is already a symbol or alias on line {first}"),
                    });
                }
            }
            listings.push(listing);
        }
        Ok(Directory::from_listings(listings, as_of))
    }

    fn from_listings(listings: Vec<Listing>, as_of: NaiveDate) -> Directory {
        let mut tickers = HashMap::new();
        let mut by_yahoo = HashMap::new();
        for (i, l) in listings.iter().enumerate() {
            tickers.insert(l.symbol.clone(), i);
            for alias in l.ticker_aliases() {
                tickers.insert(alias.to_string(), i);
            }
            by_yahoo.insert(l.yahoo.clone(), i);
        }
        Directory {
            search: search::SearchIndex::build(&listings),
            mentions: mentions::MentionMatcher::build(&listings),
            listings,
            as_of,
            tickers,
            by_yahoo,
        }
    }

    pub fn len(&self) -> usize {
        self.listings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.listings.is_empty()
    }

    /// Every listing, in file order.
    pub fn listings(&self) -> &[Listing] {
        &self.listings
    }

    /// The date the index memberships are as of.
    pub fn memberships_as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The listing with this symbol or ticker-like alias (case-insensitive,
    /// surrounding whitespace ignored): `reliance`, `RIL`, `NIFTY50`.
    pub fn lookup(&self, symbol: &str) -> Option<&Listing> {
        let key = symbol.trim().to_ascii_uppercase();
        self.tickers.get(&key).map(|&i| &self.listings[i])
    }

    /// The listing with this Yahoo ticker (`RELIANCE.NS`, `^NSEI`).
    pub fn by_yahoo(&self, yahoo: &str) -> Option<&Listing> {
        self.by_yahoo
            .get(&yahoo.trim().to_ascii_uppercase())
            .map(|&i| &self.listings[i])
    }

    /// The members of an index named by its symbol, alias or name (`NIFTY`,
    /// `NIFTY50`, `nifty 50`, `BANKNIFTY`), ordered by symbol; `None` if no
    /// index goes by that name.
    pub fn index_members(&self, index: &str) -> Option<Vec<&Listing>> {
        let wanted = index.trim();
        let index = self.lookup(wanted).filter(|l| l.is_index()).or_else(|| {
            self.listings.iter().find(|l| {
                l.is_index()
                    && (l.name.eq_ignore_ascii_case(wanted)
                        || l.aliases.iter().any(|a| a.eq_ignore_ascii_case(wanted)))
            })
        })?;
        let mut members: Vec<&Listing> = self
            .listings
            .iter()
            .filter(|l| l.indices.contains(&index.name))
            .collect();
        members.sort_by(|a, b| a.symbol.cmp(&b.symbol));
        Some(members)
    }

    /// Symbols whose company name, alias or ticker `text` names as a whole
    /// word, in order of first mention. See [`mentions`] for the rules.
    pub fn mentions(&self, text: &str) -> Vec<&Listing> {
        self.mentions
            .find(text)
            .into_iter()
            .map(|i| &self.listings[i])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "# index_memberships_as_of: 2025-09-29\n\
        symbol,name,exchange,yahoo,sector,indices,aliases,ticker_link\n\
        NIFTY,NIFTY 50,NSE,^NSEI,Index,,NIFTY50,no\n\
        INFY,Infosys Limited,NSE,,Information Technology,NIFTY,Infosys,yes\n";

    fn upstox_symbols() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|d| d.join("shared/data/nse_daily_upstox"))
            .find(|d| d.is_dir())
            .expect("shared/data/nse_daily_upstox beside the checkout");
        let mut symbols: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|f| f.split("_20").next().map(str::to_string))
            .collect();
        symbols.sort();
        symbols
    }

    #[test]
    fn the_bundled_file_parses() {
        let dir = Directory::parse(BUNDLED).expect("data/symbols.csv");
        assert!(dir.len() > 150, "{}", dir.len());
        assert_eq!(
            dir.memberships_as_of(),
            NaiveDate::from_ymd_opt(2025, 9, 29).unwrap()
        );
        assert_eq!(Directory::get().len(), dir.len());
    }

    #[test]
    fn every_upstox_member_is_in_nifty_50_and_nothing_else_is() {
        let dir = Directory::get();
        let upstox = upstox_symbols();
        assert_eq!(upstox.len(), 50);
        let members: Vec<String> = dir
            .index_members("NIFTY 50")
            .unwrap()
            .iter()
            .map(|l| l.symbol.clone())
            .collect();
        assert_eq!(members, upstox);
        assert_eq!(dir.index_members("nifty50").unwrap().len(), 50);
        assert_eq!(dir.index_members("NIFTY").unwrap().len(), 50);
    }

    #[test]
    fn bank_nifty_members() {
        let dir = Directory::get();
        let banks = dir.index_members("BANKNIFTY").unwrap();
        assert_eq!(banks.len(), 12);
        assert!(banks.iter().all(|l| l.sector == "Financial Services"));
        assert!(banks.iter().any(|l| l.symbol == "HDFCBANK"));
        assert_eq!(dir.index_members("nifty bank").unwrap().len(), 12);
        assert!(dir.index_members("RELIANCE").is_none(), "not an index");
        assert!(dir.index_members("NIFTY IT").is_none());
    }

    #[test]
    fn lookup_by_symbol_alias_and_yahoo_ticker() {
        let dir = Directory::get();
        let ril = dir.lookup(" reliance ").unwrap();
        assert_eq!(ril.name, "Reliance Industries Limited");
        assert_eq!(ril.yahoo, "RELIANCE.NS");
        assert_eq!(ril.indices, ["NIFTY 50"]);
        assert_eq!(ril.sector, "Oil Gas & Consumable Fuels");
        assert_eq!(dir.lookup("RIL").unwrap().symbol, "RELIANCE");
        assert_eq!(
            dir.lookup("m&m").unwrap().name,
            "Mahindra & Mahindra Limited"
        );
        assert_eq!(dir.lookup("NIFTY50").unwrap().yahoo, "^NSEI");
        assert_eq!(dir.lookup("SENSEX").unwrap().exchange, "BSE");
        assert_eq!(dir.by_yahoo("^nsebank").unwrap().symbol, "BANKNIFTY");
        assert_eq!(dir.by_yahoo("INFY.NS").unwrap().symbol, "INFY");
        assert!(dir.lookup("NOSUCH").is_none());
        let hdfc = dir.lookup("HDFCBANK").unwrap();
        assert_eq!(hdfc.indices, ["NIFTY 50", "NIFTY BANK"]);
    }

    #[test]
    fn a_small_file_in_the_same_format() {
        let dir = Directory::parse(TINY).unwrap();
        assert_eq!(dir.len(), 2);
        assert_eq!(dir.lookup("INFY").unwrap().indices, ["NIFTY 50"]);
        assert_eq!(dir.lookup("INFY").unwrap().yahoo, "INFY.NS");
    }

    #[test]
    fn malformed_files_are_errors_naming_the_line() {
        let bad = |body: &str| {
            Directory::parse(&format!(
                "# index_memberships_as_of: 2025-09-29\n{HEADER}\n{body}\n"
            ))
            .unwrap_err()
        };
        let e = bad("INFY,Infosys Limited,NSE,,IT,,Infosys");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("expected 8"), "{e}");
        assert!(bad("INFY,Infosys,NYSE,,IT,,,yes").message.contains("NYSE"));
        assert!(
            bad("INFY,Infosys,NSE,,IT,,,maybe")
                .message
                .contains("maybe")
        );
        assert!(
            bad("infy,Infosys,NSE,,IT,,,yes")
                .message
                .contains("upper-case")
        );
        assert!(
            bad("INFY,Infosys,NSE,,IT,NIFTY,,yes")
                .message
                .contains("index")
        );
        assert!(bad("INFY,,NSE,,IT,,,yes").message.contains("required"));
        let dup = bad("INFY,Infosys,NSE,,IT,,,yes\nINFOSYS,Infosys Ltd,NSE,,IT,,INFY,yes");
        assert_eq!(dup.line, 4);
        assert!(dup.message.contains("already"), "{dup}");
        let no_header =
            Directory::parse("# index_memberships_as_of: 2025-09-29\nINFY,a,NSE,,IT,,,yes");
        assert!(no_header.unwrap_err().message.contains("header"));
        let no_date = Directory::parse(&format!("{HEADER}\n"));
        assert!(no_date.unwrap_err().message.contains(AS_OF_KEY));
        let bad_date = Directory::parse("# index_memberships_as_of: 2025-13-01\n");
        assert_eq!(bad_date.unwrap_err().line, 1);
    }
}
