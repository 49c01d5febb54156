//! The stdio transport, with tool answers written from their encoded bytes.
//!
//! rmcp's stdio transport serialises each response from the
//! `CallToolResult` the handler returns, which for a year of bars means
//! cloning and re-serialising a 50 KB `serde_json::Value` on every call.
//! This transport reads with rmcp's own [`AsyncRwTransport`] (its framing,
//! line limit and error replies), and writes every message as rmcp's codec
//! does (`serde_json` plus a newline), except the responses whose answer the
//! handler left in [`EncodedAnswers`]: those are written as the envelope
//! around [`Answer::encoded`], the bytes rmcp would have produced.
//! `tests/stdio_encoded.rs` checks both give the same bytes for every tool;
//! `TRADING_MCP_STDIO_FAST_PATH=false` turns it off.
//!
//! It also bounds the requests in flight: rmcp spawns a task per request and
//! reads the next one at once, so a client that pipelines thousands of
//! calls would otherwise hold all their answers in memory at the same time.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use rmcp::RoleServer;
use rmcp::model::{ClientNotification, JsonRpcMessage, RequestId, ServerJsonRpcMessage};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::transport::async_rw::AsyncRwTransport;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use super::{Answer, Shape};

/// Requests read but not yet answered, at most: enough to keep both cores
/// busy, few enough that their answers fit comfortably in memory.
pub const MAX_IN_FLIGHT: usize = 64;

/// Answers the handler produced, waiting for the transport to write them.
#[derive(Debug, Default, Clone)]
pub struct EncodedAnswers {
    by_request: Arc<Mutex<HashMap<RequestId, (Answer, Shape)>>>,
}

impl EncodedAnswers {
    pub fn put(&self, id: RequestId, answer: Answer, shape: Shape) {
        self.by_request
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, (answer, shape));
    }

    fn take(&self, id: &RequestId) -> Option<(Answer, Shape)> {
        self.by_request
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
    }
}

/// A message for the writer task: its bytes, and the in-flight place of
/// the request it answers, freed once the bytes are written.
type Outgoing = (Bytes, Option<OwnedSemaphorePermit>);

/// An `AsyncWrite` that hands every write, whole, to the writer task; rmcp's
/// reader writes its own error replies through it.
struct ChannelWriter(mpsc::UnboundedSender<Outgoing>);

impl AsyncWrite for ChannelWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.0.send((Bytes::copy_from_slice(buf), None)) {
            Ok(()) => Poll::Ready(Ok(buf.len())),
            Err(_) => Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The transport: rmcp's reader, our writer.
pub struct EncodedStdio<R: AsyncRead> {
    reader: AsyncRwTransport<RoleServer, R, ChannelWriter>,
    out: mpsc::UnboundedSender<Outgoing>,
    answers: EncodedAnswers,
    permits: Arc<Semaphore>,
    in_flight: HashMap<RequestId, OwnedSemaphorePermit>,
}

impl<R> EncodedStdio<R>
where
    R: AsyncRead + Send + Unpin + 'static,
{
    /// The transport over `read`/`write`, and the task that owns `write`:
    /// await it after the service ends so every answer is flushed.
    pub fn new<W>(
        read: R,
        write: W,
        answers: EncodedAnswers,
    ) -> (Self, tokio::task::JoinHandle<std::io::Result<()>>)
    where
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let (out, rx) = mpsc::unbounded_channel();
        let writer = tokio::spawn(write_all(write, rx));
        let transport = EncodedStdio {
            reader: AsyncRwTransport::new_server(read, ChannelWriter(out.clone())),
            out,
            answers,
            permits: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
            in_flight: HashMap::new(),
        };
        (transport, writer)
    }
}

/// Writes what arrives, flushing whenever nothing more is waiting. A
/// request's place is freed only once its answer is written, so a client
/// that does not read bounds what the server holds.
async fn write_all<W: AsyncWrite + Unpin>(
    mut write: W,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
) -> std::io::Result<()> {
    while let Some((chunk, _place)) = rx.recv().await {
        write.write_all(&chunk).await?;
        while let Ok((more, _place)) = rx.try_recv() {
            write.write_all(&more).await?;
        }
        write.flush().await?;
    }
    write.flush().await
}

/// The bytes of one outgoing message, as rmcp's codec writes it.
fn encode(message: &ServerJsonRpcMessage, answers: &EncodedAnswers) -> Bytes {
    if let JsonRpcMessage::Response(response) = message
        && let Some((answer, shape)) = answers.take(&response.id)
    {
        let id = serde_json::to_vec(&response.id).unwrap_or_default();
        let result = answer.encoded(shape);
        let mut out = Vec::with_capacity(result.len() + id.len() + 41);
        out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
        out.extend_from_slice(&id);
        out.extend_from_slice(br#","result":"#);
        out.extend_from_slice(result);
        out.extend_from_slice(b"}\n");
        return Bytes::from(out);
    }
    let mut out = serde_json::to_vec(message).unwrap_or_default();
    out.push(b'\n');
    Bytes::from(out)
}

impl<R> Transport<RoleServer> for EncodedStdio<R>
where
    R: AsyncRead + Send + Unpin + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let finished = match &item {
            JsonRpcMessage::Response(r) => Some(r.id.clone()),
            JsonRpcMessage::Error(e) => e.id.clone(),
            _ => None,
        };
        let bytes = encode(&item, &self.answers);
        let place = finished.and_then(|id| self.in_flight.remove(&id));
        let sent = self
            .out
            .send((bytes, place))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        std::future::ready(sent)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        // Both awaits are cancel-safe: a dropped permit is returned, and
        // rmcp's reader keeps a partial line for the next call.
        let permit = self.permits.clone().acquire_owned().await.ok()?;
        let message = self.reader.receive().await?;
        match &message {
            JsonRpcMessage::Request(r) => {
                self.in_flight.insert(r.id.clone(), permit);
            }
            // A cancelled request may never be answered: free its place.
            JsonRpcMessage::Notification(n) => {
                if let ClientNotification::CancelledNotification(c) = &n.notification
                    && let Some(id) = &c.params.request_id
                {
                    self.in_flight.remove(id);
                    self.answers.take(id);
                }
            }
            _ => {}
        }
        Some(message)
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.reader.close().await
    }
}
