//! The one registry of actions: every key, the `?` help, the `:` palette and the hint bar read
//! it, so they cannot drift apart.

use super::app::Pane;

/// Something the operator can ask for, whatever key or palette entry triggered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Palette,
    NextPane,
    PrevPane,
    Inspect,
    Yank,
    Refresh,
    Undo,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Open,
    Back,
    Filter,
    Sort,
    Mark,
    ContactEdit,
    TagAdd,
    TagRemove,
    TaskToggle,
    TaskNew,
    TaskEdit,
    TaskDelete,
    NoteNew,
    NoteEdit,
    NoteDelete,
    Search,
    NextMatch,
    PrevMatch,
    Fold,
    FoldAll,
    Save,
    CopyCurl,
    BodySide,
    ScrollRight,
    ScrollLeft,
    LineStart,
    SyncRun,
    SyncFull,
    SyncCancel,
    SyncLevel,
    SyncEntity,
    SyncView,
    LocationSwitch,
}

/// Where an action applies: everywhere, or only in the listed panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any pane.
    Global,
    /// Only these panes.
    Panes(&'static [Pane]),
}

/// One entry of the registry.
#[derive(Debug, Clone, Copy)]
pub struct ActionSpec {
    /// What the action is.
    pub action: Action,
    /// The stable name used in the config's key remapping and in the palette.
    pub id: &'static str,
    /// What it does, for help and the palette.
    pub description: &'static str,
    /// The keys bound to it unless the config says otherwise.
    pub default_keys: &'static [&'static str],
    /// Whether it writes to GHL, which read-only mode refuses.
    pub changes_data: bool,
    /// Where it applies.
    pub scope: Scope,
    /// Whether the hint bar shows it.
    pub hint: bool,
}

const LISTS: &[Pane] = &[
    Pane::Contacts,
    Pane::Detail,
    Pane::Tasks,
    Pane::Notes,
    Pane::Appointments,
    Pane::Inspector,
    Pane::Log,
];
const CONTACTS: &[Pane] = &[Pane::Contacts];
const TASKS: &[Pane] = &[Pane::Tasks];
const NOTES: &[Pane] = &[Pane::Notes];
const INSPECTOR: &[Pane] = &[Pane::Inspector];
const SYNC: &[Pane] = &[Pane::Log];
const DETAIL: &[Pane] = &[Pane::Detail];
const TAGGABLE: &[Pane] = &[Pane::Contacts, Pane::Detail];
const NOT_INSPECTOR: &[Pane] = &[
    Pane::Contacts,
    Pane::Detail,
    Pane::Tasks,
    Pane::Notes,
    Pane::Appointments,
    Pane::Log,
];

const fn spec(
    action: Action,
    id: &'static str,
    description: &'static str,
    default_keys: &'static [&'static str],
    scope: Scope,
) -> ActionSpec {
    ActionSpec {
        action,
        id,
        description,
        default_keys,
        changes_data: false,
        scope,
        hint: true,
    }
}

const fn writes(mut spec: ActionSpec) -> ActionSpec {
    spec.changes_data = true;
    spec
}

const fn quiet(mut spec: ActionSpec) -> ActionSpec {
    spec.hint = false;
    spec
}

