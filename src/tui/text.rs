//! Display-width helpers that keep table columns aligned whatever the server sends.
//!
//! Widths are counted the way ratatui lays text into its buffer: grapheme by grapheme, so wide
//! CJK characters take two cells and a letter with a combining accent takes one. Control
//! characters and the bidirectional override and isolate characters are removed first, so a
//! contact name cannot move the cursor, clear the screen or reverse the rest of a row.
//!
//! The characters that join or restyle the character before them are removed too: zero-width
//! joiners, the text and emoji variation selectors (U+FE0E, U+FE0F) and the skin-tone
//! modifiers. Terminals disagree on the graphemes they make, and ratatui counts them its own
//! way: tmux 3.3 draws 🏳️ (with U+FE0F) and ❤️ one cell wide, ☕︎ (with U+FE0E) two and 👍🏽
//! four, xterm draws 👩‍💻 as its parts, four cells, where ratatui counts two, two, one, two
//! and two. Worse, when an emoji with U+FE0F replaces other text, ratatui sends the cell
//! after it without moving the cursor there, as if the emoji had taken one cell: a terminal
//! that drew it two cells wide (tmux does 🎸️) prints that cell, and the rest of the row,
//! a column to the right, over the pane's right border. Without these characters every
//! grapheme is a base character and its combining marks, which terminals and ratatui lay out
//! alike: the parts of 👩‍💻 side by side, 🏳️ in its one-cell text form.

use std::borrow::Cow;

use ratatui::buffer::CellWidth;
use unicode_segmentation::UnicodeSegmentation;

/// The mark that ends a cut-off string.
pub const ELLIPSIS: char = '…';

/// Whether `c` is a bidirectional embedding, override or isolate character.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` breaks a line or tabs, and is best shown as a plain space.
fn is_spacing_control(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Whether `c` joins the character before it into one grapheme or changes how it is
/// presented, so that terminals disagree on the cells the grapheme takes: the zero-width
/// joiner, the text and emoji variation selectors and the skin-tone modifiers.
pub fn is_joiner_or_presentation(c: char) -> bool {
    matches!(
        c,
        '\u{200D}' | '\u{FE0E}' | '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}'
    )
}

/// Whether `c` must not reach the terminal as is.
fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_spacing_control(c) || is_joiner_or_presentation(c)
}

