//! What each action does to the state, and the loads that follow the contact selection.

use crossterm::event::{KeyCode, KeyEvent};

use crate::worker::messages::{Command, Resource};

use super::actions::{Action, spec_of};
use super::app::{App, Level, Pane};
use super::forms::{Confirm, Help, Modal, NoteForm, Palette, TagInput, TaskForm};
use super::record::{Load, Record};
use super::update::{Effect, Effects};

/// The hint when a per-contact action has no contact to act on.
pub const NO_CONTACT: &str = "No contact selected.";

/// Carries out an action, refusing changing ones in read-only mode.
pub fn perform(app: &mut App, action: Action, fx: &mut Effects) {
    let spec = spec_of(action);
    if app.settings.read_only && spec.changes_data {
        app.toast(
            Level::Warn,
            format!("Read-only mode: \"{}\" is off.", spec.description),
        );
        return;
    }
    match action {
        Action::Quit => super::update::request_quit(app),
        Action::Help => app.modal = Some(Modal::Help(Help::default())),
        Action::Palette => {
            let palette = Palette::new(app.focus, app.settings.read_only);
            app.modal = Some(Modal::Palette(palette));
        }
        Action::NextPane => focus(app, app.focus.next()),
        Action::PrevPane => focus(app, app.focus.prev()),
        Action::Inspect => super::inspect::inspect(app),
        Action::Yank => super::inspect::yank(app, fx),
        Action::Refresh => refresh(app, fx),
        Action::Undo => undo(app, fx),
        Action::Up => step(app, -1),
        Action::Down => step(app, 1),
        Action::PageUp => step(app, -page(app)),
        Action::PageDown => step(app, page(app)),
        Action::Top if app.focus == Pane::Inspector && app.inspector.body.has_focus() => {
            app.inspector.body.go_top();
        }
        Action::Top => step(app, isize::MIN / 2),
        Action::Bottom => step(app, isize::MAX / 2),
        Action::Open => open(app),
        Action::Back => back(app, fx),
        _ => perform_pane(app, action, fx),
    }
}

fn perform_pane(app: &mut App, action: Action, fx: &mut Effects) {
    match action {
        Action::Filter => app.contacts.editing_filter = true,
        Action::Sort => {
            // GHL sorts: the listing starts again in the new order (with the same search).
            app.contacts.toggle_sort();
            let query = app.contacts.query.clone();
            search(app, query, fx);
        }
        Action::Mark => {
            app.contacts.toggle_mark();
            step(app, 1);
        }
        Action::ContactEdit => super::edits::contact_field(app),
        Action::TagAdd => open_tags(app, true),
        Action::TagRemove => open_tags(app, false),
        Action::TaskToggle => toggle_task(app, fx),
        Action::TaskNew | Action::TaskEdit | Action::TaskDelete => super::edits::task(app, action),
        Action::NoteNew | Action::NoteEdit | Action::NoteDelete => super::edits::note(app, action),
        Action::Search => app.inspector.body.start_search(),
        Action::NextMatch => app.inspector.body.next_match(true),
        Action::PrevMatch => app.inspector.body.next_match(false),
        Action::Fold => app.inspector.body.toggle_fold(),
        Action::FoldAll => app.inspector.body.toggle_fold_all(),
        Action::BodySide => app.inspector.body.toggle_side(),
        Action::Save => super::inspect::save(app, fx),
        Action::CopyCurl => super::inspect::copy_curl(app, fx),
        Action::ScrollRight => app.inspector.body.scroll_sideways(true),
        Action::ScrollLeft => app.inspector.body.scroll_sideways(false),
        Action::LineStart => app.inspector.body.line_start(),
        Action::SyncRun
        | Action::SyncFull
        | Action::SyncCancel
        | Action::SyncLevel
        | Action::SyncEntity
        | Action::SyncView => super::sync_log::perform(app, action, fx),
        Action::LocationSwitch => super::location::open_picker(app, fx),
        _ => {}
    }
}

/// Moves the focus (Tab, Shift-Tab, a click), making a detail pane the one shown beside the
/// contacts. A full-width pane reached from a side pane goes back to it on Esc; moving between
/// the full-width panes keeps where they go back to.
pub fn focus(app: &mut App, pane: Pane) {
    route(app, pane, false);
}

/// Opens a full-width pane from the focused pane (`i`, Enter on a Sync line), which Esc then
/// goes back to, whatever pane it is.
pub fn open_from_here(app: &mut App, pane: Pane) {
    route(app, pane, true);
}

