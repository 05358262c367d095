//! The appointments pane: a read-only list of the contact's calendar events.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Pane};
use crate::tui::text::fit;
use crate::tui::theme::Theme;
use crate::tui::view::pane_block;

/// Draws the appointments pane.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Appointments;
    let record = &app.appointments;
    let block = pane_block("Appointments", focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(list) = record.ready() else {
        if let Some(notice) = super::load_notice(&record.load, theme) {
            super::render_notice(frame, inner, notice);
        }
        return;
    };
    let width = usize::from(inner.width);
    let title_width = width.saturating_sub(16 + 11 + 2);
    let header = format!(
        "{} {} {}",
        fit("Starts", 16),
        fit("Title", title_width),
        fit("Status", 11)
    );
    let mut lines = vec![Line::styled(header, theme.dim)];
    let mut cursor = record.cursor;
    for index in cursor.visible(usize::from(inner.height.saturating_sub(1)), list.len()) {
        let item = &list[index];
        let starts = app.clock.show(item.start_time.as_deref());
        let status = item
            .appointment_status
            .as_deref()
            .or(item.status.as_deref())
            .unwrap_or_default();
        let title = item.title.as_deref().unwrap_or("(untitled)");
        let text = format!(
            "{} {} {}",
            fit(&starts, 16),
            fit(title, title_width),
            fit(status, 11)
        );
        let style = if focused && index == record.cursor.selected {
            theme.selection
        } else {
            theme.text
        };
        lines.push(Line::styled(text, style));
    }
    if list.is_empty() {
        lines.push(Line::styled("No appointments.", theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
