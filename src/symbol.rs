//! Symbol resolution: what the user typed -> the Yahoo ticker. Pure code.
//!
//! Rules, in order:
//! 1. Trim whitespace, fold to upper case; reject empty, over 32 characters
//!    (not counting a `.NS`/`.BO` suffix), or characters outside
//!    `A-Z 0-9 . ^ & - =`.
//! 2. The symbol directory ([`crate::directory`], `data/symbols.csv`):
//!    indices by symbol or alias go to their Yahoo ticker (`NIFTY`/`NIFTY50`
//!    -> `^NSEI`, `BANKNIFTY`/`NIFTYBANK` -> `^NSEBANK`, `SENSEX` ->
//!    `^BSESN`); a stock's ticker-like alias becomes its symbol (`RIL` ->
//!    `RELIANCE`, `ZOMATO` -> `ETERNAL`), then rule 4 applies.
//! 3. A ticker with a suffix (`.NS`, `.BO`, `.L`, ...), an index (`^...`),
//!    an FX/futures code (`...=X`, `...=F`) or a crypto pair (`BTC-USD`,
//!    `ETH-INR`: a currency after the last `-`) passes through unchanged.
//! 4. A bare symbol goes to the exchange named by the `exchange` argument:
//!    NSE (the default) appends `.NS`, BSE appends `.BO`, and `US`/`YAHOO`
//!    keep it as it is (so `AAPL` with `exchange: "US"` is `AAPL`).

use std::fmt;

use crate::directory::Directory;

/// Longest symbol accepted (Yahoo's own tickers are far shorter).
pub const MAX_SYMBOL_LEN: usize = 32;

/// Where a resolved symbol trades, as far as resolution can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Venue {
    Nse,
    Bse,
    /// Anything else: US listings, other exchanges, FX, futures, crypto.
    Other,
}

impl Venue {
    pub fn as_str(self) -> &'static str {
        match self {
            Venue::Nse => "NSE",
            Venue::Bse => "BSE",
            Venue::Other => "OTHER",
        }
    }
}

/// A symbol resolved to its Yahoo ticker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSymbol {
    /// The ticker Yahoo's chart API knows (`RELIANCE.NS`, `^NSEI`, `AAPL`).
    pub yahoo: String,
    pub venue: Venue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolError {
    Empty,
    TooLong(usize),
    BadCharacter(char),
    UnknownExchange(String),
}

impl fmt::Display for SymbolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SymbolError::Empty => write!(
                f,
                "symbol is empty; give an NSE symbol such as RELIANCE, a Yahoo ticker such as AAPL or ^NSEI, or an alias such as NIFTY"
            ),
            SymbolError::TooLong(n) => write!(
                f,
                "symbol is {n} characters long; the limit is {MAX_SYMBOL_LEN}, not counting a .NS or .BO suffix"
            ),
            SymbolError::BadCharacter(c) => write!(
                f,
                "symbol contains {c:?}; only letters, digits and . ^ & - = are allowed (e.g. RELIANCE, M&M, ^NSEI, RELIANCE.BO)"
            ),
            SymbolError::UnknownExchange(e) => write!(
                f,
                "unknown exchange {:?}; use NSE, BSE or US (US means the Yahoo ticker as given)",
                crate::echo::clip(e)
            ),
        }
    }
}

impl std::error::Error for SymbolError {}

fn venue_of(exchange: &str) -> Venue {
    if exchange == "BSE" {
        Venue::Bse
    } else {
        Venue::Nse
    }
}

/// The `exchange` argument: where a bare symbol trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exchange {
    /// National Stock Exchange of India: `RELIANCE` -> `RELIANCE.NS`.
    Nse,
    /// BSE: `RELIANCE` -> `RELIANCE.BO`.
    Bse,
    /// The Yahoo ticker as given (US listings and anything else): `AAPL`.
    Us,
}

impl Exchange {
    /// The canonical spellings, as the tool schemas list them.
    pub const CHOICES: [&'static str; 3] = ["NSE", "BSE", "US"];

    /// Parses an exchange name leniently (case, spaces, `NS`/`BO`
    /// suffix names, `YAHOO`/`NASDAQ`/`NYSE`/`GLOBAL` for US).
    pub fn parse(s: &str) -> Option<Exchange> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "NSE" | "NS" => Exchange::Nse,
            "BSE" | "BO" => Exchange::Bse,
            "US" | "YAHOO" | "NASDAQ" | "NYSE" | "GLOBAL" => Exchange::Us,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Exchange::Nse => "NSE",
            Exchange::Bse => "BSE",
            Exchange::Us => "US",
        }
    }
}

/// Resolves `input` (and an optional `exchange`: NSE, BSE, US/YAHOO) to a Yahoo ticker.
pub fn resolve(input: &str, exchange: Option<&str>) -> Result<ResolvedSymbol, SymbolError> {
    let exchange = match exchange.map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(e) => Some(
            Exchange::parse(e)
                .ok_or_else(|| SymbolError::UnknownExchange(e.to_ascii_uppercase()))?,
        ),
    };
    resolve_on(input, exchange)
}

