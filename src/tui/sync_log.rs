//! The Sync pane's state: the running sync's progress, the last summary, and the sync log read
//! from the Rankr store through the worker, with its level and entity filters. The pane also
//! shows the console's own activity (`v` switches).
//!
//! A log line names the exchange behind it by the id the client gave it. The inspector holds
//! only this session's exchanges, and a client made by a location switch numbers its exchanges
//! from 1 again, so a line opens its exchange only when its run ran in this session; the
//! exchanges of each client are told apart by where the switch happened in the inspector.

use std::collections::HashMap;
use std::sync::Arc;

use ratatui::layout::Rect;

use crate::ghl::Exchange;
use crate::rankr::{Level as LogLevel, LogEntry, LogFilter, RunRecord};
use crate::sync::{SyncMode, SyncProgress, SyncSummary};
use crate::worker::messages::{Command, Event};

use super::actions::Action;
use super::app::{App, Level, Pane};
use super::cursor::Cursor;
use super::update::{Effect, Effects};

/// How many log lines the pane shows: the newest. One more is read, to know whether the log
/// holds more than that (the title then says "latest 500").
pub const LOG_LINES: usize = 500;

/// The entity kinds the `e` key cycles through (none: all of them).
pub const ENTITIES: [&str; 6] = ["contact", "task", "note", "webhook", "run", "outbox"];

/// How often the log is read again while a run is going: at most once a second, as its
/// progress arrives.
pub const LIVE_READ_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

/// The rows under the log list: the run line, the filter line and the notice line.
pub const FOOTER_ROWS: u16 = 3;

/// What the Sync pane shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SyncView {
    /// The sync log from the store.
    #[default]
    Log,
    /// The console's own activity.
    Activity,
}

/// The Sync pane's state.
#[derive(Debug)]
pub struct SyncState {
    /// What the pane shows.
    pub view: SyncView,
    /// The mode of the run going on, if one is.
    pub running: Option<SyncMode>,
    /// The running sync's latest progress.
    pub progress: Option<SyncProgress>,
    /// The summary of the last run of this session.
    pub last: Option<SyncSummary>,
    /// Why the last run stopped, if it did.
    pub last_error: Option<String>,
    /// The log lines read, newest first.
    pub entries: Vec<LogEntry>,
    /// Whether the log holds more lines matching the filter than `entries`.
    pub more: bool,
    /// The newest runs in the store.
    pub runs: Vec<RunRecord>,
    /// Why the log could not be read.
    pub log_error: Option<String>,
    /// The selected log line.
    pub cursor: Cursor,
    /// Only lines at this level or above; `None` shows debug lines too.
    pub min_level: Option<LogLevel>,
    /// Only lines about this entity; `None` shows all.
    pub entity: Option<&'static str>,
    /// The last log read asked for; older answers are dropped.
    pub request: u64,
    /// When the log was last read again during a run, so progress reads it at most once a
    /// second.
    pub live_read_at: Option<chrono::DateTime<chrono::Utc>>,
    /// A message about a line (an exchange not in this session), shown while it is selected.
    pub notice: Option<(usize, String)>,
    /// The runs of this session and the client they ran on.
    pub session_runs: HashMap<i64, usize>,
    /// For each client of the session, the newest exchange in the inspector when it took over.
    pub client_marks: Vec<Option<Arc<Exchange>>>,
}

impl Default for SyncState {
    fn default() -> Self {
        Self {
            view: SyncView::Log,
            running: None,
            progress: None,
            last: None,
            last_error: None,
            entries: Vec::new(),
            more: false,
            runs: Vec::new(),
            log_error: None,
            cursor: Cursor::default(),
            min_level: Some(LogLevel::Info),
            entity: None,
            request: 0,
            live_read_at: None,
            notice: None,
            session_runs: HashMap::new(),
            client_marks: vec![None],
        }
    }
}

impl SyncState {
    /// The filter of the next log read, in `location`.
    pub fn filter(&self, location: &str) -> LogFilter {
        LogFilter {
            limit: LOG_LINES + 1,
            min_level: self.min_level,
            entity: self.entity.map(str::to_string),
            run_id: None,
            location_id: Some(location.to_string()),
        }
    }

