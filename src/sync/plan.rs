//! The work of one page, gathered before it is committed: the rows to write, the log lines,
//! the outbox items for the HTTP target, the changes (shown by a dry run) and the counts.

use serde::Serialize;

use super::diff::{self, Action, Change};
use crate::rankr::http::{contact_item, delete_item, note_item, task_item};
use crate::rankr::{Batch, Counts, Level, LogEntry, StoredContact, StoredNote, StoredTask, now};

/// A record that could not be synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedRecord {
    /// `contact`, `task`, `note` or `webhook`. When a contact's tasks or notes could not be
    /// fetched it is `task` or `note` with the contact's id (the contact itself was synced).
    pub entity: String,
    /// Its id.
    pub id: String,
    /// Why.
    pub message: String,
    /// When the failure is a contact's task or note listing: that contact's name, for saying
    /// whose tasks or notes are missing (`id` is then the contact's id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing_of: Option<String>,
}

impl FailedRecord {
    /// The record as one line: `task t1: why`, or `tasks of contact c1 (Grace Brown): why`.
    pub fn describe(&self) -> String {
        match &self.listing_of {
            Some(name) => format!(
                "{}s of contact {} ({name}): {}",
                self.entity, self.id, self.message
            ),
            None => format!("{} {}: {}", self.entity, self.id, self.message),
        }
    }
}

/// What one page (or one webhook event) will write.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The rows, log lines, outbox items and cursor.
    pub batch: Batch,
    /// The changes, for a dry run and the summary.
    pub changes: Vec<Change>,
    /// The counts.
    pub counts: Counts,
    /// Records that failed.
    pub failed: Vec<FailedRecord>,
    run_id: Option<i64>,
    http: bool,
}

impl Plan {
    /// An empty plan for run `run_id`; `http` also queues every change for the HTTP target.
    pub fn new(run_id: Option<i64>, http: bool) -> Self {
        Self {
            run_id,
            http,
            ..Self::default()
        }
    }

    /// Adds a log line.
    pub fn log(&mut self, mut entry: LogEntry) {
        entry.run_id = self.run_id;
        self.batch.log.push(entry);
    }

    /// Records a failure: a log line and a failed record.
    pub fn fail(&mut self, entity: &str, id: &str, message: String, exchange: Option<u64>) {
        self.counts.failed += 1;
        self.log(
            LogEntry::new(Level::Error, entity, Some(id), "failed")
                .message(message.clone())
                .exchange(exchange),
        );
        self.failed.push(FailedRecord {
            entity: entity.into(),
            id: id.into(),
            message,
            listing_of: None,
        });
    }

    /// Records that a contact's `tasks` or `notes` could not be fetched (`why`): logged and
    /// counted as a failed task or note listing under the contact's id, named for the contact.
    pub fn fail_listing(&mut self, what: &str, contact: &StoredContact, why: &str) {
        let id = contact.ghl_id.clone().unwrap_or_default();
        let entity = what.strip_suffix('s').unwrap_or(what);
        let name = contact.name.clone().filter(|n| !n.trim().is_empty());
        let name = name.unwrap_or_else(|| "no name".into());
        self.counts.failed += 1;
        self.log(
            LogEntry::new(Level::Error, entity, Some(&id), "failed").message(format!(
                "the {what} of contact {name} could not be fetched ({why}); the next run \
                 fetches them again"
            )),
        );
        self.failed.push(FailedRecord {
            entity: entity.into(),
            id,
            message: format!(
                "its {what} could not be fetched ({why}); the next run fetches them again"
            ),
            listing_of: Some(name),
        });
    }

    fn change(&mut self, level: Level, change: Change, exchange: Option<u64>) {
        self.log(
            LogEntry::new(
                level,
                change.entity,
                Some(&change.id),
                change.action.as_str(),
            )
            .message(change.describe())
            .exchange(exchange),
        );
        self.changes.push(change);
    }

