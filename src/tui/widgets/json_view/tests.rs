//! Tests of the JSON view: layout, folding, search, scrolling, odd bodies, and snapshots of
//! what it draws.

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::Rect;
use serde_json::{Value, json};

use super::*;

const SMALL: &str = r#"{"id":"c1","name":"José","tags":["vip","lead"],"score":4.5,"active":true,
"owner":null,"address":{"city":"Oslo","zip":"0150"},"empty":{}}"#;

fn draw(view: &mut JsonView, width: u16, height: u16, theme: &Theme) -> Buffer {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    JsonViewWidget::new(theme).render(area, &mut buf, view);
    buf
}

/// The text of each screen row, trailing spaces trimmed.
fn screen(buf: &Buffer) -> Vec<String> {
    let width = usize::from(buf.area.width);
    buf.content
        .chunks(width)
        .map(|cells| {
            let mut line = String::new();
            let mut hidden = 0;
            for cell in cells {
                if hidden > 0 {
                    hidden -= 1;
                    continue;
                }
                line.push_str(cell.symbol());
                hidden = cell.symbol().cell_width().saturating_sub(1);
            }
            line.trim_end().to_owned()
        })
        .collect()
}

fn plain_screen(view: &mut JsonView, width: u16, height: u16) -> Vec<String> {
    screen(&draw(view, width, height, &Theme::plain()))
}

/// Takes a deeply nested value apart level by level, since dropping it whole would recurse.
fn dismantle(mut value: Value) {
    while let Value::Array(mut items) = value {
        value = items.pop().unwrap_or(Value::Null);
    }
}

