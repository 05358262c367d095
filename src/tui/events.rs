//! What the worker's answers do to the state.

use std::sync::Arc;

use crate::ghl::Exchange;
use crate::ghl::models::{Contact, Note, Task, parse_date};
use crate::worker::messages::{Event, LOADING_CONTACTS, Loaded, Resource};

use super::app::{App, Level, MAX_EXCHANGES, Undo};
use super::forms::Modal;
use super::perform::reload;
use super::record::Load;
use super::text::sanitize;
use super::update::{Effects, show_message};

/// How long a completion can be undone.
pub const UNDO_SECONDS: i64 = 8;

/// Applies a worker event.
pub fn on_event(app: &mut App, event: Event, fx: &mut Effects) {
    match event {
        Event::Page {
            generation,
            contacts,
            total,
            more,
            exchange_id,
        } => {
            if app.contacts.add_page(generation, contacts, total, more) {
                app.contacts.exchange_id = Some(exchange_id);
            }
        }
        Event::StoredPage {
            generation,
            contacts,
            total,
            synced_at,
            more,
        } => on_stored_page(app, generation, contacts, (total, synced_at), more),
        Event::Loaded {
            seq,
            contact_id,
            value,
            exchange_id,
        } => on_loaded(app, seq, &contact_id, value, exchange_id),
        Event::Written {
            contact_id,
            resource,
            message,
            unread,
            ..
        } => on_written(app, &contact_id, resource, message, unread, fx),
        Event::WriteFailed {
            contact_id,
            resource,
            what,
            error,
        } => {
            let text = format!("{what} failed: {error}");
            app.toast(Level::Error, text.clone());
            app.log(Level::Error, text.clone());
            app.status.last_error = Some(error);
            settle_form(app, &contact_id, resource, Some(text));
        }
        Event::ContactUpdated {
            contact_id,
            contact,
            not_applied,
            exchange_id,
        } => on_contact_updated(app, &contact_id, contact, &not_applied, exchange_id),
        Event::Completed {
            contact_id,
            task_id,
            completed,
            ..
        } => on_completed(app, &contact_id, task_id, completed, fx),
        Event::Tagged {
            add,
            tags,
            succeeded,
            failed,
        } => on_tagged(app, add, &tags, &succeeded, &failed, fx),
        Event::Failed { what, error } => on_failed(app, &what, &error),
        Event::Saved { path } => app.toast(Level::Info, format!("Saved {}", path.display())),
        Event::Exchange(exchange) => on_exchange(app, exchange),
        event @ (Event::SyncStarted { .. }
        | Event::SyncProgress(_)
        | Event::SyncEnded { .. }
        | Event::SyncLog { .. }) => super::sync_log::on_event(app, event, fx),
        event @ (Event::Locations { .. } | Event::Switched { .. }) => {
            super::location::on_event(app, event, fx);
        }
        Event::Directory {
            location_id,
            fields,
            users,
        } => super::directory::on_directory(app, location_id, fields, users),
        Event::Activity {
            in_flight,
            remaining,
            max,
            daily_remaining,
        } => {
            app.status.in_flight = in_flight;
            app.status.budget = remaining.map(|r| (r, max));
            app.status.daily = daily_remaining.or(app.status.daily);
        }
    }
}

fn on_stored_page(
    app: &mut App,
    generation: u64,
    contacts: Vec<crate::worker::messages::ContactRow>,
    (total, synced_at): (u64, Option<String>),
    more: bool,
) {
    let first = app.contacts.stored().is_none();
    let count = contacts.len();
    if !app
        .contacts
        .add_stored_page(generation, contacts, (total, synced_at), more)
    {
        return;
    }
    if first && count > 0 {
        app.log(
            Level::Info,
            format!("Listing {total} contacts from the Rankr store until GHL answers"),
        );
    }
    if !more {
        tracing::info!(
            listed = app.contacts.listed(),
            "every contact of the store is listed"
        );
    }
}

