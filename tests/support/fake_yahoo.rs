//! A fake Yahoo Finance chart API on 127.0.0.1 for black-box tests.
//!
//! It answers `GET /v8/finance/chart/{symbol}` in Yahoo's real format:
//! - `*.NS` symbols from `shared/data/nse_daily_yahoo/<SYM>.csv` (daily),
//!   and `RELIANCE.NS` 5m from `shared/data/nse_intraday/`, timestamped as
//!   Yahoo does (daily bars at the 09:15 IST open);
//! - any symbol pinned to a recorded response from `shared/data/yahoo_chart/`;
//! - anything else: Yahoo's real 404 body.
//!
//! It counts requests and can inject faults per symbol (queued, then the
//! normal answer) or for every request.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::shared_data::{shared_dir, yahoo_daily};

/// A misbehaviour to inject.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and a plain body.
    Status(u16),
    /// 429 (or any status) with `Retry-After: secs`.
    RetryAfter(u16, u64),
    /// 200 with a body that is not JSON.
    Malformed,
    /// 200 with a result that has no `timestamp` (no bars).
    Empty,
    /// The normal answer with every 3rd bar's prices set to null.
    Nulls,
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
}

pub struct FakeYahoo {
    pub addr: SocketAddr,
    state: Arc<FakeState>,
    shutdown: tokio_util::sync::CancellationToken,
}

impl FakeYahoo {
    pub async fn start() -> FakeYahoo {
        let state = Arc::new(FakeState::default());
        let app = axum::Router::new()
            .route("/v8/finance/chart/{symbol}", axum::routing::get(chart))
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

    /// Answer `symbol` with a recorded response file under `shared/data/yahoo_chart/`.
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
    match fault {
        Some(Fault::Status(code)) => {
            return (StatusCode::from_u16(code).unwrap(), "upstream trouble").into_response();
        }
        Some(Fault::RetryAfter(code, secs)) => {
            let mut headers = HeaderMap::new();
            headers.insert(
                "retry-after",
                HeaderValue::from_str(&secs.to_string()).unwrap(),
            );
            return (StatusCode::from_u16(code).unwrap(), headers, "slow down").into_response();
        }
        Some(Fault::Malformed) => {
            return (
                StatusCode::OK,
                [("content-type", "application/json")],
                "{\"chart\": {\"result\": [ {\"meta\": ",
            )
                .into_response();
        }
        Some(Fault::Empty) => {
            let body = chart_body(&symbol, &interval, &[], false);
            return axum::Json(body).into_response();
        }
        Some(Fault::Nulls) => return answer(&state, &symbol, &interval, period1, period2, true),
        None => {}
    }
    answer(&state, &symbol, &interval, period1, period2, false)
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
        return (
            StatusCode::from_u16(status).unwrap(),
            axum::Json(recorded["response"]["bodyJson"].clone()),
        )
            .into_response();
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

/// The rows the fake serves for `symbol` at `interval`, or `None` if unknown.
pub fn rows_for(symbol: &str, interval: &str) -> Option<Vec<Row>> {
    let base = symbol.strip_suffix(".NS")?;
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
    let meta = json!({
        "currency": "INR", "symbol": symbol, "exchangeName": "NSI", "fullExchangeName": "NSE",
        "instrumentType": "EQUITY", "firstTradeDate": 820467900, "regularMarketTime": 1711619999,
        "hasPrePostMarketData": false, "gmtoffset": 19800, "timezone": "IST",
        "exchangeTimezoneName": "Asia/Kolkata", "regularMarketPrice": rows.last().map(|r| r.close),
        "longName": format!("{symbol} Limited"), "shortName": symbol, "priceHint": 2,
        "dataGranularity": interval, "range": "",
    });
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
