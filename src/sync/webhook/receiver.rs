//! The HTTP side of webhooks: an axum router that verifies, checks freshness, queues, and
//! answers at once; the applier does the rest.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use serde_json::json;
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;

use super::signature::Verifier;
use super::{MAX_AGE, parse_event};
use crate::rankr::{Enqueued, Level, LogEntry, RankrStore};

/// How the receiver checks deliveries.
#[derive(Debug, Clone)]
pub struct ReceiverSettings {
    /// The signature keys.
    pub verifier: Verifier,
    /// Bodies larger than this are refused with 413.
    pub max_body_bytes: usize,
    /// How far a delivery's `timestamp` may be from now.
    pub max_age: Duration,
}

impl ReceiverSettings {
    /// Settings with GHL's key, the given body limit and the five-minute window.
    pub fn new(verifier: Verifier, max_body_bytes: usize) -> Self {
        Self {
            verifier,
            max_body_bytes,
            max_age: MAX_AGE,
        }
    }
}

/// How many deliveries are read and checked at once; more wait their turn, so a flood costs
/// at most this many bodies of `max_body_bytes` in memory.
pub const MAX_CONCURRENT_DELIVERIES: usize = 32;

/// How long a delivery waits for its turn before it is answered 503 (the sender retries).
const TURN_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a delivery may take once it holds a turn, its body included: a sender that stops
/// sending gets 408 and gives its turn back, so slow connections cannot hold every turn.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many refusals a minute are written to the store's log one by one; the rest are counted
/// in one line, so a flood of forged deliveries cannot fill the store.
const REFUSALS_LOGGED_PER_MINUTE: u32 = 20;

/// A receiver: where it queues, and whom it wakes.
#[derive(Debug)]
pub struct Receiver {
    store: Arc<dyn RankrStore>,
    settings: ReceiverSettings,
    notify: Arc<Notify>,
    turns: Arc<Semaphore>,
    refusals: Mutex<RefusalWindow>,
}

/// The refusals of the current minute.
#[derive(Debug)]
struct RefusalWindow {
    started: Instant,
    logged: u32,
    unlogged: u64,
}

impl RefusalWindow {
    /// Whether this refusal gets a log line of its own; when a new minute starts, the count of
    /// the last one's unlogged refusals is returned to be written.
    fn admit(&mut self, now: Instant) -> (bool, u64) {
        let mut carried = 0;
        if now.duration_since(self.started) >= Duration::from_secs(60) {
            carried = std::mem::take(&mut self.unlogged);
            self.started = now;
            self.logged = 0;
        }
        if self.logged < REFUSALS_LOGGED_PER_MINUTE {
            self.logged += 1;
            (true, carried)
        } else {
            self.unlogged += 1;
            (false, carried)
        }
    }
}

impl Receiver {
    /// A receiver queuing into `store` and waking `notify` (the applier) on each new event.
    pub fn new(
        store: Arc<dyn RankrStore>,
        settings: ReceiverSettings,
        notify: Arc<Notify>,
    ) -> Self {
        Self {
            store,
            settings,
            notify,
            turns: Arc::new(Semaphore::new(MAX_CONCURRENT_DELIVERIES)),
            refusals: Mutex::new(RefusalWindow {
                started: Instant::now(),
                logged: 0,
                unlogged: 0,
            }),
        }
    }

    /// Checks and queues one delivery; returns the status and what to answer.
    pub fn accept(&self, headers: &HeaderMap, body: &[u8]) -> (StatusCode, &'static str) {
        if let Some(kind) = headers.get(header::CONTENT_TYPE)
            && !is_json(kind)
        {
            let kind = String::from_utf8_lossy(kind.as_bytes()).into_owned();
            self.refuse(format!("content type {kind:?} is not JSON"));
            return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported media type");
        }
        if let Err(e) = self.settings.verifier.verify(headers, body) {
            self.refuse(format!("signature: {e}"));
            return (StatusCode::UNAUTHORIZED, "unauthorized");
        }
        let event = match parse_event(body, chrono::Utc::now(), self.settings.max_age) {
            Ok(event) => event,
            Err(super::EventError::NotAnEvent(e)) => {
                self.refuse(format!("not an event: {e}"));
                return (StatusCode::BAD_REQUEST, "bad request");
            }
            Err(e) => {
                self.refuse(e.to_string());
                return (StatusCode::UNAUTHORIZED, "unauthorized");
            }
        };
        match self.store.enqueue_event(&event) {
            Ok(Enqueued::Queued(_)) => {
                self.notify.notify_one();
                (StatusCode::OK, "queued")
            }
            Ok(Enqueued::Duplicate) => {
                let message = format!(
                    "duplicate webhookId {} ({}); ignored",
                    event.webhook_id, event.event_type
                );
                self.note(Level::Info, Some(&event.entity_id), "duplicate", message);
                (StatusCode::OK, "duplicate")
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot queue a webhook event");
                (StatusCode::INTERNAL_SERVER_ERROR, "error")
            }
        }
    }

