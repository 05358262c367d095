//! The rows of the Rankr store, as the engine reads and writes them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A contact as Rankr keeps it: GHL's record mapped to Rankr's fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredContact {
    /// Rankr's own id; stays the same when the GHL contact behind it is relinked.
    pub rankr_id: String,
    /// The GHL contact id; `None` for a Rankr record that no GHL contact matched yet.
    pub ghl_id: Option<String>,
    /// The GHL location (sub-account) the contact lives in.
    pub location_id: String,
    /// The display name.
    pub name: Option<String>,
    /// The email as entered.
    pub email: Option<String>,
    /// The email lower-cased and trimmed: what matching compares (C07).
    pub email_lower: Option<String>,
    /// The phone as entered.
    pub phone: Option<String>,
    /// The phone in E.164, or `None` when it could not be read (C06).
    pub phone_e164: Option<String>,
    /// The stage: `lead` or `customer`.
    pub contact_type: Option<String>,
    /// Whether the contact asked not to be disturbed.
    pub dnd: bool,
    /// The per-channel DND settings, as GHL sends them.
    pub dnd_settings: Option<Value>,
    /// The tags, sorted.
    pub tags: Vec<String>,
    /// The custom field values, `[{id, value}]`, sorted by id.
    pub custom_fields: Value,
    /// GHL's `dateUpdated` of the version stored.
    pub date_updated: Option<String>,
    /// A hash of the mapped fields: equal hashes mean nothing to write.
    pub content_hash: String,
    /// The contact is gone from GHL; the row stays so late events cannot bring it back.
    pub tombstone: bool,
    /// When the tombstone was set.
    pub deleted_at: Option<String>,
    /// Its tasks and notes must be fetched again (a failed fetch, or a note or task event).
    pub children_stale: bool,
    /// The full walk that last saw this contact.
    pub seen_walk: Option<i64>,
}

/// A task of a contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredTask {
    /// The GHL task id.
    pub id: String,
    /// The GHL contact id it belongs to.
    pub contact_id: String,
    /// The title.
    pub title: Option<String>,
    /// The body.
    pub body: Option<String>,
    /// The due date, RFC 3339.
    pub due_date: Option<String>,
    /// Whether it is done.
    pub completed: bool,
    /// The user it is assigned to.
    pub assigned_to: Option<String>,
    /// A hash of the fields above.
    pub content_hash: String,
}

/// A note of a contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredNote {
    /// The GHL note id.
    pub id: String,
    /// The GHL contact id it belongs to.
    pub contact_id: String,
    /// The text.
    pub body: Option<String>,
    /// Whether it is pinned to the top of the contact.
    pub pinned: bool,
    /// When it was written, RFC 3339.
    pub date_added: Option<String>,
    /// The user who wrote it.
    pub user_id: Option<String>,
    /// A hash of the fields above.
    pub content_hash: String,
}

/// Where the sync of one location stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncCursor {
    /// The location.
    pub location_id: String,
    /// Every contact with a `dateUpdated` up to this one is in the store.
    pub date_updated: Option<String>,
    /// A full walk that has not finished, to resume.
    pub walk: Option<WalkState>,
}

/// A full walk in progress: where it stands, so a killed walk resumes where it stopped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WalkState {
    /// The id of the walk (the run that started it); contacts it saw carry it.
    pub generation: i64,
    /// The `searchAfter` of the last committed page.
    pub search_after: Option<Vec<Value>>,
    /// The newest `dateUpdated` in GHL when the walk began: the incremental cursor once the
    /// walk is done.
    pub mark: Option<String>,
}

/// A change to the cursor, committed with the page it covers.
#[derive(Debug, Clone, PartialEq)]
pub enum CursorUpdate {
    /// Move the incremental cursor forward (never backwards).
    Incremental {
        /// The location.
        location_id: String,
        /// The newest `dateUpdated` committed.
        date_updated: String,
    },
    /// Record how far a full walk got.
    Walk {
        /// The location.
        location_id: String,
        /// The walk.
        state: WalkState,
    },
    /// A full walk finished: forget it, and move the incremental cursor to its mark.
    WalkDone {
        /// The location.
        location_id: String,
        /// The mark of the walk.
        mark: Option<String>,
    },
}

/// How serious a log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Detail for debugging.
    Debug,
    /// A change or a step.
    Info,
    /// Something that needs a look but did not stop anything.
    Warn,
    /// A record that could not be synced.
    Error,
}

impl Level {
    /// The name stored in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }

