//! What an imported symbol's instrument row says when the file carries no
//! meta: exchange, currency and timezone implied by the Yahoo ticker's
//! suffix (and, for NSE/BSE, by the exchange calendar). Pure code.

use crate::calendar::Exchange;
use crate::model::Instrument;
use crate::symbol::{ResolvedSymbol, Venue};

/// Yahoo suffix -> (exchange code, exchange name, currency, IANA zone), as
/// the chart API's `meta` reports them for listings there.
const SUFFIXES: &[(&str, &str, &str, &str, &str)] = &[
    ("L", "LSE", "LSE", "GBp", "Europe/London"),
    ("TO", "TOR", "Toronto", "CAD", "America/Toronto"),
    ("V", "VAN", "TSXV", "CAD", "America/Toronto"),
    ("AX", "ASX", "ASX", "AUD", "Australia/Sydney"),
    ("HK", "HKG", "HKSE", "HKD", "Asia/Hong_Kong"),
    ("T", "JPX", "Tokyo", "JPY", "Asia/Tokyo"),
    ("SS", "SHH", "Shanghai", "CNY", "Asia/Shanghai"),
    ("SZ", "SHZ", "Shenzhen", "CNY", "Asia/Shanghai"),
    ("KS", "KSC", "KSE", "KRW", "Asia/Seoul"),
    ("SI", "SES", "SES", "SGD", "Asia/Singapore"),
    ("JK", "JKT", "Jakarta", "IDR", "Asia/Jakarta"),
    ("DE", "GER", "XETRA", "EUR", "Europe/Berlin"),
    ("F", "FRA", "Frankfurt", "EUR", "Europe/Berlin"),
    ("PA", "PAR", "Paris", "EUR", "Europe/Paris"),
    ("AS", "AMS", "Amsterdam", "EUR", "Europe/Amsterdam"),
    ("MI", "MIL", "Milan", "EUR", "Europe/Rome"),
    ("MC", "MCE", "MCE", "EUR", "Europe/Madrid"),
    ("SW", "EBS", "Swiss", "CHF", "Europe/Zurich"),
    ("OL", "OSL", "Oslo", "NOK", "Europe/Oslo"),
    ("CO", "CPH", "Copenhagen", "DKK", "Europe/Copenhagen"),
    ("ST", "STO", "Stockholm", "SEK", "Europe/Stockholm"),
    ("SA", "SAO", "São Paulo", "BRL", "America/Sao_Paulo"),
];

fn instrument(
    symbol: &str,
    (exchange, full_name, currency, zone): (&str, Option<&str>, &str, &str),
    instrument_type: Option<&str>,
) -> Instrument {
    Instrument {
        yahoo_symbol: symbol.to_string(),
        exchange: exchange.to_string(),
        full_exchange_name: full_name.map(str::to_string),
        currency: currency.to_string(),
        timezone: zone.to_string(),
        instrument_type: instrument_type.map(str::to_string),
        ..Instrument::default()
    }
}

/// The instrument a file of `symbol`'s bars implies, or why it cannot tell.
pub fn derive(symbol: &ResolvedSymbol) -> Result<Instrument, String> {
    let s = symbol.yahoo.as_str();
    let index = s.starts_with('^').then_some("INDEX");
    match symbol.venue {
        Venue::Nse | Venue::Bse => {
            let zone = Exchange::Nse.calendar().zone().name();
            let (code, name) = if symbol.venue == Venue::Nse {
                ("NSI", "NSE")
            } else {
                ("BSE", "BSE")
            };
            Ok(instrument(s, (code, Some(name), "INR", zone), index))
        }
        Venue::Other => other(s, index),
    }
}

fn other(s: &str, index: Option<&str>) -> Result<Instrument, String> {
    if let Some(pair) = s.strip_suffix("=X") {
        // EURUSD=X quotes USD per EUR; INR=X is USD/INR, quoted in INR.
        let quote = pair.get(pair.len().saturating_sub(3)..).unwrap_or(pair);
        return Ok(instrument(
            s,
            ("CCY", Some("CCY"), quote, "Europe/London"),
            Some("CURRENCY"),
        ));
    }
    if let Some((_, quote)) = s
        .rsplit_once('-')
        .filter(|(base, q)| !base.is_empty() && q.len() == 3)
    {
        return Ok(instrument(
            s,
            ("CCC", Some("CCC"), quote, "UTC"),
            Some("CRYPTOCURRENCY"),
        ));
    }
    if let Some((_, suffix)) = s.rsplit_once('.') {
        return SUFFIXES
            .iter()
            .find(|row| row.0 == suffix)
            .map(|&(_, code, name, currency, zone)| {
                instrument(s, (code, Some(name), currency, zone), index)
            })
            .ok_or_else(|| unknown(s));
    }
    if s.starts_with('^') || s.ends_with("=F") {
        // Indices and futures trade in many places; only the meta knows.
        return Err(unknown(s));
    }
    // A bare ticker given as US (`--exchange US`): a US listing.
    Ok(instrument(s, ("US", None, "USD", "America/New_York"), None))
}

fn unknown(s: &str) -> String {
    format!(
        "cannot tell the exchange, currency and timezone of {s} from its ticker; \
         run `trading-mcp call get_stock_chart_data '{{\"symbol\":\"{s}\",\"exchange\":\"US\"}}'` once online \
         (the chart API's meta is then stored) and import again"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbol::resolve;

    fn derived(input: &str, exchange: Option<&str>) -> Instrument {
        derive(&resolve(input, exchange).unwrap()).unwrap()
    }

    #[test]
    fn nse_and_bse_come_from_the_calendar() {
        let r = derived("RELIANCE", None);
        assert_eq!(
            (
                r.yahoo_symbol.as_str(),
                r.exchange.as_str(),
                r.currency.as_str(),
                r.timezone.as_str()
            ),
            ("RELIANCE.NS", "NSI", "INR", "Asia/Kolkata")
        );
        assert_eq!(derived("RELIANCE.BO", None).exchange, "BSE");
        assert_eq!(
            derived("NIFTY", None).instrument_type.as_deref(),
            Some("INDEX")
        );
    }

    #[test]
    fn suffixes_fx_and_crypto() {
        let l = derived("OCDO.L", None);
        assert_eq!(
            (l.currency.as_str(), l.timezone.as_str()),
            ("GBp", "Europe/London")
        );
        let fx = derived("EURUSD=X", None);
        assert_eq!(
            (fx.currency.as_str(), fx.timezone.as_str()),
            ("USD", "Europe/London")
        );
        let btc = derived("BTC-USD", Some("US"));
        assert_eq!(
            (btc.currency.as_str(), btc.timezone.as_str()),
            ("USD", "UTC")
        );
        let aapl = derived("AAPL", Some("US"));
        assert_eq!(
            (aapl.currency.as_str(), aapl.timezone.as_str()),
            ("USD", "America/New_York")
        );
    }

    #[test]
    fn unknown_venues_are_refused_with_a_way_out() {
        let err = derive(&resolve("^FTSE", None).unwrap()).unwrap_err();
        assert!(err.contains("once online"), "{err}");
        assert!(derive(&resolve("X.ZZ", None).unwrap()).is_err());
    }
}