fn on_loaded(app: &mut App, seq: u64, contact_id: &str, value: Loaded, exchange_id: u64) {
    if seq != app.seq || app.current_contact_id() != Some(contact_id) {
        return;
    }
    match value {
        Loaded::Contact(contact) => {
            app.contacts.replace(&contact);
            app.detail.load = Load::Ready(contact);
            app.detail.exchange_id = Some(exchange_id);
            app.detail_preview = None;
        }
        Loaded::Tasks(mut tasks) => {
            sort_tasks(&mut tasks);
            app.tasks.show_rows(tasks, |t| &t.id);
            app.tasks.exchange_id = Some(exchange_id);
        }
        Loaded::Notes(mut notes) => {
            sort_notes(&mut notes);
            app.notes.show_rows(notes, |n| &n.id);
            app.notes.exchange_id = Some(exchange_id);
        }
        Loaded::Appointments(mut list) => {
            list.sort_by(|a, b| b.start_time.cmp(&a.start_time));
            app.appointments.show_rows(list, |a| &a.id);
            app.appointments.exchange_id = Some(exchange_id);
        }
    }
}

/// A write worked: a toast and a log line, the form closes, and what it touched is reloaded.
/// `unread` says why GHL's 2xx answer could not be read, when it could not.
fn on_written(
    app: &mut App,
    contact_id: &str,
    resource: Resource,
    message: String,
    unread: Option<String>,
    fx: &mut Effects,
) {
    let (level, message) = match unread {
        None => (Level::Info, message),
        Some(why) => (
            Level::Warn,
            format!("{message} {why}; reloaded from GHL, not sent again."),
        ),
    };
    app.toast(level, message.clone());
    app.log(level, message);
    settle_form(app, contact_id, resource, None);
    if app.current_contact_id() == Some(contact_id) {
        reload(app, resource, fx);
    }
}

/// A contact edit was answered: the detail shows the echo, and a field the echo shows was not
/// applied is a warning, not a success (C04).
fn on_contact_updated(
    app: &mut App,
    contact_id: &str,
    contact: Box<Contact>,
    not_applied: &[String],
    exchange_id: u64,
) {
    let (label, cleared) = match &app.modal {
        Some(Modal::Field(form)) if form.contact.id == contact_id => {
            (form.label.clone(), form.input.text().trim().is_empty())
        }
        _ => ("the field".to_string(), false),
    };
    if not_applied.is_empty() {
        let text = if cleared {
            format!("Cleared {label}.")
        } else {
            format!("Saved {label}.")
        };
        app.toast(Level::Info, text.clone());
        app.log(Level::Info, format!("{text} ({contact_id})"));
    } else {
        let text = format!(
            "The server answered 200 but did not apply {label} ({}); it keeps the old value.",
            not_applied.join(", ")
        );
        app.toast(Level::Warn, text.clone());
        app.log(Level::Warn, format!("{text} ({contact_id})"));
    }
    settle_form(app, contact_id, Resource::Contact, None);
    if app.current_contact_id() == Some(contact_id) {
        app.contacts.replace(&contact);
        app.detail.load = Load::Ready(contact);
        app.detail.exchange_id = Some(exchange_id);
        app.detail_preview = None;
    }
}

/// Open tasks first, then done; each by due date, earliest first, undated last.
pub fn sort_tasks(tasks: &mut [Task]) {
    tasks.sort_by_key(|t| {
        let due = t.due_date.as_deref().and_then(parse_date);
        (t.completed, due.is_none(), due)
    });
}

/// Pinned notes first, then newest first.
pub fn sort_notes(notes: &mut [Note]) {
    notes.sort_by(|a, b| {
        let date = |n: &Note| n.date_added.as_deref().and_then(parse_date);
        b.pinned.cmp(&a.pinned).then_with(|| date(b).cmp(&date(a)))
    });
}

fn on_completed(
    app: &mut App,
    contact_id: &str,
    task_id: String,
    completed: bool,
    fx: &mut Effects,
) {
    let verb = if completed { "completed" } else { "reopened" };
    // The answer to `u`: say it was undone, and offer no undo of the undo (`x` toggles).
    let undone = app.undoing.as_ref().is_some_and(|u| {
        u.contact_id == contact_id && u.task_id == task_id && u.completed == completed
    });
    let title = app
        .tasks
        .ready()
        .filter(|_| app.tasks.is_for(contact_id))
        .and_then(|tasks| tasks.iter().find(|t| t.id == task_id))
        .and_then(|t| t.title.clone());
    if app.tasks.is_for(contact_id) {
        show_completion(app, &task_id, completed);
    }
    if undone {
        let undo = app.undoing.take();
        app.undo = None;
        let text = undone_text(app, undo.as_ref(), contact_id, verb);
        app.toast(Level::Info, text);
        app.log(Level::Info, format!("Undone: task {task_id} {verb}"));
    } else {
        let undo = app.keymap.how(super::actions::Action::Undo);
        app.toast(Level::Info, format!("Task {verb}. Press {undo} to undo."));
        app.log(Level::Info, format!("Task {task_id} {verb}"));
        app.undo = Some(Undo {
            contact_id: contact_id.to_string(),
            task_id,
            title,
            contact_name: app
                .contacts
                .items
                .iter()
                .find(|c| c.id == contact_id)
                .map(|c| c.name.clone()),
            completed: !completed,
            until: app.clock.now + chrono::TimeDelta::seconds(UNDO_SECONDS),
        });
    }
    if app.current_contact_id() == Some(contact_id) {
        reload(app, Resource::Tasks, fx);
    }
}

