//! What the console asks of the worker (`Command`) and what the worker answers (`Event`).

use std::path::PathBuf;
use std::sync::Arc;

use crate::ghl::Exchange;
use crate::ghl::directory::{CustomFieldDefinition, User};
use crate::ghl::models::{
    Appointment, Contact, ContactUpdate, NewTask, Note, NoteInput, Task, TaskUpdate,
};
use crate::rankr::{LogEntry, LogFilter, RunRecord};
use crate::sync::{SyncMode, SyncProgress, SyncSummary};

pub use super::row::ContactRow;

/// The order the contact list asks GHL's search for: each page comes sorted, so the list is
/// in that order however far it has been paged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ContactSort {
    /// Most recently updated first.
    #[default]
    Updated,
    /// By first name, then last name (GHL's lower-case name fields); contacts without a
    /// first name come last.
    Name,
}

impl ContactSort {
    /// The search's sort keys for this order.
    pub fn keys(self) -> Vec<crate::ghl::models::SearchSort> {
        let key = |field: &str, direction: &str| crate::ghl::models::SearchSort {
            field: field.into(),
            direction: direction.into(),
        };
        match self {
            Self::Updated => vec![key("dateUpdated", "desc")],
            Self::Name => vec![
                key("firstNameLowerCase", "asc"),
                key("lastNameLowerCase", "asc"),
            ],
        }
    }
}

/// Which per-contact record a load or a write concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Contact,
    Tasks,
    Notes,
    Appointments,
}

/// A request to the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Starts a new contact listing (a new `generation`) and fetches its first page.
    Search {
        generation: u64,
        query: Option<String>,
        sort: ContactSort,
    },
    /// Fetches the next page of the current listing.
    NextPage {
        generation: u64,
    },
    /// Loads one record of a contact; a newer load of the same resource supersedes it.
    Load {
        seq: u64,
        resource: Resource,
        contact_id: String,
    },
    /// Completes or reopens a task.
    CompleteTask {
        contact_id: String,
        task_id: String,
        completed: bool,
    },
    CreateTask {
        contact_id: String,
        task: NewTask,
    },
    /// Sends the fields of a contact the operator changed (`PUT /contacts/{id}`).
    UpdateContact {
        contact_id: String,
        update: Box<ContactUpdate>,
    },
    UpdateTask {
        contact_id: String,
        task_id: String,
        update: TaskUpdate,
    },
    DeleteTask {
        contact_id: String,
        task_id: String,
    },
    CreateNote {
        contact_id: String,
        note: NoteInput,
    },
    UpdateNote {
        contact_id: String,
        note_id: String,
        note: NoteInput,
    },
    DeleteNote {
        contact_id: String,
        note_id: String,
    },
    /// Adds (or removes) the same tags on each contact.
    ChangeTags {
        contact_ids: Vec<String>,
        tags: Vec<String>,
        add: bool,
    },
    /// Writes text to a file.
    SaveFile {
        path: PathBuf,
        contents: String,
    },
    /// Runs a sync from GHL into the Rankr store (one at a time).
    Sync {
        mode: SyncMode,
    },
    /// Asks the running sync to stop after what it has committed.
    CancelSync,
    /// Reads the newest sync log lines and runs from the store; `request` ties the answer to
    /// the ask, so an older answer is dropped.
    SyncLog {
        request: u64,
        filter: LogFilter,
    },
    /// Lists the locations an agency login can open (none for other logins).
    Locations,
    /// Works in another location from now on: running jobs stop and a new client is built.
    SwitchLocation {
        location_id: String,
    },
    /// Loads what the current location defines: its custom fields and its users.
    LoadDirectory,
}

/// A location the console can switch to, as the worker found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationEntry {
    /// The location id.
    pub id: String,
    /// Its name, where known.
    pub name: String,
}

/// A loaded record of a contact.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Contact(Box<Contact>),
    Tasks(Vec<Task>),
    Notes(Vec<Note>),
    Appointments(Vec<Appointment>),
}

/// The `what` of [`Event::Failed`] when a page of the contact listing could not be loaded.
pub const LOADING_CONTACTS: &str = "Loading contacts";

/// An answer or a notice from the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A page of the listing `generation`, from GHL.
    Page {
        generation: u64,
        contacts: Vec<ContactRow>,
        total: u64,
        more: bool,
        exchange_id: u64,
    },
    /// A page of the listing `generation` read from the Rankr store, shown until GHL's pages
    /// replace it: `total` contacts in the store, synced at `synced_at`; `more` while pages
    /// follow.
    StoredPage {
        generation: u64,
        contacts: Vec<ContactRow>,
        total: u64,
        synced_at: Option<String>,
        more: bool,
    },
    /// A record of a contact, loaded for selection `seq`.
    Loaded {
        seq: u64,
        contact_id: String,
        value: Loaded,
        exchange_id: u64,
    },
    /// A write succeeded; the record it touched should be reloaded.
    Written {
        contact_id: String,
        resource: Resource,
        message: String,
        exchange_id: u64,
        /// Set when GHL answered 2xx but its answer could not be read: the write is done,
        /// and what was shown of it is reloaded rather than taken from the answer.
        unread: Option<String>,
    },
    /// A write failed; the form that sent it, if still open, shows why and keeps its text.
    WriteFailed {
        contact_id: String,
        resource: Resource,
        what: String,
        error: String,
    },
    /// A contact update was answered with success: the contact as the server echoed it, and
    /// the fields sent that the echo does not carry (the write silently dropped them, C04).
    ContactUpdated {
        contact_id: String,
        contact: Box<Contact>,
        not_applied: Vec<String>,
        exchange_id: u64,
    },
    /// A task's completion changed.
    Completed {
        contact_id: String,
        task_id: String,
        completed: bool,
        exchange_id: u64,
    },
    /// A bulk tag change finished: which contacts took it and which failed, with why.
    Tagged {
        add: bool,
        tags: Vec<String>,
        succeeded: Vec<String>,
        failed: Vec<(String, String)>,
    },
    /// A command failed. `what` is [`LOADING_CONTACTS`] when a page of the contact listing
    /// could not be loaded.
    Failed { what: String, error: String },
    /// A file was written.
    Saved { path: PathBuf },
    /// An HTTP exchange happened (including retries and failures).
    Exchange(Arc<Exchange>),
    /// How much is running and how much rate budget is left.
    Activity {
        in_flight: usize,
        remaining: Option<u32>,
        max: Option<u32>,
        daily_remaining: Option<u64>,
    },
    /// A sync run started.
    SyncStarted { mode: SyncMode },
    /// The running sync's progress (latest wins; not every step is sent).
    SyncProgress(Box<SyncProgress>),
    /// The sync ended: its summary where there is one, and why it stopped, if it did.
    SyncEnded {
        summary: Option<Box<SyncSummary>>,
        error: Option<String>,
    },
    /// The sync log and the newest runs, read for the ask `request`; `error` says why there
    /// are none (no store, or the store failed).
    SyncLog {
        request: u64,
        entries: Vec<LogEntry>,
        runs: Vec<RunRecord>,
        error: Option<String>,
    },
    /// The locations an agency login can open; `error` when they could not be listed.
    Locations {
        locations: Vec<LocationEntry>,
        error: Option<String>,
    },
    /// The worker now works in this location.
    Switched { location_id: String },
    /// What a location defines, loaded at start and after a switch; each list is `Err` with
    /// why it could not be loaded.
    Directory {
        location_id: String,
        fields: Result<Vec<CustomFieldDefinition>, String>,
        users: Result<Vec<User>, String>,
    },
}
