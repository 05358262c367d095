//! Switching location: the locations the console knows (the config's `[[locations]]` and, for
//! an agency login, the installed ones the worker lists), the picker, and what a switch does
//! to the state: the listing and the contact panes start over, and read-only follows the new
//! location's entry.

use crate::worker::messages::{Command, Event, LocationEntry};

use super::app::{App, Level, Pane};
use super::forms::Modal;
use super::forms::location_picker::{LocationPicker, PickerEntry};
use super::update::{Effect, Effects};

/// A `[[locations]]` entry of the config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownLocation {
    /// The location id.
    pub id: String,
    /// Its name, where the config gives one.
    pub name: String,
    /// Whether writes are refused there.
    pub read_only: bool,
}

/// The locations the console can switch to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocationState {
    /// The config's entries.
    pub known: Vec<KnownLocation>,
    /// The installed locations of an agency login, as the worker last listed them.
    pub installed: Vec<LocationEntry>,
    /// Read-only everywhere (the `--read-only` flag or `ui.read_only`); `None` takes it from
    /// the start-up state.
    pub base_read_only: Option<bool>,
    /// The location a switch was asked for, until the worker confirms it.
    pub switching: Option<String>,
}

impl LocationState {
    fn entry_read_only(&self, id: &str) -> bool {
        self.known.iter().any(|l| l.id == id && l.read_only)
    }

    /// What the picker offers: the config's entries, then installed ones not among them.
    pub fn entries(&self) -> Vec<PickerEntry> {
        let mut entries: Vec<PickerEntry> = self
            .known
            .iter()
            .map(|l| PickerEntry {
                id: l.id.clone(),
                name: l.name.clone(),
                read_only: l.read_only,
            })
            .collect();
        for found in &self.installed {
            if !entries.iter().any(|e| e.id == found.id) {
                entries.push(PickerEntry {
                    id: found.id.clone(),
                    name: found.name.clone(),
                    read_only: false,
                });
            }
        }
        entries
    }
}

/// Opens the picker and asks the worker for the installed locations.
pub fn open_picker(app: &mut App, fx: &mut Effects) {
    let picker = LocationPicker::new(app.locations.entries(), &app.settings.location);
    app.modal = Some(Modal::Locations(picker));
    fx.push(Effect::Send(Command::Locations));
}

/// Asks the worker to switch to `location_id`.
pub fn switch_to(app: &mut App, location_id: String, fx: &mut Effects) {
    if location_id == app.settings.location {
        app.toast(Level::Info, format!("Already in {location_id}."));
        return;
    }
    app.toast(Level::Info, format!("Switching to {location_id}…"));
    app.locations.switching = Some(location_id.clone());
    fx.push(Effect::Send(Command::SwitchLocation { location_id }));
}

/// Applies a location event from the worker.
pub fn on_event(app: &mut App, event: Event, fx: &mut Effects) {
    match event {
        Event::Locations { locations, error } => {
            app.locations.installed = locations;
            let entries = app.locations.entries();
            if let Some(Modal::Locations(picker)) = &mut app.modal {
                picker.set_entries(entries, error);
            } else if let Some(error) = error {
                app.log(Level::Warn, format!("Listing locations failed: {error}"));
            }
        }
        Event::Switched { location_id } => switched(app, &location_id, fx),
        _ => {}
    }
}

fn switched(app: &mut App, location_id: &str, fx: &mut Effects) {
    let base = app.locations.base_read_only.unwrap_or_else(|| {
        app.settings.read_only && !app.locations.entry_read_only(&app.settings.location)
    });
    app.locations.base_read_only = Some(base);
    app.locations.switching = None;
    app.settings.read_only = base || app.locations.entry_read_only(location_id);
    app.settings.location = location_id.to_string();
    super::sync_log::new_client(app);
    super::sync_log::switched(app, fx);

    app.seq += 1;
    app.detail.reset(None);
    app.detail_preview = None;
    app.tasks.reset(None);
    app.notes.reset(None);
    app.appointments.reset(None);
    app.note_scroll = 0;
    app.undo = None;
    app.contacts.clear();
    app.contacts.marked.clear();
    app.contacts.known_tags.clear();
    app.contacts.exchange_id = None;
    if !matches!(app.focus, Pane::Inspector | Pane::Log) {
        super::perform::focus(app, Pane::Contacts);
    }
    super::perform::search(app, None, fx);
    app.directory = super::directory::Directory::default();
    fx.push(Effect::Send(Command::LoadDirectory));

    let mode = if app.settings.read_only {
        " (read-only)"
    } else {
        ""
    };
    app.toast(Level::Info, format!("Now in location {location_id}{mode}."));
    app.log(
        Level::Info,
        format!("Switched to location {location_id}{mode}"),
    );
}
