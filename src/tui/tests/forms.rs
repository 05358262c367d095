//! The task, note and Detail field forms: errors shown in full, failed saves keeping the text,
//! and closing or quitting with unsaved text.

use super::Fixture;
use crate::tui::forms::Modal;
use crate::tui::update::{Effect, Msg, update};
use crate::worker::messages::{Command, Event, Resource};

#[test]
fn a_due_date_error_is_shown_in_full() {
    for (width, height) in [(80, 24), (120, 40)] {
        let mut f = Fixture::loaded(width, height);
        f.keys(&["tab", "tab", "n"]);
        f.type_text("Title");
        f.keys(&["tab", "tab", "ctrl-u"]);
        f.type_text("someday");
        f.keys(&["ctrl-s"]);
        let screen = f.render();
        assert!(screen.contains("cannot read"), "{screen}");
        assert!(
            screen.contains("optional time like 9am or 14:30"),
            "{screen}"
        );
    }
}

fn note_text(f: &Fixture) -> Option<String> {
    match &f.app.modal {
        Some(Modal::Note(form)) => Some(form.body.lines().join("\n")),
        _ => None,
    }
}

#[test]
fn ctrl_c_over_unsaved_text_asks_first() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "tab", "n"]);
    f.type_text("quick note");
    assert_eq!(note_text(&f).as_deref(), Some("quick note"), "q is text");
    f.keys(&["ctrl-c"]);
    assert!(!f.app.quit);
    assert!(
        f.render()
            .contains("Discard unsaved changes and quit? (y/N)")
    );
    f.keys(&["n"]);
    assert_eq!(note_text(&f).as_deref(), Some("quick note"));
    f.keys(&["ctrl-c", "y"]);
    assert!(f.app.quit);
}

#[test]
fn a_second_ctrl_c_quits_and_an_untouched_form_quits_at_once() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "e"]);
    f.keys(&["ctrl-c"]);
    assert!(f.app.quit, "nothing was changed");

    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "e"]);
    f.type_text("!");
    f.keys(&["ctrl-c"]);
    assert!(!f.app.quit);
    f.keys(&["ctrl-c"]);
    assert!(f.app.quit);
}

#[test]
fn the_question_shows_on_a_too_small_screen() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "tab", "n"]);
    f.type_text("draft");
    let fx = update(&mut f.app, Msg::Resize(40, 10));
    f.sent.extend(fx);
    f.keys(&["q"]);
    assert!(!f.app.quit);
    assert!(f.render().contains("Discard unsaved"));
    f.keys(&["n"]);
    assert_eq!(note_text(&f).as_deref(), Some("draft"));
    f.keys(&["q", "y"]);
    assert!(f.app.quit);
}

fn creates(f: &mut Fixture) -> usize {
    f.sent
        .drain(..)
        .filter(|e| matches!(e, Effect::Send(Command::CreateNote { .. })))
        .count()
}

#[test]
fn a_failed_create_keeps_the_form_and_its_text() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "tab", "n"]);
    f.type_text("Met at the fair");
    f.keys(&["ctrl-s"]);
    assert_eq!(creates(&mut f), 1);
    assert!(f.render().contains("Saving…"));
    f.type_text("ignored while saving");
    assert_eq!(note_text(&f).as_deref(), Some("Met at the fair"));

    f.event(Event::WriteFailed {
        contact_id: "c1".into(),
        resource: Resource::Notes,
        what: "Adding the note".into(),
        error: "server error (502)".into(),
    });
    assert_eq!(creates(&mut f), 0, "never sent again by itself");
    assert_eq!(note_text(&f).as_deref(), Some("Met at the fair"));
    let screen = f.render();
    assert!(
        screen.contains("Adding the note failed: server error (502)"),
        "{screen}"
    );
    assert!(f.app.log.lines.iter().any(|l| l.text.contains("502")));

    f.keys(&["ctrl-s"]);
    assert_eq!(creates(&mut f), 1, "the operator sends it again");
    f.event(Event::Written {
        contact_id: "c1".into(),
        resource: Resource::Notes,
        message: "Note added.".into(),
        exchange_id: 14,
        unread: None,
    });
    assert!(f.app.modal.is_none());
}

