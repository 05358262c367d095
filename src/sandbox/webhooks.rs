//! Webhooks from the sandbox: when its data changes (over HTTP or through
//! [`SandboxStore`]), it posts GHL-shaped events (`ContactCreate`, `TaskComplete`,
//! `NoteDelete`, ...) to a URL, signed with an Ed25519 test key in `x-ghl-signature`, so the
//! whole loop from a change to Rankr runs on loopback.
//!
//! Changes are found by comparing snapshots every 100 ms, so several writes to one record
//! within that time give one event, as GHL's own batching may. Like GHL, a delivery that fails
//! is not sent again (C44: reconciliation covers it). A task has no update event in GHL, so a
//! changed title or due date sends nothing; completing one sends `TaskComplete`.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signer as _;
use serde_json::{Map, Value, json};

use super::store::SandboxStore;
use crate::ghl::models::{Contact, Note, Task};

/// How often the data is compared with the last snapshot.
const POLL: Duration = Duration::from_millis(100);

/// The key the sandbox signs webhooks with. Debug shows only the public half.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookKey(ed25519_dalek::SigningKey);

impl WebhookKey {
    /// A key from 32 seed bytes (a test key: never a real secret).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// The public key as base64 of its 32 bytes: what `webhook.ed25519_public_key` takes.
    pub fn public_key_base64(&self) -> String {
        STANDARD.encode(self.0.verifying_key().to_bytes())
    }

    /// The `x-ghl-signature` value for `body`.
    pub fn sign(&self, body: &[u8]) -> String {
        STANDARD.encode(self.0.sign(body).to_bytes())
    }
}

impl std::fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookKey(public {})", self.public_key_base64())
    }
}

/// One contact as last seen.
#[derive(Debug, Clone, PartialEq)]
struct Snap {
    contact: Contact,
    tasks: Vec<Task>,
    notes: Vec<Note>,
}

/// Posts events for the changes in one location.
#[derive(Debug)]
pub(crate) struct Sender {
    url: String,
    key: WebhookKey,
    location_id: String,
    store: SandboxStore,
    http: reqwest::Client,
}

impl Sender {
    /// A sender when the config names a URL and a key.
    pub(crate) fn new(
        url: Option<&str>,
        key: Option<&WebhookKey>,
        location_id: &str,
        store: SandboxStore,
    ) -> Option<Self> {
        let (url, key) = (url?, key?);
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .ok()?;
        Some(Self {
            url: url.to_string(),
            key: key.clone(),
            location_id: location_id.to_string(),
            store,
            http,
        })
    }

    /// Compares snapshots and posts events, forever.
    pub(crate) async fn run(self) {
        let mut last = self.snapshot();
        loop {
            tokio::time::sleep(POLL).await;
            let now = self.snapshot();
            for body in events(&last, &now, &self.location_id) {
                self.post(body).await;
            }
            last = now;
        }
    }

    fn snapshot(&self) -> HashMap<String, Snap> {
        self.store
            .contacts(&self.location_id)
            .into_iter()
            .map(|mut contact| {
                let tasks = self.store.tasks(&contact.id).unwrap_or_default();
                let notes = self.store.notes(&contact.id).unwrap_or_default();
                contact.date_updated = None;
                (
                    contact.id.clone(),
                    Snap {
                        contact,
                        tasks,
                        notes,
                    },
                )
            })
            .collect()
    }

    async fn post(&self, body: Map<String, Value>) {
        let mut body = body;
        body.insert("timestamp".into(), json!(now()));
        body.insert("webhookId".into(), json!(webhook_id()));
        let bytes = Value::Object(body).to_string().into_bytes();
        let sent = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("x-ghl-signature", self.key.sign(&bytes))
            .body(bytes)
            .send()
            .await;
        if let Err(error) = sent {
            tracing::debug!(%error, "sandbox webhook not delivered");
        }
    }
}

/// The events that take `old` to `new`, as bodies without `timestamp` and `webhookId`.
fn events(
    old: &HashMap<String, Snap>,
    new: &HashMap<String, Snap>,
    location: &str,
) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for (id, snap) in new {
        let Some(before) = old.get(id) else {
            out.push(record("ContactCreate", location, &snap.contact));
            out.extend(snap.tasks.iter().map(|t| record("TaskCreate", location, t)));
            out.extend(snap.notes.iter().map(|n| record("NoteCreate", location, n)));
            continue;
        };
        out.extend(contact_events(&before.contact, &snap.contact, location));
        out.extend(child_events(
            &before.tasks,
            &snap.tasks,
            location,
            task_kind,
            "TaskDelete",
        ));
        out.extend(child_events(
            &before.notes,
            &snap.notes,
            location,
            note_kind,
            "NoteDelete",
        ));
    }
    for (id, snap) in old {
        if !new.contains_key(id) {
            out.push(record("ContactDelete", location, &snap.contact));
        }
    }
    out
}

fn contact_events(old: &Contact, new: &Contact, location: &str) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    if old.tags != new.tags {
        out.push(record("ContactTagUpdate", location, new));
    }
    if old.dnd != new.dnd || old.dnd_settings != new.dnd_settings {
        out.push(record("ContactDndUpdate", location, new));
    }
    let rest = |c: &Contact| Contact {
        tags: Vec::new(),
        dnd: None,
        dnd_settings: None,
        ..c.clone()
    };
    if rest(old) != rest(new) {
        out.push(record("ContactUpdate", location, new));
    }
    out
}

/// The id of a task or note, and which event a change of it sends.
trait Child: serde::Serialize + PartialEq {
    fn id(&self) -> &str;
}

impl Child for Task {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Child for Note {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The event a new or changed child sends: `None` when the change sends nothing.
type Kind<T> = fn(Option<&T>, &T) -> Option<&'static str>;

fn task_kind(old: Option<&Task>, new: &Task) -> Option<&'static str> {
    match old {
        None => Some("TaskCreate"),
        Some(old) if !old.completed && new.completed => Some("TaskComplete"),
        Some(_) => None,
    }
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "it has the shape of every child kind"
)]
fn note_kind(old: Option<&Note>, _new: &Note) -> Option<&'static str> {
    Some(if old.is_some() {
        "NoteUpdate"
    } else {
        "NoteCreate"
    })
}

fn child_events<T: Child>(
    old: &[T],
    new: &[T],
    location: &str,
    kind: Kind<T>,
    deleted: &str,
) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for child in new {
        let before = old.iter().find(|o| o.id() == child.id());
        if before == Some(child) {
            continue;
        }
        if let Some(event) = kind(before, child) {
            out.push(record(event, location, child));
        }
    }
    for child in old.iter().filter(|o| !new.iter().any(|n| n.id() == o.id())) {
        out.push(record(deleted, location, child));
    }
    out
}

/// A record as an event body: its fields, then `type` and `locationId`.
fn record<T: serde::Serialize>(event: &str, location: &str, value: &T) -> Map<String, Value> {
    let mut body = match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    body.remove("searchAfter");
    body.insert("type".into(), json!(event));
    body.insert("locationId".into(), json!(location));
    body
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn webhook_id() -> String {
    let mut rng = rand::rng();
    super::store::random_id(&mut rng)
}
