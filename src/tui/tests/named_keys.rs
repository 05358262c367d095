//! Text that names a key names the key bound to the action after the config's remapping, or
//! the action's palette entry when the remapping left it none.

use std::collections::HashMap;

use super::Fixture;
use crate::tui::keymap::Keymap;
use crate::tui::update::{Msg, update};
use crate::worker::messages::{Event, Loaded};

/// A loaded console at 80x24 with `[ui.keys]` remapped as given.
fn remapped(width: u16, height: u16, keys: &[(&str, &[&str])]) -> Fixture {
    let mut f = Fixture::loaded(width, height);
    let remap: HashMap<String, Vec<String>> = keys
        .iter()
        .map(|(id, keys)| {
            (
                (*id).to_string(),
                keys.iter().map(|k| (*k).to_string()).collect(),
            )
        })
        .collect();
    f.app.settings.keys = remap.clone();
    f.app.keymap = Keymap::new(&remap).0;
    f
}

/// `contacts.sort = "s"` takes `s` from `sync.run`: the Sync pane said "s syncs" all the same.
#[test]
fn the_sync_pane_names_the_keys_as_mapped() {
    let mut f = remapped(120, 30, &[]);
    f.keys(&["shift-tab"]);
    let screen = f.render();
    assert!(
        screen.contains("No sync yet: s syncs the changes (full the first time), S runs a full"),
        "{screen}"
    );
    assert!(screen.contains("s sync · S full · c cancel"), "{screen}");

    let mut f = remapped(
        120,
        30,
        &[
            ("contacts.sort", &["s"]),
            ("sync.full", &["F"]),
            ("open", &["o"]),
        ],
    );
    f.keys(&["shift-tab"]);
    let screen = f.render();
    assert!(
        screen.contains(
            "No sync yet: :sync.run syncs the changes (full the first time), F runs a full sync."
        ),
        "{screen}"
    );
    assert!(
        screen.contains(":sync.run sync · F full · c cancel · o opens the line"),
        "{screen}"
    );
}

/// Toasts and messages that name a key: the undo, a second sync, an uneditable row, the tag
/// change summary, the tags row, a long note's pager and the too-small screen.
#[test]
fn toasts_and_messages_name_the_keys_as_mapped() {
    let mut f = remapped(
        80,
        24,
        &[
            ("undo", &["ctrl-z"]),
            ("sync.cancel", &["ctrl-x"]),
            ("sync.view", &["V"]),
            ("tags.add", &["+"]),
            ("tags.remove", &[]),
            ("open", &["ctrl-o"]),
            ("quit", &["ctrl-q"]),
        ],
    );
    f.event(Event::Completed {
        contact_id: "c1".into(),
        task_id: "t1".into(),
        completed: true,
        exchange_id: 9,
    });
    assert!(f.render().contains("Task completed. Press ctrl-z to undo."));

    f.keys(&["s"]);
    f.event(Event::SyncStarted {
        mode: crate::sync::SyncMode::Auto,
    });
    f.keys(&["s"]);
    let screen = f.render();
    assert!(
        screen.contains("A sync is already running (ctrl-x in the Sync pane cancels)."),
        "{screen}"
    );

    // The Detail pane's first row (the name) can be edited; the DND rows cannot.
    f.keys(&["tab", "G", "e"]);
    let screen = f.render();
    assert!(screen.contains("(tags: + and :tags.remove;"), "{screen}");

    let failed: Vec<(String, String)> = (0..13)
        .map(|i| (format!("x{i}"), "not found (404)".to_string()))
        .collect();
    f.event(Event::Tagged {
        add: true,
        tags: vec!["vip".into()],
        succeeded: Vec::new(),
        failed,
    });
    let screen = f.render();
    assert!(
        screen.contains("activity log: V in the Sync pane"),
        "{screen}"
    );
    f.keys(&["esc"]);

    let mut bare = crate::ghl::models::Contact::clone(&super::full_contact());
    bare.tags.clear();
    f.load(Loaded::Contact(Box::new(bare)), 11);
    assert!(f.render().contains("none (+ adds one)"), "{}", f.render());
    f.app.settings.read_only = true;
    let screen = f.render();
    assert!(
        !screen.contains("adds one"),
        "read-only adds no tag: {screen}"
    );

    let body: Vec<String> = (1..=30).map(|n| format!("line {n}")).collect();
    let long: Vec<crate::ghl::models::Note> = serde_json::from_value(serde_json::json!([
        {"id": "n9", "body": body.join("\n"), "dateAdded": "2026-02-01T10:00:00Z"}
    ]))
    .unwrap();
    f.load(Loaded::Notes(long), 12);
    f.keys(&["tab", "tab"]);
    assert!(
        f.render().contains("Text (ctrl-o: next page)"),
        "{}",
        f.render()
    );

    let fx = update(&mut f.app, Msg::Resize(50, 8));
    f.sent.extend(fx);
    assert!(
        f.render().contains("press ctrl-q to quit"),
        "{}",
        f.render()
    );
}

/// Help closes on the key that opens it as remapped; `?`, no longer help's, is searched for.
#[test]
fn help_closes_on_its_own_key_as_mapped() {
    use crate::tui::forms::Modal;
    let mut f = remapped(80, 24, &[("help", &["f1"])]);
    f.keys(&["f1"]);
    assert!(matches!(f.app.modal, Some(Modal::Help(_))));
    f.keys(&["?"]);
    let Some(Modal::Help(help)) = &f.app.modal else {
        panic!("`?` is not help's key now: it searches");
    };
    assert_eq!(help.search.text(), "?");
    f.keys(&["backspace", "f1"]);
    assert!(f.app.modal.is_none(), "f1 closes help");

    // With the default keys, `?` opens and closes it.
    let mut f = remapped(80, 24, &[]);
    f.keys(&["?"]);
    assert!(matches!(f.app.modal, Some(Modal::Help(_))));
    f.keys(&["?"]);
    assert!(f.app.modal.is_none());
}