    fn client(&self) -> usize {
        self.client_marks.len() - 1
    }
}

/// Asks the worker for the log with the current filter.
pub fn request_log(app: &mut App, fx: &mut Effects) {
    app.sync.request += 1;
    fx.push(Effect::Send(Command::SyncLog {
        request: app.sync.request,
        filter: app.sync.filter(&app.settings.location),
    }));
}

/// Reads the log the first time the pane is looked at.
pub fn ensure_loaded(app: &mut App, fx: &mut Effects) {
    if app.focus == Pane::Log && app.sync.view == SyncView::Log && app.sync.request == 0 {
        request_log(app, fx);
    }
}

/// Marks where a new client's exchanges begin in the inspector (after a location switch).
pub fn new_client(app: &mut App) {
    let newest = app.inspector.exchanges.back().cloned();
    app.sync.client_marks.push(newest);
}

/// After a location switch: the previous location's lines and runs leave the pane, and the log
/// is read again for the new one if it was read before (else when the pane is first looked at).
pub fn switched(app: &mut App, fx: &mut Effects) {
    let sync = &mut app.sync;
    sync.entries.clear();
    sync.more = false;
    sync.runs.clear();
    sync.log_error = None;
    sync.notice = None;
    sync.cursor = Cursor::default();
    if sync.request > 0 {
        request_log(app, fx);
    }
}

/// Carries out a Sync pane action.
pub fn perform(app: &mut App, action: Action, fx: &mut Effects) {
    match action {
        Action::SyncRun => start(app, SyncMode::Auto, fx),
        Action::SyncFull => start(app, SyncMode::Full, fx),
        Action::SyncCancel if app.sync.running.is_some() => {
            fx.push(Effect::Send(Command::CancelSync));
            app.toast(Level::Info, "Cancelling the sync after its current step…");
        }
        Action::SyncCancel => app.toast(Level::Info, "No sync is running."),
        Action::SyncLevel => {
            app.sync.min_level = match app.sync.min_level {
                None => Some(LogLevel::Info),
                Some(LogLevel::Debug | LogLevel::Info) => Some(LogLevel::Warn),
                Some(LogLevel::Warn) => Some(LogLevel::Error),
                Some(LogLevel::Error) => None,
            };
            refilter(app, fx);
        }
        Action::SyncEntity => {
            let at = app
                .sync
                .entity
                .and_then(|e| ENTITIES.iter().position(|k| *k == e));
            app.sync.entity = match at {
                None => ENTITIES.first().copied(),
                Some(i) => ENTITIES.get(i + 1).copied(),
            };
            refilter(app, fx);
        }
        Action::SyncView => {
            app.sync.view = match app.sync.view {
                SyncView::Log => SyncView::Activity,
                SyncView::Activity => SyncView::Log,
            };
            ensure_loaded(app, fx);
        }
        _ => {}
    }
}

fn start(app: &mut App, mode: SyncMode, fx: &mut Effects) {
    if app.sync.running.is_some() {
        let cancel = app.keymap.how(Action::SyncCancel);
        app.toast(
            Level::Info,
            format!("A sync is already running ({cancel} in the Sync pane cancels)."),
        );
        return;
    }
    fx.push(Effect::Send(Command::Sync { mode }));
    let what = if mode == SyncMode::Full {
        "Full sync"
    } else {
        "Sync"
    };
    app.toast(
        Level::Info,
        format!("{what} started: progress in the Sync pane."),
    );
}

fn refilter(app: &mut App, fx: &mut Effects) {
    app.sync.cursor = Cursor::default();
    app.sync.notice = None;
    request_log(app, fx);
}

/// Applies a sync event from the worker.
pub fn on_event(app: &mut App, event: Event, fx: &mut Effects) {
    match event {
        Event::SyncStarted { mode } => {
            app.sync.running = Some(mode);
            app.sync.progress = None;
            app.log(Level::Info, format!("Sync started ({})", mode_name(mode)));
        }
        Event::SyncProgress(progress) => {
            if let Some(run) = progress.run_id {
                let client = app.sync.client();
                app.sync.session_runs.entry(run).or_insert(client);
            }
            app.sync.progress = Some(*progress);
            read_live(app, fx);
        }
        Event::SyncEnded { summary, error } => ended(app, summary.map(|s| *s), error, fx),
        Event::SyncLog {
            request,
            mut entries,
            runs,
            error,
        } if request == app.sync.request => {
            app.sync.more = entries.len() > LOG_LINES;
            entries.truncate(LOG_LINES);
            keep_selection(app, &entries);
            app.sync.entries = entries;
            app.sync.runs = runs;
            app.sync.log_error = error;
        }
        _ => {}
    }
}

