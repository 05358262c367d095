//! Key-driven flows against in-memory data: which commands the keys produce, and what the
//! answers do to the state.

use super::{Fixture, contacts, now};
use crate::ghl::models::Contact;
use crate::tui::app::Pane;
use crate::tui::update::Effect;
use crate::worker::messages::{Command, ContactSort, Event, Resource};

fn commands(fixture: &mut Fixture) -> Vec<Command> {
    fixture
        .sent
        .drain(..)
        .filter_map(|e| match e {
            Effect::Send(command) => Some(command),
            _ => None,
        })
        .collect()
}

#[test]
fn complete_then_undo_sends_the_opposite() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "x"]);
    let sent = commands(&mut f);
    assert_eq!(
        sent,
        vec![Command::CompleteTask {
            contact_id: "c1".into(),
            task_id: "t1".into(),
            completed: true
        }]
    );
    f.event(Event::Completed {
        contact_id: "c1".into(),
        task_id: "t1".into(),
        completed: true,
        exchange_id: 9,
    });
    assert!(f.render().contains("Press u to undo"));
    commands(&mut f);
    f.keys(&["u"]);
    assert_eq!(
        commands(&mut f),
        vec![Command::CompleteTask {
            contact_id: "c1".into(),
            task_id: "t1".into(),
            completed: false
        }]
    );
    // Until the answer comes the status line says the undo is under way, then what happened;
    // never the completion's "Press u to undo" again.
    let screen = f.render();
    assert!(
        screen.contains("Undoing: reopening \"Call back about invoice\""),
        "{screen}"
    );
    assert!(!screen.contains("Press u to undo"), "{screen}");
    f.event(Event::Completed {
        contact_id: "c1".into(),
        task_id: "t1".into(),
        completed: false,
        exchange_id: 10,
    });
    let screen = f.render();
    assert!(
        screen.contains("Undone: \"Call back about invoice\" is open again."),
        "the task is named, not its contact (it is the one shown): {screen}"
    );
    assert!(!screen.contains("Task completed"), "{screen}");
    assert!(!screen.contains("Press u to undo"), "{screen}");
    commands(&mut f);
    f.keys(&["u"]);
    assert!(commands(&mut f).is_empty(), "nothing left to undo");
}

/// `u` pressed after moving to another contact names the task and whose it is.
#[test]
fn undo_from_another_contact_names_the_task_and_its_contact() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "x"]);
    f.event(Event::Completed {
        contact_id: "c1".into(),
        task_id: "t1".into(),
        completed: true,
        exchange_id: 9,
    });
    f.keys(&["shift-tab", "shift-tab", "j"]);
    assert_eq!(
        f.app.current_contact_id(),
        Some("c2"),
        "another contact shown"
    );
    commands(&mut f);
    f.keys(&["u"]);
    assert_eq!(
        commands(&mut f),
        vec![Command::CompleteTask {
            contact_id: "c1".into(),
            task_id: "t1".into(),
            completed: false
        }]
    );
    f.event(Event::Completed {
        contact_id: "c1".into(),
        task_id: "t1".into(),
        completed: false,
        exchange_id: 10,
    });
    let toast = f.app.toast.as_ref().map(|t| t.text.clone());
    assert_eq!(
        toast.as_deref(),
        Some("Undone: \"Call back about invoice\" is open again (Ada Lovelace).")
    );
}

#[test]
fn new_task_with_a_multi_line_body() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "n"]);
    f.type_text("Call Ada");
    f.keys(&["tab"]);
    f.type_text("first line");
    f.keys(&["enter"]);
    f.type_text("second line");
    f.keys(&["ctrl-s"]);
    let sent = commands(&mut f);
    let [Command::CreateTask { contact_id, task }] = sent.as_slice() else {
        panic!("expected one create, got {sent:?}");
    };
    assert_eq!(contact_id, "c1");
    assert_eq!(task.title, "Call Ada");
    assert_eq!(task.body.as_deref(), Some("first line\nsecond line"));
    assert_eq!(task.due_date, "2026-03-02T09:00:00Z");
    assert!(f.app.modal.is_some(), "open until the answer comes");
    f.event(Event::Written {
        contact_id: "c1".into(),
        resource: Resource::Tasks,
        message: "Task created.".into(),
        exchange_id: 8,
        unread: None,
    });
    assert!(f.app.modal.is_none());
}

