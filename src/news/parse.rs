//! Feed bytes -> articles, with feed-rs (RSS 2.0, RSS 1.0, Atom, JSON Feed).
//!
//! One bad item never costs the others: when the document as a whole does
//! not parse (malformed XML, a body cut at the byte cap), each `<item>` or
//! `<entry>` is parsed on its own and the good ones are kept.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};

use super::Feed;
use super::text::{canonical_url, clean_title, dedup_key, split_publisher, stable_id, summary};

/// An item made into an article, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The stable id ([`stable_id`] of the canonical URL or GUID), stored
    /// as `news.uid`.
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub url: String,
    pub source: String,
    pub published_at: i64,
    /// The feed gave no usable date: `published_at` is when it was first fetched.
    pub date_estimated: bool,
    /// Finds the same article under another URL; `None` for exchange
    /// announcements, whose titles are company names.
    pub dedup_key: Option<String>,
}

/// What one feed held.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    pub articles: Vec<Article>,
    /// Items dropped: unparsable, or without a title or an http(s) link.
    pub bad_items: usize,
    /// Items beyond the per-feed cap, not read.
    pub over_cap: usize,
    /// The document did not parse whole; items were parsed one by one.
    pub salvaged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a readable RSS or Atom feed: {0}")]
pub struct FeedParseError(pub String);

/// Dates more than this far ahead of the fetch are taken as wrong.
const MAX_FUTURE: Duration = Duration::hours(24);

