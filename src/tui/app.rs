//! The console's whole state. `update` changes it, the views read it; nothing here awaits.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::ghl::Exchange;
use crate::ghl::models::{Appointment, Contact, Note, Task};

use super::clock::Clock;
use super::contact_list::ContactList;
use super::cursor::Cursor;
use super::forms::Modal;
use super::keymap::Keymap;
use super::record::Record;

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Contacts,
    Detail,
    Tasks,
    Notes,
    Appointments,
    Inspector,
    Log,
}

impl Pane {
    /// Every pane in Tab order.
    pub const ALL: [Self; 7] = [
        Self::Contacts,
        Self::Detail,
        Self::Tasks,
        Self::Notes,
        Self::Appointments,
        Self::Inspector,
        Self::Log,
    ];

    /// The pane's title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Contacts => "Contacts",
            Self::Detail => "Detail",
            Self::Tasks => "Tasks",
            Self::Notes => "Notes",
            Self::Appointments => "Appointments",
            Self::Inspector => "Raw",
            Self::Log => "Sync",
        }
    }

    fn position(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// The pane after this one in Tab order.
    #[must_use]
    pub fn next(self) -> Self {
        Self::ALL[(self.position() + 1) % Self::ALL.len()]
    }

    /// The pane before this one in Tab order.
    #[must_use]
    pub fn prev(self) -> Self {
        Self::ALL[(self.position() + Self::ALL.len() - 1) % Self::ALL.len()]
    }

    /// Whether the pane takes the whole width instead of sitting beside the contacts.
    pub fn is_wide(self) -> bool {
        matches!(self, Self::Inspector | Self::Log)
    }
}

/// How bad a toast or a log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// A short message at the bottom that goes away by itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    /// The message.
    pub text: String,
    /// Its level.
    pub level: Level,
    /// When it disappears.
    pub until: DateTime<Utc>,
}

/// A completion that can still be taken back.
#[derive(Debug, Clone, PartialEq)]
pub struct Undo {
    /// The contact of the task.
    pub contact_id: String,
    /// The task.
    pub task_id: String,
    /// The task's title when it was toggled (`None` when its list was not shown).
    pub title: Option<String>,
    /// The contact's name when it was toggled, if the list had it.
    pub contact_name: Option<String>,
    /// The completion the undo sends.
    pub completed: bool,
    /// Until when `u` undoes it.
    pub until: DateTime<Utc>,
}

/// One line of the activity log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// How bad it is.
    pub level: Level,
    /// What happened.
    pub text: String,
}

/// The console's own activity: requests, errors, retries, rate-limit waits.
#[derive(Debug, Default)]
pub struct ActivityLog {
    /// The lines, oldest first; the oldest are dropped past [`MAX_LOG_LINES`].
    pub lines: VecDeque<LogLine>,
    /// The selected line (counted from the newest).
    pub cursor: Cursor,
}

/// How many log lines are kept.
pub const MAX_LOG_LINES: usize = 5_000;

/// How many exchanges the inspector keeps.
pub const MAX_EXCHANGES: usize = 2_000;

/// The state of the connection to GHL as the last exchange left it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Connection {
    /// No exchange yet.
    #[default]
    Connecting,
    /// The last exchange got a response.
    Online,
    /// The last exchange got no response.
    Offline,
    /// The last answer was 401: the token is missing, expired or revoked, and every call will
    /// fail the same way until it is replaced.
    Unauthorized,
    /// Several exchanges in a row got a server error.
    Failing,
}

/// How many server errors in a row make the status bar say the server is failing.
pub const FAILING_AFTER: u32 = 3;

/// What the status bar shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    /// Requests the worker is running.
    pub in_flight: usize,
    /// Burst budget left and its maximum, from the last response headers.
    pub budget: Option<(u32, Option<u32>)>,
    /// Daily budget left.
    pub daily: Option<u64>,
    /// The last error, shown until the next success.
    pub last_error: Option<String>,
    /// The connection state.
    pub connection: Connection,
    /// Server errors in a row since the last answer that was not one.
    pub server_errors: u32,
    /// Frames drawn, to animate the spinner.
    pub ticks: u64,
}

impl Status {
    /// Moves the connection state on by an exchange's HTTP status (`None`: no response). A 429
    /// says nothing about the connection beyond that the server answered.
    pub fn record(&mut self, status: Option<u16>) {
        match status {
            None => self.connection = Connection::Offline,
            Some(401) => {
                self.server_errors = 0;
                self.connection = Connection::Unauthorized;
            }
            Some(429) if self.connection == Connection::Connecting => {
                self.connection = Connection::Online;
            }
            Some(429) => {}
            Some(500..) => {
                self.server_errors = self.server_errors.saturating_add(1);
                if self.server_errors >= FAILING_AFTER {
                    self.connection = Connection::Failing;
                } else if matches!(
                    self.connection,
                    Connection::Connecting | Connection::Offline
                ) {
                    self.connection = Connection::Online;
                }
            }
            Some(_) => {
                self.server_errors = 0;
                self.connection = Connection::Online;
            }
        }
    }
}

/// The raw inspector's state.
#[derive(Debug, Default)]
pub struct InspectorState {
    /// Every exchange of the session, oldest first.
    pub exchanges: VecDeque<Arc<Exchange>>,
    /// The selected exchange (counted from the newest).
    pub cursor: Cursor,
    /// The body viewer of the selected exchange.
    pub body: super::raw_body::RawBody,
}

