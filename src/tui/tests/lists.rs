//! Lists that change under the cursor: re-sorts after a write, a refresh that fails, and a
//! listing that no longer has the selected contact.

use super::{Fixture, notes};
use crate::tui::update::Effect;
use crate::worker::messages::{Command, Event, Loaded};

fn toggles(f: &mut Fixture) -> Vec<(String, bool)> {
    f.sent
        .drain(..)
        .filter_map(|e| match e {
            Effect::Send(Command::CompleteTask {
                task_id, completed, ..
            }) => Some((task_id, completed)),
            _ => None,
        })
        .collect()
}

fn completed(f: &mut Fixture, task_id: &str, done: bool) {
    f.event(Event::Completed {
        contact_id: "c1".into(),
        task_id: task_id.into(),
        completed: done,
        exchange_id: 9,
    });
}

#[test]
fn a_second_toggle_reopens_the_same_task() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "x"]);
    assert_eq!(toggles(&mut f), [("t1".to_string(), true)]);
    completed(&mut f, "t1", true);
    f.keys(&["x"]);
    assert_eq!(toggles(&mut f), [("t1".to_string(), false)]);

    // The reload, in the server's order, keeps the cursor on the task too.
    let mut tasks = super::tasks();
    for task in &mut tasks {
        task.completed = task.id != "t2";
    }
    let seq = f.app.seq;
    f.event(Event::Loaded {
        seq,
        contact_id: "c1".into(),
        value: Loaded::Tasks(tasks),
        exchange_id: 10,
    });
    f.keys(&["x"]);
    assert_eq!(toggles(&mut f), [("t1".to_string(), false)]);
}

#[test]
fn the_cursor_follows_a_note_that_moves_after_a_pin() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "tab", "G"]);
    let selected = |f: &Fixture| {
        let notes = f.app.notes.ready().unwrap();
        notes[f.app.notes.cursor.selected].id.clone()
    };
    assert_eq!(selected(&f), "n1");
    let mut pinned = notes();
    for note in &mut pinned {
        note.pinned |= note.id == "n1";
    }
    let seq = f.app.seq;
    f.event(Event::Loaded {
        seq,
        contact_id: "c1".into(),
        value: Loaded::Notes(pinned),
        exchange_id: 11,
    });
    assert_eq!(selected(&f), "n1");
    assert_eq!(f.app.notes.cursor.selected, 0);
}

#[test]
fn a_failed_refresh_keeps_the_rows_loaded_so_far() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["j", "ctrl-r"]);
    assert!(
        f.sent
            .iter()
            .any(|e| matches!(e, Effect::Send(Command::Search { generation: 2, .. })))
    );
    f.event(Event::Failed {
        what: "Loading contacts".into(),
        error: "the server did not answer: connection refused".into(),
    });
    let screen = f.render();
    assert!(screen.contains("Contacts 6/6"), "{screen}");
    assert!(screen.contains("(stale)"), "{screen}");
    assert!(screen.contains("Ada Lovelace"), "{screen}");
    assert!(!screen.contains("No contacts."), "{screen}");
    assert!(screen.contains("connection refused"), "{screen}");
    assert_eq!(f.app.current_contact_id(), Some("c2"));

    // A page of an older listing changes nothing; the new listing's first page replaces
    // the rows and keeps the selected contact selected.
    f.event(page(1, &super::contacts()[4..5]));
    assert_eq!(f.app.contacts.len(), 6);
    f.event(page(2, &super::contacts()[1..3]));
    assert_eq!(f.app.contacts.len(), 2);
    assert!(!f.render().contains("(stale)"));
    assert_eq!(f.app.current_contact_id(), Some("c2"));
}

fn page(generation: u64, contacts: &[crate::ghl::models::Contact]) -> Event {
    Event::Page {
        generation,
        total: contacts.len() as u64,
        contacts: super::rows(contacts),
        more: false,
        exchange_id: 12,
    }
}

