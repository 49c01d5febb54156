//! The exchanges with a calendar, their fixed hours, and how a symbol finds
//! its exchange from Yahoo's chart meta.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::days::{CalendarSpec, ExchangeCalendar};
use super::hours::PreOpenRule;
use crate::symbol::Venue;

/// NSE and BSE keep the same days and hours: one calendar.
pub const INDIA: CalendarSpec = CalendarSpec {
    name: "NSE/BSE",
    zone: chrono_tz::Asia::Kolkata,
    regular_hours: "09:15-15:30",
    regular_pre_open: Some("09:00"),
    // Order entry 09:00-09:08, order matching and trade confirmation
    // 09:08-09:12, then a buffer until the 09:15 open.
    pre_open_rule: Some(PreOpenRule {
        order_entry_minutes: 8,
        order_matching_minutes: 4,
    }),
};

/// NYSE and Nasdaq keep the same days and hours: one calendar.
pub const US: CalendarSpec = CalendarSpec {
    name: "NYSE/Nasdaq",
    zone: chrono_tz::America::New_York,
    regular_hours: "09:30-16:00",
    regular_pre_open: None,
    pre_open_rule: None,
};

const INDIA_DATA: &str = include_str!("../../data/nse_calendar.csv");
const US_DATA: &str = include_str!("../../data/us_calendar.csv");

/// Yahoo's `exchangeName` codes of US venues that trade NYSE hours: Nasdaq
/// (NMS, NGM, NCM, NAS), NYSE (NYQ), NYSE American (ASE), NYSE Arca (PCX),
/// Cboe BZX (BTS), and the S&P, Dow Jones and Nasdaq indices (SNP, DJI,
/// NIM), which move only while those trade. OTC (PNK), futures (CMX, NYM,
/// CBT...) and options keep other hours: no calendar.
const US_EXCHANGE_CODES: [&str; 11] = [
    "NMS", "NGM", "NCM", "NAS", "NYQ", "ASE", "PCX", "BTS", "SNP", "DJI", "NIM",
];

/// An exchange the server keeps a calendar for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Exchange {
    /// National Stock Exchange of India.
    Nse,
    /// BSE (Bombay Stock Exchange).
    Bse,
    /// NYSE and Nasdaq.
    Us,
}

impl Exchange {
    pub const ALL: [Exchange; 3] = [Exchange::Nse, Exchange::Bse, Exchange::Us];

    pub fn as_str(self) -> &'static str {
        match self {
            Exchange::Nse => "NSE",
            Exchange::Bse => "BSE",
            Exchange::Us => "US",
        }
    }

    /// The exchange's calendar, parsed once from the compiled-in data.
    pub fn calendar(self) -> &'static ExchangeCalendar {
        static INDIA_CALENDAR: OnceLock<ExchangeCalendar> = OnceLock::new();
        static US_CALENDAR: OnceLock<ExchangeCalendar> = OnceLock::new();
        let (cell, spec, data) = match self {
            Exchange::Nse | Exchange::Bse => (&INDIA_CALENDAR, &INDIA, INDIA_DATA),
            Exchange::Us => (&US_CALENDAR, &US, US_DATA),
        };
        // The data is compiled in and a test parses it, so a failure is a
        // build defect; weekdays-only then covers no year, and `covers`
        // makes the caller warn rather than the server panic.
        cell.get_or_init(|| {
            ExchangeCalendar::parse(spec, data)
                .unwrap_or_else(|_| ExchangeCalendar::weekdays_only(spec))
        })
    }

    /// The exchange a symbol resolved to, where its suffix says it.
    pub fn for_venue(venue: Venue) -> Option<Exchange> {
        match venue {
            Venue::Nse => Some(Exchange::Nse),
            Venue::Bse => Some(Exchange::Bse),
            Venue::Other => None,
        }
    }

    /// The exchange of a symbol from its chart meta (`exchangeTimezoneName`,
    /// `exchangeName`). None: no known calendar (FX, crypto, futures, OTC,
    /// other exchanges), so the plain TTL rules apply.
    pub fn from_chart_meta(timezone: &str, exchange_name: &str) -> Option<Exchange> {
        match (timezone, exchange_name) {
            ("Asia/Kolkata", "NSI") => Some(Exchange::Nse),
            ("Asia/Kolkata", "BSE") => Some(Exchange::Bse),
            ("America/New_York", code) if US_EXCHANGE_CODES.contains(&code) => Some(Exchange::Us),
            _ => None,
        }
    }
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Exchange {
    type Err = String;

    /// `NSE`, `BSE` or `US` in any case; `NYSE` and `NASDAQ` mean `US`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_uppercase().as_str() {
            "NSE" => Ok(Exchange::Nse),
            "BSE" => Ok(Exchange::Bse),
            "US" | "NYSE" | "NASDAQ" => Ok(Exchange::Us),
            _ => Err(format!(
                "unknown exchange {:?}: use NSE, BSE or US",
                text.chars().take(40).collect::<String>()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_in_data_parses() {
        for (spec, data) in [(&INDIA, INDIA_DATA), (&US, US_DATA)] {
            let calendar = ExchangeCalendar::parse(spec, data);
            assert!(calendar.is_ok(), "{}: {:?}", spec.name, calendar.err());
        }
        assert_eq!(Exchange::Nse.calendar().covered_years(), Some(1997..=2026));
        assert_eq!(Exchange::Us.calendar().covered_years(), Some(2020..=2026));
        assert!(std::ptr::eq(
            Exchange::Nse.calendar(),
            Exchange::Bse.calendar()
        ));
    }

    #[test]
    fn chart_meta_maps_to_exchanges() {
        let cases = [
            ("Asia/Kolkata", "NSI", Some(Exchange::Nse)),
            ("Asia/Kolkata", "BSE", Some(Exchange::Bse)),
            ("America/New_York", "NMS", Some(Exchange::Us)),
            ("America/New_York", "NYQ", Some(Exchange::Us)),
            ("America/New_York", "NGM", Some(Exchange::Us)),
            ("America/New_York", "PCX", Some(Exchange::Us)),
            ("America/New_York", "PNK", None),
            ("America/New_York", "CMX", None),
            ("Europe/London", "CCY", None),
            ("UTC", "CCC", None),
            ("Europe/London", "LSE", None),
            ("America/Chicago", "NMS", None),
            ("", "", None),
        ];
        for (zone, code, expected) in cases {
            assert_eq!(
                Exchange::from_chart_meta(zone, code),
                expected,
                "{zone} {code}"
            );
        }
        assert_eq!(Exchange::for_venue(Venue::Bse), Some(Exchange::Bse));
        assert_eq!(Exchange::for_venue(Venue::Other), None);
    }

    #[test]
    fn exchange_names_parse() {
        assert_eq!("nse".parse(), Ok(Exchange::Nse));
        assert_eq!(" BSE ".parse(), Ok(Exchange::Bse));
        assert_eq!("Nasdaq".parse(), Ok(Exchange::Us));
        let err = "LSE".parse::<Exchange>().unwrap_err();
        assert_eq!(err, "unknown exchange \"LSE\": use NSE, BSE or US");
        for exchange in Exchange::ALL {
            assert_eq!(exchange.as_str().parse(), Ok(exchange));
            let json = serde_json::to_string(&exchange).unwrap();
            assert_eq!(json, format!("\"{exchange}\""));
        }
    }
}