/// Dates the exchanges and some publishers write that feed-rs does not
/// read (NSE: `22-Nov-2024 19:05:45`), read as IST.
const LOCAL_FORMATS: [&str; 5] = [
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
];

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(text) {
        return Some(t.with_timezone(&Utc));
    }
    // RFC 2822 with a weekday that does not match the date (feeds get it
    // wrong): the date itself is still good.
    if let Some((_, rest)) = text.split_once(", ")
        && let Ok(t) = DateTime::parse_from_str(rest.trim(), "%d %b %Y %H:%M:%S %z")
    {
        return Some(t.with_timezone(&Utc));
    }
    LOCAL_FORMATS.iter().find_map(|f| {
        let local = NaiveDateTime::parse_from_str(text, f).ok()?;
        chrono_tz::Asia::Kolkata
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// feed-rs on one document. A fresh parser each time: a parser that failed
/// keeps state that trips an assertion on its next use; and a panic inside
/// the crate on hostile input is caught here as a parse error.
fn parse_document(body: &[u8]) -> Result<feed_rs::model::Feed, String> {
    std::panic::catch_unwind(|| {
        feed_rs::parser::Builder::new()
            .timestamp_parser(parse_timestamp)
            .build()
            .parse(body)
            .map_err(|e| e.to_string())
    })
    .unwrap_or_else(|_| Err("the feed parser gave up on this document".into()))
}

/// The publisher a general feed names in its title ("... | The Hindu").
fn channel_publisher(feed: &feed_rs::model::Feed) -> Option<String> {
    let title = clean_title(&feed.title.as_ref()?.content);
    let name = title
        .rsplit(" | ")
        .next()
        .unwrap_or(&title)
        .trim()
        .to_string();
    (!name.is_empty()).then_some(name)
}

fn article(
    entry: &feed_rs::model::Entry,
    feed: &Feed,
    channel: Option<&str>,
    fetched_at: DateTime<Utc>,
) -> Option<Article> {
    let raw_title = clean_title(&entry.title.as_ref()?.content);
    let (title, publisher) = if feed.titles_name_publisher() {
        split_publisher(&raw_title)
    } else {
        (raw_title, None)
    };
    if title.is_empty() {
        return None;
    }
    let link = entry
        .links
        .iter()
        .map(|l| l.href.trim())
        .find(|h| h.starts_with("https://") || h.starts_with("http://"))?
        .to_string();
    let source = publisher
        .or_else(|| feed.default_source().map(str::to_string))
        .or_else(|| channel.map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string());
    let description = entry
        .summary
        .as_ref()
        .map(|t| t.content.as_str())
        .or_else(|| entry.content.as_ref().and_then(|c| c.body.as_deref()))
        .unwrap_or("");
    let summary = summary(description, &title, &source);
    let date = entry
        .published
        .or(entry.updated)
        .filter(|t| *t <= fetched_at + MAX_FUTURE);
    let dedup_key = (!feed.is_announcements()).then(|| dedup_key(&title, &source));
    Some(Article {
        id: stable_id(&canonical_url(&link)),
        title,
        summary,
        url: link,
        source,
        published_at: date.unwrap_or(fetched_at).timestamp(),
        date_estimated: date.is_none(),
        dedup_key,
    })
}

/// Byte ranges of each `<item ...>...</item>` (or `<entry>`) in `body`.
fn item_chunks(body: &[u8]) -> Vec<&[u8]> {
    let find = |hay: &[u8], needle: &[u8], from: usize| -> Option<usize> {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let mut chunks = Vec::new();
    for (open, close) in [(&b"<item"[..], &b"</item>"[..]), (b"<entry", b"</entry>")] {
        let mut at = 0;
        while let Some(start) = find(body, open, at) {
            let next = body.get(start + open.len()).copied();
            if !matches!(next, Some(b'>' | b' ' | b'\n' | b'\r' | b'\t')) {
                at = start + open.len();
                continue;
            }
            let Some(end) = find(body, close, start) else {
                break;
            };
            chunks.push(&body[start..end + close.len()]);
            at = end + close.len();
        }
    }
    chunks
}

fn salvage(
    body: &[u8],
    feed: &Feed,
    max_items: usize,
    fetched_at: DateTime<Utc>,
    why: String,
) -> Result<ParsedFeed, FeedParseError> {
    let chunks = item_chunks(body);
    if chunks.is_empty() {
        return Err(FeedParseError(why));
    }
    let mut out = ParsedFeed {
        articles: Vec::new(),
        bad_items: 0,
        over_cap: chunks.len().saturating_sub(max_items),
        salvaged: true,
    };
    for chunk in chunks.into_iter().take(max_items) {
        let atom = chunk.starts_with(b"<entry");
        let mut doc: Vec<u8> = Vec::with_capacity(chunk.len() + 128);
        doc.extend_from_slice(if atom {
            b"<feed xmlns=\"http://www.w3.org/2005/Atom\">".as_slice()
        } else {
            b"<rss version=\"2.0\"><channel>".as_slice()
        });
        doc.extend_from_slice(chunk);
        doc.extend_from_slice(if atom {
            b"</feed>".as_slice()
        } else {
            b"</channel></rss>".as_slice()
        });
        let entry = parse_document(&doc)
            .ok()
            .and_then(|f| f.entries.into_iter().next());
        match entry.and_then(|e| article(&e, feed, None, fetched_at)) {
            Some(a) => out.articles.push(a),
            None => out.bad_items += 1,
        }
    }
    Ok(out)
}

/// Parses one feed's bytes into at most `max_items` articles.
pub fn parse_feed(
    body: &[u8],
    feed: &Feed,
    max_items: usize,
    fetched_at: DateTime<Utc>,
) -> Result<ParsedFeed, FeedParseError> {
    let parsed = match parse_document(body) {
        Ok(parsed) => parsed,
        Err(e) => return salvage(body, feed, max_items, fetched_at, e),
    };
    let channel = channel_publisher(&parsed);
    let over_cap = parsed.entries.len().saturating_sub(max_items);
    let mut out = ParsedFeed {
        articles: Vec::with_capacity(parsed.entries.len().min(max_items)),
        bad_items: 0,
        over_cap,
        salvaged: false,
    };
    for entry in parsed.entries.iter().take(max_items) {
        match article(entry, feed, channel.as_deref(), fetched_at) {
            Some(a) => out.articles.push(a),
            None => out.bad_items += 1,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 4, 4, 6, 0, 0).unwrap()
    }

    fn general() -> Feed {
        Feed::General {
            url: "https://example.com/rss".into(),
        }
    }

    fn rss(items: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Markets | Daily Paper</title>{items}</channel></rss>"
        )
    }

    #[test]
    fn rss_items_become_articles() {
        let body = rss(
            "<item><title>Infosys &amp; TCS rally</title><link>https://example.com/a?utm_source=x</link>\
             <description>&lt;p&gt;IT stocks &lt;b&gt;rose&lt;/b&gt;&lt;/p&gt;</description>\
             <pubDate>Thu, 03 Apr 2025 20:14:25 +0530</pubDate></item>",
        );
        let parsed = parse_feed(body.as_bytes(), &general(), 100, now()).unwrap();
        assert_eq!(parsed.bad_items, 0);
        let a = &parsed.articles[0];
        assert_eq!(a.title, "Infosys & TCS rally");
        assert_eq!(a.summary, "IT stocks rose");
        assert_eq!(a.source, "Daily Paper");
        assert_eq!(a.url, "https://example.com/a?utm_source=x");
        assert_eq!(a.id, stable_id("https://example.com/a"));
        assert_eq!(
            a.published_at,
            Utc.with_ymd_and_hms(2025, 4, 3, 14, 44, 25)
                .unwrap()
                .timestamp()
        );
        assert!(!a.date_estimated);
    }

    #[test]
    fn odd_and_missing_dates() {
        let body = rss(
            "<item><title>NSE style</title><link>https://e.com/1</link><pubDate>22-Nov-2024 19:05:45</pubDate></item>\
             <item><title>No date</title><link>https://e.com/2</link></item>\
             <item><title>Garbage date</title><link>https://e.com/3</link><pubDate>yesterday-ish</pubDate></item>\
             <item><title>Wrong weekday</title><link>https://e.com/5</link><pubDate>Fri, 01 Apr 2025 10:00:00 +0530</pubDate></item>\
             <item><title>Far future</title><link>https://e.com/4</link><pubDate>Sat, 01 Jan 2900 00:00:00 GMT</pubDate></item>",
        );
        let mut p = parse_feed(body.as_bytes(), &general(), 100, now()).unwrap();
        assert_eq!(p.articles.len(), 5);
        let weekday = p.articles.remove(3);
        assert_eq!(
            weekday.published_at,
            Utc.with_ymd_and_hms(2025, 4, 1, 4, 30, 0)
                .unwrap()
                .timestamp()
        );
        assert_eq!(
            p.articles[0].published_at,
            Utc.with_ymd_and_hms(2024, 11, 22, 13, 35, 45)
                .unwrap()
                .timestamp()
        );
        assert!(!p.articles[0].date_estimated);
        for a in &p.articles[1..] {
            assert!(a.date_estimated, "{}", a.title);
            assert_eq!(a.published_at, now().timestamp());
        }
    }

    #[test]
    fn atom_entries_are_read() {
        let body = "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atom Wire</title>\
            <entry><title type=\"html\">&lt;em&gt;Wipro&lt;/em&gt; results</title><id>urn:x:1</id>\
            <link href=\"https://atom.example/w\"/><updated>2025-04-03T10:00:00Z</updated>\
            <summary type=\"html\">Profit up</summary></entry></feed>";
        let p = parse_feed(body.as_bytes(), &general(), 100, now()).unwrap();
        assert_eq!(p.articles.len(), 1);
        assert_eq!(p.articles[0].title, "Wipro results");
        assert_eq!(p.articles[0].source, "Atom Wire");
        assert_eq!(p.articles[0].summary, "Profit up");
    }

    #[test]
    fn one_bad_item_does_not_cost_the_others() {
        let body = rss(
            "<item><title>Good one</title><link>https://e.com/1</link></item>\
             <item><title>Broken <b>markup</title><link>https://e.com/2</link></item>\
             <item><title>No link</title></item>\
             <item><title>Good two</title><link>https://e.com/3</link></item>",
        );
        let p = parse_feed(body.as_bytes(), &general(), 100, now()).unwrap();
        let titles: Vec<&str> = p.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["Good one", "Good two"]);
        assert_eq!(p.bad_items, 2);
        assert!(p.salvaged);
    }

    #[test]
    fn a_cut_body_keeps_its_whole_items_and_the_cap_holds() {
        let items: String = (0..50)
            .map(|i| format!("<item><title>Item {i}</title><link>https://e.com/{i}</link></item>"))
            .collect();
        let body = rss(&items);
        let cut = &body.as_bytes()[..body.len() / 2];
        let p = parse_feed(cut, &general(), 100, now()).unwrap();
        assert!(
            p.salvaged && (20..26).contains(&p.articles.len()),
            "{}",
            p.articles.len()
        );
        let capped = parse_feed(body.as_bytes(), &general(), 10, now()).unwrap();
        assert_eq!((capped.articles.len(), capped.over_cap), (10, 40));
    }

    #[test]
    fn not_a_feed_is_an_error() {
        for body in [
            "",
            "{\"not\": \"a feed\"}",
            "<html><body>Access denied</body></html>",
            "\u{0}\u{1}binary",
        ] {
            assert!(
                parse_feed(body.as_bytes(), &general(), 100, now()).is_err(),
                "{body:?}"
            );
        }
    }

    #[test]
    fn google_news_titles_name_the_publisher() {
        let feed = Feed::GoogleNews {
            symbol: "INFY".into(),
            company: "Infosys".into(),
        };
        let body = rss(
            "<item><title>Infosys shares jump - Mint</title><link>https://news.google.com/rss/articles/CBM1?oc=5</link>\
             <description>&lt;a href=\"https://news.google.com/rss/articles/CBM1?oc=5\"&gt;Infosys shares jump&lt;/a&gt;&amp;nbsp;&amp;nbsp;&lt;font color=\"#6f6f6f\"&gt;Mint&lt;/font&gt;</description></item>",
        );
        let a = &parse_feed(body.as_bytes(), &feed, 100, now())
            .unwrap()
            .articles[0];
        assert_eq!(
            (a.title.as_str(), a.source.as_str()),
            ("Infosys shares jump", "Mint")
        );
        assert_eq!(a.url, "https://news.google.com/rss/articles/CBM1?oc=5");
        assert_eq!(a.summary, "");
        assert_eq!(a.dedup_key.as_deref(), Some("infosys shares jump|mint"));
    }
}