/// Reads the log again while a run writes to it, when the pane shows it: lines appear as
/// they are written instead of at the end. The request counter drops older answers.
fn read_live(app: &mut App, fx: &mut Effects) {
    let shown = app.focus == Pane::Log && app.sync.view == SyncView::Log;
    let now = app.clock.now;
    let due = app
        .sync
        .live_read_at
        .is_none_or(|at| now - at >= LIVE_READ_EVERY);
    if shown && due {
        app.sync.live_read_at = Some(now);
        request_log(app, fx);
    }
}

/// Follows new lines, or keeps the selected line selected as they arrive above it (the list
/// is newest first). On the newest line, the selection stays on the newest: the pane follows
/// the run as it writes. Elsewhere the selected line stays selected; a list scrolled down
/// keeps its rows on screen (its title counts the newer lines above), one at the top shows
/// the new lines arriving. A line no longer read keeps the row number.
fn keep_selection(app: &mut App, entries: &[LogEntry]) {
    let sync = &mut app.sync;
    let old = sync.cursor.selected;
    let selected = sync.entries.get(old).map(|e| e.id);
    if let Some(row) = selected.and_then(|id| entries.iter().position(|e| e.id == id)) {
        if let Some((at, _)) = &mut sync.notice
            && *at == old
        {
            *at = row;
        }
        if old == 0 {
            sync.cursor.offset = 0;
        } else {
            if sync.cursor.offset > 0 {
                sync.cursor.offset = (sync.cursor.offset + row).saturating_sub(old);
            }
            sync.cursor.selected = row;
        }
    }
    sync.cursor.clamp(entries.len());
}

fn ended(app: &mut App, summary: Option<SyncSummary>, error: Option<String>, fx: &mut Effects) {
    app.sync.running = None;
    let last = app.sync.progress.take();
    if let Some(run) = summary.as_ref().and_then(|s| s.run_id) {
        let client = app.sync.client();
        app.sync.session_runs.entry(run).or_insert(client);
    }
    // The reason comes first: a toast or log line is cut at the screen's edge, and the counts
    // matter less than why the run stopped.
    // A reason that only repeats the outcome ("cancelled") is not said twice.
    let (level, text) = match (&error, summary.as_ref()) {
        (Some(why), Some(s)) => {
            let mut reasons: Vec<String> = s
                .message
                .as_deref()
                .or(Some(why.as_str()))
                .filter(|reason| {
                    *reason != s.outcome && *reason != format!("the sync was {}", s.outcome)
                })
                .map(str::to_string)
                .into_iter()
                .collect();
            reasons.extend(last.as_ref().and_then(SyncProgress::not_committed));
            let reasons = if reasons.is_empty() {
                String::new()
            } else {
                format!(": {}", reasons.join("; "))
            };
            let text = format!("Sync {}{reasons} ({})", s.outcome, counts_text(s));
            (Level::Error, text)
        }
        (Some(why), None) => (Level::Error, format!("Sync failed: {why}")),
        (None, Some(s)) => (
            Level::Info,
            format!("Sync {} ({})", s.outcome, counts_text(s)),
        ),
        (None, None) => (Level::Info, "Sync ended".to_string()),
    };
    app.toast(level, text.clone());
    app.log(level, text);
    app.sync.last = summary;
    app.sync.last_error = error;
    request_log(app, fx);
}

/// `full` or `incremental` (or `auto`, chosen by the engine).
pub fn mode_name(mode: SyncMode) -> &'static str {
    match mode {
        SyncMode::Auto => "changes, or full the first time",
        SyncMode::Full => "full",
        SyncMode::Incremental => "incremental",
    }
}