/// Makes server text safe to draw: tabs and line breaks become spaces, other control
/// characters, bidi overrides or isolates, joiners, variation selectors and skin-tone
/// modifiers are dropped. Borrows when nothing changes.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }

    let cleaned = text
        .chars()
        .filter_map(|c| {
            if is_spacing_control(c) {
                Some(' ')
            } else if is_unsafe(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect();
    Cow::Owned(cleaned)
}

/// The width in terminal cells of a grapheme that contains no control character.
fn grapheme_width(grapheme: &str) -> usize {
    usize::from(grapheme.cell_width())
}

/// How many terminal cells `text` takes once sanitised, as ratatui will draw it.
pub fn width(text: &str) -> usize {
    sanitize(text).graphemes(true).map(grapheme_width).sum()
}

/// Fits `text` into exactly `width` cells: cut off with `…` when too wide, padded with
/// spaces when too narrow, sanitised either way. A wide character that would straddle the
/// edge is left out and its cell padded, so the next column always starts where it should.
pub fn fit(text: &str, width: usize) -> String {
    let clean = sanitize(text);
    let mut out = String::with_capacity(clean.len().min(width * 4) + 3);
    let mut used = 0;

    let full = self::width(&clean);
    if full <= width {
        out.push_str(&clean);
        used = full;
    } else if width > 0 {
        // Leave one cell for the ellipsis.
        let budget = width - 1;
        for grapheme in clean.graphemes(true) {
            let cells = grapheme_width(grapheme);
            if used + cells > budget {
                break;
            }
            out.push_str(grapheme);
            used += cells;
        }
        out.push(ELLIPSIS);
        used += 1;
    }

    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// The end of `text` that fits in `width` cells, led by `…` when its start is cut: what a
/// one-line input shows of a text longer than itself, so the end being typed stays in view.
pub fn tail(text: &str, width: usize) -> String {
    let clean = sanitize(text);
    if self::width(&clean) <= width {
        return clean.into_owned();
    }
    let budget = width.saturating_sub(1);
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    for grapheme in clean.graphemes(true).rev() {
        let cells = grapheme_width(grapheme);
        if used + cells > budget {
            break;
        }
        kept.push(grapheme);
        used += cells;
    }
    let mut out = String::from(if width > 0 { "…" } else { "" });
    out.extend(kept.into_iter().rev());
    out
}

/// The `width` cells of `text` from cell `column` on, padded with spaces: a line scrolled
/// sideways. Where text is cut, the edge cell says so with `…`: the first when text other than
/// spaces is scrolled off to the left, the last when the line goes on past the right edge. A
/// wide character cut by an edge is left out and its cell blanked.
pub fn window(text: &str, column: usize, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let clean = sanitize(text);
    // One entry per cell: a grapheme in the cell it starts in, "" in the cells it covers after.
    let mut cells: Vec<&str> = vec![" "; width];
    let (mut hidden_left, mut hidden_right) = (false, false);
    let mut at = 0;
    for grapheme in clean.graphemes(true) {
        let cells_wide = grapheme_width(grapheme);
        let (start, end) = (at, at + cells_wide);
        at = end;
        if start < column {
            hidden_left |= grapheme != " ";
        } else if end > column + width {
            hidden_right = true;
            break;
        } else if cells_wide > 0 {
            let first = start - column;
            cells[first] = grapheme;
            for cell in &mut cells[first + 1..first + cells_wide] {
                *cell = "";
            }
        }
    }
    if hidden_left {
        if cells.get(1) == Some(&"") {
            cells[1] = " ";
        }
        cells[0] = "…";
    }
    if hidden_right {
        let last = width - 1;
        if cells[last].is_empty() && last > 0 {
            cells[last - 1] = " ";
        }
        cells[last] = "…";
    }
    cells.concat()
}

/// Fits a path or URL into exactly `width` cells like [`fit`], but cut in the middle: it keeps
/// the start (the scheme, host and first segment where they fit) and as many whole last
/// segments as fit, so `/contacts/{id}/tasks/{task}/completed` stays telling apart from
/// `/contacts/{id}/tags`.
pub fn fit_path(path: &str, width: usize) -> String {
    let clean = sanitize(path);
    if self::width(&clean) <= width || width < 3 {
        return fit(&clean, width);
    }
    let head_min = self::width(&clean[..first_segment_end(&clean)]).min(width / 3);
    let budget = width - 1 - head_min;
    let tail = whole_tail(&clean, budget).unwrap_or_else(|| suffix(&clean, (width - 1) / 2));
    let head = prefix(&clean, width - 1 - self::width(tail));
    fit(&format!("{head}{ELLIPSIS}{tail}"), width)
}

/// Where the first path segment ends: after `scheme://host/segment`, or `/segment`.
fn first_segment_end(path: &str) -> usize {
    let start = path.find("://").map_or(0, |i| i + 3);
    let after_host = path[start..].find('/').map_or(path.len(), |i| start + i);
    path[after_host + 1.min(path.len() - after_host)..]
        .find(['/', '?'])
        .map_or(path.len(), |i| after_host + 1 + i)
}

/// The longest end of `path` made of whole segments (each starting at a `/`) within `budget`
/// cells; `None` when even the last one is wider.
fn whole_tail(path: &str, budget: usize) -> Option<&str> {
    let mut best = None;
    for (at, _) in path.rmatch_indices('/') {
        let tail = &path[at..];
        if width(tail) > budget {
            break;
        }
        best = Some(tail);
    }
    best.filter(|tail| tail.len() < path.len())
}

/// The start of `text` within `cells` cells, whole graphemes only.
fn prefix(text: &str, cells: usize) -> &str {
    let mut used = 0;
    for (at, grapheme) in text.grapheme_indices(true) {
        used += grapheme_width(grapheme);
        if used > cells {
            return &text[..at];
        }
    }
    text
}

/// The end of `text` within `cells` cells, whole graphemes only.
fn suffix(text: &str, cells: usize) -> &str {
    let mut used = 0;
    for (at, grapheme) in text.grapheme_indices(true).rev() {
        used += grapheme_width(grapheme);
        if used > cells {
            return &text[at + grapheme.len()..];
        }
    }
    text
}

/// Breaks `text` into lines of at most `width` cells, at spaces where it can and inside a
/// word only when the word alone is wider than a line. Sanitised; never returns no lines.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let clean = sanitize(text);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in clean.split(' ') {
        let cells = self::width(word);
        if used > 0 && used + 1 + cells <= width {
            line.push(' ');
            line.push_str(word);
            used += 1 + cells;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        for grapheme in word.graphemes(true) {
            let cells = grapheme_width(grapheme);
            if used + cells > width && used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push_str(grapheme);
            used += cells;
        }
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    #[test]
    fn tail_keeps_the_end_that_fits() {
        assert_eq!(tail("short", 10), "short");
        assert_eq!(tail("a very long search text", 8), "…ch text");
        assert_eq!(width(&tail("日本語の検索テキスト", 7)), 7);
        assert_eq!(tail("abc", 0), "");
    }

    use super::*;

    #[test]
    fn a_window_marks_the_edges_it_cuts() {
        assert_eq!(
            window("GET /contacts → 200", 0, 30),
            format!("GET /contacts → 200{}", " ".repeat(11))
        );
        assert_eq!(window("abcdefghij", 0, 6), "abcde…");
        assert_eq!(window("abcdefghij", 3, 4), "…ef…");
        assert_eq!(window("abcdefghij", 6, 6), "…hij  ");
        assert_eq!(window("abc", 5, 4), "…   ", "all of it off to the left");
        assert_eq!(window("   abc", 2, 4), " abc", "only spaces scrolled off");
        assert_eq!(window("a日本語", 2, 4), "…本…");
        assert_eq!(
            window("ab日本", 2, 3),
            "… …",
            "a wide character under a mark is blanked"
        );
        assert_eq!(window("日本", 0, 2), " …");
        assert_eq!(width(&window("日本語の検索テキスト", 3, 7)), 7);
        assert_eq!(window("abc", 0, 0), "");
    }

    #[test]
    fn ascii_and_latin_accents_are_one_cell_each() {
        assert_eq!(width("José Ñúñez"), 10);
        assert_eq!(fit("José Ñúñez", 12), "José Ñúñez  ");
        assert_eq!(fit("José Ñúñez", 6), "José …");
    }

    #[test]
    fn combining_accent_is_one_cell() {
        let composed = "Jose\u{301}";
        assert_eq!(width(composed), 4);
        assert_eq!(fit(composed, 4), composed);
        assert_eq!(fit(composed, 3), "Jo…");
        assert_eq!(width(&fit("e\u{301}e\u{301}e\u{301}", 2)), 2);
    }

    #[test]
    fn cjk_is_two_cells_and_never_split() {
        assert_eq!(width("李小龙"), 6);
        assert_eq!(fit("李小龙", 6), "李小龙");
        assert_eq!(fit("李小龙", 5), "李小…");
        // Only one wide character fits before the ellipsis; the gap is padded.
        assert_eq!(fit("李小龙", 4), "李… ");
        assert_eq!(width(&fit("李小龙", 4)), 4);
    }

    #[test]
    fn a_joined_emoji_is_drawn_as_its_parts() {
        // 👩‍💻 is 👩, a zero-width joiner and 💻: drawn as 👩💻, four cells in every terminal.
        assert_eq!(width("👩\u{200D}💻 Dev"), 8);
        assert_eq!(fit("👩\u{200D}💻 Dev", 9), "👩💻 Dev ");
        assert_eq!(fit("👩\u{200D}💻 Dev", 4), "👩… ");
        assert_eq!(fit("👩\u{200D}💻 Dev", 2), "… ");
        assert_eq!(sanitize("a\u{200D}b"), "ab");
    }

    #[test]
    fn emoji_are_drawn_in_the_form_every_terminal_gives_the_same_width() {
        // 🏳️‍🌈 is 🏳, U+FE0F, a joiner and 🌈: drawn as 🏳🌈, the flag in its one-cell text form.
        assert_eq!(
            sanitize("Alex 🏳\u{FE0F}\u{200D}🌈 Stone 🎸"),
            "Alex 🏳🌈 Stone 🎸"
        );
        assert_eq!(width("Alex 🏳\u{FE0F}\u{200D}🌈 Stone 🎸"), 17);
        assert_eq!(
            sanitize("re: 🎸\u{FE0F} ❤\u{FE0F} ☕\u{FE0E}"),
            "re: 🎸 ❤ ☕"
        );
        assert_eq!(width("❤\u{FE0F}"), 1);
        assert_eq!(width("☕\u{FE0E}"), 2);
        assert_eq!(sanitize("👍\u{1F3FD} ok"), "👍 ok");
        assert_eq!(width("👍\u{1F3FD}"), 2);
        assert_eq!(fit("Alex 🏳\u{FE0F}\u{200D}🌈 Stone 🎸", 8), "Alex 🏳… ");
    }

    #[test]
    fn rtl_names_keep_their_width() {
        assert_eq!(width("مريم"), 4);
        assert_eq!(fit("مريم", 6), "مريم  ");
        assert_eq!(fit("مريم", 3), "مر…");
    }

    #[test]
    fn every_fit_is_exactly_as_wide_as_asked() {
        let samples = [
            "",
            "a",
            "José Ñúñez",
            "李小龙",
            "👩‍💻 Dev",
            "Alex 🏳️‍🌈 Stone 🎸",
            "👍🏽 ☕︎ ❤️",
            "مريم",
            "e\u{301}x",
        ];
        for sample in samples {
            for cells in 0..14 {
                assert_eq!(width(&fit(sample, cells)), cells, "{sample:?} in {cells}");
            }
        }
    }

    #[test]
    fn zero_and_one_cell() {
        assert_eq!(fit("hello", 0), "");
        assert_eq!(fit("hello", 1), "…");
        assert_eq!(fit("", 1), " ");
    }

    #[test]
    fn control_characters_are_removed_or_spaced() {
        assert_eq!(sanitize("a\tb\nc\r\nd"), "a b c  d");
        assert_eq!(sanitize("red\u{1b}[31m!\u{7}"), "red[31m!");
        assert_eq!(sanitize("x\u{9b}y\u{7f}z"), "xyz");
        assert_eq!(width("\u{1b}[2J"), 3);
    }

    #[test]
    fn bidi_overrides_and_isolates_are_removed() {
        let sneaky = "abc\u{202E}fed\u{202C} \u{2066}x\u{2069}";
        assert_eq!(sanitize(sneaky), "abcfed x");
        assert_eq!(fit(sneaky, 8), "abcfed x");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(sanitize("plain José"), Cow::Borrowed(_)));
    }

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("王王王", 4), ["王王", "王"]);
        assert_eq!(wrap("", 10), [""]);
        let long = "cannot read \"someday\" as a due date; use today, tomorrow, fri";
        assert!(wrap(long, 20).iter().all(|l| width(l) <= 20));
        assert_eq!(wrap(long, 20).join(" "), long);
    }

    #[test]
    fn a_long_path_is_cut_in_the_middle_keeping_its_last_segments() {
        let path = "/contacts/dILXeLT0Zv762xQpWm9a/tasks/t8Yw2kLmN0pQ/completed";
        let short = fit_path(path, 30);
        assert_eq!(short, "/contacts/dILXeLT0Z…/completed");
        assert_eq!(width(&short), 30);

        let tags = fit_path("/contacts/dILXeLT0Zv762xQpWm9a/tags", 24);
        assert_eq!(tags, "/contacts/dILXeLT0…/tags");

        let url = fit_path("http://127.0.0.1:9/contacts/dILXeLT0Zv762xQpWm9a/tags", 40);
        assert_eq!(url, "http://127.0.…/dILXeLT0Zv762xQpWm9a/tags");
        assert_eq!(width(&url), 40);

        // A last segment wider than the room is cut in the middle too.
        let long = fit_path("/contacts/abcdefghijklmnopqrstuvwxyz0123456789", 20);
        assert_eq!(width(&long), 20);
        assert!(
            long.starts_with("/contac") && long.ends_with("456789"),
            "{long}"
        );

        assert_eq!(fit_path("/contacts/c1", 15), "/contacts/c1   ");
    }
}
