//! The one place state changes: `update(app, msg)` applies a key, a mouse event, a tick or a
//! worker event and returns the effects the run loop carries out (commands for the worker,
//! clipboard writes, quitting). Nothing here awaits.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent};

use crate::worker::messages::{Command, Event};

use super::actions::Action;
use super::app::{App, Pane};
use super::filter_task::{FilterJob, Filtered};
use super::forms::Modal;
use super::forms::field_form::FieldOutcome;
use super::forms::help::HelpOutcome;
use super::forms::location_picker::PickerOutcome;
use super::forms::note_form::NoteOutcome;
use super::forms::palette::PaletteOutcome;
use super::forms::tag_input::TagOutcome;
use super::forms::task_form::TaskOutcome;
use super::forms::{Confirm, DiscardQuestion, Message};
use super::keymap::Key;

/// Something that happened, for `update` to apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// The mouse clicked or scrolled.
    Mouse(MouseEvent),
    /// Text was pasted (bracketed paste).
    Paste(String),
    /// The terminal changed size.
    Resize(u16, u16),
    /// Time passed.
    Tick(DateTime<Utc>),
    /// The worker answered.
    Worker(Event),
    /// The filter thread answered.
    Filtered(Filtered),
}

/// What the run loop does on the state's behalf.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Hands a command to the worker.
    Send(Command),
    /// Hands a pass to the filter thread.
    Filter(FilterJob),
    /// Copies text to the clipboard (OSC 52).
    Copy(String),
    /// Ends the console.
    Quit,
}

/// The effects of one update.
pub type Effects = Vec<Effect>;

/// The effects of opening the console: the first page of contacts, and the location's custom
/// fields and users.
pub fn start(app: &mut App) -> Effects {
    let mut fx = Effects::new();
    super::perform::search(app, app.contacts.query.clone(), &mut fx);
    fx.push(Effect::Send(Command::LoadDirectory));
    fx
}

/// Applies a message to the state and returns what to do about it.
pub fn update(app: &mut App, msg: Msg) -> Effects {
    let mut fx = Effects::new();
    let hidden = super::view::too_small(app.size);
    let (focus, toasts) = (app.focus, app.toasts_shown);
    match msg {
        Msg::Key(key) if hidden => on_hidden_key(app, key, &mut fx),
        Msg::Mouse(_) | Msg::Paste(_) if hidden => {}
        Msg::Key(key) => on_key(app, key, &mut fx),
        Msg::Mouse(mouse) => super::mouse::on_mouse(app, mouse, &mut fx),
        Msg::Paste(text) => on_paste(app, &text),
        Msg::Filtered(done) => {
            app.contacts.apply_filtered(done);
        }
        Msg::Resize(width, height) => app.size = (width, height),
        Msg::Tick(now) => on_tick(app, now),
        Msg::Worker(event) => super::events::on_event(app, event, &mut fx),
    }
    // A toast goes with the pane it was shown in: one from before the focus moved (a copy
    // made in Raw, a completion in Tasks) would read as about the pane now shown. A toast the
    // move itself raised stays.
    if app.focus != focus && app.toasts_shown == toasts {
        app.toast = None;
    }
    if let Some(job) = app.contacts.take_filter_job() {
        fx.push(Effect::Filter(job));
    }
    super::perform::follow_selection(app, &mut fx);
    if app.quit && !fx.contains(&Effect::Quit) {
        fx.push(Effect::Quit);
    }
    fx
}

fn on_tick(app: &mut App, now: DateTime<Utc>) {
    app.clock.now = now;
    app.status.ticks = app.status.ticks.wrapping_add(1);
    if app.toast.as_ref().is_some_and(|t| t.until <= now) {
        app.toast = None;
    }
    if app.undo.as_ref().is_some_and(|u| u.until <= now) {
        app.undo = None;
    }
}