#[test]
fn a_search_without_results_clears_the_detail_panes() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["/"]);
    f.type_text("nobody");
    f.keys(&["enter"]);
    f.event(page(2, &[]));
    assert_eq!(f.app.current_contact_id(), None);
    f.sent.clear();
    f.keys(&["tab", "tab"]);
    let screen = f.render();
    assert!(screen.contains("No contacts."), "{screen}");
    assert!(!screen.contains("Follow up"), "{screen}");
    f.keys(&["x", "e", "d", "n", "t"]);
    assert!(
        !f.sent.iter().any(|e| matches!(e, Effect::Send(_))),
        "{:?}",
        f.sent
    );
    assert!(f.app.modal.is_none());
    assert!(f.render().contains("No contact selected."));
    f.keys(&["tab"]);
    assert!(!f.render().contains("Pinned: prefers email"));
}

#[test]
fn loads_for_a_contact_no_longer_listed_are_dropped() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["/"]);
    f.type_text("nobody");
    f.keys(&["enter"]);
    assert_eq!(f.app.current_contact_id(), Some("c1"));
    let seq = f.app.seq;
    f.event(page(2, &[]));
    f.event(Event::Loaded {
        seq,
        contact_id: "c1".into(),
        value: Loaded::Tasks(super::tasks()),
        exchange_id: 13,
    });
    assert!(f.app.tasks.ready().is_none());
}

#[test]
fn the_store_copy_is_marked_until_ghl_replaces_it() {
    let mut f = super::Fixture::empty(120, 24);
    let stored: Vec<_> = super::rows(&super::contacts())
        .into_iter()
        .map(|row| crate::worker::messages::ContactRow {
            stored: true,
            ..row
        })
        .collect();
    f.event(Event::StoredPage {
        generation: 1,
        contacts: stored.clone(),
        total: 6,
        synced_at: Some("2026-03-01T10:00:00.000Z".into()),
        more: false,
    });
    let screen = f.render();
    assert!(screen.contains("FROM STORE (synced 2h ago)"), "{screen}");
    assert!(screen.contains("(6 from the store)"), "{screen}");
    assert!(screen.contains("Ada Lovelace"), "{screen}");

    f.event(Event::Page {
        generation: 1,
        contacts: super::rows(&super::contacts()[..2]),
        total: 6,
        more: true,
        exchange_id: 12,
    });
    let screen = f.render();
    assert!(screen.contains("(4 from the store)"), "{screen}");

    f.event(Event::StoredPage {
        generation: 1,
        contacts: stored,
        total: 6,
        synced_at: None,
        more: false,
    });
    assert!(f.render().contains("FROM STORE (never synced)"));
}

/// The store held more contacts than GHL (some gone since the last sync), and the title said
/// `Contacts 500/300 … (400 from the store)`. The count never exceeds the total: the rows are
/// counted, and GHL's own count is said beside the store's rows until they give way.
#[test]
fn the_contact_count_never_exceeds_the_total_when_the_store_holds_more() {
    use crate::worker::messages::ContactRow;
    let mut f = Fixture::empty(160, 48);
    let row = |n: usize| ContactRow {
        id: format!("s{n}"),
        name: format!("Stored {n}"),
        stored: true,
        ..ContactRow::default()
    };
    f.event(Event::StoredPage {
        generation: 1,
        contacts: (0..5).map(row).collect(),
        total: 5,
        synced_at: Some("2026-03-01T10:00:00.000Z".into()),
        more: false,
    });
    let screen = f.render();
    assert!(
        screen.contains("Contacts 5/5 by updated (5 from the store)"),
        "{screen}"
    );
    let live = ContactRow {
        stored: false,
        ..row(0)
    };
    f.event(Event::Page {
        generation: 1,
        contacts: vec![live],
        total: 3,
        more: true,
        exchange_id: 1,
    });
    let screen = f.render();
    assert!(
        screen.contains("Contacts 5/5 by updated (4 from the store; GHL has 3)"),
        "{screen}"
    );
    assert!(!screen.contains("5/3"), "{screen}");

    // GHL's listing ends: the store's rows it did not send leave, and GHL's count is the total.
    let rest = (1..3)
        .map(|n| ContactRow {
            stored: false,
            ..row(n)
        })
        .collect();
    f.event(Event::Page {
        generation: 1,
        contacts: rest,
        total: 3,
        more: false,
        exchange_id: 2,
    });
    let screen = f.render();
    assert!(screen.contains("Contacts 3/3 by updated"), "{screen}");
    assert!(!screen.contains("from the store"), "{screen}");
}