/// Moves the focus to `pane`, keeping the way back from the full-width panes: a side pane
/// clears it, a pane already on it goes back along it, an opened one (or one reached from a
/// side pane) adds the pane it came from.
fn route(app: &mut App, pane: Pane, opened: bool) {
    if pane != app.focus {
        if !pane.is_wide() {
            app.return_to.clear();
        } else if let Some(at) = app.return_to.iter().position(|p| *p == pane) {
            app.return_to.truncate(at);
        } else if opened || !app.focus.is_wide() {
            app.return_to.push(app.focus);
        }
    }
    show(app, pane);
}

/// Focuses `pane` without touching the way back.
fn show(app: &mut App, pane: Pane) {
    app.focus = pane;
    if !matches!(pane, Pane::Contacts) && !pane.is_wide() {
        app.side = pane;
    }
}

/// Starts a new contact listing (a server-side search when `query` is set).
pub fn search(app: &mut App, query: Option<String>, fx: &mut Effects) {
    let generation = app.contacts.restart(query.clone());
    let sort = app.contacts.sort;
    fx.push(Effect::Send(Command::Search {
        generation,
        query,
        sort,
    }));
}

/// Keys typed into the contact filter: text filters locally as typed, Enter searches the
/// server for it, Esc leaves the filter. Tab and Shift-Tab, which cannot be typed into it,
/// leave the input (the filter stays) and do what they do in the list: move to another pane.
pub fn filter_key(app: &mut App, key: KeyEvent, fx: &mut Effects) {
    match key.code {
        KeyCode::Tab | KeyCode::BackTab => {
            app.contacts.editing_filter = false;
            let key = super::keymap::Key::from_event(key);
            if let Some(action) = app.keymap.lookup(app.focus, key) {
                perform(app, action, fx);
            }
        }
        KeyCode::Esc => {
            app.contacts.editing_filter = false;
            app.contacts.set_filter(String::new());
        }
        KeyCode::Enter => {
            app.contacts.editing_filter = false;
            let query = Some(app.contacts.filter.trim().to_string()).filter(|q| !q.is_empty());
            app.contacts.set_filter(String::new());
            search(app, query, fx);
        }
        KeyCode::Up | KeyCode::Down => {
            app.contacts.editing_filter = false;
        }
        _ => {
            let mut input =
                super::forms::line_input::LineInput::with_text(app.contacts.filter.clone());
            if input.handle(key) {
                app.contacts.set_filter(input.text().to_string());
            }
        }
    }
}

/// How many rows a pane's list has.
pub(super) fn list_len(app: &App, pane: Pane) -> usize {
    match pane {
        Pane::Contacts => app.contacts.len(),
        Pane::Detail => super::panes::detail::row_count(app),
        Pane::Tasks => app.tasks.ready().map_or(0, Vec::len),
        Pane::Notes => app.notes.ready().map_or(0, Vec::len),
        Pane::Appointments => app.appointments.ready().map_or(0, Vec::len),
        Pane::Inspector => app.inspector.exchanges.len(),
        Pane::Log => super::sync_log::len(app),
    }
}

/// The cursor of a pane's list.
pub(super) fn cursor_mut(app: &mut App, pane: Pane) -> &mut super::cursor::Cursor {
    match pane {
        Pane::Contacts => &mut app.contacts.cursor,
        Pane::Detail => &mut app.detail.cursor,
        Pane::Tasks => &mut app.tasks.cursor,
        Pane::Notes => &mut app.notes.cursor,
        Pane::Appointments => &mut app.appointments.cursor,
        Pane::Inspector => &mut app.inspector.cursor,
        Pane::Log => super::sync_log::cursor_mut(app),
    }
}

fn page(app: &App) -> isize {
    let rows = super::view::list_rows(app, app.focus);
    isize::try_from(rows.max(1)).unwrap_or(10)
}

/// Moves the selection of a pane by `delta` rows (in Raw, of the side with the movement keys).
pub fn step_in(app: &mut App, pane: Pane, delta: isize) {
    if pane == Pane::Inspector && app.inspector.body.has_focus() {
        app.inspector.body.scroll(delta);
        return;
    }
    step_list(app, pane, delta);
}

