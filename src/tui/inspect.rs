//! The inspector's actions and the yank: which exchange is behind a pane, copying values,
//! saving an exchange.

use crate::worker::messages::Command;

use super::app::{App, Level, Pane};
use super::perform::open_from_here;
use super::update::{Effect, Effects};

/// The exchange behind what the focused pane shows.
fn exchange_behind(app: &App) -> Option<u64> {
    match app.focus {
        Pane::Contacts => app.contacts.exchange_id,
        Pane::Detail => app.detail.exchange_id,
        Pane::Tasks => app.tasks.exchange_id,
        Pane::Notes => app.notes.exchange_id,
        Pane::Appointments => app.appointments.exchange_id,
        Pane::Inspector | Pane::Log => None,
    }
}

/// Opens the inspector on the exchange behind the focused pane.
pub fn inspect(app: &mut App) {
    let exchanges = &app.inspector.exchanges;
    let row = exchange_behind(app)
        .and_then(|id| exchanges.iter().rposition(|e| e.id == id))
        .map(|at| exchanges.len() - 1 - at);
    open_at(app, row);
}

/// Opens the inspector from another pane with the exchange list taking the movement keys
/// (whichever side had them when it was left), on the exchange `row` rows from the newest
/// when one is given.
pub fn open_at(app: &mut App, row: Option<usize>) {
    open_from_here(app, Pane::Inspector);
    app.inspector.body.focus_list();
    if let Some(row) = row {
        let len = app.inspector.exchanges.len();
        app.inspector.cursor.select(row, len);
    }
}

/// Copies the selected value of the focused pane.
pub fn yank(app: &mut App, fx: &mut Effects) {
    let Some((what, text)) = yank_text(app) else {
        app.toast(Level::Info, "Nothing to copy here.");
        return;
    };
    let what = format!("{what} ({} chars)", text.chars().count());
    copy(app, &what, text, fx);
}

/// Sends `text` to the clipboard with a toast that says what went and, inside tmux, the option
/// that must be on for it to arrive: the console cannot see whether it did.
fn copy(app: &mut App, what: &str, text: String, fx: &mut Effects) {
    let toast = if app.settings.in_tmux {
        format!("Sent {what} to the clipboard (tmux needs `set -g set-clipboard on`).")
    } else {
        format!("Sent {what} to the clipboard.")
    };
    app.toast(Level::Info, toast);
    fx.push(Effect::Copy(text));
}

fn to_json<T: serde::Serialize>(value: Option<&T>) -> Option<String> {
    value.and_then(|v| serde_json::to_string_pretty(v).ok())
}

fn yank_text(app: &App) -> Option<(String, String)> {
    let json = |text: Option<String>| text.map(|t| ("JSON".to_string(), t));
    match app.focus {
        Pane::Contacts => app
            .contacts
            .selected()
            .map(|c| ("id".to_string(), c.id.clone())),
        Pane::Detail => super::panes::detail::selected_row(app),
        Pane::Tasks => json(to_json(
            app.tasks
                .ready()
                .and_then(|t| t.get(app.tasks.cursor.selected)),
        )),
        Pane::Notes => json(to_json(
            app.notes
                .ready()
                .and_then(|n| n.get(app.notes.cursor.selected)),
        )),
        Pane::Appointments => {
            let list = app.appointments.ready();
            json(to_json(
                list.and_then(|a| a.get(app.appointments.cursor.selected)),
            ))
        }
        Pane::Inspector => app
            .selected_exchange()
            .and_then(|e| e.response_body.clone())
            .map(|b| ("response body".to_string(), b)),
        Pane::Log => {
            let lines = &app.log.lines;
            let at = lines.len().checked_sub(app.log.cursor.selected + 1)?;
            lines
                .get(at)
                .map(|l| ("log line".to_string(), l.text.clone()))
        }
    }
}

/// Copies the selected exchange as a curl command (the token stays `$GHL_TOKEN`).
pub fn copy_curl(app: &mut App, fx: &mut Effects) {
    let Some(curl) = app.selected_exchange().map(|e| e.to_curl()) else {
        return;
    };
    copy(app, "the request as curl", curl, fx);
}

/// Saves the selected exchange as JSON under the save directory. The file name comes from the
/// exchange's own counter, never from server data, so it cannot leave that directory.
pub fn save(app: &mut App, fx: &mut Effects) {
    let Some(exchange) = app.selected_exchange() else {
        return;
    };
    let Ok(contents) = serde_json::to_string_pretty(exchange.as_ref()) else {
        app.toast(Level::Error, "Could not serialise the exchange.");
        return;
    };
    // Only our own numbers and the clock name the file: nothing from the server.
    let stamp = app.clock.now.format("%Y%m%d-%H%M%S");
    let path = app
        .settings
        .save_dir
        .join(format!("ghl-exchange-{stamp}-{}.json", exchange.id));
    fx.push(Effect::Send(Command::SaveFile { path, contents }));
}