/// Resolves `input` to a Yahoo ticker, reading a bare symbol on `exchange`
/// (NSE when `None`).
pub fn resolve_on(input: &str, exchange: Option<Exchange>) -> Result<ResolvedSymbol, SymbolError> {
    let symbol = input.trim().to_ascii_uppercase();
    if symbol.is_empty() {
        return Err(SymbolError::Empty);
    }
    // The limit is on the name, not the exchange suffix resolution may add,
    // so that a resolved ticker resolves again to itself.
    let name = [".NS", ".BO"]
        .iter()
        .find_map(|sfx| symbol.strip_suffix(sfx).filter(|b| !b.is_empty()))
        .unwrap_or(&symbol);
    if name.chars().count() > MAX_SYMBOL_LEN {
        return Err(SymbolError::TooLong(symbol.chars().count()));
    }
    if let Some(c) = symbol
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || ".^&-=".contains(*c)))
    {
        return Err(SymbolError::BadCharacter(c));
    }
    let exchange = exchange.map(|e| match e {
        Exchange::Nse => Venue::Nse,
        Exchange::Bse => Venue::Bse,
        Exchange::Us => Venue::Other,
    });
    let mut symbol = symbol;
    if let Some(listing) = Directory::get().lookup(&symbol) {
        if listing.is_index() {
            return Ok(ResolvedSymbol {
                yahoo: listing.yahoo.clone(),
                venue: venue_of(&listing.exchange),
            });
        }
        if exchange != Some(Venue::Other) {
            symbol.clone_from(&listing.symbol);
        }
    }
    if symbol
        .strip_suffix(".NS")
        .is_some_and(|base| !base.is_empty())
    {
        return Ok(ResolvedSymbol {
            yahoo: symbol,
            venue: Venue::Nse,
        });
    }
    if symbol
        .strip_suffix(".BO")
        .is_some_and(|base| !base.is_empty())
    {
        return Ok(ResolvedSymbol {
            yahoo: symbol,
            venue: Venue::Bse,
        });
    }
    let passthrough = symbol.starts_with('^')
        || symbol.contains('=')
        || symbol.contains('.')
        || is_crypto_pair(&symbol);
    if passthrough {
        let venue = Directory::get()
            .by_yahoo(&symbol)
            .filter(|l| l.is_index())
            .map_or(Venue::Other, |l| venue_of(&l.exchange));
        return Ok(ResolvedSymbol {
            yahoo: symbol,
            venue,
        });
    }
    Ok(match exchange.unwrap_or(Venue::Nse) {
        Venue::Nse => ResolvedSymbol {
            yahoo: format!("{symbol}.NS"),
            venue: Venue::Nse,
        },
        Venue::Bse => ResolvedSymbol {
            yahoo: format!("{symbol}.BO"),
            venue: Venue::Bse,
        },
        Venue::Other => ResolvedSymbol {
            yahoo: symbol,
            venue: Venue::Other,
        },
    })
}

/// The currencies Yahoo quotes crypto pairs in (`BTC-USD`, `ETH-INR`,
/// `SOL-USDT`). No listing in the symbol directory ends in one of them
/// after a `-` (hyphenated NSE symbols end in words: `BAJAJ-AUTO`,
/// `MCDOWELL-N`), so such a pair is read as crypto, not as an NSE listing
/// (an explicit `.NS` suffix still names one).
const CRYPTO_QUOTES: [&str; 10] = [
    "USD", "USDT", "USDC", "EUR", "GBP", "INR", "JPY", "AUD", "CAD", "BTC",
];