#[test]
fn edit_resends_title_and_due_date() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "j", "e"]);
    f.type_text(" soon");
    f.keys(&["ctrl-s"]);
    let sent = commands(&mut f);
    let [
        Command::UpdateTask {
            task_id, update, ..
        },
    ] = sent.as_slice()
    else {
        panic!("expected one update, got {sent:?}");
    };
    assert_eq!(task_id, "t2");
    assert_eq!(update.title.as_deref(), Some("Follow up soon"));
    assert_eq!(update.due_date.as_deref(), Some("2026-03-04T15:30:00Z"));
    assert_eq!(update.completed, None);
}

#[test]
fn a_bad_due_date_keeps_the_form_open() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "n"]);
    f.type_text("Title");
    f.keys(&["tab", "tab", "ctrl-u"]);
    f.type_text("someday");
    f.keys(&["ctrl-s"]);
    assert!(commands(&mut f).is_empty());
    assert!(f.app.modal.is_some());
}

#[test]
fn delete_asks_and_defaults_to_no() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "d", "enter"]);
    assert!(commands(&mut f).is_empty());
    f.keys(&["d", "n"]);
    assert!(commands(&mut f).is_empty());
    f.keys(&["d", "y"]);
    assert_eq!(
        commands(&mut f),
        vec![Command::DeleteTask {
            contact_id: "c1".into(),
            task_id: "t1".into()
        }]
    );
}

#[test]
fn note_written_and_deleted() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "tab", "n"]);
    f.type_text("Met at the fair");
    f.keys(&["enter"]);
    f.type_text("Wants a demo");
    f.keys(&["ctrl-s"]);
    let sent = commands(&mut f);
    let [Command::CreateNote { note, .. }] = sent.as_slice() else {
        panic!("expected a note, got {sent:?}");
    };
    assert_eq!(note.body, "Met at the fair\nWants a demo");
    f.event(Event::Written {
        contact_id: "c1".into(),
        resource: Resource::Notes,
        message: "Note added.".into(),
        exchange_id: 8,
        unread: None,
    });
    assert!(f.app.modal.is_none());
    commands(&mut f);
    f.keys(&["d", "y"]);
    assert_eq!(
        commands(&mut f),
        vec![Command::DeleteNote {
            contact_id: "c1".into(),
            note_id: "n2".into()
        }]
    );
}

#[test]
fn bulk_tags_go_to_every_marked_contact_and_report_failures() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["space", "space", "t"]);
    f.type_text("news");
    f.keys(&["tab", "enter"]);
    let sent: Vec<Command> = commands(&mut f)
        .into_iter()
        .filter(|c| matches!(c, Command::ChangeTags { .. }))
        .collect();
    assert_eq!(
        sent,
        vec![Command::ChangeTags {
            contact_ids: vec!["c1".into(), "c2".into()],
            tags: vec!["newsletter".into()],
            add: true
        }]
    );
    f.event(Event::Tagged {
        add: true,
        tags: vec!["newsletter".into()],
        succeeded: vec!["c1".into()],
        failed: vec![("c2".into(), "not found (404)".into())],
    });
    let screen = f.render();
    assert!(screen.contains("1 failed"), "{screen}");
    assert!(
        screen.contains("José Ñúñez (c2): not found (404)"),
        "{screen}"
    );
    assert!(screen.contains("any key closes"), "a message, not a toast");
    let logged = f.app.log.lines.iter().any(|l| {
        l.text
            .contains("Tag change failed for José Ñúñez (c2): not found (404)")
    });
    assert!(logged, "each failure is in the activity log");
    assert!(
        f.app.contacts.items[1]
            .tags
            .iter()
            .all(|t| t != "newsletter")
    );
}

#[test]
fn tag_removal_counts_contacts_that_had_none_of_the_tags() {
    let mut f = Fixture::loaded(80, 24);
    f.event(Event::Tagged {
        add: false,
        tags: vec!["vip".into()],
        succeeded: vec!["c1".into(), "c2".into(), "c3".into()],
        failed: Vec::new(),
    });
    let toast = f.app.toast.as_ref().map(|t| t.text.clone());
    assert_eq!(
        toast.as_deref(),
        Some("Tags vip removed from 1 contact(s); 2 had none of them.")
    );
    assert!(f.app.contacts.items[0].tags.iter().all(|t| t != "vip"));
    assert!(f.app.modal.is_none(), "nothing failed: no dialog");
}