/// Moves the selection of a pane's list by `delta` rows, also in Raw while the body has the
/// movement keys (the wheel over the list).
pub fn step_list(app: &mut App, pane: Pane, delta: isize) {
    if pane == Pane::Notes && app.notes.ready().is_some() && app.focus == Pane::Notes {
        app.note_scroll = 0;
    }
    if pane == Pane::Contacts {
        // The end of a listing still arriving is not the end the user is after: its last row
        // once the rest has come is (and a stale listing's end is the new one's).
        let list = &app.contacts;
        let to_end = delta == isize::MAX / 2 && (list.is_stale() || list.more);
        app.contacts.end_for = to_end.then_some(app.contacts.generation);
    }
    let len = list_len(app, pane);
    cursor_mut(app, pane).step(delta, len);
}

fn step(app: &mut App, delta: isize) {
    step_in(app, app.focus, delta);
}

/// Selects a row of a pane (a mouse click).
pub fn select_in(app: &mut App, pane: Pane, row: usize) {
    if pane == Pane::Contacts {
        app.contacts.end_for = None;
    }
    let len = list_len(app, pane);
    cursor_mut(app, pane).select(row, len);
}

fn open(app: &mut App) {
    match app.focus {
        Pane::Contacts => focus(app, app.side),
        Pane::Inspector => app.inspector.body.toggle_focus(),
        Pane::Notes => {
            let area = super::panes::notes::text_box(super::view::pane_rect(app, Pane::Notes));
            let total = super::panes::notes::text_lines(app, area.width).len();
            app.note_scroll = super::panes::notes::next_page(app.note_scroll, total, area.height);
        }
        Pane::Log => super::sync_log::open_line(app),
        _ => {}
    }
}

/// Esc with no dialog or filter open: in Contacts it clears the marks, then the server search;
/// in Raw it hands the keys from the body back to the list; Raw and Sync (which take the whole
/// width) go back to the pane they were opened from. In Detail, Tasks, Notes and Appointments
/// it does nothing: only Tab, Shift-Tab and clicks move between panes (as the README's key
/// table says).
fn back(app: &mut App, fx: &mut Effects) {
    match app.focus {
        Pane::Contacts if !app.contacts.marked.is_empty() => app.contacts.marked.clear(),
        Pane::Contacts if app.contacts.query.is_some() => search(app, None, fx),
        Pane::Inspector if app.inspector.body.has_focus() => app.inspector.body.toggle_focus(),
        pane if pane.is_wide() => {
            let to = app.return_to.pop().unwrap_or(Pane::Contacts);
            if !to.is_wide() {
                app.return_to.clear();
            }
            show(app, to);
        }
        _ => {}
    }
}

fn refresh(app: &mut App, fx: &mut Effects) {
    match app.focus {
        Pane::Contacts | Pane::Inspector | Pane::Log => {
            search(app, app.contacts.query.clone(), fx);
            // A contact whose whole record failed to load is tried again with the list.
            if matches!(app.detail_preview, Some(super::app::Preview::Failed(_))) {
                reload(app, Resource::Contact, fx);
            }
        }
        pane => {
            if let Some(resource) = resource_of(pane) {
                reload(app, resource, fx);
            }
        }
    }
    if app.focus == Pane::Log {
        super::sync_log::request_log(app, fx);
    }
}

/// The record a pane shows.
pub fn resource_of(pane: Pane) -> Option<Resource> {
    match pane {
        Pane::Detail => Some(Resource::Contact),
        Pane::Tasks => Some(Resource::Tasks),
        Pane::Notes => Some(Resource::Notes),
        Pane::Appointments => Some(Resource::Appointments),
        _ => None,
    }
}

/// Loads a record of the current contact again.
pub fn reload(app: &mut App, resource: Resource, fx: &mut Effects) {
    let Some(contact_id) = app.current_contact_id().map(str::to_string) else {
        return;
    };
    set_loading(app, resource);
    fx.push(Effect::Send(Command::Load {
        seq: app.seq,
        resource,
        contact_id,
    }));
}

fn set_loading(app: &mut App, resource: Resource) {
    fn mark<T>(record: &mut Record<T>) {
        if !matches!(record.load, Load::Ready(_)) {
            record.load = Load::Loading;
        }
    }
    match resource {
        Resource::Contact => {
            mark(&mut app.detail);
            // A reload after a failure says it is loading, and `e` waits for it.
            if matches!(app.detail_preview, Some(super::app::Preview::Failed(_))) {
                app.detail_preview = Some(super::app::Preview::Loading);
            }
        }
        Resource::Tasks => mark(&mut app.tasks),
        Resource::Notes => mark(&mut app.notes),
        Resource::Appointments => mark(&mut app.appointments),
    }
}

