//! Feed text made safe and comparable: HTML to plain text, bounded
//! summaries, stable ids and duplicate keys.

use std::cell::{Cell, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use sha2::{Digest, Sha256};

/// Longest summary served, in characters (an ellipsis included).
pub const SUMMARY_MAX_CHARS: usize = 300;
/// Longest title kept, in characters.
const TITLE_MAX_CHARS: usize = 400;
/// Input beyond this many bytes is not converted (a description is a few
/// hundred bytes; this bounds the work a hostile feed can cause).
const HTML_MAX_BYTES: usize = 64 * 1024;
/// Plain text of an HTML fragment: tags dropped, entities decoded, control
/// characters and runs of whitespace folded to one space, and anything
/// still shaped like a tag (from entity-encoded markup) removed, so the
/// result never carries markup.
pub fn clean_text(html: &str) -> String {
    let mut end = html.len().min(HTML_MAX_BYTES);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    let html = &html[..end];
    let text = if html.contains(['<', '&']) {
        html_text(html)
    } else {
        html.to_string()
    };
    collapse_whitespace(&strip_tags(&text))
}

/// The text of an HTML fragment, by html5ever's tokenizer (the parser
/// html2text is built on). A description needs no DOM and no layout, only
/// its characters with entities decoded: html2text, which builds both,
/// spent 28 µs a description, 80 % of parsing a feed.
fn html_text(html: &str) -> String {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(TextSink::default(), TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.text.take()
}

/// Collects character tokens; a space for each tag that breaks a line, and
/// nothing from inside `<script>` or `<style>`.
#[derive(Default)]
struct TextSink {
    text: RefCell<String>,
    in_raw_text: Cell<bool>,
}

/// Elements rendered on their own line, so their edges separate words.
const BREAKING_TAGS: [&str; 24] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "p",
    "td",
    "th",
    "tr",
];

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(chars) if !self.in_raw_text.get() => {
                self.text.borrow_mut().push_str(&chars);
            }
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                if matches!(name, "script" | "style") {
                    let opens = tag.kind == TagKind::StartTag && !tag.self_closing;
                    self.in_raw_text.set(opens);
                    if opens {
                        // Their content is script or CSS, never markup.
                        return TokenSinkResult::RawData(RawKind::Rawtext);
                    }
                } else if BREAKING_TAGS.contains(&name) {
                    self.text.borrow_mut().push(' ');
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Drops `<...>` runs that start like a tag (`<a`, `</`, `<!`, `<?`).
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let tag_like = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || "/!?".contains(c));
        match (tag_like, after.find('>')) {
            (true, Some(close)) => {
                out.push_str(&rest[..open]);
                out.push(' ');
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| c.is_whitespace() || c.is_control() || is_invisible_format(c))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Bidirectional overrides and zero-width characters: invisible in a
/// terminal, and a way to make text read differently than it is.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// At most `max` characters, cut at a word boundary with an ellipsis.
pub(super) fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > cut.len() / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

pub(super) fn clean_title(html: &str) -> String {
    truncate_chars(&clean_text(html), TITLE_MAX_CHARS)
}

/// A summary of at most [`SUMMARY_MAX_CHARS`], without a leading repeat of
/// the title (Google News repeats it, with the publisher, as its description).
pub(super) fn summary(description: &str, title: &str, source: &str) -> String {
    let text = clean_text(description);
    let text = strip_prefix_ignore_case(&text, title)
        .unwrap_or(&text)
        .trim();
    let text = if text.eq_ignore_ascii_case(source) {
        ""
    } else {
        text
    };
    truncate_chars(text, SUMMARY_MAX_CHARS)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() || text.len() < prefix.len() || !text.is_char_boundary(prefix.len()) {
        return None;
    }
    let (head, tail) = text.split_at(prefix.len());
    head.eq_ignore_ascii_case(prefix).then_some(tail)
}

/// Splits Google News' "Headline - Publisher" title.
pub(super) fn split_publisher(title: &str) -> (String, Option<String>) {
    match title.rsplit_once(" - ") {
        Some((headline, publisher))
            if !headline.trim().is_empty() && !publisher.trim().is_empty() =>
        {
            (
                headline.trim().to_string(),
                Some(publisher.trim().to_string()),
            )
        }
        _ => (title.to_string(), None),
    }
}

/// The URL an article is known by: scheme and host lower-cased, no
/// fragment, no `utm_*` tracking parameters, no trailing slash.
pub(super) fn canonical_url(url: &str) -> String {
    let url = url.trim();
    let (url, _fragment) = url.split_once('#').unwrap_or((url, ""));
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let base = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            format!(
                "{}://{}/{}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase(),
                path.trim_end_matches('/')
            )
        }
        None => base.to_string(),
    };
    let base = base.trim_end_matches('/');
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.to_ascii_lowercase().starts_with("utm_"))
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// An article's id: the first 8 bytes of SHA-256 of its canonical URL (or
/// of its GUID when it has no link), so it is the same in every feed and run.
pub fn stable_id(canonical: &str) -> i64 {
    let digest = Sha256::digest(canonical.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// The key that finds one article under two URLs (a Google News redirect
/// and the publisher's own link): its title's and publisher's words, lower
/// case, without a leading "the".
pub fn dedup_key(title: &str, source: &str) -> String {
    let fold = |s: &str| {
        let words: Vec<String> = s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let skip = usize::from(words.first().is_some_and(|w| w == "the"));
        words[skip..].join(" ")
    };
    format!("{}|{}", fold(title), fold(source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            clean_text(
                "<p>Shares of <b>Infosys</b> rose &amp; fell&nbsp;today.</p><br/><img src=x>"
            ),
            "Shares of Infosys rose & fell today."
        );
        assert_eq!(clean_text("a\n\n   b\tc"), "a b c");
        assert_eq!(
            clean_text("&lt;script&gt;alert(1)&lt;/script&gt; ok"),
            "alert(1) ok"
        );
        assert_eq!(clean_text("5 < 6 and 7 > 3"), "5 < 6 and 7 > 3");
        assert_eq!(clean_text("x\u{202e}y\u{200b}z\u{0}w"), "x y z w");
        assert_eq!(clean_text(""), "");
        assert_eq!(
            clean_text("In<b>fo</b>sys<br>Q2<p>Caf&eacute; &#8217;25 &euro;5&nbsp;bn</p>"),
            "Infosys Q2 Café \u{2019}25 €5 bn"
        );
        assert_eq!(
            clean_text("a<script>if (x < 1) { y() }</script>b<style>p{}</style>c"),
            "abc"
        );
        assert_eq!(clean_text("<![CDATA[x]]> <!-- hidden --> y"), "y");
        let long = "<b>".repeat(200_000);
        assert!(!clean_text(&long).contains("<b>"), "bounded work, no panic");
    }

    #[test]
    fn summaries_are_bounded_and_skip_a_repeated_title() {
        let long = "word ".repeat(200);
        let s = summary(&long, "", "");
        assert!(
            s.chars().count() <= SUMMARY_MAX_CHARS && s.ends_with('…'),
            "{s}"
        );
        let g = summary(
            "<a href=\"https://news.google.com/x\">Infosys wins deal</a>&nbsp;&nbsp;<font color=\"#6f6f6f\">Mint</font>",
            "Infosys wins deal",
            "Mint",
        );
        assert_eq!(g, "");
        assert_eq!(truncate_chars("ऋषि ऋषि ऋषि", 5), "ऋषि…");
    }

    #[test]
    fn google_titles_split_off_the_publisher() {
        assert_eq!(
            split_publisher("Sensex rises - up 2% - The Economic Times"),
            (
                "Sensex rises - up 2%".into(),
                Some("The Economic Times".into())
            )
        );
        assert_eq!(
            split_publisher("No publisher"),
            ("No publisher".into(), None)
        );
        assert_eq!(split_publisher(" - x"), (" - x".into(), None));
    }

    #[test]
    fn canonical_urls_and_ids_are_stable() {
        assert_eq!(
            canonical_url(" HTTPS://Example.COM/a/b/?utm_source=rss&id=7#top "),
            "https://example.com/a/b?id=7"
        );
        assert_eq!(canonical_url("https://example.com/"), "https://example.com");
        assert_eq!(
            stable_id(&canonical_url("https://example.com/a?utm_medium=x")),
            stable_id(&canonical_url("https://EXAMPLE.com/a/"))
        );
        assert_ne!(stable_id("a"), stable_id("b"));
        assert_eq!(stable_id("a"), stable_id("a"));
    }

    #[test]
    fn dedup_keys_ignore_case_punctuation_and_the() {
        assert_eq!(
            dedup_key("Infosys wins $1.5bn deal!", "The Hindu"),
            dedup_key("INFOSYS wins $1.5bn deal", "Hindu")
        );
        assert_ne!(dedup_key("a", "x"), dedup_key("a", "y"));
    }
}