    /// Writes `row` over `existing` (none: a new record); logs what changed, the stage change
    /// apart. Returns whether the content changed.
    pub fn contact(
        &mut self,
        existing: Option<&StoredContact>,
        row: StoredContact,
        exchange: Option<u64>,
    ) -> bool {
        let id = row.ghl_id.clone().unwrap_or_default();
        let label = row.name.clone().unwrap_or_default();
        let action = match existing {
            None => Action::Created,
            Some(old) if old.content_hash == row.content_hash && !old.tombstone => {
                self.counts.unchanged += 1;
                if *old != row {
                    self.batch.contacts.push(row);
                }
                return false;
            }
            Some(_) => Action::Updated,
        };
        let mut fields = Vec::new();
        if let Some(old) = existing {
            fields = diff::contact_fields(old, &row);
            if old.tombstone {
                self.log(
                    LogEntry::new(Level::Warn, "contact", Some(&id), "restored")
                        .message("the contact is in GHL again; its tombstone is lifted"),
                );
            }
            if let Some(stage) = diff::stage_change(old, &row) {
                self.log(
                    LogEntry::new(Level::Info, "contact", Some(&id), "stage")
                        .message(stage)
                        .exchange(exchange),
                );
            }
            self.counts.updated += 1;
        } else {
            self.counts.created += 1;
        }
        self.outbox_contact(&row);
        let change = Change {
            entity: "contact",
            id,
            action,
            label,
            fields,
        };
        self.change(Level::Info, change, exchange);
        self.batch.contacts.push(row);
        true
    }

    /// Makes a contact a tombstone, with why.
    pub fn tombstone(&mut self, mut row: StoredContact, why: &str, exchange: Option<u64>) {
        if row.tombstone {
            return;
        }
        row.tombstone = true;
        row.deleted_at = Some(now());
        row.children_stale = false;
        self.counts.deleted += 1;
        self.outbox_contact(&row);
        let change = Change {
            entity: "contact",
            id: row.ghl_id.clone().unwrap_or_default(),
            action: Action::Deleted,
            label: row.name.clone().unwrap_or_default(),
            fields: Vec::new(),
        };
        let mut entry = LogEntry::new(Level::Info, "contact", Some(&change.id), "deleted")
            .message(format!("{}: {why}", change.describe()))
            .exchange(exchange);
        entry.run_id = self.run_id;
        self.batch.log.push(entry);
        self.changes.push(change);
        self.batch.contacts.push(row);
    }

    fn outbox_contact(&mut self, row: &StoredContact) {
        if self.http
            && let Some(item) = contact_item(row)
        {
            self.batch.outbox.push(item);
        }
    }

    /// Brings a contact's stored tasks to `fetched`: new, changed and removed ones.
    pub fn tasks(&mut self, stored: &[StoredTask], fetched: &[StoredTask], exchange: Option<u64>) {
        for task in fetched {
            let old = stored.iter().find(|t| t.id == task.id);
            self.task(old, task.clone(), exchange);
        }
        for old in stored
            .iter()
            .filter(|t| !fetched.iter().any(|f| f.id == t.id))
        {
            self.task_gone(old, exchange);
        }
    }

    /// Writes one task over its stored version, if it changed.
    pub fn task(&mut self, old: Option<&StoredTask>, task: StoredTask, exchange: Option<u64>) {
        if old.is_some_and(|o| o.content_hash == task.content_hash) {
            return;
        }
        let fields = old.map(|o| diff::task_fields(o, &task)).unwrap_or_default();
        let action = if old.is_some() {
            Action::Updated
        } else {
            Action::Created
        };
        let label = task.title.clone().unwrap_or_default();
        self.counts.children += 1;
        if self.http {
            self.batch.outbox.push(task_item(&task));
        }
        let change = Change {
            entity: "task",
            id: task.id.clone(),
            action,
            label,
            fields,
        };
        self.change(Level::Info, change, exchange);
        self.batch.tasks.push(task);
    }