#[test]
fn read_only_refuses_writes_and_hides_them() {
    let mut f = Fixture::loaded(80, 24);
    f.app.settings.read_only = true;
    f.keys(&["tab", "tab", "x", "n", "d"]);
    assert!(commands(&mut f).is_empty());
    assert!(f.app.modal.is_none());
    let screen = f.render();
    assert!(screen.contains("Read-only mode"));
    assert!(screen.contains("READ-ONLY"));
    assert!(!crate::tui::view::hint_text(&f.app).contains("toggle"));
}

#[test]
fn stale_loads_are_dropped() {
    let mut f = Fixture::loaded(80, 24);
    let old = f.app.seq;
    f.keys(&["j"]);
    assert_ne!(f.app.seq, old);
    f.event(Event::Loaded {
        seq: old,
        contact_id: "c1".into(),
        value: crate::worker::messages::Loaded::Contact(Box::new(super::full_contact())),
        exchange_id: 2,
    });
    assert_eq!(f.app.current_contact_id(), Some("c2"));
    let shown = f.app.detail.ready().map(|c| c.id.clone());
    assert_eq!(shown.as_deref(), Some("c2"));
}

#[test]
fn next_page_is_asked_for_near_the_end_only() {
    let mut f = Fixture::empty(80, 24);
    let many: Vec<Contact> = (0..200)
        .map(|i| Contact {
            id: format!("id{i}"),
            ..contacts()[0].clone()
        })
        .collect();
    f.event(Event::Page {
        generation: 1,
        contacts: super::rows(&many),
        total: 100_000,
        more: true,
        exchange_id: 1,
    });
    let pages = |f: &mut Fixture| {
        commands(f)
            .into_iter()
            .filter(|c| matches!(c, Command::NextPage { .. }))
            .count()
    };
    assert_eq!(pages(&mut f), 0);
    f.keys(&["pgdn"; 6]);
    assert_eq!(pages(&mut f), 0);
    f.keys(&["pgdn"; 2]);
    assert_eq!(pages(&mut f), 1);
    f.keys(&["j"]);
    assert_eq!(pages(&mut f), 0, "one page at a time");
}

#[test]
fn server_search_on_enter_and_sort_toggle() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["/"]);
    f.type_text("ada");
    f.keys(&["enter", "o"]);
    let searches: Vec<Command> = commands(&mut f)
        .into_iter()
        .filter(|c| matches!(c, Command::Search { .. }))
        .collect();
    // The search, then the same search again in name order: GHL sorts.
    assert_eq!(
        searches,
        [
            Command::Search {
                generation: 2,
                query: Some("ada".into()),
                sort: ContactSort::Updated
            },
            Command::Search {
                generation: 3,
                query: Some("ada".into()),
                sort: ContactSort::Name
            }
        ]
    );
    assert_eq!(f.app.contacts.sort, ContactSort::Name);
}

#[test]
fn tab_leaves_the_filter_input_for_the_next_pane_at_once() {
    use crate::tui::app::Pane;
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["/"]);
    f.type_text("jose");
    f.keys(&["tab"]);
    assert_eq!(f.app.focus, Pane::Detail);
    assert!(!f.app.contacts.editing_filter);
    assert_eq!(f.app.contacts.filter, "jose", "the filter stays");
    assert_eq!(f.app.contacts.len(), 1);

    f.keys(&["shift-tab", "/", "shift-tab"]);
    assert_eq!(f.app.focus, Pane::Log, "shift-tab goes the other way");
    assert!(!f.app.contacts.editing_filter);
}

#[test]
fn esc_from_the_filter_keeps_the_selected_contact_in_the_full_list() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["/"]);
    f.type_text("zoe");
    assert_eq!(f.app.contacts.selected().map(|c| c.id.as_str()), Some("c6"));
    f.keys(&["esc"]);
    assert!(f.app.contacts.filter.is_empty());
    assert_eq!(f.app.contacts.len(), 6, "the full list");
    assert_eq!(f.app.contacts.selected().map(|c| c.id.as_str()), Some("c6"));
    assert_eq!(f.app.current_contact_id(), Some("c6"));

    // Emptied by Backspace, the filter keeps the selection too.
    f.keys(&["/"]);
    f.type_text("jo");
    f.keys(&["backspace", "backspace"]);
    assert_eq!(f.app.contacts.selected().map(|c| c.id.as_str()), Some("c2"));
}