#[test]
fn a_failed_task_edit_keeps_the_form() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "e"]);
    f.type_text(" today");
    f.keys(&["ctrl-s"]);
    f.event(Event::WriteFailed {
        contact_id: "c1".into(),
        resource: Resource::Tasks,
        what: "Saving the task".into(),
        error: "the server did not answer".into(),
    });
    let Some(Modal::Task(form)) = &f.app.modal else {
        panic!("the form stays open");
    };
    assert_eq!(
        form.value(crate::tui::forms::task_form::Field::Title),
        "Call back about invoice today"
    );
    assert!(
        form.error
            .as_deref()
            .unwrap()
            .starts_with("Saving the task failed")
    );
}

#[test]
fn a_long_line_in_the_note_editor_wraps_and_keeps_its_end_in_view() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "tab", "n"]);
    let words: Vec<String> = (0..60).map(|i| format!("word{i:02}")).collect();
    f.type_text(&words.join(" "));
    let screen = f.render();
    for word in ["word00", "word30", "word59"] {
        assert!(screen.contains(word), "{word} not shown:\n{screen}");
    }
    assert_eq!(
        note_text(&f).as_deref(),
        Some(words.join(" ").as_str()),
        "one line"
    );
}

#[test]
fn a_long_line_in_the_task_body_wraps_and_keeps_its_end_in_view() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "n"]);
    f.type_text("Title");
    f.keys(&["tab"]);
    let words: Vec<String> = (0..40).map(|i| format!("step{i:02}")).collect();
    f.type_text(&words.join(" "));
    let screen = f.render();
    for word in ["step00", "step39"] {
        assert!(screen.contains(word), "{word} not shown:\n{screen}");
    }
}

#[test]
fn esc_on_a_changed_note_asks_and_no_keeps_the_text() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "tab", "n"]);
    let pasted = "line of a long pasted body\n".repeat(2_000);
    let fx = update(&mut f.app, Msg::Paste(pasted.clone()));
    f.sent.extend(fx);
    f.keys(&["esc"]);
    let screen = f.render();
    assert!(
        screen.contains("Discard unsaved changes and close? (y/N)"),
        "{screen}"
    );
    f.keys(&["esc"]);
    assert_eq!(
        note_text(&f).as_deref(),
        Some(pasted.as_str()),
        "esc answers no"
    );
    f.keys(&["esc", "y"]);
    assert!(f.app.modal.is_none(), "yes closes the form");
    assert!(!f.app.quit, "closing is not quitting");
}

#[test]
fn esc_on_an_unchanged_form_closes_at_once() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "e", "esc"]);
    assert!(f.app.modal.is_none(), "task edit form");
    f.keys(&["tab", "n", "esc"]);
    assert!(f.app.modal.is_none(), "new note form");
}

#[test]
fn esc_on_a_changed_task_asks_and_ctrl_c_then_asks_to_quit() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "n"]);
    f.type_text("Call Ada");
    f.keys(&["esc"]);
    assert!(matches!(&f.app.modal, Some(Modal::Discard(q)) if !q.quit));
    f.keys(&["ctrl-c"]);
    assert!(!f.app.quit, "a close question does not quit on Ctrl-C");
    assert!(
        f.render()
            .contains("Discard unsaved changes and quit? (y/N)")
    );
    f.keys(&["y"]);
    assert!(f.app.quit);
}

#[test]
fn esc_on_typed_tags_asks_and_on_an_empty_input_closes() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["t", "esc"]);
    assert!(f.app.modal.is_none());
    f.keys(&["t"]);
    f.type_text("wholesale");
    f.keys(&["esc"]);
    assert!(f.render().contains("Discard unsaved changes and close?"));
    f.keys(&["n"]);
    assert!(matches!(&f.app.modal, Some(Modal::Tags(t)) if t.input.text() == "wholesale"));
    f.keys(&["esc", "y"]);
    assert!(f.app.modal.is_none());
}

