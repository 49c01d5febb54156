//! A fake Yahoo Finance chart API on 127.0.0.1 for black-box tests.
//!
//! It answers `GET /v8/finance/chart/{symbol}` in Yahoo's real format:
//! - `*.NS` symbols from `shared/data/nse_daily_yahoo/<SYM>.csv` (daily),
//!   and `^NSEI` (NIFTY 50, 2013-2023) from `shared/data/nse_index/`,
//!   and `RELIANCE.NS` 5m from `shared/data/nse_intraday/` (and 1m made from
//!   it, five bars per 5m bar, for Yahoo's 7-day 1m windows), timestamped as
//!   Yahoo does (daily bars at the 09:15 IST open);
//! - BSE listings, BANKNIFTY and SENSEX, a crypto and an FX pair, and the
//!   15m/30m/1h and 1wk/1mo intervals, made as [`super::fake_series`] says;
//! - any symbol pinned to a recorded response from `shared/data/yahoo_chart/`;
//! - anything else: Yahoo's real 404 body.
//!
//! It counts requests and can inject faults per symbol (queued, then the
//! normal answer) or for every request: statuses, `Retry-After` in both
//! forms, Yahoo's own `chart.error` bodies, garbage and truncated JSON, and
//! transport faults (a hang, a slow drip, a connection cut mid-body).
//! [`refused_url`] and [`Blackhole`] give a port that refuses connections
//! and one that never completes them.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::shared_data::{shared_dir, yahoo_daily};

/// A misbehaviour to inject.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and a plain body.
    Status(u16),
    /// 429 (or any status) with `Retry-After: secs`.
    RetryAfter(u16, u64),
    /// 429 (or any status) with `Retry-After` as an HTTP date `secs` from now.
    RetryAfterDate(u16, u64),
    /// This status with Yahoo's error body `{"chart": {"result": null,
    /// "error": {code, description}}}`.
    ChartError(u16, &'static str, &'static str),
    /// 200 with a body that is not JSON.
    Malformed,
    /// 200 with the normal answer cut in half (a valid HTTP message whose
    /// JSON ends mid-way).
    Truncated,
    /// 200 with a result that has no `timestamp` (no bars).
    Empty,
    /// The normal answer with every 3rd bar's prices set to null.
    Nulls,
    /// Say nothing for this long, then give the normal answer.
    Hang(Duration),
    /// The normal answer in `pieces` parts, `every` apart (headers at once).
    Drip { pieces: usize, every: Duration },
    /// Headers and half the normal body, then the connection is cut.
    Reset,
}

/// One request the fake saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub symbol: String,
    pub period1: i64,
    pub period2: i64,
    pub interval: String,
    pub at: Instant,
}

#[derive(Default)]
struct FakeState {
    seen: Mutex<Vec<Seen>>,
    queued: Mutex<HashMap<String, VecDeque<Fault>>>,
    always: Mutex<Option<Fault>>,
    pinned: Mutex<HashMap<String, PathBuf>>,
    /// Cancelled when the fake is dropped: hung answers end with it.
    stop: tokio_util::sync::CancellationToken,
}

pub struct FakeYahoo {
    pub addr: SocketAddr,
    state: Arc<FakeState>,
    shutdown: tokio_util::sync::CancellationToken,
}

impl FakeYahoo {
    pub async fn start() -> FakeYahoo {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        FakeYahoo::serve(listener)
    }