#[test]
fn inspect_selects_the_exchange_behind_the_pane() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "i"]);
    assert_eq!(f.app.focus, Pane::Inspector);
    assert_eq!(f.app.selected_exchange().map(|e| e.id), Some(2));
}

#[test]
fn yank_copies_the_selected_value() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "j", "j", "j", "y"]);
    assert!(f.sent.contains(&Effect::Copy("ada@example.test".into())));
}

#[test]
fn a_failure_is_a_toast_and_a_log_line_not_an_exit() {
    let mut f = Fixture::loaded(80, 24);
    f.event(Event::Failed {
        what: "Task saved".into(),
        error: "unprocessable (422): title is required".into(),
    });
    assert!(!f.app.quit);
    assert!(f.render().contains("title is required"));
    assert!(f.app.log.lines.iter().any(|l| l.text.contains("422")));
}

#[test]
fn writes_reload_what_they_touched() {
    let mut f = Fixture::loaded(80, 24);
    f.event(Event::Written {
        contact_id: "c1".into(),
        resource: Resource::Notes,
        message: "Note added.".into(),
        exchange_id: 7,
        unread: None,
    });
    let sent = commands(&mut f);
    assert!(sent.contains(&Command::Load {
        seq: f.app.seq,
        resource: Resource::Notes,
        contact_id: "c1".into()
    }));
    assert_eq!(f.app.clock.now, now());
}

#[test]
fn sort_asks_ghl_for_the_order_and_shows_its_pages_as_they_come() {
    let mut f = Fixture::loaded(80, 24);
    let before: Vec<String> = (0..f.app.contacts.len())
        .filter_map(|row| f.app.contacts.at(row).map(|c| c.id.clone()))
        .collect();
    f.keys(&["o"]);
    let sent = commands(&mut f);
    let Some(Command::Search {
        generation,
        query: None,
        sort: ContactSort::Name,
    }) = sent
        .iter()
        .find(|c| matches!(c, Command::Search { .. }))
        .cloned()
    else {
        panic!("no search by name in {sent:?}");
    };
    // Until GHL answers, the rows stay as they were.
    let still: Vec<String> = (0..f.app.contacts.len())
        .filter_map(|row| f.app.contacts.at(row).map(|c| c.id.clone()))
        .collect();
    assert_eq!(still, before);
    assert!(f.render().contains("name"), "the pane says the order");

    // GHL's pages are shown in GHL's order, the later ones after the earlier ones.
    let mut contacts = super::contacts();
    contacts.reverse();
    let rows = super::rows(&contacts);
    let total = rows.len() as u64;
    f.event(Event::Page {
        generation,
        contacts: rows[..3].to_vec(),
        total,
        more: true,
        exchange_id: 20,
    });
    f.event(Event::Page {
        generation,
        contacts: rows[3..].to_vec(),
        total,
        more: false,
        exchange_id: 21,
    });
    let shown: Vec<String> = (0..f.app.contacts.len())
        .filter_map(|row| f.app.contacts.at(row).map(|c| c.id.clone()))
        .collect();
    let wanted: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(shown, wanted);

    f.keys(&["o"]);
    assert!(commands(&mut f).iter().any(|c| matches!(
        c,
        Command::Search {
            sort: ContactSort::Updated,
            ..
        }
    )));
}

#[test]
fn inspector_searches_and_folds_the_body() {
    let mut f = Fixture::loaded(80, 24);
    f.event(Event::Exchange(super::exchange(
        3,
        "GET",
        "/contacts/c1/tasks",
        200,
        r#"{"tasks":[{"id":"t1","title":"Call back"},{"id":"t2","title":"Later"}]}"#,
    )));
    f.keys(&["shift-tab", "shift-tab", "/"]);
    f.type_text("title");
    f.keys(&["enter"]);
    assert!(f.render().contains("/title 1/2"));
    f.keys(&["n"]);
    assert!(f.render().contains("/title 2/2"));
    f.keys(&["F"]);
    assert!(!f.render().contains("Later"), "folded");
    f.keys(&["F"]);
    assert!(f.render().contains("Later"), "unfolded");
}

