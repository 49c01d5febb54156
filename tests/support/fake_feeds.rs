//! Fake news feeds on 127.0.0.1 for in-process tests of the news service.
//!
//! It answers the URL shapes the feed client builds:
//! - `/rss/2.0/headline?s=TICKER...` (Yahoo headlines): key `yahoo:TICKER`;
//! - `/rss/search?q=WORDS...` (Google News): key `google:WORDS`;
//! - `/content/RSS/FILE` (NSE): key `nse:FILE`;
//! - `/data/xml/FILE` (BSE): key `bse:FILE`;
//! - `/feeds/NAME` (general feeds): key `feed:NAME`.
//!
//! Tests say what each key serves (generated text, a file from
//! `shared/data/rss/`, or a huge generated feed), count requests per key and
//! inject faults (queued, then the normal answer; or for every request).
//! An unknown key gets a 404.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::shared_data::shared_dir;

/// A misbehaviour to inject.
#[derive(Debug, Clone)]
pub enum FeedFault {
    /// This status with a plain body.
    Status(u16),
    /// This status with `Retry-After: secs`.
    RetryAfter(u16, u64),
    /// Accept the request and never answer (the client times out).
    Hang,
}

#[derive(Debug, Clone)]
enum Content {
    Text(String),
    /// A generated RSS feed of about this many bytes, streamed in chunks.
    Huge(usize),
}

#[derive(Default)]
struct FeedState {
    content: Mutex<HashMap<String, Content>>,
    queued: Mutex<HashMap<String, VecDeque<FeedFault>>>,
    always: Mutex<HashMap<String, FeedFault>>,
    seen: Mutex<Vec<String>>,
}

pub struct FakeFeeds {
    pub addr: SocketAddr,
    state: Arc<FeedState>,
    shutdown: tokio_util::sync::CancellationToken,
}

impl FakeFeeds {
    pub async fn start() -> FakeFeeds {
        let state = Arc::new(FeedState::default());
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = tokio_util::sync::CancellationToken::new();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.cancelled_owned().await })
                .await
                .unwrap();
        });
        FakeFeeds {
            addr,
            state,
            shutdown,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of general feed `name`.
    pub fn feed_url(&self, name: &str) -> String {
        format!("{}/feeds/{name}", self.url())
    }

    /// `key` serves `body`.
    pub fn serve(&self, key: &str, body: impl Into<String>) {
        self.state
            .content
            .lock()
            .unwrap()
            .insert(key.to_string(), Content::Text(body.into()));
    }

    /// `key` serves a file of `shared/data/rss/`.
    pub fn serve_shared(&self, key: &str, file: &str) {
        let path = shared_dir().join("data/rss").join(file);
        self.serve(key, std::fs::read_to_string(&path).unwrap());
    }

    /// `key` serves a valid RSS feed of about `bytes` bytes.
    pub fn serve_huge(&self, key: &str, bytes: usize) {
        self.state
            .content
            .lock()
            .unwrap()
            .insert(key.to_string(), Content::Huge(bytes));
    }

    /// The next requests for `key` get these faults, in order.
    pub fn queue(&self, key: &str, faults: impl IntoIterator<Item = FeedFault>) {
        self.state
            .queued
            .lock()
            .unwrap()
            .entry(key.to_string())
            .or_default()
            .extend(faults);
    }

    /// Every request for `key` gets `fault` until cleared with `None`.
    pub fn always(&self, key: &str, fault: Option<FeedFault>) {
        let mut always = self.state.always.lock().unwrap();
        match fault {
            Some(f) => always.insert(key.to_string(), f),
            None => always.remove(key),
        };
    }

    /// Requests seen for `key`.
    pub fn count(&self, key: &str) -> usize {
        self.state
            .seen
            .lock()
            .unwrap()
            .iter()
            .filter(|k| *k == key)
            .count()
    }

    /// Requests seen in all.
    pub fn total(&self) -> usize {
        self.state.seen.lock().unwrap().len()
    }
}

impl Drop for FakeFeeds {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

fn key_of(uri: &Uri, q: &HashMap<String, String>) -> String {
    let path = uri.path();
    let param = |k: &str| q.get(k).cloned().unwrap_or_default();
    if path == "/rss/2.0/headline" {
        format!("yahoo:{}", param("s"))
    } else if path == "/rss/search" {
        format!("google:{}", param("q"))
    } else if let Some(file) = path.strip_prefix("/content/RSS/") {
        format!("nse:{file}")
    } else if let Some(file) = path.strip_prefix("/data/xml/") {
        format!("bse:{file}")
    } else if let Some(name) = path.strip_prefix("/feeds/") {
        format!("feed:{name}")
    } else {
        format!("unknown:{path}")
    }
}

async fn answer(
    State(state): State<Arc<FeedState>>,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let key = key_of(&uri, &q);
    state.seen.lock().unwrap().push(key.clone());
    let fault = {
        let mut queued = state.queued.lock().unwrap();
        queued
            .get_mut(&key)
            .and_then(|q| q.pop_front())
            .or_else(|| state.always.lock().unwrap().get(&key).cloned())
    };
    match fault {
        Some(FeedFault::Status(code)) => {
            return (StatusCode::from_u16(code).unwrap(), "feed trouble").into_response();
        }
        Some(FeedFault::RetryAfter(code, secs)) => {
            return (
                StatusCode::from_u16(code).unwrap(),
                [("retry-after", secs.to_string())],
                "slow down",
            )
                .into_response();
        }
        Some(FeedFault::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return StatusCode::GATEWAY_TIMEOUT.into_response();
        }
        None => {}
    }
    let content = state.content.lock().unwrap().get(&key).cloned();
    match content {
        Some(Content::Text(body)) => (
            [("content-type", "application/rss+xml; charset=utf-8")],
            body,
        )
            .into_response(),
        Some(Content::Huge(bytes)) => huge(bytes),
        None => (StatusCode::NOT_FOUND, "no such feed").into_response(),
    }
}

/// A valid RSS feed of `bytes` bytes, generated chunk by chunk as the
/// client reads, so the fake never holds it whole.
fn huge(bytes: usize) -> Response {
    let head = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Huge Wire</title>";
    let tail = "</channel></rss>";
    let item = |i: usize| {
        format!(
            "<item><title>Bulk item {i}</title><link>https://huge.example/{i}</link>\
             <description>{}</description></item>",
            "filler text ".repeat(50)
        )
    };
    let per_item = item(0).len();
    let count = bytes.saturating_sub(head.len() + tail.len()) / per_item;
    let chunks = std::iter::once(head.to_string())
        .chain((0..count).map(item))
        .chain(std::iter::once(tail.to_string()))
        .map(|s| Ok::<_, std::io::Error>(s.into_bytes()));
    Response::builder()
        .header("content-type", "application/rss+xml")
        .body(Body::from_stream(futures::stream::iter(chunks)))
        .unwrap()
}

/// One RSS 2.0 `<item>`; `date` is written as given (`None`: no pubDate).
pub fn item(title: &str, link: &str, description: &str, date: Option<&str>) -> String {
    let date = date.map_or(String::new(), |d| format!("<pubDate>{d}</pubDate>"));
    format!(
        "<item><title><![CDATA[{title}]]></title><link>{link}</link>\
         <description><![CDATA[{description}]]></description>{date}</item>"
    )
}

/// An RSS 2.0 document around `items`.
pub fn rss(channel: &str, items: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>{channel}</title>\
         <link>https://example.com</link><description>test</description>{}</channel></rss>",
        items.concat()
    )
}