    /// Serves the fake on `listener` (e.g. a [`Blackhole`]'s, once it opens).
    pub fn serve(listener: tokio::net::TcpListener) -> FakeYahoo {
        let state = Arc::new(FakeState::default());
        let app = axum::Router::new()
            .route("/v8/finance/chart/{symbol}", axum::routing::get(chart))
            .with_state(state.clone());
        let addr = listener.local_addr().unwrap();
        let shutdown = state.stop.clone();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.cancelled_owned().await })
                .await
                .unwrap();
        });
        FakeYahoo {
            addr,
            state,
            shutdown,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.state.seen.lock().unwrap().len()
    }

    /// The next requests for `symbol` get these faults, in order.
    pub fn queue(&self, symbol: &str, faults: impl IntoIterator<Item = Fault>) {
        self.state
            .queued
            .lock()
            .unwrap()
            .entry(symbol.to_string())
            .or_default()
            .extend(faults);
    }

    /// Every request gets `fault` until cleared with `None`.
    pub fn always(&self, fault: Option<Fault>) {
        *self.state.always.lock().unwrap() = fault;
    }

    /// Answer `symbol` with a recorded response file under
    /// `shared/data/yahoo_chart/`, cut to the request's `period1..period2`
    /// as Yahoo would (bars and events outside it dropped).
    pub fn pin(&self, symbol: &str, recorded: &str) {
        let path = shared_dir().join("data/yahoo_chart").join(recorded);
        assert!(path.is_file(), "{}", path.display());
        self.state
            .pinned
            .lock()
            .unwrap()
            .insert(symbol.to_string(), path);
    }
}

