//! Whole-screen snapshots of every pane and dialog at 80x24 and 160x48, with a pinned clock.

use insta::assert_snapshot;

use super::{Fixture, exchange};
use crate::worker::messages::Event;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn each_size(name: &str, keys: &[&str]) {
    for (width, height) in SIZES {
        let mut fixture = Fixture::loaded(width, height);
        fixture.event(Event::Exchange(exchange(
            3,
            "GET",
            "/contacts/c1/tasks",
            200,
            r#"{"tasks":[{"id":"t1","title":"Call back"}]}"#,
        )));
        fixture.keys(keys);
        assert_snapshot!(format!("{name}_{width}x{height}"), fixture.render());
    }
}

#[test]
fn contacts_pane() {
    each_size("contacts", &[]);
}

#[test]
fn detail_pane() {
    each_size("detail", &["tab"]);
}

#[test]
fn tasks_pane() {
    each_size("tasks", &["tab", "tab"]);
}

#[test]
fn notes_pane() {
    each_size("notes", &["tab", "tab", "tab"]);
}

#[test]
fn appointments_pane() {
    each_size("appointments", &["tab", "tab", "tab", "tab"]);
}

#[test]
fn inspector_pane() {
    each_size("inspector", &["shift-tab", "shift-tab"]);
}

#[test]
fn inspector_with_the_body_focused() {
    each_size("inspector_body", &["shift-tab", "shift-tab", "enter"]);
}

#[test]
fn log_pane() {
    each_size("log", &["shift-tab", "v"]);
}

#[test]
fn help_dialog() {
    each_size("help", &["?"]);
}

#[test]
fn task_form() {
    each_size("task_form", &["tab", "tab", "n"]);
}

#[test]
fn delete_question() {
    each_size("delete_question", &["tab", "tab", "d"]);
}

#[test]
fn tag_input() {
    each_size("tag_input", &["space", "space", "k", "k", "t"]);
}

#[test]
fn palette() {
    each_size("palette", &[":"]);
}

#[test]
fn filter_as_you_type() {
    for (width, height) in SIZES {
        let mut fixture = Fixture::loaded(width, height);
        fixture.keys(&["/"]);
        fixture.type_text("jose");
        assert_snapshot!(format!("filter_{width}x{height}"), fixture.render());
    }
}

#[test]
fn terminal_too_small() {
    let mut fixture = Fixture::loaded(50, 12);
    assert_snapshot!("too_small", fixture.render());
}

#[test]
fn loading_before_the_first_page() {
    let mut fixture = Fixture::empty(80, 24);
    assert_snapshot!("first_frame", fixture.render());
}

#[test]
fn help_names_todays_log_file_or_why_none_is_written() {
    let mut fixture = Fixture::loaded(160, 48);
    fixture.keys(&["?"]);
    let screen = fixture.render();
    assert!(
        screen.contains("Log file: /state/ghl-console/logs/ghl-console.log.2026-03-01"),
        "{screen}"
    );

    fixture.app.settings.log_error =
        Some("cannot create the log directory /ro/logs: Permission denied".into());
    let screen = fixture.render();
    assert!(
        screen.contains("Log file: not written: cannot create the log directory /ro/logs"),
        "{screen}"
    );
}