/// What an undone toggle says: the task's title, the state it is back in, and its contact's
/// name when another contact is shown now (`Undone: "Call back" is open again (Ágnes Núñez).`).
fn undone_text(app: &App, undo: Option<&Undo>, contact_id: &str, verb: &str) -> String {
    let task = undo
        .and_then(|u| u.title.as_deref())
        .map_or_else(|| "task".to_string(), |t| format!("\"{}\"", sanitize(t)));
    let elsewhere = app.current_contact_id() != Some(contact_id);
    let whose = undo
        .and_then(|u| u.contact_name.as_deref())
        .filter(|_| elsewhere)
        .map_or_else(String::new, |name| format!(" ({})", sanitize(name)));
    let state = if verb == "completed" {
        "done again"
    } else {
        "open again"
    };
    format!("Undone: {task} is {state}{whose}.")
}

/// Shows a completion at once, re-sorted with the cursor still on the task, so a second
/// toggle before the reload arrives acts on the same task with its new state.
fn show_completion(app: &mut App, task_id: &str, completed: bool) {
    let Some(mut tasks) = app.tasks.ready().cloned() else {
        return;
    };
    let Some(task) = tasks.iter_mut().find(|t| t.id == task_id) else {
        return;
    };
    task.completed = completed;
    sort_tasks(&mut tasks);
    app.tasks.show_rows(tasks, |t| &t.id);
}

/// How many failed contacts the tag summary lists by name; the rest are counted and each is in
/// the activity log.
const FAILED_SHOWN: usize = 12;

fn on_tagged(
    app: &mut App,
    add: bool,
    tags: &[String],
    succeeded: &[String],
    failed: &[(String, String)],
    fx: &mut Effects,
) {
    // A removal "succeeds" on a contact that had none of the tags: count those apart, as the
    // list knew them before the change.
    let untouched = if add {
        0
    } else {
        succeeded
            .iter()
            .filter(|id| had_none(app, id, tags))
            .count()
    };
    app.contacts.retag(succeeded, tags, add);
    let summary = tag_summary(add, tags, succeeded.len() - untouched, untouched);
    let failures: Vec<String> = failed
        .iter()
        .map(|(id, error)| format!("{}: {error}", contact_label(app, id)))
        .collect();
    if failed.is_empty() {
        app.log(Level::Info, summary.clone());
        app.toast(Level::Info, format!("{summary}."));
    } else {
        app.log(Level::Warn, format!("{summary}; {} failed", failed.len()));
        for line in &failures {
            app.log(Level::Error, format!("Tag change failed for {line}"));
        }
        let view = app.keymap.how(super::actions::Action::SyncView);
        show_message(app, "Tag change", failure_lines(&summary, &failures, &view));
    }
    let current = app.current_contact_id().map(str::to_string);
    if current.is_some_and(|id| succeeded.contains(&id)) {
        reload(app, Resource::Contact, fx);
    }
}

/// Whether the listed contact `id` had none of `tags` (an unlisted one is assumed to have).
fn had_none(app: &App, id: &str, tags: &[String]) -> bool {
    app.contacts
        .items
        .iter()
        .find(|c| c.id == id)
        .is_some_and(|c| {
            !c.tags
                .iter()
                .any(|t| tags.iter().any(|tag| tag.eq_ignore_ascii_case(t)))
        })
}

/// "Tags a, b added to 3 contact(s)", or for a removal also how many had none of them.
fn tag_summary(add: bool, tags: &[String], changed: usize, untouched: usize) -> String {
    let verb = if add { "added to" } else { "removed from" };
    let summary = format!("Tags {} {verb} {changed} contact(s)", tags.join(", "));
    if untouched > 0 {
        format!("{summary}; {untouched} had none of them")
    } else {
        summary
    }
}

