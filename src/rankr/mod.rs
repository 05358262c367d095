//! The Rankr side of the sync: the store that mirrors GHL (contacts, tasks, notes), the sync
//! cursor, runs and log, the durable webhook queue, and the outbox of the HTTP target.
//!
//! Rankr has no public API, so this crate defines it: by default the `SQLite` store *is* the
//! Rankr record (`docs/rankr-store.md` documents its tables and queries); with the `http`
//! target the store still mirrors what was sent, and every change also goes through the outbox
//! to a remote Rankr (`docs/rankr-http.md`). Nothing here calls GHL.
//!
//! The store sits behind [`RankrStore`] so another database (`PostgreSQL`, for several operators
//! sharing one Rankr) can replace `SQLite` without touching the engine.

pub mod http;
mod listing;
mod queue;
mod records;
pub mod schema;
mod sqlite;
mod sqlite_ops;

use std::path::PathBuf;

pub use listing::{ListedContact, ListingKey};
pub use queue::{Enqueued, EventState, NewEvent, OutboxItem, QueuedEvent};
pub use records::{
    Counts, CursorUpdate, Level, LogEntry, LogFilter, RunRecord, StoreCounts, StoredContact,
    StoredNote, StoredTask, SyncCursor, WalkState, now,
};
pub use sqlite::SqliteStore;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RankrError {
    /// The database answered with an error.
    #[error("rankr store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored JSON column could not be read or written.
    #[error("rankr store: bad JSON in {column}: {message}")]
    Json {
        /// The column.
        column: &'static str,
        /// What the parser said.
        message: String,
    },
    /// The store was written by a newer build.
    #[error("the rankr store has schema version {found}; this build knows up to {known}")]
    TooNew {
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// The store file or its folder could not be prepared.
    #[error("rankr store {path}: {message}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The lock around the connection was poisoned by a panic elsewhere.
    #[error("the rankr store is unusable after an earlier failure")]
    Poisoned,
}

/// Everything one page of sync work writes, committed together or not at all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Contacts to insert or replace (by Rankr id).
    pub contacts: Vec<StoredContact>,
    /// Tasks to insert or replace.
    pub tasks: Vec<StoredTask>,
    /// Task ids to remove.
    pub task_deletes: Vec<String>,
    /// Notes to insert or replace.
    pub notes: Vec<StoredNote>,
    /// Note ids to remove.
    pub note_deletes: Vec<String>,
    /// Log lines.
    pub log: Vec<LogEntry>,
    /// Writes for the HTTP target.
    pub outbox: Vec<OutboxItem>,
    /// The cursor after this page.
    pub cursor: Option<CursorUpdate>,
    /// A run's counts so far, this page included: written with the page, so a run killed
    /// later still says what it did.
    pub run_counts: Option<(i64, Counts)>,
}

impl Batch {
    /// Whether the batch writes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The Rankr store: what the engine, the webhook receiver and the console read and write.
/// Every method is short and local; a page of work is one [`RankrStore::apply`].
pub trait RankrStore: Send + Sync + std::fmt::Debug {
    /// A contact by GHL id, tombstones included.
    fn contact_by_ghl_id(&self, ghl_id: &str) -> Result<Option<StoredContact>, RankrError>;
    /// Contacts whose lower-cased email is `email_lower`.
    fn contacts_by_email(&self, email_lower: &str) -> Result<Vec<StoredContact>, RankrError>;
    /// Contacts whose E.164 phone is `e164`.
    fn contacts_by_phone(&self, e164: &str) -> Result<Vec<StoredContact>, RankrError>;
    /// Live contacts of a location that the walk `generation` did not see.
    fn unseen_contacts(
        &self,
        location_id: &str,
        generation: i64,
    ) -> Result<Vec<StoredContact>, RankrError>;
    /// GHL ids of live contacts whose tasks and notes must be fetched again.
    fn stale_children(&self, location_id: &str) -> Result<Vec<String>, RankrError>;
    /// The tasks of a contact (GHL id).
    fn tasks_of(&self, contact_id: &str) -> Result<Vec<StoredTask>, RankrError>;
    /// The notes of a contact (GHL id).
    fn notes_of(&self, contact_id: &str) -> Result<Vec<StoredNote>, RankrError>;
    /// Writes one page of work in one transaction.
    fn apply(&self, batch: &Batch) -> Result<(), RankrError>;
    /// The cursor of a location (empty when it never synced).
    fn cursor(&self, location_id: &str) -> Result<SyncCursor, RankrError>;
    /// Records the start of a run; returns its id.
    fn start_run(&self, location_id: &str, mode: &str) -> Result<i64, RankrError>;
    /// Records the end of a run.
    fn finish_run(&self, run: &RunRecord) -> Result<(), RankrError>;
    /// The newest runs first.
    fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, RankrError>;
    /// The newest runs of one location first.
    fn runs_of(&self, location_id: &str, limit: usize) -> Result<Vec<RunRecord>, RankrError>;
    /// Adds log lines outside a batch.
    fn log(&self, entries: &[LogEntry]) -> Result<(), RankrError>;
    /// The newest log lines matching `filter`, newest first.
    fn recent_log(&self, filter: &LogFilter) -> Result<Vec<LogEntry>, RankrError>;
    /// Puts a verified webhook event in the queue, once per `webhookId`.
    fn enqueue_event(&self, event: &NewEvent) -> Result<Enqueued, RankrError>;
    /// Pending events, oldest event time first.
    fn pending_events(&self, limit: usize) -> Result<Vec<QueuedEvent>, RankrError>;
    /// Records how applying an event ended.
    fn finish_event(
        &self,
        id: i64,
        state: EventState,
        error: Option<&str>,
    ) -> Result<(), RankrError>;
    /// Outbox items still to send, oldest first.
    fn outbox_pending(&self, limit: usize) -> Result<Vec<OutboxItem>, RankrError>;
    /// Removes a sent outbox item.
    fn outbox_sent(&self, id: i64) -> Result<(), RankrError>;
    /// Records a failed send; `dead` takes the item out of the queue for good.
    fn outbox_failed(&self, id: i64, error: &str, dead: bool) -> Result<(), RankrError>;
    /// What the store holds for a location.
    fn counts(&self, location_id: &str) -> Result<StoreCounts, RankrError>;
    /// A page of a location's live contacts as the console lists them (last update first),
    /// starting after `after`.
    fn listing_page(
        &self,
        location_id: &str,
        after: Option<&ListingKey>,
        limit: usize,
    ) -> Result<Vec<ListedContact>, RankrError>;
    /// How many contacts the console would list from the store.
    fn listing_count(&self, location_id: &str) -> Result<u64, RankrError>;
    /// When a sync last wrote into a location, if it ever did.
    fn last_synced(&self, location_id: &str) -> Result<Option<String>, RankrError>;
    /// How many live contacts of the location the full walk `generation` has already seen:
    /// where a resumed walk's progress starts.
    fn walked(&self, location_id: &str, generation: i64) -> Result<u64, RankrError>;
}
