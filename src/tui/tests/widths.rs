//! Emoji whose width terminals disagree on never move a row's cells or a pane's right border.
//! Each frame is replayed the way a terminal draws what ratatui's backend sends it, for two
//! terminals' ideas of a grapheme's width, and the terminal must show what the buffer holds.

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthChar;

use super::{Fixture, contact, exchange, rows};
use crate::ghl::models::Contact;
use crate::worker::messages::Event;

/// How many cells a terminal gives a symbol.
type Columns = fn(&str) -> usize;

/// A terminal that agrees with ratatui on every width (kitty draws 🎸️ and 🏳️ two cells).
fn as_ratatui(symbol: &str) -> usize {
    usize::from(symbol.cell_width())
}

/// A terminal that draws each code point on its own: 👍🏽 four cells and 🏳️ one (tmux 3.3),
/// ☕︎ two, 👩‍💻 four (xterm).
fn per_code_point(symbol: &str) -> usize {
    symbol.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// A terminal's screen: the symbol shown in each cell, "" where a wide symbol to the left
/// covers it.
struct Screen {
    rows: Vec<Vec<String>>,
    columns: Columns,
}

impl Screen {
    fn new(area: Rect, columns: Columns) -> Self {
        let row = vec![" ".to_string(); usize::from(area.width)];
        Self {
            rows: vec![row; usize::from(area.height)],
            columns,
        }
    }

    /// Draws what the backend sends to turn `prev` into `next`, as ratatui's crossterm backend
    /// sends it: a cell right after the last one sent is printed where the terminal's cursor
    /// is, any other after a cursor move; printing moves the cursor by the symbol's width.
    fn draw(&mut self, prev: &Buffer, next: &Buffer) {
        let mut last: Option<(u16, u16)> = None;
        let mut column = 0;
        for (x, y, cell) in prev.diff(next) {
            if !matches!(last, Some((lx, ly)) if x == lx + 1 && y == ly) {
                column = usize::from(x);
            }
            last = Some((x, y));
            let width = (self.columns)(cell.symbol());
            print(&mut self.rows[usize::from(y)], column, cell.symbol(), width);
            column += width;
        }
    }
}

/// Prints `symbol`, `width` cells wide, at `column` of a terminal row: like a terminal, it
/// first blanks any wide symbol it lands on part of, and cells past the edge are lost.
fn print(row: &mut [String], column: usize, symbol: &str, width: usize) {
    for at in column..(column + width.max(1)).min(row.len()) {
        let mut head = at;
        while head > 0 && row[head].is_empty() {
            head -= 1;
        }
        let mut end = at + 1;
        while end < row.len() && row[end].is_empty() {
            end += 1;
        }
        row[head..end].fill_with(|| " ".to_string());
    }
    for at in column..(column + width.max(1)).min(row.len()) {
        row[at] = if at == column {
            symbol.to_string()
        } else {
            String::new()
        };
    }
}

/// What the buffer has the terminal show on row `y`, in the terms of [`Screen`].
fn expected(buffer: &Buffer, y: u16) -> Vec<String> {
    let mut row = Vec::new();
    let mut covered = 0;
    for x in 0..buffer.area.width {
        let symbol = buffer[(x, y)].symbol();
        if covered > 0 {
            covered -= 1;
            row.push(String::new());
        } else {
            covered = usize::from(symbol.cell_width()).saturating_sub(1);
            row.push(symbol.to_string());
        }
    }
    row
}

/// Replays `frames` on both terminals and checks that each shows every row as the buffer has
/// it, and that every pane row has its right border in each column of `borders`.
fn assert_shown_as_drawn(frames: &[Buffer], borders: &[u16]) {
    let area = frames[0].area;
    for columns in [as_ratatui as Columns, per_code_point] {
        let mut screen = Screen::new(area, columns);
        let mut prev = Buffer::empty(area);
        for (frame, next) in frames.iter().enumerate() {
            screen.draw(&prev, next);
            // The pane rows between the header and the panes' bottom border.
            for y in 2..area.height - 3 {
                for &x in borders {
                    let border = next[(x, y)].symbol();
                    assert!(["│", "┃"].contains(&border), "row {y} col {x}: {border:?}");
                }
            }
            for y in 0..area.height {
                let shown = &screen.rows[usize::from(y)];
                assert_eq!(shown, &expected(next, y), "frame {frame}, row {y}");
            }
            prev = next.clone();
        }
    }
}

/// Contacts whose names hold joined emoji, variation selectors and a skin tone, among plain
/// ones, with emails and update times as varied as a real listing's.
fn emoji_contacts() -> Vec<Contact> {
    let odd = [
        ("Alex 🏳\u{FE0F}\u{200D}🌈", "Stone 🎸"),
        ("Thumbs 👍\u{1F3FD}", "Up"),
        ("Coffee ☕\u{FE0E}", "Text"),
        ("Heart ❤\u{FE0F}", "Red"),
        ("Kai 👨\u{200D}👩\u{200D}👧", "Rivers"),
        ("Guitar 🎸\u{FE0F}", "Player"),
    ];
    let plain = [("Liam", "King"), ("Emma", "O'Neil"), ("Noah", "Garcia")];
    (0..60)
        .map(|i| {
            let (first, last) = odd.get(i % 10).copied().unwrap_or(plain[i % 3]);
            let email = format!("{last}.{}{i}@example.net", "x".repeat(i % 7));
            let updated = format!("2026-02-{:02}T{:02}:00:00Z", 1 + i % 28, i % 24);
            contact(&format!("e{i}"), first, last, &email, &[], &updated)
        })
        .collect()
}

/// Draws a frame after each key.
fn frames(f: &mut Fixture, keys: impl Iterator<Item = &'static str>) -> Vec<Buffer> {
    let mut frames = vec![f.buffer()];
    for key in keys {
        f.keys(&[key]);
        frames.push(f.buffer());
    }
    frames
}

#[test]
fn contact_rows_with_emoji_show_each_cell_where_drawn_and_keep_their_borders() {
    let mut f = Fixture::empty(120, 40);
    f.event(Event::Page {
        generation: 1,
        contacts: rows(&emoji_contacts()),
        total: 60,
        more: false,
        exchange_id: 1,
    });
    let keys = ["j"; 45]
        .into_iter()
        .chain(["g", "G", "pgup", "pgup", "k", "g", "pgdn"]);
    let frames = frames(&mut f, keys);
    let areas = crate::tui::view::areas(&f.app, frames[0].area);
    let contacts = areas.contacts.unwrap();
    assert_shown_as_drawn(&frames, &[contacts.right() - 1, 119]);
}

#[test]
fn raw_body_rows_with_emoji_show_each_cell_where_drawn_and_keep_their_border() {
    let mut f = Fixture::loaded(120, 40);
    // GHL's ids are 20 characters: the line above a title reaches past its emoji.
    let tasks: Vec<String> = (0..30)
        .map(|i| match i % 3 {
            0 => format!(
                r#"{{"id":"apPrm2HtdzQhYnReMj{i:02}","title":"Call back — re: 🎸️ (edited)"}}"#
            ),
            1 => format!(
                r#"{{"id":"cJWbboBzS7xupcTU41{i:02}","name":"Alex 🏳️‍🌈 Stone 🎸","ok":"👍🏽 ☕︎ ❤️"}}"#
            ),
            _ => format!(r#"{{"id":"SqrBmCk87Iva3A1flb{i:02}","title":"Schedule demo"}}"#),
        })
        .collect();
    let body = format!(r#"{{"tasks":[{}]}}"#, tasks.join(","));
    f.event(Event::Exchange(exchange(
        3,
        "GET",
        "/contacts/c1/tasks",
        200,
        &body,
    )));
    f.keys(&["shift-tab", "shift-tab", "enter"]);
    let keys = ["j"; 80]
        .into_iter()
        .chain(["k"; 40])
        .chain(["g", "G", "pgup"]);
    let frames = frames(&mut f, keys);
    assert_shown_as_drawn(&frames, &[119]);
}
