//! Property tests of the JSON view over arbitrary JSON and arbitrary text: folding everything
//! and then nothing gives back the original lines, the match count equals a naive count, and
//! `n`/`N` cycle through every match. `PROPTEST_CASES` raises the number of cases (the long
//! mode: `PROPTEST_CASES=100000 cargo test --lib json_view::fuzz`).

use proptest::prelude::*;
use proptest::test_runner::Config;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde_json::{Map, Number, Value};

use super::JsonView;
use crate::tui::theme::Theme;

/// The cases of each property: 128, or `PROPTEST_CASES`.
fn config() -> Config {
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 128;
    }
    config
}

/// Characters that stress case folding, widths and escapes.
const TRICKY: &[&str] = &[
    "K",
    "\u{212A}",
    "k",
    "\u{130}",
    "i",
    "I",
    "\u{131}",
    "ß",
    "ẞ",
    "Σ",
    "ς",
    "σ",
    "ǅ",
    "é",
    "e\u{301}",
    "李",
    "👩\u{200D}💻",
    "\u{202E}",
    "\u{0}",
    "\u{1b}",
    "\t",
    "\n",
    "\r",
    "\"",
    "\\",
    "\u{2028}",
    "\u{FEFF}",
    "ab",
    "AB",
    " ",
];

fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(TRICKY).prop_map(str::to_string),
        2 => "[a-cA-C ]{0,4}",
        1 => any::<String>(),
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 80, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((text(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A body as the inspector gets it: JSON, or text that is not JSON.
fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => json().prop_map(|v| serde_json::to_string(&v).unwrap_or_default()),
        1 => json().prop_map(|v| serde_json::to_string_pretty(&v).unwrap_or_default()),
        1 => text(),
        1 => json().prop_map(|v| {
            let text = serde_json::to_string(&v).unwrap_or_default();
            let cut = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i);
            text[..cut].to_string()
        }),
    ]
}

/// What the operator can do to the view.
#[derive(Debug, Clone)]
enum Op {
    Down(usize),
    Up(usize),
    Toggle,
    FoldAll,
    UnfoldAll,
    Query(String),
    Next,
    Prev,
    Render(u16, u16),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        3 => (0usize..40).prop_map(Op::Down),
        2 => (0usize..40).prop_map(Op::Up),
        4 => Just(Op::Toggle),
        1 => Just(Op::FoldAll),
        1 => Just(Op::UnfoldAll),
        1 => text().prop_map(Op::Query),
        2 => Just(Op::Next),
        2 => Just(Op::Prev),
        1 => (0u16..120, 0u16..40).prop_map(|(w, h)| Op::Render(w, h)),
    ];
    proptest::collection::vec(op, 0..24)
}

fn apply(view: &mut JsonView, op: &Op) {
    match op {
        Op::Down(n) => view.cursor_down(*n),
        Op::Up(n) => view.cursor_up(*n),
        Op::Toggle => view.toggle_fold(),
        Op::FoldAll => view.fold_all(),
        Op::UnfoldAll => view.unfold_all(),
        Op::Query(q) => view.set_query(q),
        Op::Next => view.next_match(),
        Op::Prev => view.prev_match(),
        Op::Render(w, h) => {
            let area = Rect::new(0, 0, *w, *h);
            let mut buf = Buffer::empty(area);
            view.render(area, &mut buf, &Theme::plain());
        }
    }
}

/// The lines the view shows when scrolled through: depth and text of each visible row.
fn shown(view: &JsonView) -> Vec<(usize, String)> {
    view.visible
        .iter()
        .map(|&row| (view.doc.rows[row].depth, view.doc.line(row).to_string()))
        .collect()
}

/// Every line of the document, as shown with nothing folded.
fn all_lines(view: &JsonView) -> Vec<(usize, String)> {
    (0..view.doc.rows.len())
        .map(|row| (view.doc.rows[row].depth, view.doc.line(row).to_string()))
        .collect()
}

