//! The one call path. Every tool call — over stdio, over HTTP (rmcp's path
//! or the fast path in front of it) and from the `call` subcommand — goes
//! through [`Calls::call`], which logs, times and counts it, answers it from
//! the result cache when the answer still means the same thing, and turns
//! errors into results or protocol errors.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use base64::Engine as _;
use bytes::Bytes;
use moka::future::Cache;
use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, ServerResult};
use serde_json::{Map, Value};
use tracing::Instrument;

use crate::app::App;
use crate::telemetry::Outcome;
use crate::tools::{CallContext, CallError, Dependency, ProgressSink, registry};

/// The wire shape of a result: protocol versions before 2026-07-28 have
/// no `resultType`; rmcp applies the same fix-ups (see [`Answer::encoded`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Legacy,
    Current,
}

/// A finished call's result, and its encodings, made once.
#[derive(Debug, Clone)]
pub struct Answer(Arc<AnswerInner>);

#[derive(Debug)]
struct AnswerInner {
    result: CallToolResult,
    legacy: OnceLock<Bytes>,
    current: OnceLock<Bytes>,
}

impl Answer {
    fn new(result: CallToolResult) -> Answer {
        Answer(Arc::new(AnswerInner {
            result,
            legacy: OnceLock::new(),
            current: OnceLock::new(),
        }))
    }

    /// The result as rmcp's type.
    pub fn result(&self) -> &CallToolResult {
        &self.0.result
    }

    pub fn is_error(&self) -> bool {
        self.0.result.is_error == Some(true)
    }

    /// The JSON of the result object rmcp would send to a peer on `shape`,
    /// shaped by rmcp's own per-version fix-ups, encoded once.
    pub fn encoded(&self, shape: Shape) -> &Bytes {
        let slot = match shape {
            Shape::Legacy => &self.0.legacy,
            Shape::Current => &self.0.current,
        };
        slot.get_or_init(|| {
            let mut result = ServerResult::CallToolResult(self.0.result.clone());
            match shape {
                Shape::Current => result.fill_missing_cache_hints(),
                Shape::Legacy => {
                    result.strip_result_type_for_legacy_peer();
                    result.strip_non_object_output_for_legacy_peer();
                }
            }
            Bytes::from(serde_json::to_vec(&result).unwrap_or_default())
        })
    }
}

/// A cached answer and what it depends on.
#[derive(Debug)]
struct Cached {
    answer: Answer,
    dependencies: Vec<Dependency>,
    valid_until: Option<i64>,
}

/// Fixed cost of a cache entry beyond its encoded bytes.
const CACHED_OVERHEAD: usize = 256;

/// The call path and its result cache. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Calls {
    app: App,
    cache: Cache<String, Arc<Cached>>,
}

static NEXT_CALL_ID: AtomicU64 = AtomicU64::new(1);