fn undo(app: &mut App, fx: &mut Effects) {
    let Some(undo) = app.undo.take() else {
        app.toast(Level::Info, "Nothing to undo.");
        return;
    };
    let doing = if undo.completed {
        "completing"
    } else {
        "reopening"
    };
    let task = undo.title.as_deref().map_or_else(
        || "the task".to_string(),
        |t| format!("\"{}\"", super::text::sanitize(t)),
    );
    app.toast(Level::Info, format!("Undoing: {doing} {task}…"));
    app.undoing = Some(undo.clone());
    fx.push(Effect::Send(Command::CompleteTask {
        contact_id: undo.contact_id,
        task_id: undo.task_id,
        completed: undo.completed,
    }));
}

fn toggle_task(app: &mut App, fx: &mut Effects) {
    let Some(contact_id) = app.tasks.contact_id.clone() else {
        app.toast(Level::Info, NO_CONTACT);
        return;
    };
    let Some(task) = app
        .tasks
        .ready()
        .and_then(|t| t.get(app.tasks.cursor.selected))
    else {
        return;
    };
    fx.push(Effect::Send(Command::CompleteTask {
        contact_id,
        task_id: task.id.clone(),
        completed: !task.completed,
    }));
}

fn open_tags(app: &mut App, add: bool) {
    let targets = app.contacts.targets();
    if targets.is_empty() {
        app.toast(Level::Info, NO_CONTACT);
        return;
    }
    let known: Vec<String> = if add {
        app.contacts.known_tags.iter().cloned().collect()
    } else {
        let mut own: Vec<String> = app
            .contacts
            .items
            .iter()
            .filter(|c| targets.contains(&c.id))
            .flat_map(|c| c.tags.iter().cloned())
            .collect();
        own.sort();
        own.dedup();
        own
    };
    app.modal = Some(Modal::Tags(TagInput::new(add, targets, known)));
}

/// Opens a delete question.
pub fn ask(app: &mut App, question: String, on_yes: Command) {
    app.modal = Some(Modal::Confirm(Confirm { question, on_yes }));
}

/// Opens a task form.
pub fn open_task_form(app: &mut App, form: TaskForm) {
    app.modal = Some(Modal::Task(Box::new(form)));
}

/// Opens a note form.
pub fn open_note_form(app: &mut App, form: NoteForm) {
    app.modal = Some(Modal::Note(Box::new(form)));
}

/// After every update: asks for the next page when the selection nears the end, and loads the
/// records of a newly selected contact (a new `seq`, so older loads are dropped).
pub fn follow_selection(app: &mut App, fx: &mut Effects) {
    if app.contacts.wants_next_page() {
        app.contacts.loading = true;
        fx.push(Effect::Send(Command::NextPage {
            generation: app.contacts.generation,
        }));
    }
    match app.contacts.selected() {
        Some(row) if !app.detail.is_for(&row.id) => {
            let contact = row.to_contact();
            select_contact(app, contact, fx);
        }
        None if app.current_contact_id().is_some() => clear_selection(app),
        _ => {}
    }
    ensure_side_loaded(app, fx);
    super::sync_log::ensure_loaded(app, fx);
}

/// The listing no longer shows the contact the detail panes were about (a search without
/// results, a filter matching nothing): they clear, and loads still on their way are dropped.
fn clear_selection(app: &mut App) {
    app.seq += 1;
    app.detail.reset(None);
    app.detail_preview = None;
    app.tasks.reset(None);
    app.notes.reset(None);
    app.appointments.reset(None);
    app.note_scroll = 0;
}

fn select_contact(app: &mut App, contact: crate::ghl::models::Contact, fx: &mut Effects) {
    app.seq += 1;
    let id = Some(contact.id.clone());
    app.detail.reset(id.clone());
    app.tasks.reset(id.clone());
    app.notes.reset(id.clone());
    app.appointments.reset(id);
    app.note_scroll = 0;
    app.detail.load = Load::Ready(Box::new(contact));
    app.detail_preview = Some(super::app::Preview::Loading);
    reload(app, Resource::Contact, fx);
}

fn ensure_side_loaded(app: &mut App, fx: &mut Effects) {
    if app.focus.is_wide() || app.current_contact_id().is_none() {
        return;
    }
    let idle = match app.side {
        Pane::Tasks => matches!(app.tasks.load, Load::Idle),
        Pane::Notes => matches!(app.notes.load, Load::Idle),
        Pane::Appointments => matches!(app.appointments.load, Load::Idle),
        _ => false,
    };
    if idle && let Some(resource) = resource_of(app.side) {
        reload(app, resource, fx);
    }
}