/// Opens the Detail pane's form on its Email row.
fn open_field_form(f: &mut Fixture) {
    if f.app.focus != crate::tui::app::Pane::Detail {
        f.keys(&["tab"]);
    }
    let contact = f.app.detail.ready().cloned().unwrap();
    let rows = crate::tui::panes::detail::rows(&contact, &f.app);
    let row = rows.iter().position(|(label, _)| label == "Email").unwrap();
    f.app.detail.cursor.selected = row;
    f.keys(&["e"]);
    assert!(
        matches!(&f.app.modal, Some(Modal::Field(_))),
        "{}",
        f.render()
    );
}

#[test]
fn esc_on_a_changed_detail_field_asks_and_no_keeps_the_text() {
    let mut f = Fixture::loaded(80, 24);
    open_field_form(&mut f);
    f.keys(&["esc"]);
    assert!(f.app.modal.is_none(), "an unchanged field closes at once");

    open_field_form(&mut f);
    f.type_text(" typed");
    let typed = match &f.app.modal {
        Some(Modal::Field(form)) => form.input.text().to_string(),
        other => panic!("expected the field form, got {other:?}"),
    };
    f.keys(&["esc"]);
    assert!(matches!(&f.app.modal, Some(Modal::Discard(q)) if !q.quit));
    let screen = f.render();
    assert!(
        screen.contains("Discard unsaved changes and close? (y/N)"),
        "{screen}"
    );
    f.keys(&["n"]);
    assert!(
        matches!(&f.app.modal, Some(Modal::Field(form)) if form.input.text() == typed),
        "no goes back to the form with the text kept"
    );
    f.keys(&["esc", "y"]);
    assert!(f.app.modal.is_none(), "yes closes the form");
    assert!(!f.app.quit, "closing is not quitting");
    assert!(
        !f.sent.iter().any(|e| matches!(e, Effect::Send(_))),
        "nothing was sent: {:?}",
        f.sent
    );
}

/// The hint bar while a dialog is open: the dialog's keys, never the focused pane's.
#[test]
fn the_hint_bar_shows_the_open_dialogs_keys() {
    fn hint_line(f: &mut Fixture) -> String {
        f.app.toast = None;
        let screen = f.render();
        screen.lines().last().unwrap_or_default().to_string()
    }
    let cases: [(&[&str], &str, &str); 9] = [
        // The delete question of a task.
        (&["tab", "tab", "d"], "Confirm", "y yes  n/enter/esc no"),
        (&["tab", "tab", "n"], "Task", "ctrl-s save  esc cancel"),
        (
            &["tab", "tab", "n", "X", "esc"],
            "Discard",
            "y discard and close  n/enter/esc back",
        ),
        (
            &["tab", "tab", "n", "X", "ctrl-c"],
            "Discard",
            "y discard and quit  n/enter/esc back",
        ),
        (
            &["tab", "tab", "tab", "n"],
            "Note",
            "enter new line  ctrl-s save  esc cancel",
        ),
        (&["t"], "Tags", "tab complete  enter apply  esc cancel"),
        (&[":"], "Palette", "enter run  esc close"),
        (&["?"], "Help", "home/end first/last  esc close"),
        (&["L"], "Locations", "enter switch  esc close"),
    ];
    for (keys, kind, hint) in cases {
        let mut f = Fixture::loaded(80, 24);
        let before = hint_line(&mut f);
        assert!(before.contains("i inspect"), "{before}");
        f.keys(keys);
        assert!(f.app.modal.is_some(), "{kind}: {keys:?} opens a dialog");
        let line = hint_line(&mut f);
        assert!(line.contains(hint), "{kind}: {line:?}");
        for pane_key in ["inspect", "e edit", "t add", "q quit", "? help"] {
            assert!(!line.contains(pane_key), "{kind}: {line:?}");
        }
    }
    let mut f = Fixture::loaded(80, 24);
    open_field_form(&mut f);
    let line = hint_line(&mut f);
    assert!(
        line.contains("enter save  ctrl-u clear  esc cancel"),
        "{line}"
    );
    let mut f = Fixture::loaded(80, 24);
    crate::tui::update::show_message(&mut f.app, "Tags", vec!["done".into()]);
    assert_eq!(hint_line(&mut f).trim_matches('"').trim(), "any key closes");

    // A toast from before the dialog opened does not cover its keys.
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["tab", "tab", "d", "esc"]);
    assert!(f.app.toast.is_some(), "the cancel says so");
    f.keys(&["tab", "n"]);
    let screen = f.render();
    let line = screen.lines().last().unwrap_or_default();
    assert!(line.contains("ctrl-s save  esc cancel"), "{line:?}");
}