    /// Reads a stored name; anything unknown reads as `info`.
    pub fn parse(text: &str) -> Self {
        match text {
            "debug" => Self::Debug,
            "warn" => Self::Warn,
            "error" => Self::Error,
            _ => Self::Info,
        }
    }
}

/// One line of the sync log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Its row id (0 before it is stored).
    pub id: i64,
    /// The sync run it belongs to; `None` for webhook work outside a run.
    pub run_id: Option<i64>,
    /// When, RFC 3339.
    pub at: String,
    /// How serious.
    pub level: Level,
    /// `contact`, `task`, `note`, `webhook`, `run` or `outbox`.
    pub entity: String,
    /// The id of the record concerned.
    pub entity_id: Option<String>,
    /// `created`, `updated`, `stage`, `deleted`, `conflict`, `failed`, ...
    pub action: String,
    /// What happened, for a person.
    pub message: String,
    /// The client exchange behind it, where known.
    pub exchange_id: Option<u64>,
}

impl LogEntry {
    /// A new line, stamped now.
    pub fn new(level: Level, entity: &str, entity_id: Option<&str>, action: &str) -> Self {
        Self {
            id: 0,
            run_id: None,
            at: now(),
            level,
            entity: entity.to_string(),
            entity_id: entity_id.map(str::to_string),
            action: action.to_string(),
            message: String::new(),
            exchange_id: None,
        }
    }

    /// The same line with a message.
    #[must_use]
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// The same line tied to an exchange.
    #[must_use]
    pub fn exchange(mut self, exchange_id: Option<u64>) -> Self {
        self.exchange_id = exchange_id;
        self
    }
}

/// Which log lines to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFilter {
    /// At most this many, newest first.
    pub limit: usize,
    /// Only lines at this level or above.
    pub min_level: Option<Level>,
    /// Only lines about this entity kind.
    pub entity: Option<String>,
    /// Only lines of this run.
    pub run_id: Option<i64>,
    /// Only lines of this location's runs, and lines of no run (the webhook receiver's, whose
    /// location is not known before a delivery is verified).
    pub location_id: Option<String>,
}

/// One sync run as recorded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    /// Its id.
    pub id: i64,
    /// The location synced.
    pub location_id: String,
    /// `full`, `incremental`, `dry-run` or `webhook`.
    pub mode: String,
    /// When it started.
    pub started_at: String,
    /// When it ended; `None` while running, or if it was killed.
    pub ended_at: Option<String>,
    /// `ok`, `failed`, `stopped` or `cancelled`; `None` while running or killed.
    pub outcome: Option<String>,
    /// The counts.
    pub counts: Counts,
    /// What stopped it, if anything.
    pub message: Option<String>,
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Contacts seen.
    pub seen: u64,
    /// Contacts created in Rankr.
    pub created: u64,
    /// Contacts changed.
    pub updated: u64,
    /// Contacts already up to date.
    pub unchanged: u64,
    /// Contacts made tombstones.
    pub deleted: u64,
    /// Records that could not be synced.
    pub failed: u64,
    /// Tasks and notes written or removed.
    pub children: u64,
    /// Requests sent to GHL.
    pub requests: u64,
}

impl Counts {
    /// The counts in words, `children` naming the tasks and notes: `3 seen, 1 created, ...,
    /// 4 requests`.
    pub fn describe(&self, children: &str) -> String {
        format!(
            "{} seen, {} created, {} updated, {} unchanged, {} deleted, {} {children}, {} failed, \
             {} request{}",
            self.seen,
            self.created,
            self.updated,
            self.unchanged,
            self.deleted,
            self.children,
            self.failed,
            self.requests,
            if self.requests == 1 { "" } else { "s" }
        )
    }
}

/// What the store holds, for a summary or a test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreCounts {
    /// Contacts that exist in GHL.
    pub contacts: u64,
    /// Contacts gone from GHL.
    pub tombstones: u64,
    /// Tasks.
    pub tasks: u64,
    /// Notes.
    pub notes: u64,
}

/// The time now as the store writes it: RFC 3339 UTC with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::Counts;

    #[test]
    fn one_request_is_not_called_requests() {
        let one = Counts {
            seen: 1,
            requests: 1,
            ..Counts::default()
        };
        assert_eq!(
            one.describe("tasks/notes"),
            "1 seen, 0 created, 0 updated, 0 unchanged, 0 deleted, 0 tasks/notes, 0 failed, 1 request"
        );
        let two = Counts { requests: 2, ..one };
        assert!(two.describe("x").ends_with(", 2 requests"));
    }
}