impl Drop for FakeYahoo {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn chart(
    State(state): State<Arc<FakeState>>,
    Path(symbol): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let interval = q.get("interval").cloned().unwrap_or_else(|| "1d".into());
    let (period1, period2) = (num("period1"), num("period2"));
    state.seen.lock().unwrap().push(Seen {
        symbol: symbol.clone(),
        period1,
        period2,
        interval: interval.clone(),
        at: Instant::now(),
    });
    let fault = {
        let mut queued = state.queued.lock().unwrap();
        queued
            .get_mut(&symbol)
            .and_then(|q| q.pop_front())
            .or_else(|| state.always.lock().unwrap().clone())
    };
    let normal = |nulls| answer(&state, &symbol, &interval, period1, period2, nulls);
    match fault {
        Some(Fault::Status(code)) => {
            (StatusCode::from_u16(code).unwrap(), "upstream trouble").into_response()
        }
        Some(Fault::RetryAfter(code, secs)) => retry_after(code, secs.to_string()),
        Some(Fault::RetryAfterDate(code, secs)) => retry_after(
            code,
            httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(secs)),
        ),
        Some(Fault::ChartError(code, name, description)) => (
            StatusCode::from_u16(code).unwrap(),
            axum::Json(
                json!({"chart": {"result": null, "error": {"code": name, "description": description}}}),
            ),
        )
            .into_response(),
        Some(Fault::Malformed) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"chart\": {\"result\": [ {\"meta\": ",
        )
            .into_response(),
        Some(Fault::Truncated) => {
            let body = body_bytes(normal(false)).await;
            let half = body[..body.len() / 2].to_vec();
            (StatusCode::OK, [("content-type", "application/json")], half).into_response()
        }
        Some(Fault::Empty) => {
            axum::Json(chart_body(&symbol, &interval, &[], false)).into_response()
        }
        Some(Fault::Nulls) => normal(true),
        Some(Fault::Hang(wait)) => {
            tokio::select! {
                _ = tokio::time::sleep(wait) => normal(false),
                _ = state.stop.cancelled() => StatusCode::SERVICE_UNAVAILABLE.into_response(),
            }
        }
        Some(Fault::Drip { pieces, every }) => {
            let body = body_bytes(normal(false)).await;
            let size = body.len().div_ceil(pieces.max(1)).max(1);
            let chunks: Vec<Vec<u8>> = body.chunks(size).map(<[u8]>::to_vec).collect();
            let stream = futures::stream::iter(chunks).then(move |chunk| async move {
                tokio::time::sleep(every).await;
                Ok::<_, std::io::Error>(chunk)
            });
            (
                [("content-type", "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
        Some(Fault::Reset) => {
            let body = body_bytes(normal(false)).await;
            let half = body[..body.len() / 2].to_vec();
            // The cut comes a moment after the first half, so that the
            // headers and the half are on the wire before it.
            let stream = futures::stream::iter([Ok(half), Err(())]).then(|piece| async move {
                match piece {
                    Ok(bytes) => Ok(bytes),
                    Err(()) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "cut mid-body",
                        ))
                    }
                }
            });
            (
                [("content-type", "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
        None => normal(false),
    }
}

fn retry_after(code: u16, value: String) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert("retry-after", HeaderValue::from_str(&value).unwrap());
    (StatusCode::from_u16(code).unwrap(), headers, "slow down").into_response()
}

async fn body_bytes(response: Response) -> Vec<u8> {
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

fn answer(
    state: &FakeState,
    symbol: &str,
    interval: &str,
    p1: i64,
    p2: i64,
    nulls: bool,
) -> Response {
    if let Some(path) = state.pinned.lock().unwrap().get(symbol).cloned() {
        let recorded: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let status = recorded["response"]["status"].as_u64().unwrap_or(200) as u16;
        let mut body = recorded["response"]["bodyJson"].clone();
        cut_to_period(&mut body, p1, p2);
        return (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response();
    }
    match rows_for(symbol, interval) {
        Some(rows) => {
            let rows: Vec<Row> = rows.into_iter().filter(|r| r.ts >= p1 && r.ts < p2).collect();
            axum::Json(chart_body(symbol, interval, &rows, nulls)).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"chart": {"result": null, "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"}}})),
        )
            .into_response(),
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    pub ts: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub adj: f64,
    pub volume: f64,
}

/// 09:15 IST on `date`, as Yahoo stamps NSE daily bars.
pub fn nse_open_ts(date: &str) -> i64 {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    d.and_hms_opt(3, 45, 0).unwrap().and_utc().timestamp()
}

/// The IST date of instant `ts`, the date an NSE bar stamped `ts` is for.
pub fn ist_date(ts: i64) -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp(ts + 19_800, 0)
        .unwrap()
        .date_naive()
}

/// The rows the fake serves for `symbol` at `interval`, or `None` if unknown.
pub fn rows_for(symbol: &str, interval: &str) -> Option<Vec<Row>> {
    if let Some(rows) = super::fake_series::made_rows(symbol, interval) {
        return Some(rows);
    }
    let base = match symbol {
        "^NSEI" => symbol,
        _ => symbol.strip_suffix(".NS")?,
    };
    if interval == "1m" && base == "RELIANCE" {
        // No 1m recording is shared: each real 5m bar becomes five 1m bars
        // that open at its open, close at its close and stay within its
        // range, so tests can exercise Yahoo's 7-day 1m windows.
        let five = rows_for(symbol, "5m")?;
        let mut rows = Vec::with_capacity(five.len() * 5);
        for r in five {
            for k in 0..5 {
                let at = |j: i64| r.open + (r.close - r.open) * j as f64 / 5.0;
                let (open, close) = (at(k), at(k + 1));
                rows.push(Row {
                    ts: r.ts + 60 * k,
                    open,
                    high: open.max(close),
                    low: open.min(close),
                    close,
                    adj: close,
                    volume: (r.volume / 5.0).floor(),
                });
            }
        }
        return Some(rows);
    }
    if interval == "5m" && base == "RELIANCE" {
        let path =
            shared_dir().join("data/nse_intraday/RELIANCE.NS_5m_2025-09-11_to_2025-12-05.csv");
        let text = std::fs::read_to_string(path).unwrap();
        let rows = text
            .lines()
            .skip(3)
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                let ts = chrono::DateTime::parse_from_str(c[0], "%Y-%m-%d %H:%M:%S%:z")
                    .unwrap()
                    .timestamp();
                let f = |i: usize| c[i].parse::<f64>().unwrap();
                Row {
                    ts,
                    close: f(1),
                    high: f(2),
                    low: f(3),
                    open: f(4),
                    adj: f(1),
                    volume: f(5),
                }
            })
            .collect();
        return Some(rows);
    }
    if interval != "1d" {
        return Some(Vec::new());
    }
    let d = yahoo_daily(symbol)?;
    Some(
        (0..d.dates.len())
            .map(|i| Row {
                ts: nse_open_ts(&d.dates[i]),
                open: d.open[i],
                high: d.high[i],
                low: d.low[i],
                close: d.close[i],
                adj: d.adj_close[i],
                volume: d.volume[i],
            })
            .collect(),
    )
}