    /// Logs a refused delivery: one line each up to [`REFUSALS_LOGGED_PER_MINUTE`], then a
    /// count, so a flood of forged deliveries cannot fill the store.
    fn refuse(&self, message: String) {
        let (own_line, carried) = self
            .refusals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .admit(Instant::now());
        if carried > 0 {
            let summary = format!("{carried} more deliveries were refused in the minute before");
            self.note(Level::Warn, None, "refused", summary);
        }
        if own_line {
            self.note(Level::Warn, None, "refused", message);
        } else {
            tracing::info!(%message, "webhook refused (not logged to the store)");
        }
    }

    fn note(&self, level: Level, id: Option<&str>, action: &str, message: String) {
        tracing::info!(action, %message, "webhook");
        let line = LogEntry::new(level, "webhook", id, action).message(message);
        if let Err(e) = self.store.log(&[line]) {
            tracing::warn!(error = %e, "cannot log a webhook refusal");
        }
    }
}

/// Whether a `Content-Type` names JSON (`application/json`, or a `+json` type).
fn is_json(kind: &axum::http::HeaderValue) -> bool {
    let text = String::from_utf8_lossy(kind.as_bytes()).to_ascii_lowercase();
    let essence = text.split(';').next().unwrap_or_default().trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// The routes: `POST /webhook` alone takes deliveries; any other path is a 404, in JSON, like
/// every other refusal.
pub fn router(receiver: Arc<Receiver>) -> Router {
    let limit = receiver.settings.max_body_bytes;
    let gate = receiver.clone();
    Router::new()
        .route(PATH, post(receive))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(
            move |request, next: axum::middleware::Next| {
                let gate = gate.clone();
                async move { take_turn(&gate, request, next).await }
            },
        ))
        .with_state(receiver)
}

/// Lets a delivery's body be read only while it holds one of the receiver's turns, and for
/// [`DELIVERY_TIMEOUT`] at most. A body that says it is over `limit` is refused before it
/// takes a turn or is read.
async fn take_turn(
    receiver: &Receiver,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let limit = receiver.settings.max_body_bytes;
    if let Some(declared) = declared.filter(|n| *n > limit as u64) {
        receiver.refuse(format!(
            "body declared {declared} bytes, over webhook.max_body_bytes ({limit} bytes)"
        ));
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "too large");
    }
    if let Ok(Ok(_turn)) = tokio::time::timeout(TURN_TIMEOUT, receiver.turns.acquire()).await {
        if let Ok(response) = tokio::time::timeout(DELIVERY_TIMEOUT, next.run(request)).await {
            return response;
        }
        receiver.refuse(format!(
            "the delivery took over {}s (a body that stopped?); answered 408",
            DELIVERY_TIMEOUT.as_secs()
        ));
        return answer(StatusCode::REQUEST_TIMEOUT, "timeout");
    }
    tracing::warn!("webhook delivery waited too long for its turn; answered 503");
    let body = axum::Json(json!({ "status": "busy" }));
    (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (status, word) = match body {
        Ok(body) => receiver.accept(&headers, &body),
        Err(rejection) => refused_body(&receiver, &rejection),
    };
    answer(status, word)
}

/// Every answer of the receiver: `{"status": word}` as JSON.
fn answer(status: StatusCode, word: &str) -> Response {
    (status, axum::Json(json!({ "status": word }))).into_response()
}

/// A body that could not be read: over `max_body_bytes` (413, as soon as it passes the limit,
/// with or without a `Content-Length`), or cut off. Answered in JSON like every other refusal,
/// instead of axum's plain-text rejection, and logged to the store like them.
fn refused_body(receiver: &Receiver, rejection: &BytesRejection) -> (StatusCode, &'static str) {
    let status = rejection.status();
    let limit = receiver.settings.max_body_bytes;
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        receiver.refuse(format!("body over webhook.max_body_bytes ({limit} bytes)"));
        (status, "too large")
    } else {
        receiver.refuse(format!("body unreadable: {}", rejection.body_text()));
        (status, "bad request")
    }
}

/// The one path deliveries are taken on: the URL to give GHL is `http://HOST:PORT/webhook`.
pub const PATH: &str = "/webhook";

/// A path the receiver does not serve: 404, in JSON.
async fn no_route() -> Response {
    answer(StatusCode::NOT_FOUND, "not found")
}

