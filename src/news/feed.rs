//! The feeds news is read from.

/// One feed. Its [`Feed::key`] names it in the `feed_fetches` log.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Feed {
    /// Yahoo Finance's headline RSS for one Yahoo ticker (`RELIANCE.NS`);
    /// `symbol` is what its articles are linked to (`RELIANCE`).
    Yahoo { symbol: String, ticker: String },
    /// Google News' RSS search for a company (`Infosys NSE`).
    GoogleNews { symbol: String, company: String },
    /// One of NSE's RSS files (`Online_announcements.xml`).
    Nse { file: String },
    /// One of BSE's XML feeds (`notices.xml`), RSS like NSE's.
    Bse { file: String },
    /// A general RSS or Atom feed the user configured.
    General { url: String },
}

impl Feed {
    /// A stable name: `yahoo:RELIANCE.NS`, `google:INFY`, `nse:Online_announcements.xml`, `bse:notices.xml`, `url:https://...`.
    pub fn key(&self) -> String {
        match self {
            Feed::Yahoo { ticker, .. } => format!("yahoo:{ticker}"),
            Feed::GoogleNews { symbol, .. } => format!("google:{symbol}"),
            Feed::Nse { file } => format!("nse:{file}"),
            Feed::Bse { file } => format!("bse:{file}"),
            Feed::General { url } => format!("url:{url}"),
        }
    }

    /// The symbol whose own feed this is: its articles are linked to it.
    pub fn symbol(&self) -> Option<&str> {
        match self {
            Feed::Yahoo { symbol, .. } | Feed::GoogleNews { symbol, .. } => Some(symbol),
            Feed::Nse { .. } | Feed::Bse { .. } | Feed::General { .. } => None,
        }
    }

    /// Whether its articles are market-wide news (shown when a request
    /// names no symbol and no words).
    pub fn is_market_wide(&self) -> bool {
        self.symbol().is_none()
    }

    /// Whether its titles end in " - Publisher" (Google News).
    pub fn titles_name_publisher(&self) -> bool {
        matches!(self, Feed::GoogleNews { .. })
    }

    /// Whether its item titles are company names rather than headlines
    /// (exchange announcements), so titles alone do not identify an item.
    pub fn is_announcements(&self) -> bool {
        matches!(self, Feed::Nse { .. } | Feed::Bse { .. })
    }

    /// The publisher to show when an item names none.
    pub fn default_source(&self) -> Option<&'static str> {
        match self {
            Feed::Yahoo { .. } => Some("Yahoo Finance"),
            Feed::GoogleNews { .. } => Some("Google News"),
            Feed::Nse { .. } => Some("NSE"),
            Feed::Bse { .. } => Some("BSE"),
            Feed::General { .. } => None,
        }
    }
}