#[test]
fn a_hundred_thousand_contacts_render_only_what_shows() {
    let mut f = Fixture::empty(160, 48);
    let base = contacts();
    let many: Vec<Contact> = (0..100_000)
        .map(|i| Contact {
            id: format!("id{i}"),
            ..base[i % base.len()].clone()
        })
        .collect();
    f.event(Event::Page {
        generation: 1,
        contacts: super::rows(&many),
        total: 100_000,
        more: false,
        exchange_id: 1,
    });
    let started = std::time::Instant::now();
    f.keys(&["G"]);
    let screen = f.render();
    let frame = started.elapsed();
    assert!(screen.contains("100000/100000"));
    f.keys(&["/"]);
    let started = std::time::Instant::now();
    f.type_text("jose");
    let filtered = started.elapsed();
    assert_eq!(f.app.contacts.len(), 100_000 / base.len() + 1);
    println!("frame at the end of 100k: {frame:?}; typing a 4-letter filter: {filtered:?}");
}

#[test]
fn another_exchange_drops_the_raw_search() {
    let mut f = Fixture::loaded(80, 24);
    for id in [3, 4] {
        f.event(Event::Exchange(super::exchange(
            id,
            "GET",
            "/contacts/c1/tasks",
            200,
            r#"{"tasks":[{"id":"t1","title":"Call back","tags":["a"]}]}"#,
        )));
    }
    f.keys(&["shift-tab", "shift-tab", "/"]);
    f.type_text("tags");
    f.keys(&["enter"]);
    assert!(f.render().contains("/tags 1/1"));
    // The list takes the keys again, and the older exchange is selected.
    f.keys(&["enter", "j"]);
    assert_eq!(f.app.selected_exchange().map(|e| e.id), Some(3));
    let screen = f.render();
    assert!(!screen.contains("/tags"), "{screen}");
    assert_eq!(f.app.inspector.body.search.text(), "");
    assert_eq!(f.app.inspector.body.match_count(), None);
}

#[test]
fn a_second_search_starts_a_new_query() {
    let mut f = Fixture::loaded(80, 24);
    f.event(Event::Exchange(super::exchange(
        3,
        "GET",
        "/contacts/c1/tasks",
        200,
        r#"{"meta":{"total":2},"tasks":[{"id":"t1","title":"Call back"}]}"#,
    )));
    f.keys(&["shift-tab", "shift-tab", "/"]);
    f.type_text("meta");
    f.keys(&["enter", "/"]);
    f.type_text("total");
    f.keys(&["enter"]);
    assert_eq!(f.app.inspector.body.search.text(), "total");
    assert!(f.render().contains("/total 1/1"));
}

#[test]
fn a_click_on_a_tab_in_the_header_focuses_its_pane() {
    use crate::tui::app::Pane;
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut f = super::Fixture::loaded(160, 48);
    for pane in Pane::ALL.into_iter().rev() {
        let screen = f.render();
        let header = screen.lines().next().unwrap();
        // The tab's title, found on the drawn header: the click lands on what the user sees.
        let title = format!(" {} ", pane.title());
        let byte = header.find(&title).unwrap();
        let column = crate::tui::text::width(&header[..byte]) + 2;
        let click = MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: u16::try_from(column).unwrap(),
            row: 0,
            modifiers: KeyModifiers::NONE,
        };
        let fx = crate::tui::update::update(&mut f.app, crate::tui::update::Msg::Mouse(click));
        f.sent.extend(fx);
        assert_eq!(f.app.focus, pane, "clicked {title:?} at column {column}");
    }
}

#[test]
fn esc_from_the_inspector_goes_back_where_it_was_opened() {
    use crate::tui::app::Pane;
    let mut f = Fixture::loaded(120, 40);
    f.keys(&["tab", "tab"]);
    assert_eq!(f.app.focus, Pane::Tasks);
    f.keys(&["i"]);
    assert_eq!(f.app.focus, Pane::Inspector);
    f.keys(&["esc"]);
    assert_eq!(f.app.focus, Pane::Tasks, "back to the tasks");
    // Opened from the contacts, it goes back to the contacts.
    f.keys(&["shift-tab", "shift-tab", "i", "esc"]);
    assert_eq!(f.app.focus, Pane::Contacts);
}

