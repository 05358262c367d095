//! The raw inspector's two sides: which one has the movement keys, how the hint bar says so,
//! how opening it from another pane starts, and the mouse over each side.

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::{Fixture, exchange};
use crate::tui::app::Pane;
use crate::tui::update::{Msg, update};
use crate::tui::view::hint_text;
use crate::worker::messages::Event;

/// A console at 120x40 with twelve exchanges, the newest a long body, opened on Raw.
fn raw() -> Fixture {
    let mut f = Fixture::loaded(120, 40);
    let items: Vec<String> = (0..60).map(|i| format!(r#"{{"id":"t{i}"}}"#)).collect();
    let body = format!(r#"{{"tasks":[{}]}}"#, items.join(","));
    for id in 3..=12 {
        f.event(Event::Exchange(exchange(
            id,
            "GET",
            "/contacts/c1/tasks",
            200,
            &body,
        )));
    }
    f.keys(&["shift-tab", "shift-tab"]);
    assert_eq!(f.app.focus, Pane::Inspector);
    f.render();
    f
}

fn mouse(f: &mut Fixture, kind: MouseEventKind, column: u16, row: u16) {
    let event = MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let fx = update(&mut f.app, Msg::Mouse(event));
    f.sent.extend(fx);
    f.render();
}

/// The line the body's cursor is on, as drawn (it is the only line drawn selected).
fn body_cursor(f: &Fixture) -> usize {
    f.app.inspector.body.cursor_line()
}

/// A column over the list side and one over the body side at 120 columns.
const LIST_X: u16 = 10;
const BODY_X: u16 = 80;

#[test]
fn the_hint_bar_says_which_side_has_the_keys_and_how_to_get_back() {
    let mut f = raw();
    assert!(
        hint_text(&f.app).starts_with("[list] enter body"),
        "{}",
        hint_text(&f.app)
    );
    f.keys(&["enter"]);
    assert!(
        hint_text(&f.app).starts_with("[body] esc list"),
        "{}",
        hint_text(&f.app)
    );
    f.keys(&["/"]);
    f.type_text("t5");
    f.keys(&["enter"]);
    assert!(
        hint_text(&f.app).starts_with("[body] esc list"),
        "a search leaves the body focused"
    );
    f.keys(&["esc"]);
    assert!(hint_text(&f.app).starts_with("[list] enter body"));
    f.keys(&["tab"]);
    assert!(!hint_text(&f.app).contains("[list]"), "only in Raw");
}

#[test]
fn opening_raw_with_i_starts_on_the_list_whatever_side_was_left_focused() {
    let mut f = raw();
    f.keys(&["enter", "j"]);
    assert!(f.app.inspector.body.has_focus());
    f.keys(&["tab", "tab", "i"]);
    assert_eq!(f.app.focus, Pane::Inspector);
    assert!(!f.app.inspector.body.has_focus(), "the list has the keys");
    assert_eq!(
        f.app.selected_exchange().map(|e| e.id),
        Some(1),
        "the contacts' page"
    );
    f.keys(&["k"]);
    assert_eq!(
        f.app.selected_exchange().map(|e| e.id),
        Some(2),
        "k moves the list"
    );
}

#[test]
fn the_wheel_scrolls_the_side_it_is_over() {
    let mut f = raw();
    f.keys(&["enter"]);
    let line = body_cursor(&f);
    mouse(&mut f, MouseEventKind::ScrollDown, LIST_X, 10);
    assert_eq!(f.app.inspector.cursor.selected, 3, "the list moved");
    assert_eq!(body_cursor(&f), 0, "another exchange's body, from its top");
    assert!(f.app.inspector.body.has_focus(), "the wheel moves no focus");

    mouse(&mut f, MouseEventKind::ScrollDown, BODY_X, 10);
    assert!(body_cursor(&f) > line, "the body scrolled");
    assert_eq!(f.app.inspector.cursor.selected, 3);

    f.keys(&["esc"]);
    mouse(&mut f, MouseEventKind::ScrollDown, BODY_X, 10);
    assert_eq!(
        body_cursor(&f),
        6,
        "over the body while the list has the keys"
    );
    assert_eq!(f.app.inspector.cursor.selected, 3);
}

#[test]
fn a_click_gives_the_keys_to_the_side_clicked() {
    let mut f = raw();
    mouse(&mut f, MouseEventKind::Down(MouseButton::Left), BODY_X, 20);
    assert!(f.app.inspector.body.has_focus());
    assert!(hint_text(&f.app).starts_with("[body] esc list"));
    f.keys(&["j"]);
    assert_eq!(body_cursor(&f), 1, "j scrolls the body clicked");

    // The list's rows start under its border and column header, on screen row 3.
    mouse(&mut f, MouseEventKind::Down(MouseButton::Left), LIST_X, 5);
    assert!(!f.app.inspector.body.has_focus());
    assert_eq!(
        f.app.inspector.cursor.selected, 2,
        "the row clicked is selected"
    );
    f.keys(&["j"]);
    assert_eq!(
        f.app.inspector.cursor.selected, 3,
        "j moves the list clicked"
    );
}

/// A console at 80x24 on Raw, its newest exchange a body with a line far wider than the pane
/// and a long URL.
fn wide_body() -> Fixture {
    let mut f = Fixture::loaded(80, 24);
    let note = format!("{} needle {}", "a".repeat(90), "b".repeat(40));
    let body = format!(r#"{{"note":"{note}","id":"n1"}}"#);
    f.event(Event::Exchange(exchange(
        3,
        "GET",
        "/contacts/c1/notes?locationId=loc_demo&limit=100&startAfterId=n0&order=desc",
        200,
        &body,
    )));
    f.keys(&["shift-tab", "shift-tab"]);
    assert_eq!(f.app.focus, Pane::Inspector);
    f
}

/// The screen rows inside the exchange side's border (right of the list at 80 columns), the
/// request line first.
fn exchange_rows(f: &mut Fixture) -> Vec<String> {
    let buffer = f.buffer();
    (2..buffer.area.height - 3)
        .map(|y| (41..79).map(|x| buffer[(x, y)].symbol()).collect())
        .collect()
}

fn row_with(rows: &[String], text: &str) -> String {
    rows.iter()
        .find(|r| r.contains(text))
        .cloned()
        .unwrap_or_else(|| panic!("no row with {text:?} in {rows:#?}"))
}

/// Long lines were cut at the pane's edge with nothing saying so, and Right did nothing: a cut
/// line ends in `…`, Right and `l` scroll the whole exchange (head and body) by half its width,
/// Left and `h` back, `0` to the start, and `g` in the body goes to the first line and column.
#[test]
fn long_lines_are_marked_and_scroll_sideways() {
    let mut f = wide_body();
    let rows = exchange_rows(&mut f);
    let note = row_with(&rows, "\"note\"");
    assert!(note.ends_with('…'), "a cut line says so: {note:?}");
    assert!(!note.contains("needle"));

    f.keys(&["right"]);
    assert_eq!(
        f.app.inspector.body.column(),
        19,
        "half the body's 38 cells"
    );
    let rows = exchange_rows(&mut f);
    let note = rows.iter().find(|r| r.contains("aaa")).unwrap();
    assert!(
        note.starts_with('…'),
        "text off to the left is marked: {note:?}"
    );
    let url = &rows[0];
    assert!(url.starts_with('…'), "the URL line scrolls too: {url:?}");

    f.keys(&["l", "l", "l"]);
    let rows = exchange_rows(&mut f);
    assert!(rows.iter().any(|r| r.contains("needle")), "{rows:#?}");
    assert!(
        rows[0].contains("order=desc → 200"),
        "the whole URL can be read: {rows:#?}"
    );

    f.keys(&["l", "l"]);
    let far = f.app.inspector.body.column();
    let rows = exchange_rows(&mut f);
    assert!(rows.iter().any(|r| r.ends_with("bbb\",")), "{rows:#?}");
    f.keys(&["l"]);
    assert_eq!(
        f.app.inspector.body.column(),
        far,
        "no further than the widest line on screen"
    );

    f.keys(&["left", "h"]);
    assert!(f.app.inspector.body.column() < far);
    f.keys(&["0"]);
    assert_eq!(f.app.inspector.body.column(), 0);
    let rows = exchange_rows(&mut f);
    assert!(rows[0].starts_with("GET http"), "{rows:#?}");

    f.keys(&["enter", "j", "l", "g"]);
    assert_eq!(
        f.app.inspector.body.column(),
        0,
        "g: first line, first column"
    );
    assert_eq!(f.app.inspector.body.cursor_line(), 0);
}

/// A search match past the right edge is scrolled into view, clear of the `…` mark.
#[test]
fn a_match_off_to_the_right_is_brought_into_view() {
    let mut f = wide_body();
    exchange_rows(&mut f);
    f.keys(&["/"]);
    f.type_text("needle");
    f.keys(&["enter"]);
    let rows = exchange_rows(&mut f);
    let row = row_with(&rows, "needle");
    assert!(!row.contains("needle…"), "{row:?}");
    f.keys(&["0"]);
    let rows = exchange_rows(&mut f);
    assert!(!rows.iter().any(|r| r.contains("needle")));
    f.keys(&["n"]);
    let rows = exchange_rows(&mut f);
    assert!(rows.iter().any(|r| r.contains("needle")), "{rows:#?}");
}

/// The exchange list, newest first, keeps its rows on screen as exchanges arrive while it is
/// scrolled down, and its title counts the newer ones above.
#[test]
fn the_exchange_list_counts_newer_exchanges_when_scrolled_away() {
    let mut f = Fixture::loaded(80, 24);
    for id in 3..=40 {
        f.event(Event::Exchange(exchange(
            id,
            "GET",
            "/contacts/c1",
            200,
            "{}",
        )));
    }
    f.keys(&["shift-tab", "shift-tab", "G"]);
    f.render();
    let selected = f.app.selected_exchange().map(|e| e.id);
    let offset = f.app.inspector.cursor.offset;
    assert!(offset > 0);
    for id in 41..=43 {
        f.event(Event::Exchange(exchange(
            id,
            "GET",
            "/contacts/c1",
            200,
            "{}",
        )));
    }
    let screen = f.render();
    assert_eq!(f.app.selected_exchange().map(|e| e.id), selected);
    assert_eq!(
        f.app.inspector.cursor.offset,
        offset + 3,
        "the rows stay put"
    );
    assert!(
        screen.contains(&format!("Exchanges 43 · {} newer (g)", offset + 3)),
        "{screen}"
    );
    f.keys(&["g"]);
    assert!(!f.render().contains("newer"));
}

/// "Sent the request as curl to the clipboard" stayed on screen in Tasks. A toast goes when
/// the focus moves to another pane (or after its few seconds), not while the pane stays.
#[test]
fn a_toast_goes_when_the_focus_moves_to_another_pane() {
    let mut f = raw();
    f.keys(&["c"]);
    assert!(
        f.render().contains("Sent the request as curl"),
        "{}",
        f.render()
    );
    f.keys(&["j"]);
    assert!(
        f.render().contains("Sent the request as curl"),
        "same pane, still shown"
    );
    f.keys(&["tab", "tab", "tab", "tab"]);
    assert_eq!(f.app.focus, Pane::Tasks);
    let screen = f.render();
    assert!(!screen.contains("Sent the request"), "{screen}");
    assert!(f.app.toast.is_none());
}

/// `b` puts the request's body in the viewer, where the head shows only its first lines: it is
/// searched, folded and scrolled like the response's; `b` again brings the response back.
#[test]
fn the_request_body_can_be_searched_in_the_viewer() {
    let mut f = Fixture::loaded(120, 40);
    let items: Vec<String> = (0..30).map(|i| format!(r#""tag{i}""#)).collect();
    let mut sent = (*exchange(3, "POST", "/contacts/c1/tags", 201, r#"{"tags":[]}"#)).clone();
    sent.request_body = Some(format!(r#"{{"tags":[{},"needle"]}}"#, items.join(",")));
    f.event(Event::Exchange(std::sync::Arc::new(sent)));
    f.keys(&["shift-tab", "shift-tab"]);
    assert_eq!(f.app.focus, Pane::Inspector);
    let screen = f.render();
    assert!(screen.contains("— response body (b: request)"), "{screen}");

    f.keys(&["b"]);
    let screen = f.render();
    assert!(screen.contains("— request body (b: response)"), "{screen}");
    f.keys(&["/"]);
    f.type_text("needle");
    f.keys(&["enter"]);
    assert_eq!(f.app.inspector.body.match_count().as_deref(), Some("1/1"));
    let screen = f.render();
    let below_title = screen.split("— request body (").nth(1).unwrap_or_default();
    assert!(below_title.contains("\"needle\""), "{screen}");

    // The response has no needle; the term stays to be looked for there too.
    f.keys(&["b"]);
    f.render();
    assert_eq!(f.app.inspector.body.search.text(), "needle");
    assert_ne!(f.app.inspector.body.match_count().as_deref(), Some("1/1"));
}

/// A request without a body says so in the viewer rather than showing an empty pane.
#[test]
fn a_request_without_a_body_says_so() {
    let mut f = raw();
    f.keys(&["b"]);
    let screen = f.render();
    assert!(screen.contains("(this request sent no body)"), "{screen}");
}