/// The screen text of the view drawn `width` wide and tall enough for every row, scrolled to
/// the top left.
fn screen(view: &mut JsonView, width: u16) -> Vec<String> {
    let height = u16::try_from(view.visible.len().clamp(1, 400)).unwrap_or(400);
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    view.go_top();
    view.scroll_left(usize::MAX);
    view.render(area, &mut buf, &Theme::plain());
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// A row is shown exactly when no container around it (or closed by it) is folded.
fn visibility_holds(view: &JsonView) -> Result<(), TestCaseError> {
    let expected: Vec<usize> = (0..view.doc.rows.len())
        .filter(|&row| {
            // A closing row's parent is the row that opens it, so folding hides it too.
            let mut parent = view.doc.rows[row].parent;
            while let Some(p) = parent {
                if view.folded[p] {
                    return false;
                }
                parent = view.doc.rows[p].parent;
            }
            true
        })
        .collect();
    prop_assert_eq!(&view.visible, &expected);
    if !view.doc.rows.is_empty() {
        prop_assert!(
            view.visible.contains(&view.cursor),
            "the cursor is on a hidden row"
        );
    }
    Ok(())
}

/// Lowercases one character to one character, as the search documents.
fn fold_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Counts non-overlapping matches line by line, character by character, from the left.
fn naive_count(view: &JsonView, query: &str) -> usize {
    let needle: Vec<char> = query.chars().map(fold_char).collect();
    if needle.is_empty() {
        return 0;
    }
    let mut count = 0;
    for row in 0..view.doc.rows.len() {
        let hay: Vec<char> = view.doc.line(row).chars().map(fold_char).collect();
        let mut at = 0;
        while at + needle.len() <= hay.len() {
            if hay[at..at + needle.len()] == needle[..] {
                count += 1;
                at += needle.len();
            } else {
                at += 1;
            }
        }
    }
    count
}

/// A query that is likely to match: a piece of a line in another case, or anything.
fn query_for(view: &JsonView, pick: usize, len: usize, upper: bool, other: &str) -> String {
    if view.doc.rows.is_empty() || pick.is_multiple_of(4) {
        return other.to_string();
    }
    let line: Vec<char> = view.doc.line(pick % view.doc.rows.len()).chars().collect();
    let start = pick % line.len().max(1);
    let piece: String = line.iter().skip(start).take(len).collect();
    if upper { piece.to_uppercase() } else { piece }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn folding_all_then_nothing_gives_back_every_line(body in body(), ops in ops()) {
        let mut view = JsonView::from_body(&body);
        let original = all_lines(&view);
        prop_assert_eq!(shown(&view), original.clone());
        let before = screen(&mut view, 160);

        for op in &ops {
            apply(&mut view, op);
            visibility_holds(&view)?;
        }
        view.fold_all();
        visibility_holds(&view)?;
        view.unfold_all();
        prop_assert_eq!(shown(&view), original);
        prop_assert_eq!(screen(&mut view, 160), before);
    }

    #[test]
    fn json_bodies_lay_out_to_the_same_value(value in json()) {
        let view = JsonView::from_value(&value);
        let pretty = view.to_pretty_string();
        prop_assert_eq!(serde_json::from_str::<Value>(&pretty).ok(), Some(value));
        prop_assert_eq!(pretty.lines().count().max(1), view.line_count().max(1));
    }

    #[test]
    fn the_match_count_is_a_naive_count(
        body in body(),
        pick in any::<usize>(),
        len in 1usize..6,
        upper in any::<bool>(),
        other in text(),
    ) {
        let mut view = JsonView::from_body(&body);
        let query = query_for(&view, pick, len, upper, &other);
        view.set_query(&query);
        prop_assert_eq!(view.match_count(), naive_count(&view, &query), "query {:?}", query);
        let needle: String = query.chars().map(fold_char).collect();
        for found in &view.matches {
            let text = view.doc.line(found.row).get(found.start..found.end).unwrap_or("\u{0}");
            let folded: String = text.chars().map(fold_char).collect();
            prop_assert_eq!(&folded, &needle);
        }
    }

    #[test]
    fn next_and_previous_cycle_through_every_match(
        body in body(),
        pick in any::<usize>(),
        len in 1usize..4,
        other in text(),
        folds in ops(),
    ) {
        let mut view = JsonView::from_body(&body);
        for op in &folds {
            apply(&mut view, op);
        }
        let query = query_for(&view, pick, len, false, &other);
        view.set_query(&query);
        let count = view.match_count();
        if count == 0 {
            prop_assert_eq!(view.current_match(), None);
            return Ok(());
        }
        let start = view.current_match().unwrap();
        let mut seen = vec![false; count];
        for _ in 0..count {
            view.next_match();
            let at = view.current_match().unwrap();
            prop_assert!(at < count);
            seen[at] = true;
            prop_assert_eq!(view.cursor, view.matches[at].row);
            prop_assert!(view.visible.contains(&view.cursor), "a match stayed folded away");
        }
        prop_assert_eq!(view.current_match(), Some(start));
        prop_assert!(seen.iter().all(|s| *s), "n skipped a match");
        view.next_match();
        view.prev_match();
        prop_assert_eq!(view.current_match(), Some(start));
        for _ in 0..count {
            view.prev_match();
        }
        prop_assert_eq!(view.current_match(), Some(start));
    }

    #[test]
    fn drawing_at_any_size_after_anything_holds(
        body in body(),
        ops in ops(),
        w in 0u16..300,
        h in 0u16..80,
    ) {
        let mut view = JsonView::from_body(&body);
        for op in &ops {
            apply(&mut view, op);
        }
        view.scroll_right(usize::from(w));
        apply(&mut view, &Op::Render(w, h));
    }
}

/// Found by `the_match_count_is_a_naive_count`: an ASCII query was matched byte by byte, so
/// "k" missed the Kelvin sign (which lowercases to "k") while "K" typed as the sign found both.
#[test]
fn regression_an_ascii_query_finds_letters_that_fold_to_it() {
    let body = "{\"\":{\"\u{212A}\":null,\"K\":null,\"k\":null},\"\u{130}\":null,\"i\":null}";
    let mut view = JsonView::from_body(body);
    view.set_query("k");
    assert_eq!(view.match_count(), 3);
    assert_eq!(view.match_count(), naive_count(&view, "k"));
    view.set_query("i");
    assert_eq!(view.match_count(), 2);
    view.set_query("\u{212A}");
    assert_eq!(view.match_count(), 3);
}

/// Found by `folding_all_then_nothing_gives_back_every_line`: a match that ended before a
/// combining mark split its grapheme cluster over two spans, and the mark was not drawn.
#[test]
fn regression_a_match_before_a_combining_mark_keeps_the_mark_on_screen() {
    let mut view = JsonView::from_body("{\"\":{\" \u{1daa1}\":null,\"e\u{301}\":1}}");
    let before = screen(&mut view, 40);
    view.set_query(" ");
    assert_eq!(screen(&mut view, 40), before);
    view.set_query("e");
    assert_eq!(view.match_count(), 1);
    assert_eq!(screen(&mut view, 40), before);
}