/// The counts of a run in one line, without its outcome (said before them).
pub fn counts_text(summary: &SyncSummary) -> String {
    format!(
        "{} run: {}",
        summary.mode,
        summary.counts.describe("tasks/notes")
    )
}

/// Opens the exchange behind the selected log line in the inspector, if this session has it.
/// A line with no exchange behind it (a run's summary) is shown whole instead, with why.
pub fn open_line(app: &mut App) {
    if app.sync.view != SyncView::Log {
        return;
    }
    let row = app.sync.cursor.selected;
    let Some(entry) = app.sync.entries.get(row) else {
        return;
    };
    let Some(id) = entry.exchange_id else {
        let when = chrono::DateTime::parse_from_rfc3339(&entry.at)
            .map_or_else(|_| entry.at.clone(), |at| app.clock.absolute(at.to_utc()));
        let lines = line_details(entry, &when);
        super::update::show_message(app, "Sync log line", lines);
        return;
    };
    let client = entry
        .run_id
        .and_then(|r| app.sync.session_runs.get(&r).copied());
    let found = client.and_then(|c| position_of(app, c, id));
    let Some(at) = found else {
        let text = format!(
            "Exchange #{id} is not in this session: the inspector holds only the exchanges \
             of runs started here."
        );
        app.sync.notice = Some((row, text));
        return;
    };
    app.sync.notice = None;
    let len = app.inspector.exchanges.len();
    super::inspect::open_at(app, Some(len - 1 - at));
}

/// A log line whole, for the dialog Enter opens on a line with no exchange: when, how bad,
/// what it is about, its run, its whole message (a run's summary is longer than the pane is
/// wide), and why no exchange opens.
fn line_details(entry: &LogEntry, when: &str) -> Vec<String> {
    let about = entry
        .entity_id
        .as_deref()
        .map_or_else(String::new, |id| format!(" {id}"));
    let run = entry
        .run_id
        .map_or_else(String::new, |run| format!(" · run #{run}"));
    let why = if entry.entity == "run" {
        "No HTTP exchange is behind this line: it sums up its run."
    } else {
        "No HTTP exchange is behind this line: it was written without a request."
    };
    let clean = |text: &str| super::text::sanitize(text).into_owned();
    vec![
        format!("{when} · {}{run}", entry.level.as_str()),
        clean(&format!("{} {}{about}", entry.entity, entry.action)),
        String::new(),
        clean(&entry.message),
        String::new(),
        why.to_string(),
    ]
}

/// Where exchange `id` of client `client` is in the inspector.
fn position_of(app: &App, client: usize, id: u64) -> Option<usize> {
    let exchanges = &app.inspector.exchanges;
    let after = |mark: &Option<Arc<Exchange>>| match mark {
        None => Some(0),
        Some(mark) => exchanges
            .iter()
            .position(|e| Arc::ptr_eq(e, mark))
            .map(|i| i + 1),
    };
    let start = after(app.sync.client_marks.get(client)?).unwrap_or(0);
    let end = match app.sync.client_marks.get(client + 1) {
        Some(mark) => after(mark)?,
        None => exchanges.len(),
    };
    (start..end).find(|i| exchanges.get(*i).is_some_and(|e| e.id == id))
}

/// How many rows the pane's list has.
pub fn len(app: &App) -> usize {
    match app.sync.view {
        SyncView::Log => app.sync.entries.len(),
        SyncView::Activity => app.log.lines.len(),
    }
}

/// The cursor of the list the pane shows.
pub fn cursor(app: &App) -> Cursor {
    match app.sync.view {
        SyncView::Log => app.sync.cursor,
        SyncView::Activity => app.log.cursor,
    }
}

/// The cursor of the list the pane shows, to move it.
pub fn cursor_mut(app: &mut App) -> &mut Cursor {
    match app.sync.view {
        SyncView::Log => &mut app.sync.cursor,
        SyncView::Activity => &mut app.log.cursor,
    }
}

/// The height of the pane's list in a pane of `rect`.
pub fn list_height(app: &App, rect: Rect) -> u16 {
    match app.sync.view {
        SyncView::Log => rect.height.saturating_sub(FOOTER_ROWS),
        SyncView::Activity => rect.height,
    }
}