#[test]
fn lays_out_like_serde_pretty() {
    let values = [
        serde_json::from_str::<Value>(SMALL).unwrap(),
        json!([1, [2, [3, []]], {"a": {"b": {}}}, "x"]),
        json!("just a string"),
        json!(null),
        json!({"quote \" and \\ and \n": "tab\there", "李": "👩🎸", "e\u{301}": -1.5e300}),
    ];
    for value in values {
        let view = JsonView::from_value(&value);
        assert_eq!(
            view.to_pretty_string(),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }
}

#[test]
fn terminal_tricks_in_strings_are_escaped_but_keep_their_value() {
    let value = json!({"name": "evil\u{202E}txt.exe\u{1b}[2J\u{9b}\u{2028}"});
    let view = JsonView::from_value(&value);
    let pretty = view.to_pretty_string();
    assert!(pretty.contains("\\u202e") && pretty.contains("\\u001b") && pretty.contains("\\u009b"));
    assert!(!pretty.contains('\u{202E}') && !pretty.contains('\u{1b}'));
    assert_eq!(serde_json::from_str::<Value>(&pretty).unwrap(), value);
}

#[test]
fn joiners_variation_selectors_and_skin_tones_are_escaped_but_keep_their_value() {
    let value = json!({"name": "Alex 🏳\u{FE0F}\u{200D}🌈 Stone 🎸", "ok": "👍\u{1F3FD}"});
    let view = JsonView::from_value(&value);
    let pretty = view.to_pretty_string();
    assert!(
        pretty.contains(r#""Alex 🏳\ufe0f\u200d🌈 Stone 🎸""#),
        "{pretty}"
    );
    assert!(pretty.contains(r#""👍\ud83c\udffd""#), "{pretty}");
    assert_eq!(serde_json::from_str::<Value>(&pretty).unwrap(), value);
}

#[test]
fn debug_output_leaves_the_body_out() {
    let view = JsonView::from_body(r#"{"secret":"pit-abc123"}"#);
    let debug = format!("{view:?}");
    assert!(!debug.contains("pit-abc123"), "{debug}");
    assert!(debug.contains("lines: 3"), "{debug}");
}

#[test]
fn body_that_is_json_is_json() {
    let view = JsonView::from_body(SMALL);
    assert!(view.is_json());
    assert_eq!(view.line_count(), 16);
    assert_eq!(view.visible_line_count(), 16);
    assert_eq!(view.cursor_line(), 0);
}

#[test]
fn folding_the_cursor_line() {
    let mut view = JsonView::from_body(SMALL);
    view.cursor_down(3);
    view.toggle_fold();
    assert_eq!(view.cursor_line(), 3);
    assert_eq!(view.visible_line_count(), 13);
    let lines = plain_screen(&mut view, 40, 6);
    // The folded value keeps its comma: "score" follows it.
    assert_eq!(lines[3], r#"  "tags": […], 2 items"#);

    view.toggle_fold();
    assert_eq!(view.visible_line_count(), 16);
}

#[test]
fn folding_from_inside_folds_the_parent() {
    let mut view = JsonView::from_body(SMALL);
    // The "city" line inside "address".
    view.cursor_down(11);
    assert_eq!(view.doc.line(view.cursor_line()), r#""city": "Oslo","#);
    view.toggle_fold();
    assert_eq!(view.cursor_line(), 10);
    let lines = plain_screen(&mut view, 40, 16);
    assert!(
        lines.contains(&r#"  "address": {…}, 2 keys"#.to_owned()),
        "{lines:#?}"
    );
}

#[test]
fn a_folded_value_keeps_its_comma_and_the_last_one_has_none() {
    let mut view =
        JsonView::from_body(r#"{"contacts":[1,2,3],"meta":{"a":1},"total":200,"last":[4]}"#);
    view.go_bottom();
    view.fold_all();
    let lines = plain_screen(&mut view, 40, 8);
    assert_eq!(lines[1], r#"  "contacts": […], 3 items"#, "{lines:#?}");
    assert_eq!(lines[2], r#"  "meta": {…}, 1 key"#, "{lines:#?}");
    assert_eq!(lines[3], r#"  "total": 200,"#, "{lines:#?}");
    assert_eq!(lines[4], r#"  "last": […] 1 item"#, "{lines:#?}");
}

#[test]
fn fold_all_keeps_the_outermost_open() {
    let mut view = JsonView::from_body(SMALL);
    view.go_bottom();
    view.fold_all();
    assert_eq!(view.visible_line_count(), 10);
    let lines = plain_screen(&mut view, 40, 12);
    assert_eq!(lines[0], "{");
    assert!(
        lines.contains(&r#"  "tags": […], 2 items"#.to_owned()),
        "{lines:#?}"
    );
    view.unfold_all();
    assert_eq!(view.visible_line_count(), 16);
}

#[test]
fn folding_a_flat_view_does_nothing() {
    let mut view = JsonView::from_body("<html>\n<body>hi</body>\n</html>");
    view.toggle_fold();
    view.fold_all();
    assert_eq!(view.visible_line_count(), 3);
}

#[test]
fn search_ignores_case_and_counts() {
    let mut view = JsonView::from_body(SMALL);
    view.set_query("OSLO");
    assert_eq!(view.match_count(), 1);
    assert_eq!(view.current_match(), Some(0));
    assert_eq!(view.cursor_line(), 11);

    view.set_query("josé");
    assert_eq!(view.match_count(), 1);
    view.set_query("JOSÉ");
    assert_eq!(view.match_count(), 1);

    view.set_query("nothing like this");
    assert_eq!(view.match_count(), 0);
    assert_eq!(view.current_match(), None);
    view.next_match();
    assert_eq!(view.current_match(), None);

    view.set_query("");
    assert_eq!(view.match_count(), 0);
    assert_eq!(view.query(), "");
}

#[test]
fn next_and_prev_wrap_around() {
    let mut view = JsonView::from_body(SMALL);
    view.set_query("\"");
    let count = view.match_count();
    assert!(count > 10);
    assert_eq!(view.current_match(), Some(0));
    view.prev_match();
    assert_eq!(view.current_match(), Some(count - 1));
    view.next_match();
    assert_eq!(view.current_match(), Some(0));
    view.next_match();
    assert_eq!(view.current_match(), Some(1));
}

#[test]
fn search_starts_from_the_cursor() {
    let mut view = JsonView::from_body(SMALL);
    view.cursor_down(6);
    view.set_query("e");
    let current = view.current_match().unwrap();
    assert!(view.matches[current].row >= 6);
}

#[test]
fn jumping_to_a_match_unfolds_what_hides_it() {
    let mut view = JsonView::from_body(SMALL);
    view.fold_all();
    assert_eq!(view.visible_line_count(), 10);
    view.set_query("0150");
    assert_eq!(view.match_count(), 1);
    assert_eq!(view.visible_line_count(), 13);
    assert_eq!(view.doc.line(view.cursor_line()), r#""zip": "0150""#);
}

#[test]
fn scrolling_keeps_the_cursor_on_screen() {
    let mut view = JsonView::from_body(SMALL);
    let lines = plain_screen(&mut view, 30, 5);
    assert_eq!(lines[0], "{");

    view.page_down();
    assert_eq!(view.cursor_line(), 4);
    view.page_down();
    assert_eq!(view.cursor_line(), 8);
    let lines = plain_screen(&mut view, 30, 5);
    assert_eq!(lines[4], r#"  "active": true,"#);

    view.go_bottom();
    assert_eq!(view.cursor_line(), 15);
    let lines = plain_screen(&mut view, 30, 5);
    assert_eq!(lines[4], "}");

    view.page_up();
    view.cursor_up(100);
    view.go_top();
    assert_eq!(view.cursor_line(), 0);
    assert_eq!(plain_screen(&mut view, 30, 5)[0], "{");
}

#[test]
fn a_taller_view_shows_the_lines_above_once_they_fit() {
    let mut view = JsonView::from_body(SMALL);
    plain_screen(&mut view, 30, 5);
    view.cursor_down(8);
    assert_eq!(plain_screen(&mut view, 30, 5)[0], r#"    "vip","#);
    let lines = plain_screen(&mut view, 30, 12);
    assert_eq!(lines[0], "{", "lines 0 to 8 fit in 12 rows: {lines:#?}");
    assert_eq!(lines[8], r#"  "active": true,"#);
}

#[test]
fn long_lines_scroll_sideways_to_a_match() {
    let long = format!("{}needle{}", "a".repeat(300), "b".repeat(300));
    let mut view = JsonView::from_value(&json!({ "k": long }));
    draw(&mut view, 40, 5, &Theme::plain());
    view.set_query("needle");
    let lines = plain_screen(&mut view, 40, 5);
    assert!(lines[1].contains("needle"), "{lines:#?}");

    view.scroll_left(usize::MAX);
    let lines = plain_screen(&mut view, 40, 5);
    assert!(lines[1].starts_with(r#"  "k": "aaa"#));
    view.scroll_right(usize::MAX);
    plain_screen(&mut view, 40, 5);
}

#[test]
fn non_json_bodies_show_as_text() {
    let html = "<html>\r\n\t<body>Bad gateway</body>\n</html>";
    let mut view = JsonView::from_body(html);
    assert!(!view.is_json());
    assert_eq!(view.to_pretty_string(), html);
    let lines = plain_screen(&mut view, 30, 4);
    assert_eq!(
        lines[..3],
        ["<html>", "    <body>Bad gateway</body>", "</html>"]
    );

    let truncated = &SMALL[..40];
    let view = JsonView::from_body(truncated);
    assert!(!view.is_json());
    assert_eq!(view.to_pretty_string(), truncated);
}

#[test]
fn control_and_bidi_characters_in_text_are_defused() {
    let mut view = JsonView::from_body("red\u{1b}[31m \u{202E}gnp.exe\u{7}");
    let lines = plain_screen(&mut view, 30, 2);
    assert_eq!(lines[0], "red[31m gnp.exe");
}

#[test]
fn empty_body_says_so() {
    let mut view = JsonView::from_body("");
    assert_eq!(view.line_count(), 0);
    view.cursor_down(3);
    view.page_up();
    view.go_bottom();
    view.toggle_fold();
    view.fold_all();
    view.set_query("x");
    view.next_match();
    view.prev_match();
    assert_eq!(plain_screen(&mut view, 20, 2)[0], "(empty body)");
    assert_eq!(view.to_pretty_string(), "");
}

#[test]
fn invalid_utf8_bytes_are_replaced() {
    let mut view = JsonView::from_bytes(b"{\"a\": \"\xff\xfe\"}");
    assert!(view.is_json());
    assert!(plain_screen(&mut view, 20, 3)[1].contains('\u{FFFD}'));
}

#[test]
fn nesting_past_the_parser_limit_falls_back_to_text() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let mut view = JsonView::from_body(&deep);
    assert!(!view.is_json());
    plain_screen(&mut view, 40, 5);
    // Text rows are cut every 2,000 bytes; a match cannot span a cut.
    assert_eq!(view.line_count(), 10);
    view.set_query("[]");
    assert_eq!(view.match_count(), 0);
    view.set_query("]]]]");
    assert_eq!(view.match_count(), 2_500);
    assert_eq!(view.to_pretty_string(), deep);
}

#[test]
fn a_value_nested_ten_thousand_deep_lays_out_without_recursion() {
    let mut value = json!("bottom");
    for _ in 0..10_000 {
        value = Value::Array(vec![value]);
    }
    let mut view = JsonView::from_value(&value);
    dismantle(value);

    assert_eq!(view.line_count(), 20_001);
    view.go_bottom();
    plain_screen(&mut view, 40, 5);
    view.set_query("bottom");
    assert_eq!(view.cursor_line(), 10_000);
    let lines = plain_screen(&mut view, 300, 5);
    assert!(lines.iter().any(|line| line.ends_with("\"bottom\"")));
    view.fold_all();
    assert_eq!(view.visible_line_count(), 3);
    let longest = view.to_pretty_string().lines().map(str::len).max();
    assert!(longest.unwrap() < 300);
}

#[test]
fn wide_and_combining_characters_draw_in_narrow_views() {
    let value = json!({"李小龙": "👩‍💻 Dev", "name": "Jose\u{301} مريم", "x": "a\u{200D}"});
    let mut view = JsonView::from_value(&value);
    view.set_query("小");
    for width in 0..24 {
        for height in 0..6 {
            draw(&mut view, width, height, &Theme::default_colors());
        }
    }
    let lines = plain_screen(&mut view, 30, 5);
    assert_eq!(lines[1], r#"  "李小龙": "👩\u200d💻 Dev","#);
}

#[test]
fn a_two_megabyte_body_builds_searches_and_draws() {
    let items: Vec<Value> = (0..14_000)
        .map(|i| {
            json!({"id": format!("c{i:05}"), "email": format!("p{i}@example.com"),
            "tags": ["a", "b"], "score": i})
        })
        .collect();
    let body = serde_json::to_string(&Value::Array(items)).unwrap();
    assert!(body.len() > 1_000_000);

    let mut view = JsonView::from_body(&body);
    assert!(view.line_count() > 100_000);
    view.set_query("c13999");
    assert_eq!(view.match_count(), 1);
    view.fold_all();
    assert_eq!(view.visible_line_count(), 14_002);
    view.go_bottom();
    view.page_up();
    plain_screen(&mut view, 80, 40);
    view.unfold_all();
    view.go_top();
    view.set_query("example");
    assert_eq!(view.match_count(), 14_000);
    view.prev_match();
    assert_eq!(view.current_match(), Some(13_999));
}

#[test]
fn garbage_never_panics() {
    let mut seed: u32 = 0x9E37_79B9;
    for round in 0..200 {
        let len = round * 7 % 300;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let alphabet = b"{}[]\",:\\ \n\tabc019\x1b\xe2\x80\xae\xff";
                alphabet[seed as usize % alphabet.len()]
            })
            .collect();
        let mut view = JsonView::from_bytes(&bytes);
        view.set_query("a");
        view.toggle_fold();
        view.next_match();
        view.fold_all();
        view.page_down();
        view.scroll_right(3);
        draw(&mut view, 13, 4, &Theme::default_colors());
    }
}

#[test]
fn snapshot_unfolded() {
    let mut view = JsonView::from_body(SMALL);
    view.cursor_down(2);
    insta::assert_snapshot!(format!(
        "{:?}",
        draw(&mut view, 34, 17, &Theme::default_colors())
    ));
}

#[test]
fn snapshot_folded() {
    let mut view = JsonView::from_body(SMALL);
    view.cursor_down(3);
    view.toggle_fold();
    view.cursor_down(6);
    view.toggle_fold();
    insta::assert_snapshot!(format!(
        "{:?}",
        draw(&mut view, 34, 12, &Theme::default_colors())
    ));
}

#[test]
fn snapshot_search() {
    let mut view = JsonView::from_body(SMALL);
    view.set_query("o");
    view.next_match();
    insta::assert_snapshot!(format!(
        "{:?}",
        draw(&mut view, 34, 12, &Theme::default_colors())
    ));
}

#[test]
fn snapshot_search_without_colour() {
    let mut view = JsonView::from_body(SMALL);
    view.fold_all();
    view.set_query("LEAD");
    insta::assert_snapshot!(format!("{:?}", draw(&mut view, 34, 12, &Theme::plain())));
}