/// Every action, in the order help lists them.
pub const REGISTRY: &[ActionSpec] = &[
    spec(
        Action::Quit,
        "quit",
        "Quit the console",
        &["q", "ctrl-c"],
        Scope::Global,
    ),
    spec(
        Action::Help,
        "help",
        "Show keys and help",
        &["?", "f1"],
        Scope::Global,
    ),
    spec(
        Action::Palette,
        "palette",
        "Run an action by name",
        &[":"],
        Scope::Global,
    ),
    quiet(spec(
        Action::NextPane,
        "pane.next",
        "Focus the next pane",
        &["tab"],
        Scope::Global,
    )),
    quiet(spec(
        Action::PrevPane,
        "pane.prev",
        "Focus the previous pane",
        &["shift-tab"],
        Scope::Global,
    )),
    spec(
        Action::Inspect,
        "inspect",
        "Open the raw HTTP exchange behind this pane",
        &["i"],
        Scope::Panes(NOT_INSPECTOR),
    ),
    spec(
        Action::Yank,
        "yank",
        "Copy the selected value (OSC 52)",
        &["y"],
        Scope::Global,
    ),
    spec(
        Action::Refresh,
        "refresh",
        "Reload what this pane shows",
        &["ctrl-r"],
        Scope::Global,
    ),
    quiet(writes(spec(
        Action::Undo,
        "undo",
        "Undo the last task toggle (complete or reopen)",
        &["u"],
        Scope::Global,
    ))),
    quiet(spec(
        Action::Up,
        "move.up",
        "Move up",
        &["k", "up"],
        Scope::Panes(LISTS),
    )),
    quiet(spec(
        Action::Down,
        "move.down",
        "Move down",
        &["j", "down"],
        Scope::Panes(LISTS),
    )),
    quiet(spec(
        Action::Top,
        "move.top",
        "Go to the first row",
        &["g", "home"],
        Scope::Panes(LISTS),
    )),
    quiet(spec(
        Action::Bottom,
        "move.bottom",
        "Go to the last row",
        &["G", "end"],
        Scope::Panes(LISTS),
    )),
    quiet(spec(
        Action::PageUp,
        "move.page_up",
        "Page up",
        &["pgup"],
        Scope::Panes(LISTS),
    )),
    quiet(spec(
        Action::PageDown,
        "move.page_down",
        "Page down",
        &["pgdn"],
        Scope::Panes(LISTS),
    )),
    quiet(spec(
        Action::Open,
        "open",
        "Open the selection (Raw: list to body)",
        &["enter"],
        Scope::Global,
    )),
    quiet(spec(
        Action::Back,
        "back",
        "Close or clear; leave Raw or Sync (Raw: body to list)",
        &["esc"],
        Scope::Global,
    )),
    spec(
        Action::Filter,
        "contacts.filter",
        "Filter contacts as you type; Enter searches the server",
        &["/"],
        Scope::Panes(CONTACTS),
    ),
    spec(
        Action::Sort,
        "contacts.sort",
        "Sort by name or last update",
        &["o"],
        Scope::Panes(CONTACTS),
    ),
    spec(
        Action::Mark,
        "contacts.mark",
        "Mark for a bulk tag change",
        &["space"],
        Scope::Panes(CONTACTS),
    ),
    writes(spec(
        Action::ContactEdit,
        "contact.edit",
        "Edit the selected field; only it is sent",
        &["e"],
        Scope::Panes(DETAIL),
    )),
    writes(spec(
        Action::TagAdd,
        "tags.add",
        "Add a tag to the contact (or the marked ones)",
        &["t"],
        Scope::Panes(TAGGABLE),
    )),
    writes(spec(
        Action::TagRemove,
        "tags.remove",
        "Remove a tag from the contact (or the marked ones)",
        &["T"],
        Scope::Panes(TAGGABLE),
    )),
    writes(spec(
        Action::TaskToggle,
        "task.toggle",
        "Complete or reopen the task",
        &["x"],
        Scope::Panes(TASKS),
    )),
    writes(spec(
        Action::TaskNew,
        "task.new",
        "New task",
        &["n"],
        Scope::Panes(TASKS),
    )),
    writes(spec(
        Action::TaskEdit,
        "task.edit",
        "Edit the task",
        &["e"],
        Scope::Panes(TASKS),
    )),
    writes(spec(
        Action::TaskDelete,
        "task.delete",
        "Delete the task",
        &["d"],
        Scope::Panes(TASKS),
    )),
    writes(spec(
        Action::NoteNew,
        "note.new",
        "New note",
        &["n"],
        Scope::Panes(NOTES),
    )),
    writes(spec(
        Action::NoteEdit,
        "note.edit",
        "Edit the note",
        &["e"],
        Scope::Panes(NOTES),
    )),
    writes(spec(
        Action::NoteDelete,
        "note.delete",
        "Delete the note",
        &["d"],
        Scope::Panes(NOTES),
    )),
    spec(
        Action::Search,
        "raw.search",
        "Search the body",
        &["/"],
        Scope::Panes(INSPECTOR),
    ),
    spec(
        Action::NextMatch,
        "raw.next",
        "Next match",
        &["n"],
        Scope::Panes(INSPECTOR),
    ),
    quiet(spec(
        Action::PrevMatch,
        "raw.prev",
        "Previous match",
        &["N"],
        Scope::Panes(INSPECTOR),
    )),
    spec(
        Action::Fold,
        "raw.fold",
        "Fold or unfold here",
        &["f"],
        Scope::Panes(INSPECTOR),
    ),
    quiet(spec(
        Action::FoldAll,
        "raw.fold_all",
        "Fold or unfold all",
        &["F"],
        Scope::Panes(INSPECTOR),
    )),
    spec(
        Action::Save,
        "raw.save",
        "Save the exchange to a file",
        &["s"],
        Scope::Panes(INSPECTOR),
    ),
    spec(
        Action::CopyCurl,
        "raw.curl",
        "Copy as curl (OSC 52)",
        &["c"],
        Scope::Panes(INSPECTOR),
    ),
    // Quiet: the viewer's title names its key, and the hint bar at 80 columns is full.
    quiet(spec(
        Action::BodySide,
        "raw.body",
        "Show the request body or the response body in the viewer (search, fold)",
        &["b"],
        Scope::Panes(INSPECTOR),
    )),
    spec(
        Action::ScrollRight,
        "raw.right",
        "Scroll the exchange right, to read the lines cut at its edge",
        &["l", "right"],
        Scope::Panes(INSPECTOR),
    ),
    quiet(spec(
        Action::ScrollLeft,
        "raw.left",
        "Scroll the exchange back left",
        &["h", "left"],
        Scope::Panes(INSPECTOR),
    )),
    quiet(spec(
        Action::LineStart,
        "raw.line_start",
        "Scroll the exchange back to the start of its lines",
        &["0"],
        Scope::Panes(INSPECTOR),
    )),
    quiet(spec(
        Action::SyncRun,
        "sync.run",
        "Sync GHL changes into Rankr (reads GHL only, so read-only mode allows it)",
        &["s"],
        Scope::Global,
    )),
    quiet(spec(
        Action::SyncFull,
        "sync.full",
        "Full sync into Rankr: walk every contact (reads GHL only; read-only mode allows it)",
        &["S"],
        Scope::Global,
    )),
    spec(
        Action::SyncCancel,
        "sync.cancel",
        "Cancel the running sync (what it committed stays)",
        &["c"],
        Scope::Panes(SYNC),
    ),
    spec(
        Action::SyncLevel,
        "sync.level",
        "Sync log: cycle the lowest level shown",
        &["l"],
        Scope::Panes(SYNC),
    ),
    spec(
        Action::SyncEntity,
        "sync.entity",
        "Sync log: cycle the entity shown",
        &["e"],
        Scope::Panes(SYNC),
    ),
    spec(
        Action::SyncView,
        "sync.view",
        "Show the sync log or the console's activity",
        &["v"],
        Scope::Panes(SYNC),
    ),
    quiet(spec(
        Action::LocationSwitch,
        "location.switch",
        "Switch to another location",
        &["L"],
        Scope::Global,
    )),
];