#[test]
fn the_status_bar_tells_auth_failure_and_server_errors_from_online() {
    use crate::tui::app::Connection;

    let mut f = Fixture::loaded(80, 24);
    assert_eq!(f.app.status.connection, Connection::Online);
    for id in 10..13 {
        f.event(Event::Exchange(super::exchange(
            id,
            "GET",
            "/contacts/c1",
            401,
            "{}",
        )));
    }
    assert_eq!(f.app.status.connection, Connection::Unauthorized);
    let screen = f.render();
    assert!(screen.contains("AUTH FAILED (401)"), "{screen}");
    assert!(!screen.contains("online"), "{screen}");

    f.event(Event::Exchange(super::exchange(
        13,
        "GET",
        "/contacts/c1",
        200,
        "{}",
    )));
    assert_eq!(f.app.status.connection, Connection::Online, "a success");

    f.event(Event::Exchange(super::exchange(
        14,
        "GET",
        "/contacts/c1",
        503,
        "{}",
    )));
    assert_eq!(
        f.app.status.connection,
        Connection::Online,
        "one error is not a trend"
    );
    for id in 15..17 {
        f.event(Event::Exchange(super::exchange(
            id,
            "GET",
            "/contacts/c1",
            502,
            "{}",
        )));
    }
    assert_eq!(f.app.status.connection, Connection::Failing);
    assert!(f.render().contains("SERVER ERRORS"));
    f.event(Event::Exchange(super::exchange(
        17,
        "GET",
        "/contacts/c1",
        429,
        "{}",
    )));
    assert_eq!(
        f.app.status.connection,
        Connection::Failing,
        "429 changes nothing"
    );
    f.event(Event::Exchange(super::exchange(
        18,
        "GET",
        "/contacts/c1",
        404,
        "{}",
    )));
    assert_eq!(
        f.app.status.connection,
        Connection::Online,
        "the server answered"
    );
}

#[test]
fn detail_leaves_out_ghls_lower_case_copies_but_shows_other_fields() {
    let f = Fixture::loaded(80, 24);
    let mut contact = contacts().remove(0);
    for (key, value) in [
        ("firstNameLowerCase", "ada"),
        ("emailLowerCase", "ada@example.test"),
        ("companyName", "Analytical Engines"),
    ] {
        contact
            .extra
            .insert(key.into(), serde_json::Value::String(value.into()));
    }
    let rows = crate::tui::panes::detail::rows(&contact, &f.app);
    let labels: Vec<&str> = rows.iter().map(|(label, _)| label.as_str()).collect();
    assert!(labels.contains(&"companyName"), "{labels:?}");
    assert!(
        !labels.iter().any(|l| l.ends_with("LowerCase")),
        "{labels:?}"
    );
}

#[test]
fn enter_on_a_short_note_keeps_its_text() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "tab"]);
    assert!(f.render().contains("Never call before 10."));
    for _ in 0..3 {
        f.keys(&["enter"]);
        let screen = f.render();
        assert!(screen.contains("│Pinned: prefers email"), "{screen}");
        assert!(screen.contains("│Never call before 10."), "{screen}");
    }
}

#[test]
fn enter_pages_through_a_long_note_then_back_to_its_top() {
    let mut f = Fixture::loaded(80, 24);
    let body: Vec<String> = (1..=30).map(|n| format!("line {n}")).collect();
    let long: Vec<crate::ghl::models::Note> = serde_json::from_value(serde_json::json!([
        {"id": "n9", "body": body.join("\n"), "pinned": true, "dateAdded": "2026-02-01T10:00:00Z"}
    ]))
    .unwrap();
    f.load(crate::worker::messages::Loaded::Notes(long), 9);
    f.keys(&["tab", "tab", "tab"]);
    let shows = |screen: &str, n: usize| screen.contains(&format!("│line {n} "));
    let screen = f.render();
    assert!(screen.contains("enter: next page"), "{screen}");
    assert!(shows(&screen, 1), "{screen}");
    let mut seen_last = false;
    for _ in 0..10 {
        f.keys(&["enter"]);
        let screen = f.render();
        let first = (1..=30).find(|n| shows(&screen, *n));
        let Some(first) = first else {
            panic!("the text box went blank:\n{screen}");
        };
        if first == 1 {
            assert!(
                seen_last,
                "back to the top only after the last page:\n{screen}"
            );
            return;
        }
        // A page never leaves the box part-empty: the last line is at its bottom at most.
        let visible = (1..=30).filter(|n| shows(&screen, *n)).count();
        assert!(visible >= 5, "{screen}");
        seen_last |= shows(&screen, 30);
    }
    panic!("Enter never went back to the top");
}