/// What the console is started with.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The location id shown in the status bar.
    pub location: String,
    /// Whether writes are refused.
    pub read_only: bool,
    /// The key remapping from the config: action id to key strings.
    pub keys: HashMap<String, Vec<String>>,
    /// The path log files share before the day the appender adds; help shows today's file.
    pub log_path: Option<PathBuf>,
    /// Why no log is written, shown in help instead of the path.
    pub log_error: Option<String>,
    /// Where saved exchanges go.
    pub save_dir: PathBuf,
    /// Whether the console runs inside tmux, where copying needs tmux's `set-clipboard on`.
    pub in_tmux: bool,
}

/// The console's state.
#[derive(Debug)]
pub struct App {
    /// What the console was started with.
    pub settings: Settings,
    /// The focused pane.
    pub focus: Pane,
    /// The pane shown beside the contacts.
    pub side: Pane,
    /// Where Esc goes back to from a full-width pane (the inspector, the sync log), the last
    /// first: the pane it was opened from, and where that one was opened from when it is a
    /// full-width pane too (Sync, then Raw opened from a line of it).
    pub return_to: Vec<Pane>,
    /// Keys to actions.
    pub keymap: Keymap,
    /// Now, and the zone dates are shown in.
    pub clock: Clock,
    /// The terminal size.
    pub size: (u16, u16),
    /// The contact listing.
    pub contacts: ContactList,
    /// The selected contact: its list row at first, then the whole record from GHL.
    pub detail: Record<Box<Contact>>,
    /// Whether `detail` is still only the list's row: `None` once the whole record came.
    pub detail_preview: Option<Preview>,
    /// Its tasks, open first.
    pub tasks: Record<Vec<Task>>,
    /// Its notes, pinned then newest first.
    pub notes: Record<Vec<Note>>,
    /// The scroll of the selected note's text.
    pub note_scroll: u16,
    /// Its appointments.
    pub appointments: Record<Vec<Appointment>>,
    /// The raw inspector.
    pub inspector: InspectorState,
    /// The activity log.
    pub log: ActivityLog,
    /// The Sync pane: the running sync, the last summary and the store's sync log.
    pub sync: super::sync_log::SyncState,
    /// The locations the console can switch to.
    pub locations: super::location::LocationState,
    /// The current location's custom fields and users.
    pub directory: super::directory::Directory,
    /// The status bar.
    pub status: Status,
    /// The dialog on top, if any.
    pub modal: Option<Modal>,
    /// The toast, if any.
    pub toast: Option<Toast>,
    /// How many toasts have been shown, to tell a toast raised by an update from one before it.
    pub toasts_shown: u64,
    /// The completion `u` takes back.
    pub undo: Option<Undo>,
    /// The completion `u` sent, until its answer comes: that answer says it was undone.
    pub undoing: Option<Undo>,
    /// The selection generation: loads of older selections are dropped.
    pub seq: u64,
    /// Set when the console should end.
    pub quit: bool,
}

impl App {
    /// A console with nothing loaded yet.
    pub fn new(settings: Settings, clock: Clock) -> (Self, Vec<String>) {
        let (keymap, problems) = Keymap::new(&settings.keys);
        let app = Self {
            settings,
            focus: Pane::Contacts,
            side: Pane::Detail,
            return_to: Vec::new(),
            keymap,
            clock,
            size: (80, 24),
            contacts: ContactList::default(),
            detail: Record::default(),
            detail_preview: None,
            tasks: Record::default(),
            notes: Record::default(),
            note_scroll: 0,
            appointments: Record::default(),
            inspector: InspectorState::default(),
            log: ActivityLog::default(),
            sync: super::sync_log::SyncState::default(),
            locations: super::location::LocationState::default(),
            directory: super::directory::Directory::default(),
            status: Status::default(),
            modal: None,
            toast: None,
            toasts_shown: 0,
            undo: None,
            undoing: None,
            seq: 0,
            quit: false,
        };
        (app, problems)
    }

    /// Shows a toast for a few seconds, or until the focus moves to another pane (see
    /// [`super::update::update`]), so what it says about one pane is not read under another.
    pub fn toast(&mut self, level: Level, text: impl Into<String>) {
        self.toasts_shown += 1;
        self.toast = Some(Toast {
            text: text.into(),
            level,
            until: self.clock.now + chrono::TimeDelta::seconds(5),
        });
    }

    /// Adds a line to the activity log.
    pub fn log(&mut self, level: Level, text: impl Into<String>) {
        if self.log.lines.len() >= MAX_LOG_LINES {
            self.log.lines.pop_front();
        }
        let line = LogLine {
            at: self.clock.now,
            level,
            text: text.into(),
        };
        tracing::debug!(target: "console", "{}", line.text);
        self.log.lines.push_back(line);
        // Rows count from the newest: the selected line stays selected (and a list scrolled
        // down keeps its rows on screen) unless it is the newest, which follows new lines.
        self.log.cursor.keep_under_new_row();
    }

    /// The exchange selected in the inspector.
    pub fn selected_exchange(&self) -> Option<&Arc<Exchange>> {
        let newest_first = self.inspector.cursor.selected;
        let len = self.inspector.exchanges.len();
        len.checked_sub(newest_first + 1)
            .and_then(|i| self.inspector.exchanges.get(i))
    }

    /// The id of the contact the detail panes show.
    pub fn current_contact_id(&self) -> Option<&str> {
        self.detail.contact_id.as_deref()
    }
}

/// What the Detail pane holds while it holds only the list's row of a contact: the row carries
/// a few fields, so an empty one there says nothing of the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    /// The whole record is on its way.
    Loading,
    /// It could not be loaded: why.
    Failed(String),
}
