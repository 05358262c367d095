//! The notes pane: pinned notes on top, then newest first; the selected note's full text below.
//! Enter pages through a text longer than its box and goes back to its top after the last page;
//! the box never scrolls past the text's end.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::tui::actions::Action;
use crate::tui::app::{App, Pane};
use crate::tui::text::fit;
use crate::tui::theme::Theme;
use crate::tui::view::pane_block;

/// The height of the list part of a notes pane of `area`.
pub fn list_height(area: Rect) -> u16 {
    split(area)[0].height
}

fn split(area: Rect) -> [Rect; 2] {
    Layout::vertical([Constraint::Percentage(40), Constraint::Min(3)]).areas(area)
}

/// The cells the selected note's text has in a notes pane of `area`, inside its border.
pub fn text_box(area: Rect) -> Rect {
    Block::bordered().inner(split(area)[1])
}

/// The selected note's text, wrapped to `width` cells and made safe to draw. An indented line
/// keeps its indent on every row it wraps to.
pub fn text_lines(app: &App, width: u16) -> Vec<String> {
    let body = app
        .notes
        .ready()
        .and_then(|notes| notes.get(app.notes.cursor.selected))
        .and_then(|n| n.body.as_deref())
        .unwrap_or_default();
    let width = usize::from(width);
    body.lines()
        .flat_map(|line| {
            let text = line.trim_start_matches(' ');
            let indent = (line.len() - text.len()).min(width.saturating_sub(1));
            crate::tui::text::wrap(text, width - indent)
                .into_iter()
                .map(move |row| format!("{}{row}", " ".repeat(indent)))
        })
        .collect()
}

/// The first line shown of a text of `total` lines in a box `height` rows high: `scroll`, but
/// never so far that the box shows less than a full box (or all of a shorter text).
pub fn clamp_scroll(scroll: u16, total: usize, height: u16) -> u16 {
    let last = total.saturating_sub(usize::from(height));
    scroll.min(u16::try_from(last).unwrap_or(u16::MAX))
}

/// Where Enter moves the text: a box further while there is more below, else back to the top.
pub fn next_page(scroll: u16, total: usize, height: u16) -> u16 {
    let scroll = clamp_scroll(scroll, total, height);
    let next = clamp_scroll(scroll.saturating_add(height.max(1)), total, height);
    if next == scroll { 0 } else { next }
}

/// Draws the notes pane.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Notes;
    let record = &app.notes;
    let title = record
        .ready()
        .map_or_else(|| "Notes".to_string(), |n| format!("Notes {}", n.len()));
    let [top, bottom] = split(area);
    let block =
        pane_block(&title, focused, theme).borders(Borders::TOP | Borders::LEFT | Borders::RIGHT);
    let inner = block.inner(top);
    frame.render_widget(block, top);
    let Some(notes) = record.ready() else {
        if let Some(notice) = super::load_notice(&record.load, theme) {
            super::render_notice(frame, inner, notice);
        }
        frame.render_widget(
            Block::bordered().border_style(theme.border_unfocused),
            bottom,
        );
        return;
    };
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    let mut cursor = record.cursor;
    for index in cursor.visible(usize::from(inner.height), notes.len()) {
        let note = &notes[index];
        let pin = if note.pinned { "📌" } else { "  " };
        let date = app.clock.show(note.date_added.as_deref());
        let first = note
            .body
            .as_deref()
            .and_then(|b| b.lines().next())
            .unwrap_or_default();
        let text = fit(&format!("{pin} {} {first}", fit(&date, 16)), width);
        let style = if focused && index == record.cursor.selected {
            theme.selection
        } else {
            theme.text
        };
        lines.push(Line::styled(text, style));
    }
    if notes.is_empty() {
        lines.push(Line::styled("No notes.", theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    let style = if focused {
        theme.border_focused
    } else {
        theme.border_unfocused
    };
    let text_area = text_box(area);
    let wrapped = text_lines(app, text_area.width);
    let title = if wrapped.len() > usize::from(text_area.height) {
        format!(" Text ({}: next page) ", app.keymap.how(Action::Open))
    } else {
        " Text ".to_string()
    };
    let scroll = clamp_scroll(app.note_scroll, wrapped.len(), text_area.height);
    let lines: Vec<Line> = wrapped
        .into_iter()
        .skip(usize::from(scroll))
        .map(|l| Line::styled(l, theme.text))
        .collect();
    let text = Paragraph::new(lines).block(
        Block::bordered()
            .border_style(style)
            .title(Line::styled(title, theme.dim)),
    );
    frame.render_widget(text, bottom);
}