fn on_paste(app: &mut App, text: &str) {
    // Terminals paste line breaks as CR (or CRLF); the editors split lines on LF only.
    let text = &text.replace("\r\n", "\n").replace('\r', "\n");
    match &mut app.modal {
        Some(Modal::Task(form)) => form.paste(text),
        Some(Modal::Note(form)) => form.paste(text),
        Some(Modal::Field(form)) => form.input.paste(text),
        Some(Modal::Tags(input)) => input.input.paste(text),
        Some(Modal::Palette(palette)) => palette.input.paste(text),
        Some(Modal::Help(help)) => help.search.paste(text),
        Some(Modal::Locations(picker)) => picker.input.paste(text),
        None if app.contacts.editing_filter => {
            let mut text_now = app.contacts.filter.clone();
            text_now.extend(text.chars().map(|c| if c.is_control() { ' ' } else { c }));
            app.contacts.set_filter(text_now);
        }
        None if app.inspector.body.searching => app.inspector.body.search.paste(text),
        Some(Modal::Confirm(_) | Modal::Message(_) | Modal::Discard(_)) | None => {}
    }
}

/// A key while the terminal is too small to show the panes: only quitting works, so nothing
/// acts on a list or a form the operator cannot see.
fn on_hidden_key(app: &mut App, key: KeyEvent, fx: &mut Effects) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if let Some(Modal::Discard(_)) = &app.modal
        && !is_ctrl_c(key)
    {
        if let Some(modal) = app.modal.take() {
            on_modal_key(app, modal, key, fx);
        }
        return;
    }
    if is_ctrl_c(key) || app.keymap.lookup(app.focus, Key::from_event(key)) == Some(Action::Quit) {
        request_quit(app);
    }
}

fn is_ctrl_c(key: KeyEvent) -> bool {
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// Quits, unless a form holds unsaved text: then it asks first, and a second Ctrl-C while it
/// asks quits. Asked whether to close a form, a quit asks whether to quit instead.
pub fn request_quit(app: &mut App) {
    match app.modal.take() {
        Some(Modal::Discard(question)) if question.quit => app.quit = true,
        Some(Modal::Discard(question)) => {
            let question = DiscardQuestion::quitting(question.form);
            app.modal = Some(Modal::Discard(Box::new(question)));
        }
        Some(form) if form.has_unsaved_changes() => {
            let question = DiscardQuestion::quitting(form);
            app.modal = Some(Modal::Discard(Box::new(question)));
        }
        other => {
            app.modal = other;
            app.quit = true;
        }
    }
}

fn on_key(app: &mut App, key: KeyEvent, fx: &mut Effects) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if is_ctrl_c(key) {
        request_quit(app);
        return;
    }
    if let Some(modal) = app.modal.take() {
        on_modal_key(app, modal, key, fx);
        return;
    }
    if app.focus == Pane::Contacts && app.contacts.editing_filter {
        super::perform::filter_key(app, key, fx);
        return;
    }
    if app.focus == Pane::Inspector && app.inspector.body.searching {
        app.inspector.body.search_key(key);
        return;
    }
    if let Some(action) = app.keymap.lookup(app.focus, Key::from_event(key)) {
        super::perform::perform(app, action, fx);
    }
}