/// The registry entry of an action.
pub fn spec_of(action: Action) -> &'static ActionSpec {
    REGISTRY
        .iter()
        .find(|s| s.action == action)
        .unwrap_or(&REGISTRY[0])
}

/// The registry entry with this id.
pub fn by_id(id: &str) -> Option<&'static ActionSpec> {
    REGISTRY.iter().find(|s| s.id == id)
}

impl ActionSpec {
    /// Whether the action applies in this pane.
    pub fn applies_to(&self, pane: Pane) -> bool {
        match self.scope {
            Scope::Global => true,
            Scope::Panes(panes) => panes.contains(&pane),
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every remapping the README and config.example.toml show names an action that exists
    /// (`"task.complete"` was shown while the action is `task.toggle`).
    #[test]
    fn documented_key_remaps_name_real_actions() {
        let docs = [
            include_str!("../../README.md"),
            include_str!("../../config.example.toml"),
        ];
        let mut seen = 0;
        for doc in docs {
            for (at, _) in doc.match_indices("\" = ") {
                let Some(start) = doc[..at].rfind('"') else {
                    continue;
                };
                let id = &doc[start + 1..at];
                let value = doc[at + 4..].trim_start();
                let remap = value.starts_with('[') || value.starts_with('"');
                if remap && id.contains('.') || ["quit", "help", "palette"].contains(&id) {
                    seen += 1;
                    assert!(
                        super::by_id(id).is_some(),
                        "unknown action {id:?} in the docs"
                    );
                }
            }
        }
        assert!(seen >= 2, "the docs show remappings");
    }

    use super::*;

    #[test]
    fn ids_are_unique_and_every_action_is_registered_once() {
        for spec in REGISTRY {
            assert_eq!(
                REGISTRY.iter().filter(|s| s.id == spec.id).count(),
                1,
                "{}",
                spec.id
            );
            let same = REGISTRY.iter().filter(|s| s.action == spec.action).count();
            assert_eq!(same, 1, "{:?}", spec.action);
        }
    }

    #[test]
    fn spec_of_finds_each_action() {
        for spec in REGISTRY {
            assert_eq!(spec_of(spec.action).id, spec.id);
        }
    }
}
