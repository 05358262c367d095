//! The notes pane: pinned notes on top, then newest first; the selected note's full text below,
//! scrollable.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

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
    let body = notes
        .get(record.cursor.selected)
        .and_then(|n| n.body.clone())
        .unwrap_or_default();
    let style = if focused {
        theme.border_focused
    } else {
        theme.border_unfocused
    };
    let lines: Vec<Line> = body
        .lines()
        .map(|l| Line::styled(crate::tui::text::sanitize(l).into_owned(), theme.text))
        .collect();
    let text = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((app.note_scroll, 0))
        .block(
            Block::bordered()
                .border_style(style)
                .title(Line::styled(" Text (pgup/pgdn) ", theme.dim)),
        );
    frame.render_widget(text, bottom);
}
