//! The durable webhook queue and the outbox of the HTTP target, as rows.

use serde::{Deserialize, Serialize};

/// A webhook event to put in the queue, after its signature was checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewEvent {
    /// The delivery's `webhookId`; a second delivery with the same id is a duplicate.
    pub webhook_id: String,
    /// `ContactUpdate`, `TaskCreate`, ...
    pub event_type: String,
    /// The location it concerns.
    pub location_id: String,
    /// The id of the record it concerns.
    pub entity_id: String,
    /// The contact of that record (the record itself for contact events).
    pub contact_id: Option<String>,
    /// The payload's `timestamp`, RFC 3339: the order events are applied in.
    pub event_time: String,
    /// The raw body, as received.
    pub body: String,
}

/// What putting an event in the queue did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// Queued under this row id.
    Queued(i64),
    /// An event with the same `webhookId` was queued before: ignored.
    Duplicate,
}

/// An event waiting in the queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueuedEvent {
    /// The row id.
    pub id: i64,
    /// The event as received.
    pub event: NewEvent,
    /// How many times applying it failed.
    pub attempts: u32,
}

/// How applying a queued event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventState {
    /// Applied.
    Done,
    /// Nothing to do (an appointment, an event for a tombstone, ...).
    Ignored,
    /// Failed for now; tried again later.
    Retry,
    /// Failed too often; left for a person and for reconciliation.
    Failed,
}

impl EventState {
    /// The name stored in the queue.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Ignored => "ignored",
            Self::Retry => "pending",
            Self::Failed => "failed",
        }
    }
}

/// A write waiting to be sent to the HTTP target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// The row id (0 before it is stored).
    pub id: i64,
    /// `PUT` or `DELETE`.
    pub method: String,
    /// The path under the target's base URL: `/contacts/{ghlId}`, `/tasks/{id}`, `/notes/{id}`.
    pub path: String,
    /// The JSON body of a `PUT`.
    pub body: Option<String>,
    /// How many times sending it failed.
    pub attempts: u32,
}