    /// Removes a task that is gone from GHL.
    pub fn task_gone(&mut self, old: &StoredTask, exchange: Option<u64>) {
        self.counts.children += 1;
        if self.http {
            self.batch.outbox.push(delete_item("tasks", &old.id));
        }
        let label = old.title.clone().unwrap_or_default();
        let change = Change {
            entity: "task",
            id: old.id.clone(),
            action: Action::Deleted,
            label,
            fields: Vec::new(),
        };
        self.change(Level::Info, change, exchange);
        self.batch.task_deletes.push(old.id.clone());
    }

    /// Brings a contact's stored notes to `fetched`.
    pub fn notes(&mut self, stored: &[StoredNote], fetched: &[StoredNote], exchange: Option<u64>) {
        for note in fetched {
            let old = stored.iter().find(|n| n.id == note.id);
            self.note(old, note.clone(), exchange);
        }
        for old in stored
            .iter()
            .filter(|n| !fetched.iter().any(|f| f.id == n.id))
        {
            self.note_gone(old, exchange);
        }
    }

    /// Writes one note over its stored version, if it changed.
    pub fn note(&mut self, old: Option<&StoredNote>, note: StoredNote, exchange: Option<u64>) {
        if old.is_some_and(|o| o.content_hash == note.content_hash) {
            return;
        }
        let fields = old.map(|o| diff::note_fields(o, &note)).unwrap_or_default();
        let action = if old.is_some() {
            Action::Updated
        } else {
            Action::Created
        };
        self.counts.children += 1;
        if self.http {
            self.batch.outbox.push(note_item(&note));
        }
        let change = Change {
            entity: "note",
            id: note.id.clone(),
            action,
            label: String::new(),
            fields,
        };
        self.change(Level::Info, change, exchange);
        self.batch.notes.push(note);
    }

    /// Removes a note that is gone from GHL.
    pub fn note_gone(&mut self, old: &StoredNote, exchange: Option<u64>) {
        self.counts.children += 1;
        if self.http {
            self.batch.outbox.push(delete_item("notes", &old.id));
        }
        let change = Change {
            entity: "note",
            id: old.id.clone(),
            action: Action::Deleted,
            label: String::new(),
            fields: Vec::new(),
        };
        self.change(Level::Info, change, exchange);
        self.batch.note_deletes.push(old.id.clone());
    }

    /// Forgets the failed fetches of these contacts' tasks and notes: they were fetched again
    /// later in the run, and that fetch answers for them (a failure of it is recorded anew), so
    /// a contact is never listed twice nor failed after it healed.
    pub fn refetched(&mut self, contact_ids: &[String]) {
        let before = self.failed.len();
        self.failed.retain(|f| {
            !(matches!(f.entity.as_str(), "task" | "note") && contact_ids.contains(&f.id))
        });
        let dropped = u64::try_from(before - self.failed.len()).unwrap_or(0);
        self.counts.failed = self.counts.failed.saturating_sub(dropped);
    }

    /// Adds another plan's work after this one's.
    pub fn absorb(&mut self, other: Self) {
        let Self {
            batch,
            changes,
            counts,
            failed,
            ..
        } = other;
        self.batch.contacts.extend(batch.contacts);
        self.batch.tasks.extend(batch.tasks);
        self.batch.task_deletes.extend(batch.task_deletes);
        self.batch.notes.extend(batch.notes);
        self.batch.note_deletes.extend(batch.note_deletes);
        self.batch.log.extend(batch.log);
        self.batch.outbox.extend(batch.outbox);
        if batch.cursor.is_some() {
            self.batch.cursor = batch.cursor;
        }
        self.changes.extend(changes);
        self.failed.extend(failed);
        add_counts(&mut self.counts, &counts);
    }
}

/// Adds `more` into `total`.
pub fn add_counts(total: &mut Counts, more: &Counts) {
    total.seen += more.seen;
    total.created += more.created;
    total.updated += more.updated;
    total.unchanged += more.unchanged;
    total.deleted += more.deleted;
    total.failed += more.failed;
    total.children += more.children;
    total.requests += more.requests;
}
