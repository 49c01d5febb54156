//! Yahoo Finance's chart API v8: bars, meta and events for one symbol.

use std::sync::Arc;

use reqwest::Url;

use super::UpstreamError;
use super::http::{HttpUpstream, host_label};
use super::parse::{ChartData, ParseError, parse_chart};
use crate::model::Interval;

/// Fetches chart data from `{base}/v8/finance/chart/{symbol}`.
#[derive(Debug, Clone)]
pub struct ChartClient {
    http: Arc<HttpUpstream>,
    base: Url,
}

impl ChartClient {
    pub fn new(http: Arc<HttpUpstream>, base_url: &str) -> Result<Self, UpstreamError> {
        let base = Url::parse(base_url.trim_end_matches('/'))
            .map_err(|e| UpstreamError::BadUrl(format!("{base_url}: {e}")))?;
        if base.cannot_be_a_base() {
            return Err(UpstreamError::BadUrl(base_url.to_string()));
        }
        Ok(Self { http, base })
    }

    pub fn host(&self) -> String {
        host_label(&self.base)
    }

    pub fn http(&self) -> &Arc<HttpUpstream> {
        &self.http
    }

    /// Seconds the chart API's breaker still rejects calls, if it is open.
    pub fn blocked_for(&self) -> Option<i64> {
        self.http.blocked_for(&self.base)
    }

    fn url(&self, symbol: &str, interval: Interval, period1: i64, period2: i64) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(["v8", "finance", "chart", symbol]);
        }
        url.query_pairs_mut()
            .append_pair("period1", &period1.to_string())
            .append_pair("period2", &period2.to_string())
            .append_pair("interval", interval.as_str())
            .append_pair("includePrePost", "false")
            .append_pair("events", "div,split");
        url
    }

    /// Bars with start instants in `[period1, period2)` (epoch seconds).
    pub async fn fetch(
        &self,
        symbol: &str,
        interval: Interval,
        period1: i64,
        period2: i64,
    ) -> Result<ChartData, UpstreamError> {
        let url = self.url(symbol, interval, period1, period2);
        let answer = self.http.get(&url, Some(symbol)).await?;
        match parse_chart(&answer.body, interval) {
            Ok(data) if answer.status < 300 => Ok(data),
            Ok(_) => Err(UpstreamError::Status {
                host: self.host(),
                status: answer.status,
                attempts: 1,
            }),
            Err(ParseError::Refused { code, description }) => {
                if answer.status == 404 || code.eq_ignore_ascii_case("Not Found") {
                    Err(UpstreamError::UnknownSymbol {
                        symbol: symbol.to_string(),
                        detail: if description.is_empty() {
                            code
                        } else {
                            description
                        },
                    })
                } else {
                    Err(UpstreamError::Refused {
                        host: self.host(),
                        status: answer.status,
                        code,
                        description,
                    })
                }
            }
            Err(ParseError::Malformed(detail)) if answer.status < 300 => {
                self.http.report_malformed(&url).await;
                Err(UpstreamError::Malformed {
                    host: self.host(),
                    detail,
                })
            }
            Err(ParseError::Malformed(_)) if answer.status == 404 => {
                Err(UpstreamError::UnknownSymbol {
                    symbol: symbol.to_string(),
                    detail: "HTTP 404".into(),
                })
            }
            Err(ParseError::Malformed(_)) => Err(UpstreamError::Status {
                host: self.host(),
                status: answer.status,
                attempts: 1,
            }),
        }
    }
}