/// A contact's name and id as the listing knows it, else its id.
fn contact_label(app: &App, id: &str) -> String {
    app.contacts
        .items
        .iter()
        .find(|c| c.id == id)
        .map_or_else(|| id.to_string(), |c| format!("{} ({id})", c.name))
}

/// The lines of the failure message: the summary, then each failed contact and why; `view` is
/// the key that shows the activity log in the Sync pane.
fn failure_lines(summary: &str, failures: &[String], view: &str) -> Vec<String> {
    let mut lines = vec![format!("{summary}."), format!("{} failed:", failures.len())];
    lines.extend(failures.iter().take(FAILED_SHOWN).map(|f| format!("  {f}")));
    if failures.len() > FAILED_SHOWN {
        lines.push(format!(
            "  … and {} more (each is in the activity log: {view} in the Sync pane)",
            failures.len() - FAILED_SHOWN
        ));
    }
    lines
}

/// Hands the answer to a save to the form that sent it, if it is still open: success closes
/// it, failure shows why in it with the typed text kept. Nothing is sent again by itself.
fn settle_form(app: &mut App, contact_id: &str, resource: Resource, error: Option<String>) {
    let form = match &mut app.modal {
        Some(Modal::Discard(question)) => &mut question.form,
        Some(modal) => modal,
        None => return,
    };
    let worked = error.is_none();
    match form {
        Modal::Task(form)
            if resource == Resource::Tasks && form.saving && form.contact_id == contact_id =>
        {
            form.settle(error);
        }
        Modal::Note(form)
            if resource == Resource::Notes && form.saving && form.contact_id == contact_id =>
        {
            form.settle(error);
        }
        Modal::Field(form)
            if resource == Resource::Contact && form.saving && form.contact.id == contact_id =>
        {
            form.settle(error);
        }
        _ => return,
    }
    if worked {
        app.modal = None;
    }
}

fn on_failed(app: &mut App, what: &str, error: &str) {
    let text = format!("{what} failed: {error}");
    app.toast(Level::Error, text.clone());
    app.log(Level::Error, text);
    app.status.last_error = Some(error.to_string());
    if what == LOADING_CONTACTS {
        app.contacts.error = Some(error.to_string());
    }
    fail_loading(app);
}

/// Loads that were waiting show the failure instead of a spinner forever.
fn fail_loading(app: &mut App) {
    let message = app.status.last_error.clone().unwrap_or_default();
    if matches!(app.tasks.load, Load::Loading) {
        app.tasks.load = Load::Failed(message.clone());
    }
    if matches!(app.notes.load, Load::Loading) {
        app.notes.load = Load::Failed(message.clone());
    }
    if matches!(app.appointments.load, Load::Loading) {
        app.appointments.load = Load::Failed(message.clone());
    }
    if app.detail_preview == Some(crate::tui::app::Preview::Loading) {
        app.detail_preview = Some(crate::tui::app::Preview::Failed(message));
    }
    app.contacts.loading = false;
}

fn on_exchange(app: &mut App, exchange: Arc<Exchange>) {
    let status = exchange
        .status
        .map_or_else(|| "no response".to_string(), |s| s.to_string());
    let retry = if exchange.attempt > 1 {
        format!(" (try {})", exchange.attempt)
    } else {
        String::new()
    };
    let millis = exchange.elapsed.as_millis();
    let line = format!(
        "{} {} → {status} in {millis} ms{retry}",
        exchange.method,
        exchange.path()
    );
    let level = match exchange.status {
        Some(429) => Level::Warn,
        Some(s) if s < 400 => Level::Info,
        _ => Level::Error,
    };
    app.log(level, line);
    if exchange.status == Some(429) {
        app.log(
            Level::Warn,
            "Rate limited: the client waits before trying again.",
        );
    }
    app.status.record(exchange.status);
    if exchange.is_success() {
        app.status.last_error = None;
    } else if let Some(error) = &exchange.error {
        app.status.last_error = Some(error.clone());
    }
    if app.inspector.exchanges.len() >= MAX_EXCHANGES {
        app.inspector.exchanges.pop_front();
    }
    app.inspector.exchanges.push_back(exchange);
    app.inspector.cursor.keep_under_new_row();
}