/// A search that finds nothing says so in help and in the palette, and the palette names the
/// pane an action it does not offer here applies in.
#[test]
fn help_and_palette_say_when_nothing_matches() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["?"]);
    f.type_text("zzzz");
    let screen = f.render();
    assert!(screen.contains("no action matches \"zzzz\""), "{screen}");
    f.keys(&["esc", "tab", "tab", ":"]);
    f.type_text("zzzz");
    let screen = f.render();
    assert!(screen.contains("no command matches \"zzzz\""), "{screen}");
    f.keys(&["ctrl-u"]);
    f.type_text("sort");
    let screen = f.render();
    assert!(screen.contains("sort applies in Contacts"), "{screen}");
}

/// `:edit` in Contacts said only Detail, and in read-only Notes it still offered Detail: the
/// palette names every pane, and says when read-only mode turns the action off.
#[test]
fn the_palette_names_every_pane_an_action_applies_in() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&[":"]);
    f.type_text("edit");
    let screen = f.render();
    assert!(
        screen.contains("edit applies in Detail, Tasks, Notes"),
        "{screen}"
    );
    f.keys(&["esc"]);
    f.app.settings.read_only = true;
    f.keys(&["tab", "tab", "tab", ":"]);
    f.type_text("edit");
    let screen = f.render();
    assert!(screen.contains("edit is off in read-only mode"), "{screen}");
}

/// At 80x24 help's long descriptions wrap onto continuation lines; End shows the last entry
/// and Home the first.
/// A search longer than the help's field shows its end and the cursor, not its start alone.
#[test]
fn a_long_help_search_shows_its_end() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["?"]);
    let typed = "a very long search that goes past the field width of the help dialog END";
    for c in typed.chars() {
        let key = if c == ' ' {
            "space".to_string()
        } else {
            c.to_string()
        };
        f.keys(&[key.as_str()]);
    }
    let screen = f.render();
    let line = screen.lines().find(|l| l.contains("Search: ")).unwrap();
    assert!(line.contains("dialog END▏"), "{line}");
    assert!(line.contains("Search: …"), "{line}");
}

#[test]
fn help_wraps_long_descriptions_and_jumps_with_home_and_end() {
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["?"]);
    let screen = f.render();
    assert!(!screen.contains('…'), "{screen}");
    // The inspect row goes on under its description column.
    let continued = format!("│{}(lists)", " ".repeat(33));
    assert!(screen.contains(&continued), "{screen}");
    f.keys(&["end"]);
    let screen = f.render();
    let last = crate::tui::actions::REGISTRY.last().unwrap();
    assert!(screen.contains(last.id), "{} at the end: {screen}", last.id);
    f.keys(&["home"]);
    let screen = f.render();
    assert!(
        screen.contains("Search:") && screen.contains("help "),
        "{screen}"
    );
    assert!(!screen.contains(last.id), "{screen}");
}

