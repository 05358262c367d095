//! The HTTP target: a remote Rankr that takes idempotent `PUT`s and `DELETE`s (the contract is
//! in `docs/rankr-http.md`). Changes wait in the store's outbox, written in the same
//! transaction as the page they belong to, so nothing is lost while the target is down; they
//! are sent in order and removed once the target took them.

use std::time::Duration;

use serde_json::json;

use super::queue::OutboxItem;
use super::records::{StoredContact, StoredNote, StoredTask};
use super::{RankrError, RankrStore};
use crate::ghl::Secret;

/// How many times one item is tried in one delivery pass before the pass stops.
const TRIES_PER_PASS: u32 = 3;

/// After this many failed passes a refused (4xx) item is set aside as dead.
const MAX_REFUSALS: u32 = 3;

/// Why a delivery pass stopped early.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] RankrError),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Items the target took.
    pub sent: u64,
    /// Items the target refused for good (set aside, logged).
    pub dead: u64,
    /// Items still waiting (the target is down or busy).
    pub pending: u64,
}

/// A remote Rankr.
#[derive(Debug, Clone)]
pub struct HttpTarget {
    http: reqwest::Client,
    base_url: String,
    api_key: Secret,
    backoff: Duration,
}

impl HttpTarget {
    /// A target at `base_url` (no trailing slash needed) with its API key.
    pub fn new(base_url: &str, api_key: Secret) -> Result<Self, DeliveryError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| DeliveryError::Client(e.to_string()))?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key,
            backoff: Duration::from_millis(200),
        })
    }

    /// The same target with another first backoff (doubled on each try).
    #[must_use]
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sends what waits in the outbox, oldest first. Stops at the first item the target cannot
    /// take now (down, 5xx, 429), so the order of writes is kept; the rest waits for the next
    /// pass.
    pub async fn deliver(&self, store: &dyn RankrStore) -> Result<Delivery, DeliveryError> {
        let mut report = Delivery::default();
        loop {
            let items = store.outbox_pending(100)?;
            if items.is_empty() {
                return Ok(report);
            }
            for item in items {
                match self.send_with_retries(&item).await {
                    Sent::Ok => {
                        store.outbox_sent(item.id)?;
                        report.sent += 1;
                    }
                    Sent::Refused(error) => {
                        let dead = item.attempts + 1 >= MAX_REFUSALS;
                        store.outbox_failed(item.id, &error, dead)?;
                        report.dead += u64::from(dead);
                        if !dead {
                            report.pending = store.outbox_pending(usize::MAX)?.len() as u64;
                            return Ok(report);
                        }
                    }
                    Sent::Later(error) => {
                        store.outbox_failed(item.id, &error, false)?;
                        report.pending = store.outbox_pending(usize::MAX)?.len() as u64;
                        return Ok(report);
                    }
                }
            }
        }
    }

    async fn send_with_retries(&self, item: &OutboxItem) -> Sent {
        let mut wait = self.backoff;
        let mut last = Sent::Later(String::new());
        for attempt in 0..TRIES_PER_PASS {
            if attempt > 0 {
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
            last = self.send(item).await;
            if !matches!(last, Sent::Later(_)) {
                return last;
            }
        }
        last
    }

    async fn send(&self, item: &OutboxItem) -> Sent {
        let url = format!("{}{}", self.base_url, item.path);
        let method = if item.method == "DELETE" {
            reqwest::Method::DELETE
        } else {
            reqwest::Method::PUT
        };
        let mut request = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(self.api_key.expose())
            .header("Idempotency-Key", format!("outbox-{}", item.id));
        if let Some(body) = &item.body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        match request.send().await {
            Err(e) => Sent::Later(format!("{method} {}: {e}", item.path)),
            Ok(response) => {
                let status = response.status();
                let gone = method == reqwest::Method::DELETE && status.as_u16() == 404;
                if status.is_success() || gone {
                    Sent::Ok
                } else if status.is_server_error() || status.as_u16() == 429 {
                    Sent::Later(format!("{method} {}: {status}", item.path))
                } else {
                    Sent::Refused(format!("{method} {}: {status}", item.path))
                }
            }
        }
    }
}

enum Sent {
    Ok,
    Refused(String),
    Later(String),
}

/// The outbox item that puts a contact in the remote Rankr, or deletes it for a tombstone.
pub fn contact_item(contact: &StoredContact) -> Option<OutboxItem> {
    let ghl_id = contact.ghl_id.as_deref()?;
    let path = format!("/contacts/{}", segment(ghl_id));
    if contact.tombstone {
        return Some(delete(path));
    }
    let body = json!({
        "rankrId": contact.rankr_id,
        "ghlId": ghl_id,
        "locationId": contact.location_id,
        "name": contact.name,
        "email": contact.email,
        "emailLower": contact.email_lower,
        "phone": contact.phone,
        "phoneE164": contact.phone_e164,
        "type": contact.contact_type,
        "dnd": contact.dnd,
        "dndSettings": contact.dnd_settings,
        "tags": contact.tags,
        "customFields": contact.custom_fields,
        "dateUpdated": contact.date_updated,
        "contentHash": contact.content_hash,
    });
    Some(put(path, &body))
}

/// The outbox item that puts a task.
pub fn task_item(task: &StoredTask) -> OutboxItem {
    let body = json!({
        "id": task.id,
        "contactId": task.contact_id,
        "title": task.title,
        "body": task.body,
        "dueDate": task.due_date,
        "completed": task.completed,
        "assignedTo": task.assigned_to,
    });
    put(format!("/tasks/{}", segment(&task.id)), &body)
}

/// The outbox item that puts a note.
pub fn note_item(note: &StoredNote) -> OutboxItem {
    let body = json!({
        "id": note.id,
        "contactId": note.contact_id,
        "body": note.body,
        "pinned": note.pinned,
        "dateAdded": note.date_added,
        "userId": note.user_id,
    });
    put(format!("/notes/{}", segment(&note.id)), &body)
}

/// The outbox item that deletes a task (`kind` = `tasks`) or a note (`notes`).
pub fn delete_item(kind: &str, id: &str) -> OutboxItem {
    delete(format!("/{kind}/{}", segment(id)))
}

fn put(path: String, body: &serde_json::Value) -> OutboxItem {
    OutboxItem {
        method: "PUT".into(),
        path,
        body: Some(body.to_string()),
        ..OutboxItem::default()
    }
}

fn delete(path: String) -> OutboxItem {
    OutboxItem {
        method: "DELETE".into(),
        path,
        ..OutboxItem::default()
    }
}

fn segment(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}