/// A method other than POST on a receiver path: 405, in JSON.
async fn wrong_method() -> Response {
    answer(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
}

/// Serves the router on `listener` until `cancel` fires.
pub async fn serve(
    listener: tokio::net::TcpListener,
    receiver: Arc<Receiver>,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, router(receiver))
        .with_graceful_shutdown(async move { cancel.cancelled().await })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rankr::SqliteStore;

    /// A body over the limit got axum's plain-text "Failed to buffer the request body" while
    /// every other refusal is JSON.
    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_in_json() {
        crate::ghl::client::install_tls();
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn RankrStore> =
            Arc::new(SqliteStore::open(&dir.path().join("rankr.sqlite3")).unwrap());
        let settings = ReceiverSettings::new(Verifier::ghl().unwrap(), 4096);
        let receiver_log = store.clone();
        let receiver = Arc::new(Receiver::new(store, settings, Arc::new(Notify::new())));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhook", listener.local_addr().unwrap());
        let cancel = CancellationToken::new();
        let server = tokio::spawn(serve(listener, receiver, cancel.clone()));

        let http = reqwest::Client::new();
        let oversized = format!(
            "{{\"type\":\"ContactUpdate\",\"pad\":\"{}\"}}",
            "x".repeat(8192)
        );
        let answer = http
            .post(&url)
            .header("content-type", "application/json")
            .body(oversized)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 413);
        let kind = answer.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(kind, "application/json");
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body, json!({ "status": "too large" }));

        // The other refusals answer in the same shape.
        let unsigned = http.post(&url).body("{}").send().await.unwrap();
        assert_eq!(unsigned.status().as_u16(), 401);
        let body: serde_json::Value = unsigned.json().await.unwrap();
        assert_eq!(body, json!({ "status": "unauthorized" }));
        let wrong = http.get(&url).send().await.unwrap();
        assert_eq!(wrong.status().as_u16(), 405);
        let body: serde_json::Value = wrong.json().await.unwrap();
        assert_eq!(body, json!({ "status": "method not allowed" }));
        let elsewhere = url.replace("/webhook", "/other");
        let missing = http.post(&elsewhere).body("{}").send().await.unwrap();
        assert_eq!(missing.status().as_u16(), 404);
        let body: serde_json::Value = missing.json().await.unwrap();
        assert_eq!(body, json!({ "status": "not found" }));

        // The oversized delivery is in the store's log like the unsigned one.
        let filter = crate::rankr::LogFilter {
            limit: 10,
            ..crate::rankr::LogFilter::default()
        };
        let log = receiver_log.recent_log(&filter).unwrap();
        let said: Vec<_> = log.iter().map(|l| l.message.clone()).collect();
        assert!(
            said.iter()
                .any(|m| m.contains("over webhook.max_body_bytes")),
            "{said:?}"
        );
        cancel.cancel();
        server.await.unwrap().unwrap();
    }

    /// Answers what a raw HTTP request written to `addr` gets: the status line.
    async fn raw_status(addr: std::net::SocketAddr, head: &str, body: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(body.as_bytes()).await.unwrap();
        let mut answer = vec![0; 256];
        let read = tokio::time::timeout(Duration::from_secs(15), socket.read(&mut answer))
            .await
            .expect("answered before the sender gave up")
            .unwrap();
        String::from_utf8_lossy(&answer[..read])
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// A body declared over the limit is refused at once, not read; a body that stops coming
    /// is answered 408 and gives its turn back, so stalled senders cannot hold every turn.
    #[tokio::test]
    async fn oversized_declarations_and_stalled_bodies_are_answered() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn RankrStore> =
            Arc::new(SqliteStore::open(&dir.path().join("rankr.sqlite3")).unwrap());
        let settings = ReceiverSettings::new(Verifier::ghl().unwrap(), 4096);
        let receiver = Arc::new(Receiver::new(store, settings, Arc::new(Notify::new())));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let cancel = CancellationToken::new();
        let server = tokio::spawn(serve(listener, receiver.clone(), cancel.clone()));
        let head = |length: u64| {
            format!(
                "POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
                 content-length: {length}\r\n\r\n"
            )
        };

        let started = std::time::Instant::now();
        let status = raw_status(addr, &head(999_999_999), "{}").await;
        assert!(status.contains(" 413 "), "{status}");
        assert!(started.elapsed() < Duration::from_secs(2), "at once");

        let status = raw_status(addr, &head(200), "{\"a\":\"").await;
        assert!(status.contains(" 408 "), "{status}");
        assert_eq!(
            receiver.turns.available_permits(),
            MAX_CONCURRENT_DELIVERIES,
            "the turn is given back"
        );
        cancel.cancel();
        server.await.unwrap().unwrap();
    }
}
