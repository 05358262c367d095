//! GHL webhooks: the receiver (verify, refuse stale and repeated deliveries, queue durably,
//! answer 200) and the applier (apply queued events in timestamp order, re-fetching each record
//! by id before Rankr is written).
//!
//! # What the receiver answers
//! - `200 {"status":"queued"}`: verified, fresh and new; it is in the store's queue.
//! - `200 {"status":"duplicate"}`: a `webhookId` seen before; ignored (answering 200 stops the
//!   sender from delivering it again) and logged.
//! - `401`: no signature, a signature that does not match the raw body, or a `timestamp` older
//!   (or further ahead) than five minutes, or none; logged.
//! - `400`: a verified body that is not a JSON event with `type`.
//! - `413 {"status":"too large"}`: a body over `webhook.max_body_bytes` (refused as soon as it
//!   passes the limit, and before any of it is read when its `Content-Length` says so).
//! - `408 {"status":"timeout"}`: a delivery not done ten seconds after its turn came (a body
//!   that stopped coming); its turn is given back.
//! - `404`, `405`: another path than `/webhook` (`/` included), another method than POST.
//! - `415`: a `Content-Type` that is not JSON (no type at all is taken as JSON).
//! - `503`: more than [`MAX_CONCURRENT_DELIVERIES`] deliveries at once for ten
//!   seconds; the sender retries.
//!
//! Refusals are logged to the store one by one up to 20 a minute, then counted in one line.
//! - `500`: the queue could not be written; the sender may retry, and reconciliation catches
//!   up either way (C44).
//!
//! Every answer is JSON, `{"status": ...}`, refusals included.

mod apply;
mod receiver;
pub mod signature;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use apply::{Applied, apply_pending, run_applier};
pub use receiver::{MAX_CONCURRENT_DELIVERIES, Receiver, ReceiverSettings, router, serve};
pub use signature::{Scheme, SignatureError, Verifier};

use crate::rankr::NewEvent;

/// How old (or how far ahead) a delivery's `timestamp` may be.
pub const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(300);

/// The event types the sync knows; others are queued and ignored.
pub const EVENT_TYPES: &[&str] = &[
    "ContactCreate",
    "ContactUpdate",
    "ContactDelete",
    "ContactTagUpdate",
    "ContactDndUpdate",
    "TaskCreate",
    "TaskComplete",
    "TaskDelete",
    "NoteCreate",
    "NoteUpdate",
    "NoteDelete",
    "AppointmentCreate",
    "AppointmentUpdate",
    "AppointmentDelete",
];

/// Why a verified body is not an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not a JSON object, or no `type`.
    #[error("not a webhook event: {0}")]
    NotAnEvent(String),
    /// No `timestamp`, so its age cannot be checked.
    #[error("the event has no timestamp")]
    NoTimestamp,
    /// The `timestamp` is too old or too far ahead.
    #[error("the event is stale: its timestamp {0} is more than 5 minutes from now")]
    Stale(String),
}

/// Reads a verified body into a queue entry, refusing it if its `timestamp` is more than
/// `max_age` from `now`. A body without `webhookId` (or with an empty one) is keyed by its hash.
pub fn parse_event(
    body: &[u8],
    now: DateTime<Utc>,
    max_age: std::time::Duration,
) -> Result<NewEvent, EventError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| EventError::NotAnEvent(e.to_string()))?;
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let event_type =
        text(&value, "type").ok_or_else(|| EventError::NotAnEvent("no type".into()))?;
    let stamp = text(&value, "timestamp").ok_or(EventError::NoTimestamp)?;
    let at =
        crate::ghl::models::parse_date(&stamp).ok_or_else(|| EventError::Stale(stamp.clone()))?;
    let age = (now - at)
        .abs()
        .to_std()
        .unwrap_or(std::time::Duration::MAX);
    if age > max_age {
        return Err(EventError::Stale(stamp));
    }
    let record = value
        .get("appointment")
        .filter(|_| event_type.starts_with("Appointment"))
        .unwrap_or(&value);
    let entity_id = text(record, "id").unwrap_or_default();
    let contact_id = if event_type.starts_with("Contact") {
        Some(entity_id.clone())
    } else {
        text(record, "contactId")
    };
    // An empty id would make every such delivery a duplicate of the first: key it by hash.
    let webhook_id = text(&value, "webhookId")
        .filter(|id| !id.trim().is_empty())
        .unwrap_or_else(|| {
            let digest = Sha256::digest(body);
            format!("sha256:{}", super::mapping::hex(&digest))
        });
    Ok(NewEvent {
        webhook_id,
        event_type,
        location_id: text(&value, "locationId").unwrap_or_default(),
        entity_id,
        contact_id,
        event_time: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        body: String::from_utf8_lossy(body).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_task_event_and_refuses_stale_ones() {
        let now = Utc::now();
        let stamp = now.to_rfc3339();
        let body = format!(
            r#"{{"type":"TaskCreate","locationId":"L","id":"t1","contactId":"c1","timestamp":"{stamp}","webhookId":"w1"}}"#
        );
        let event = parse_event(body.as_bytes(), now, MAX_AGE).unwrap();
        assert_eq!(
            (
                event.entity_id.as_str(),
                event.contact_id.as_deref(),
                event.webhook_id.as_str()
            ),
            ("t1", Some("c1"), "w1")
        );
        let later = now + chrono::Duration::minutes(6);
        assert!(matches!(
            parse_event(body.as_bytes(), later, MAX_AGE),
            Err(EventError::Stale(_))
        ));
        let no_stamp = br#"{"type":"ContactUpdate","id":"c1"}"#;
        assert_eq!(
            parse_event(no_stamp, now, MAX_AGE),
            Err(EventError::NoTimestamp)
        );
    }
}