/// Tab and Shift-Tab go through every pane in the tab bar's order and back to the first,
/// whether or not a contact is selected.
#[test]
fn tab_cycles_through_every_pane_with_and_without_a_contact() {
    for mut f in [Fixture::empty(80, 24), Fixture::loaded(80, 24)] {
        let selected = f.app.contacts.selected().is_some();
        let mut seen = vec![f.app.focus];
        for _ in 0..Pane::ALL.len() {
            f.keys(&["tab"]);
            seen.push(f.app.focus);
        }
        let mut cycle = Pane::ALL.to_vec();
        cycle.push(Pane::Contacts);
        assert_eq!(seen, cycle, "tab, contact selected: {selected}");
        let mut seen = vec![f.app.focus];
        for _ in 0..Pane::ALL.len() {
            f.keys(&["shift-tab"]);
            seen.push(f.app.focus);
        }
        cycle.reverse();
        assert_eq!(seen, cycle, "shift-tab, contact selected: {selected}");
    }
}

/// Esc in a side pane leaves the focus where it is: only Tab, Shift-Tab and clicks move it
/// (Raw and Sync, which hide the contacts, go back where they were opened from).
#[test]
fn esc_in_a_side_pane_keeps_the_focus() {
    let mut f = Fixture::loaded(80, 24);
    for (tabs, pane) in [
        (1, Pane::Detail),
        (2, Pane::Tasks),
        (3, Pane::Notes),
        (4, Pane::Appointments),
    ] {
        f.keys(&vec!["tab"; tabs]);
        assert_eq!(f.app.focus, pane);
        f.keys(&["esc"]);
        assert_eq!(f.app.focus, pane, "esc in {pane:?}");
        f.keys(&vec!["shift-tab"; tabs]);
        assert_eq!(f.app.focus, Pane::Contacts);
    }
    f.keys(&["tab", "tab", "tab", "tab", "tab", "tab"]);
    assert_eq!(f.app.focus, Pane::Log);
    f.keys(&["esc"]);
    assert_eq!(
        f.app.focus,
        Pane::Appointments,
        "Sync goes back where it came from"
    );
}

/// `G` on a list of 100 of 200 contacts selected row 100 and loaded the rest; a second `G`
/// was needed. It loads the rest and lands on the real last row; moving meanwhile stops it.
#[test]
fn g_to_the_end_of_a_partly_loaded_list_lands_on_the_last_row_once_it_is_all_there() {
    let mut f = Fixture::empty(80, 24);
    let many: Vec<Contact> = (0..300)
        .map(|i| Contact {
            id: format!("id{i}"),
            ..contacts()[0].clone()
        })
        .collect();
    let page = |from: usize, more: bool| Event::Page {
        generation: 1,
        contacts: super::rows(&many[from..from + 100]),
        total: 300,
        more,
        exchange_id: 1,
    };
    f.event(page(0, true));
    commands(&mut f);
    f.keys(&["G"]);
    assert_eq!(f.app.contacts.cursor.selected, 99);
    let asked = |f: &mut Fixture| {
        commands(f)
            .iter()
            .any(|c| matches!(c, Command::NextPage { generation: 1 }))
    };
    assert!(asked(&mut f), "the rest is asked for");
    f.event(page(100, true));
    assert_eq!(f.app.contacts.cursor.selected, 199);
    assert!(asked(&mut f), "and the page after it");
    f.event(page(200, false));
    assert_eq!(f.app.contacts.cursor.selected, 299, "the real last row");
    assert_eq!(f.app.contacts.end_for, None);

    // Moving while the pages come keeps the row moved to.
    let mut f = Fixture::empty(80, 24);
    f.event(page(0, true));
    f.keys(&["G", "k"]);
    f.event(page(100, true));
    assert_eq!(f.app.contacts.cursor.selected, 98);
}