impl Calls {
    pub fn new(app: App) -> Calls {
        let cache = Cache::builder()
            .max_capacity(app.config.result_cache_bytes)
            .weigher(|key: &String, value: &Arc<Cached>| {
                let bytes = CACHED_OVERHEAD
                    + key.len()
                    + value.answer.encoded(Shape::Current).len() * 2
                    + value.dependencies.len() * 64;
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            .build();
        Calls { app, cache }
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    /// Runs tool `name` on `args`: the answer (a success or a tool error,
    /// `isError: true`), or a protocol error for a malformed call.
    pub async fn call(&self, name: &str, args: Map<String, Value>) -> Result<Answer, ErrorData> {
        self.call_with_progress(name, args, None).await
    }

    /// [`Calls::call`], with the call's progress reports (from the tool
    /// and from the service below it) going to `progress`.
    pub async fn call_with_progress(
        &self,
        name: &str,
        args: Map<String, Value>,
        progress: Option<Arc<dyn ProgressSink>>,
    ) -> Result<Answer, ErrorData> {
        let id = NEXT_CALL_ID.fetch_add(1, Ordering::Relaxed);
        let span =
            tracing::info_span!("tool_call", id, tool = name, symbol = tracing::field::Empty);
        if let Some(symbol) = args.get("symbol").and_then(Value::as_str) {
            span.record("symbol", crate::echo::clip(symbol).as_ref());
        }
        async {
            let started = Instant::now();
            let (outcome, cache_hit) = self.answer(name, args, progress).await;
            let elapsed = started.elapsed();
            let kind = match &outcome {
                Ok(a) if a.is_error() => Outcome::ToolError,
                Ok(_) => Outcome::Ok,
                Err(_) => Outcome::ProtocolError,
            };
            self.app.telemetry.record(name, kind, cache_hit, elapsed);
            let micros = elapsed.as_micros() as u64;
            match (&outcome, kind) {
                (Ok(a), Outcome::ToolError) => {
                    let message = a
                        .result()
                        .content
                        .first()
                        .and_then(|c| c.as_text())
                        .map(|t| t.text.as_str())
                        .unwrap_or("");
                    tracing::info!(micros, error = message, "tool error");
                }
                (Err(e), _) => tracing::info!(micros, error = %e.message, "malformed call"),
                _ => tracing::debug!(micros, cache_hit, "tool call"),
            }
            outcome
        }
        .instrument(span)
        .await
    }

    async fn answer(
        &self,
        name: &str,
        args: Map<String, Value>,
        progress: Option<Arc<dyn ProgressSink>>,
    ) -> (Result<Answer, ErrorData>, bool) {
        let Some(entry) = registry().get(name) else {
            let e = CallError::UnknownTool(name.to_string());
            return (Err(protocol_error(e)), false);
        };
        // serde_json's map is ordered by key, so this is canonical.
        let key = format!("{name}\u{0}{}", Value::Object(args.clone()));
        if let Some((hit, dependencies)) = self.lookup(&key).await {
            self.count_served(&dependencies.dependencies);
            return (Ok(hit), true);
        }
        let mut ctx = match &progress {
            Some(sink) => CallContext::with_progress(sink.clone()),
            None => CallContext::new(),
        };
        let outcome = crate::progress::scope(progress, entry.run(&self.app, args, &mut ctx)).await;
        let answer = match outcome {
            Ok(out) => {
                self.count_served(ctx.dependencies());
                let mut content = vec![ContentBlock::text(out.text)];
                if let Some(image) = out.image {
                    let data = base64::engine::general_purpose::STANDARD.encode(&image.data);
                    content.push(ContentBlock::image(data, image.mime_type));
                }
                let mut result = CallToolResult::success(content);
                result.structured_content = Some(out.structured);
                Answer::new(result)
            }
            Err(CallError::Tool(message)) => {
                Answer::new(CallToolResult::error(vec![ContentBlock::text(message)]))
            }
            Err(e) => return (Err(protocol_error(e)), false),
        };
        if let Some((dependencies, valid_until)) = ctx.cache_terms() {
            let cached = Cached {
                answer: answer.clone(),
                dependencies: dependencies.to_vec(),
                valid_until,
            };
            self.cache.insert(key, Arc::new(cached)).await;
        }
        (Ok(answer), false)
    }

    /// Counts the symbols an answer served, for the warming watchlist
    /// (not in replay: it says nothing about today's demand).
    fn count_served(&self, dependencies: &[Dependency]) {
        if self.app.config.as_of.is_some() || dependencies.is_empty() {
            return;
        }
        let mut symbols: Vec<&str> = dependencies
            .iter()
            .map(|d| match d {
                Dependency::Series { yahoo_symbol, .. } => yahoo_symbol.as_str(),
            })
            .collect();
        symbols.sort_unstable();
        symbols.dedup();
        self.app.popularity.record(self.app.clock().now(), symbols);
    }

    /// A cached answer and what it was computed from, if all of that is
    /// unchanged.
    async fn lookup(&self, key: &str) -> Option<(Answer, Arc<Cached>)> {
        let cached = self.cache.get(key).await?;
        let now = self.app.clock().now().timestamp();
        let mut valid = cached.valid_until.is_none_or(|t| now < t);
        for dep in &cached.dependencies {
            if !valid {
                break;
            }
            valid = match dep {
                Dependency::Series {
                    yahoo_symbol,
                    interval,
                    generation,
                } => self.app.chart.generation(yahoo_symbol, *interval).await == Some(*generation),
            };
        }
        if valid {
            Some((cached.answer.clone(), cached))
        } else {
            self.cache.invalidate(key).await;
            None
        }
    }
}

/// The protocol error for a malformed call.
fn protocol_error(e: CallError) -> ErrorData {
    match e {
        CallError::UnknownTool(_) => {
            ErrorData::invalid_params(format!("{e}; available: {}", registry().names()), None)
        }
        other => ErrorData::invalid_params(other.to_string(), None),
    }
}