fn on_modal_key(app: &mut App, modal: Modal, key: KeyEvent, fx: &mut Effects) {
    let keep = match modal {
        Modal::Confirm(confirm) => on_confirm(app, confirm, key, fx),
        Modal::Task(mut form) => match form.handle(key, &app.clock) {
            TaskOutcome::Editing => Some(Modal::Task(form)),
            TaskOutcome::Cancelled => close(Modal::Task(form)),
            TaskOutcome::Save(command) => {
                form.saving = true;
                fx.push(Effect::Send(command));
                Some(Modal::Task(form))
            }
        },
        Modal::Note(mut form) => match form.handle(key) {
            NoteOutcome::Editing => Some(Modal::Note(form)),
            NoteOutcome::Cancelled => close(Modal::Note(form)),
            NoteOutcome::Save(command) => {
                form.saving = true;
                fx.push(Effect::Send(command));
                Some(Modal::Note(form))
            }
        },
        Modal::Field(mut form) => match form.handle(key) {
            FieldOutcome::Editing => Some(Modal::Field(form)),
            FieldOutcome::Cancelled => close(Modal::Field(form)),
            FieldOutcome::Unchanged => {
                app.toast(
                    super::app::Level::Info,
                    "Nothing changed: nothing was sent.",
                );
                None
            }
            FieldOutcome::Save(command) => {
                form.saving = true;
                fx.push(Effect::Send(command));
                Some(Modal::Field(form))
            }
        },
        Modal::Tags(mut input) => match input.handle(key) {
            TagOutcome::Editing => Some(Modal::Tags(input)),
            TagOutcome::Cancelled => close(Modal::Tags(input)),
            TagOutcome::Apply(command) => {
                app.contacts.marked.clear();
                send(fx, command)
            }
        },
        Modal::Palette(mut palette) => match palette.handle(key) {
            PaletteOutcome::Choosing => Some(Modal::Palette(palette)),
            PaletteOutcome::Cancelled => None,
            PaletteOutcome::Run(action) => {
                super::perform::perform(app, action, fx);
                return;
            }
        },
        // The key that opens help closes it while nothing is searched, as remapped.
        Modal::Help(_)
            if app
                .keymap
                .keys_of(super::actions::Action::Help)
                .contains(&Key::from_event(key))
                && matches!(&modal, Modal::Help(help) if help.search.text().is_empty()) =>
        {
            None
        }
        Modal::Help(mut help) => match help.handle(key) {
            HelpOutcome::Open => Some(Modal::Help(help)),
            HelpOutcome::Closed => None,
        },
        Modal::Message(_) => None,
        Modal::Locations(mut picker) => match picker.handle(key) {
            PickerOutcome::Choosing => Some(Modal::Locations(picker)),
            PickerOutcome::Cancelled => None,
            PickerOutcome::Switch(id)
                if app.sync.running.is_some() && id != app.settings.location =>
            {
                // Switching ends the running sync: say so and let the operator choose.
                let question = format!(
                    "A sync is running. Switching to {id} cancels it (the next run resumes). Switch?"
                );
                let on_yes = Command::SwitchLocation { location_id: id };
                Some(Modal::Confirm(Confirm { question, on_yes }))
            }
            PickerOutcome::Switch(id) => {
                super::location::switch_to(app, id, fx);
                None
            }
        },
        Modal::Discard(question) => match DiscardQuestion::answer(key) {
            Some(true) => {
                app.quit = question.quit;
                None
            }
            Some(false) => Some(question.form),
            None => Some(Modal::Discard(question)),
        },
    };
    app.modal = keep;
}

/// Closes a form the operator left with Esc, asking first when it holds unsaved text.
fn close(form: Modal) -> Option<Modal> {
    if form.has_unsaved_changes() {
        Some(Modal::Discard(Box::new(DiscardQuestion::closing(form))))
    } else {
        None
    }
}

fn on_confirm(app: &mut App, confirm: Confirm, key: KeyEvent, fx: &mut Effects) -> Option<Modal> {
    match Confirm::answer(key) {
        None => Some(Modal::Confirm(confirm)),
        Some(false) => {
            let said = match confirm.on_yes {
                Command::SwitchLocation { .. } => "Cancelled: the sync goes on here.",
                _ => "Cancelled: nothing was deleted.",
            };
            app.toast(super::app::Level::Info, said);
            None
        }
        Some(true) => match confirm.on_yes {
            Command::SwitchLocation { location_id } => {
                super::location::switch_to(app, location_id, fx);
                None
            }
            command => send(fx, command),
        },
    }
}

fn send(fx: &mut Effects, command: Command) -> Option<Modal> {
    fx.push(Effect::Send(command));
    None
}

/// Brings derived state up to date before a frame: list scroll windows and the inspector's
/// body.
pub fn after(app: &mut App) {
    super::view::sync_scroll(app);
    let request_side = app.inspector.body.side == super::raw_body::BodySide::Request;
    let selected = app.selected_exchange().map(|e| {
        let body = if request_side {
            e.request_body
                .clone()
                .unwrap_or_else(|| "(this request sent no body)".into())
        } else {
            e.response_body.clone().unwrap_or_default()
        };
        (e.id, body)
    });
    if let Some((id, body)) = selected {
        app.inspector.body.show(id, &body);
    }
}

/// Shows a message that stays until a key is pressed.
pub fn show_message(app: &mut App, title: &str, lines: Vec<String>) {
    app.modal = Some(Modal::Message(Message {
        title: title.to_string(),
        lines,
    }));
}
