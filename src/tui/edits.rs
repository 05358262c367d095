//! Opening the task and note forms and the delete questions.

use crate::worker::messages::Command;

use super::actions::Action;
use super::app::{App, Level};
use super::forms::{NoteForm, TaskForm};
use super::perform::{NO_CONTACT, ask, open_note_form, open_task_form};
use super::text::fit;

/// New, edit or delete on the tasks pane.
pub fn task(app: &mut App, action: Action) {
    let Some(contact_id) = app.tasks.contact_id.clone() else {
        app.toast(Level::Info, NO_CONTACT);
        return;
    };
    if action == Action::TaskNew {
        let form = TaskForm::create(contact_id).with_users(&app.directory);
        open_task_form(app, form);
        return;
    }
    let Some(task) = app
        .tasks
        .ready()
        .and_then(|t| t.get(app.tasks.cursor.selected))
        .cloned()
    else {
        app.toast(Level::Info, "No task selected.");
        return;
    };
    if action == Action::TaskEdit {
        let form = TaskForm::edit(contact_id, &task, &app.clock).with_users(&app.directory);
        open_task_form(app, form);
    } else {
        let title = task.title.as_deref().unwrap_or("(untitled)");
        let question = format!("Delete the task \"{}\"?", fit(title, 40).trim_end());
        let on_yes = Command::DeleteTask {
            contact_id,
            task_id: task.id,
        };
        ask(app, question, on_yes);
    }
}

/// New, edit or delete on the notes pane.
pub fn note(app: &mut App, action: Action) {
    let Some(contact_id) = app.notes.contact_id.clone() else {
        app.toast(Level::Info, NO_CONTACT);
        return;
    };
    if action == Action::NoteNew {
        open_note_form(app, NoteForm::new(contact_id, None, ""));
        return;
    }
    let Some(note) = app
        .notes
        .ready()
        .and_then(|n| n.get(app.notes.cursor.selected))
        .cloned()
    else {
        app.toast(Level::Info, "No note selected.");
        return;
    };
    let body = note.body.clone().unwrap_or_default();
    if action == Action::NoteEdit {
        open_note_form(app, NoteForm::new(contact_id, Some(note.id), &body));
    } else {
        let first = body.lines().next().unwrap_or("(empty)");
        let question = format!("Delete the note \"{}\"?", fit(first, 40).trim_end());
        let on_yes = Command::DeleteNote {
            contact_id,
            note_id: note.id,
        };
        ask(app, question, on_yes);
    }
}

/// Edit on the Detail pane: a form for the selected row's field, when the update endpoint
/// can write it.
pub fn contact_field(app: &mut App) {
    let Some(contact) = app.detail.ready().cloned() else {
        app.toast(Level::Info, NO_CONTACT);
        return;
    };
    // The list's row lacks most fields: a form opened on it would show a set field empty.
    match &app.detail_preview {
        Some(super::app::Preview::Loading) => {
            app.toast(
                Level::Info,
                "The contact is still loading; edit it once it is shown whole.",
            );
            return;
        }
        Some(super::app::Preview::Failed(_)) => {
            let reload = app.keymap.how(Action::Refresh);
            app.toast(
                Level::Warn,
                format!(
                    "The contact could not be loaded whole, so its fields are not known; reload \
                     it first ({reload})."
                ),
            );
            return;
        }
        None => {}
    }
    let Some((label, target)) = super::panes::detail::selected_target(app) else {
        let text = format!(
            "This row cannot be edited here (tags: {} and {}; names, email, phone, source, \
             timezone and custom fields can).",
            app.keymap.how(Action::TagAdd),
            app.keymap.how(Action::TagRemove)
        );
        app.toast(Level::Info, text);
        return;
    };
    let form = super::forms::FieldForm::new(contact, label, target);
    app.modal = Some(super::forms::Modal::Field(Box::new(form)));
}
