//! The HTTP side of webhooks: an axum router that verifies, checks freshness, queues, and
//! answers at once; the applier does the rest.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use serde_json::json;
use tokio::sync::Notify;
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

/// A receiver: where it queues, and whom it wakes.
#[derive(Debug)]
pub struct Receiver {
    store: Arc<dyn RankrStore>,
    settings: ReceiverSettings,
    notify: Arc<Notify>,
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
        }
    }

    /// Checks and queues one delivery; returns the status and what to answer.
    pub fn accept(&self, headers: &HeaderMap, body: &[u8]) -> (StatusCode, &'static str) {
        if let Err(e) = self.settings.verifier.verify(headers, body) {
            self.note(Level::Warn, None, "refused", format!("signature: {e}"));
            return (StatusCode::UNAUTHORIZED, "unauthorized");
        }
        let event = match parse_event(body, chrono::Utc::now(), self.settings.max_age) {
            Ok(event) => event,
            Err(super::EventError::NotAnEvent(e)) => {
                self.note(Level::Warn, None, "refused", format!("not an event: {e}"));
                return (StatusCode::BAD_REQUEST, "bad request");
            }
            Err(e) => {
                self.note(Level::Warn, None, "refused", e.to_string());
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

    fn note(&self, level: Level, id: Option<&str>, action: &str, message: String) {
        tracing::info!(action, %message, "webhook");
        let line = LogEntry::new(level, "webhook", id, action).message(message);
        if let Err(e) = self.store.log(&[line]) {
            tracing::warn!(error = %e, "cannot log a webhook refusal");
        }
    }
}

/// The routes: `POST /webhook` (and `POST /` for senders that post to the root).
pub fn router(receiver: Arc<Receiver>) -> Router {
    let limit = receiver.settings.max_body_bytes;
    Router::new()
        .route("/", post(receive))
        .route("/webhook", post(receive))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(receiver)
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (status, word) = receiver.accept(&headers, &body);
    (status, axum::Json(json!({ "status": word }))).into_response()
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