/// The one-line inputs drawn in a border or a dialog line showed the start of a long text:
/// the end being typed, the cursor and the match count were cut off. Each shows its end.
#[test]
fn long_inputs_show_their_end_the_cursor_and_the_count() {
    let long = format!("{}END", "x".repeat(62));

    // The contacts filter, in the list's bottom border, with its count.
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["/"]);
    f.type_text(&long);
    let screen = f.render();
    let line = screen.lines().find(|l| l.contains("found")).unwrap();
    assert!(line.contains(" /…x"), "{line}");
    assert!(line.contains("xEND▏ 0 found "), "{line}");

    // Raw's search, in the exchange's top border, with its count.
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["shift-tab", "shift-tab", "/"]);
    f.type_text(&long);
    let screen = f.render();
    let line = screen.lines().find(|l| l.contains("Exchange /")).unwrap();
    assert!(line.contains("Exchange /…x"), "{line}");
    assert!(line.contains("xEND▏ 0/0 "), "{line}");

    // The palette's input line.
    let mut f = Fixture::loaded(80, 24);
    f.keys(&[":"]);
    f.type_text(&long);
    let screen = f.render();
    let line = screen.lines().find(|l| l.contains("│: ")).unwrap();
    assert!(line.contains("│: …x") && line.contains("xEND▏"), "{line}");

    // The tag input's line.
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["t"]);
    f.type_text(&long);
    let screen = f.render();
    let line = screen.lines().find(|l| l.contains("│> ")).unwrap();
    assert!(line.contains("│> …x") && line.contains("xEND▏"), "{line}");

    // The location picker's line.
    let mut f = Fixture::loaded(80, 24);
    f.keys(&["L"]);
    f.type_text(&long);
    let screen = f.render();
    let line = screen.lines().find(|l| l.contains("│location: ")).unwrap();
    assert!(
        line.contains("│location: …x") && line.contains("xEND▏"),
        "{line}"
    );
}

/// A number field typed as `1e5` is kept as the float 100000.0 and showed as `100000.0`,
/// while `42` showed as `42`: whole numbers show without a fraction, in the Detail row and in
/// the edit form alike; a fraction and a number too large to be exact stay as they are.
#[test]
fn whole_numbers_show_without_a_fraction() {
    use crate::ghl::directory::CustomFieldDefinition;
    let mut f = Fixture::loaded(120, 30);
    for (id, name) in [
        ("cf_big", "Big score"),
        ("cf_int", "Small score"),
        ("cf_frac", "Ratio"),
    ] {
        let field = CustomFieldDefinition {
            id: id.into(),
            name: Some(name.into()),
            data_type: Some("NUMERICAL".into()),
            ..CustomFieldDefinition::default()
        };
        f.app.directory.fields.insert(id.into(), field);
    }
    let mut contact = super::full_contact();
    contact.custom_fields = serde_json::from_value(serde_json::json!([
        {"id": "cf_big", "value": 1e5},
        {"id": "cf_int", "value": 42},
        {"id": "cf_frac", "value": 2.5}
    ]))
    .unwrap();
    f.load(
        crate::worker::messages::Loaded::Contact(Box::new(contact)),
        7,
    );
    f.keys(&["tab"]);
    let screen = f.render();
    assert!(screen.contains("100000 "), "{screen}");
    assert!(!screen.contains("100000.0"), "{screen}");
    assert!(screen.contains("42 "), "{screen}");
    assert!(screen.contains("2.5 "), "{screen}");

    let on_big = |f: &Fixture| {
        crate::tui::panes::detail::selected_target(&f.app).is_some_and(|(l, _)| l == "Big score")
    };
    for _ in 0..60 {
        if on_big(&f) {
            break;
        }
        f.keys(&["j"]);
    }
    assert!(on_big(&f), "a Big score row");
    f.keys(&["e"]);
    let screen = f.render();
    assert!(screen.contains("> 100000▏"), "{screen}");
}