/// `BASE-QUOTE` with a crypto quote currency, as Yahoo names crypto pairs.
fn is_crypto_pair(symbol: &str) -> bool {
    symbol.rsplit_once('-').is_some_and(|(base, quote)| {
        !base.is_empty()
            && base.chars().all(|c| c.is_ascii_alphanumeric())
            && CRYPTO_QUOTES.contains(&quote)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crypto_pairs_pass_through_and_hyphenated_nse_symbols_do_not() {
        for pair in ["BTC-USD", "eth-inr", "SOL-USDT"] {
            let r = resolve(pair, None).unwrap();
            assert_eq!(r.yahoo, pair.to_ascii_uppercase());
            assert_eq!(r.venue, Venue::Other);
        }
        assert_eq!(yahoo("BTC-USD", Some("NSE")), "BTC-USD");
        assert_eq!(yahoo("BAJAJ-AUTO", None), "BAJAJ-AUTO.NS");
        assert_eq!(yahoo("MCDOWELL-N", Some("BSE")), "MCDOWELL-N.BO");
    }

    fn yahoo(input: &str, exchange: Option<&str>) -> String {
        resolve(input, exchange).unwrap().yahoo
    }

    #[test]
    fn bare_nse_symbols_get_ns() {
        assert_eq!(yahoo("RELIANCE", None), "RELIANCE.NS");
        assert_eq!(yahoo("M&M", None), "M&M.NS");
        assert_eq!(yahoo("BAJAJ-AUTO", None), "BAJAJ-AUTO.NS");
        assert_eq!(resolve("TCS", None).unwrap().venue, Venue::Nse);
    }

    #[test]
    fn case_and_whitespace_are_folded() {
        assert_eq!(yahoo("  reliance \n", None), "RELIANCE.NS");
        assert_eq!(yahoo("infy.ns", None), "INFY.NS");
        assert_eq!(yahoo(" nifty ", None), "^NSEI");
    }

    #[test]
    fn suffixes_are_kept() {
        assert_eq!(yahoo("RELIANCE.NS", None), "RELIANCE.NS");
        let bo = resolve("RELIANCE.BO", None).unwrap();
        assert_eq!((bo.yahoo.as_str(), bo.venue), ("RELIANCE.BO", Venue::Bse));
        assert_eq!(yahoo("OCDO.L", None), "OCDO.L");
    }

    #[test]
    fn tickers_pass_through() {
        assert_eq!(yahoo("^NSEI", None), "^NSEI");
        assert_eq!(yahoo("EURUSD=X", None), "EURUSD=X");
        assert_eq!(yahoo("GC=F", None), "GC=F");
        assert_eq!(yahoo("AAPL", Some("US")), "AAPL");
        assert_eq!(resolve("AAPL", Some("us")).unwrap().venue, Venue::Other);
    }

    #[test]
    fn exchange_argument_decides_bare_symbols() {
        assert_eq!(yahoo("RELIANCE", Some("BSE")), "RELIANCE.BO");
        assert_eq!(yahoo("RELIANCE", Some("nse")), "RELIANCE.NS");
        assert_eq!(yahoo("RELIANCE", Some("")), "RELIANCE.NS");
        assert_eq!(
            resolve("RELIANCE", Some("LSE")),
            Err(SymbolError::UnknownExchange("LSE".into()))
        );
    }

    #[test]
    fn aliases() {
        assert_eq!(yahoo("NIFTY", None), "^NSEI");
        assert_eq!(yahoo("NIFTY50", None), "^NSEI");
        assert_eq!(yahoo("BANKNIFTY", None), "^NSEBANK");
        assert_eq!(yahoo("niftybank", None), "^NSEBANK");
        assert_eq!(resolve("^NSEBANK", None).unwrap().venue, Venue::Nse);
        assert_eq!(resolve("^BSESN", None).unwrap().venue, Venue::Bse);
        let sensex = resolve("sensex", None).unwrap();
        assert_eq!(
            (sensex.yahoo.as_str(), sensex.venue),
            ("^BSESN", Venue::Bse)
        );
    }

    #[test]
    fn stock_aliases_become_their_symbol() {
        assert_eq!(yahoo("RIL", None), "RELIANCE.NS");
        assert_eq!(yahoo("ril", Some("BSE")), "RELIANCE.BO");
        assert_eq!(yahoo("ZOMATO", None), "ETERNAL.NS");
        assert_eq!(yahoo("L&T", None), "LT.NS");
        assert_eq!(
            yahoo("RIL.NS", None),
            "RIL.NS",
            "a suffixed ticker is Yahoo's own"
        );
        assert_eq!(
            yahoo("RIL", Some("US")),
            "RIL",
            "US tickers are taken as given"
        );
    }

    #[test]
    fn bad_symbols_are_clear_errors() {
        assert_eq!(resolve("", None), Err(SymbolError::Empty));
        assert_eq!(resolve("   ", None), Err(SymbolError::Empty));
        assert_eq!(
            resolve(&"A".repeat(33), None),
            Err(SymbolError::TooLong(33))
        );
        assert!(resolve(&"A".repeat(32), None).is_ok());
        // Its ticker, suffix and all, resolves again to itself.
        let long = resolve(&"A".repeat(32), None).unwrap();
        assert_eq!(resolve(&long.yahoo, None), Ok(long));
        assert_eq!(
            resolve(&format!("{}.BO", "A".repeat(33)), None),
            Err(SymbolError::TooLong(36))
        );
        assert_eq!(
            resolve("RELIANCE'; DROP TABLE bars;--", None),
            Err(SymbolError::BadCharacter('\''))
        );
        assert_eq!(
            resolve("REL IANCE", None),
            Err(SymbolError::BadCharacter(' '))
        );
        assert_eq!(
            resolve("RELIANCE/NS", None),
            Err(SymbolError::BadCharacter('/'))
        );
        assert_eq!(resolve("रिलायंस", None), Err(SymbolError::BadCharacter('र')));
        let msg = resolve("A;B", None).unwrap_err().to_string();
        assert!(msg.contains("only letters, digits"), "{msg}");
    }
}