#[test]
fn a_terminal_that_grows_shows_the_contacts_above_the_window() {
    use crate::tui::update::{Msg, update};
    let mut f = Fixture::empty(80, 24);
    let base = super::contacts();
    let many: Vec<crate::ghl::models::Contact> = (0..100)
        .map(|i| crate::ghl::models::Contact {
            id: format!("id{i}"),
            first_name: Some(format!("Row{i:03}")),
            ..base[0].clone()
        })
        .collect();
    f.event(page(1, &many));
    f.keys(&["j"; 25]);
    let screen = f.render();
    assert!(!screen.contains("Row000"), "scrolled at 80x24: {screen}");
    assert!(screen.contains("Row025"));

    let fx = update(&mut f.app, Msg::Resize(200, 60));
    f.sent.extend(fx);
    let screen = f.render();
    assert!(
        screen.contains("Row000"),
        "every row down to the selection fits: {screen}"
    );
    assert!(screen.contains("Row025"));
    assert_eq!(f.app.contacts.cursor.offset, 0);
}

/// A listing refused (401) leaves the Contacts pane saying why, not "No contacts."; a
/// refresh that fails over loaded rows keeps them and says they were not refreshed.
#[test]
fn a_failed_listing_shows_its_error_in_the_contacts_pane() {
    use crate::worker::messages::LOADING_CONTACTS;
    let refused = "unauthorized (401): Invalid JWT";
    let mut f = Fixture::empty(80, 24);
    f.event(Event::Failed {
        what: LOADING_CONTACTS.to_string(),
        error: refused.to_string(),
    });
    assert_eq!(f.app.contacts.error.as_deref(), Some(refused));
    let screen = f.render();
    // Wrapped in the pane's width: the whole reason can be read.
    assert!(screen.contains("Could not load contacts:"), "{screen}");
    assert!(
        screen.contains("unauthorized (401): Invalid JWT"),
        "{screen}"
    );
    assert!(!screen.contains("No contacts."), "{screen}");
    assert!(
        !screen.contains("(stale)"),
        "nothing was loaded to be stale: {screen}"
    );

    // Another failure (a task load) is not the listing's.
    let mut f = Fixture::empty(80, 24);
    f.event(Event::Failed {
        what: "Loading Tasks".to_string(),
        error: refused.to_string(),
    });
    assert_eq!(f.app.contacts.error, None);

    // Loaded rows stay over a failed refresh, marked as not refreshed.
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["ctrl-r"]);
    f.event(Event::Failed {
        what: LOADING_CONTACTS.to_string(),
        error: refused.to_string(),
    });
    let screen = f.render();
    assert!(screen.contains("Ada"), "{screen}");
    assert!(screen.contains("not refreshed: unauthorized"), "{screen}");
}

/// A completed task's details read "(overdue 3 d)": a done task is never overdue. Its due
/// date stays, with how long ago it was; an open task's passed date still says overdue.
#[test]
fn a_done_task_is_never_overdue() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab"]);
    let screen = f.render();
    assert!(
        screen.contains("(overdue 2 d)"),
        "the open one is: {screen}"
    );
    f.keys(&["j", "j"]);
    let screen = f.render();
    assert!(screen.contains("Send contract"), "{screen}");
    assert!(screen.contains("Status    done"), "{screen}");
    assert!(screen.contains("2026-02-26 09:00 (3 d ago)"), "{screen}");
    assert!(!screen.contains("overdue"), "{screen}");
}