fn chart_body(symbol: &str, interval: &str, rows: &[Row], nulls: bool) -> Value {
    let mut meta = super::fake_series::meta(symbol);
    meta["dataGranularity"] = json!(interval);
    meta["regularMarketPrice"] = json!(rows.last().map(|r| r.close));
    if rows.is_empty() {
        return json!({"chart": {"result": [{"meta": meta, "indicators": {"quote": [{}]}}], "error": null}});
    }
    let null_at = |i: usize| nulls && i % 3 == 1;
    let col = |f: &dyn Fn(&Row) -> f64| -> Vec<Value> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| if null_at(i) { Value::Null } else { json!(f(r)) })
            .collect()
    };
    json!({"chart": {"result": [{
        "meta": meta,
        "timestamp": rows.iter().map(|r| r.ts).collect::<Vec<_>>(),
        "indicators": {
            "quote": [{
                "open": col(&|r| r.open), "high": col(&|r| r.high), "low": col(&|r| r.low),
                "close": col(&|r| r.close), "volume": col(&|r| r.volume),
            }],
            "adjclose": [{"adjclose": col(&|r| r.adj)}],
        }
    }], "error": null}})
}

/// Drops the bars and events of a recorded chart body outside `[p1, p2)`.
fn cut_to_period(body: &mut Value, p1: i64, p2: i64) {
    let Some(result) = body.pointer_mut("/chart/result/0") else {
        return;
    };
    let keep: Vec<bool> = result["timestamp"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .map(|t| t.as_i64().is_some_and(|t| t >= p1 && t < p2))
                .collect()
        })
        .unwrap_or_default();
    let filter = |v: &mut Value| {
        if let Some(a) = v.as_array_mut() {
            let mut i = 0;
            a.retain(|_| {
                i += 1;
                keep.get(i - 1).copied().unwrap_or(false)
            });
        }
    };
    if !keep.is_empty() {
        filter(&mut result["timestamp"]);
        for q in result["indicators"]["quote"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            for col in q.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
                filter(col);
            }
        }
        for a in result["indicators"]["adjclose"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            filter(&mut a["adjclose"]);
        }
    }
    for kind in ["dividends", "splits"] {
        if let Some(events) = result
            .get_mut("events")
            .and_then(|e| e.get_mut(kind))
            .and_then(Value::as_object_mut)
        {
            events.retain(|_, e| e["date"].as_i64().is_some_and(|t| t >= p1 && t < p2));
        }
    }
}

/// A URL of a loopback port nothing listens on: connections are refused.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// A loopback port whose accept queue is full, so connection attempts
/// hang in the handshake (the kernel drops the SYNs) until [`Blackhole::open`]
/// starts serving the fake on it.
pub struct Blackhole {
    listener: tokio::net::TcpListener,
    /// Connections that fill the queue; never accepted while blocked.
    fillers: Vec<std::net::TcpStream>,
}

impl Blackhole {
    pub fn new() -> Blackhole {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(0).unwrap();
        let addr = listener.local_addr().unwrap();
        // A backlog of 0 still queues one connection; two make sure the
        // queue is full. They complete at once (the kernel accepts them).
        let fillers = (0..2)
            .filter_map(|_| {
                std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()
            })
            .collect();
        Blackhole { listener, fillers }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.listener.local_addr().unwrap())
    }

    /// Starts answering: the queued connections are accepted and the fake
    /// serves on this port from now on.
    pub fn open(self) -> FakeYahoo {
        drop(self.fillers);
        FakeYahoo::serve(self.listener)
    }
}
