//! The symbol a file's name implies: `RELIANCE.NS.csv`, `M&M.NS.csv`,
//! `RELIANCE_2020-10-01_to_2025-09-30.csv`, `RELIANCE.NS_5m_2025-09-11_to_....csv`.
//! Pure code.

/// Extensions stripped from a file name before reading the symbol.
const EXTENSIONS: &[&str] = &[".csv", ".txt"];

/// The symbol part of a file name (without folders): everything before the
/// first `_`, after dropping the extension. `None` when nothing is left.
pub fn symbol_of(file_name: &str) -> Option<&str> {
    let lower = file_name.to_ascii_lowercase();
    let stem = EXTENSIONS
        .iter()
        .find(|ext| lower.ends_with(*ext))
        .map_or(file_name, |ext| &file_name[..file_name.len() - ext.len()]);
    let symbol = stem.split('_').next().unwrap_or(stem).trim();
    (!symbol.is_empty()).then_some(symbol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_data_names() {
        assert_eq!(symbol_of("RELIANCE.NS.csv"), Some("RELIANCE.NS"));
        assert_eq!(symbol_of("M&M.NS.csv"), Some("M&M.NS"));
        assert_eq!(
            symbol_of("BAJAJ-AUTO_2020-10-01_to_2025-09-30.csv"),
            Some("BAJAJ-AUTO")
        );
        assert_eq!(
            symbol_of("RELIANCE.NS_5m_2025-09-11_to_2025-12-05.csv"),
            Some("RELIANCE.NS")
        );
        assert_eq!(symbol_of("AAPL.CSV"), Some("AAPL"));
        assert_eq!(symbol_of("TCS"), Some("TCS"));
    }

    #[test]
    fn nothing_left_is_none() {
        assert_eq!(symbol_of(".csv"), None);
        assert_eq!(symbol_of("_2020.csv"), None);
    }
}
