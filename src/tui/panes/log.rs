//! The activity log pane: the console's own requests, errors, retries and rate-limit waits,
//! newest first, following new lines at its top; scrolled down, it keeps its lines on screen
//! and its title counts the newer ones above. (`v` in the Sync pane shows it.)

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Level, Pane};
use crate::tui::text::fit;
use crate::tui::theme::Theme;
use crate::tui::view::{newer_note, pane_block};

/// Draws the log pane.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Log;
    let lines_total = app.log.lines.len();
    let inner = pane_block("", focused, theme).inner(area);
    let rows = usize::from(inner.height);
    let newer = newer_note(app, app.log.cursor, rows, lines_total, "newer lines");
    let title = format!("Activity log {lines_total}{newer}");
    frame.render_widget(pane_block(&title, focused, theme), area);
    let width = usize::from(inner.width);
    let mut lines = Vec::new();
    let mut cursor = app.log.cursor;
    for row in cursor.visible(usize::from(inner.height), lines_total) {
        let Some(line) = lines_total
            .checked_sub(row + 1)
            .and_then(|i| app.log.lines.get(i))
        else {
            break;
        };
        let time = app.clock.absolute(line.at);
        let (mark, level_style) = match line.level {
            Level::Info => (" ", theme.text),
            Level::Warn => ("!", theme.warning),
            Level::Error => ("✗", theme.error),
        };
        let clock = time.get(11..).unwrap_or(&time);
        let text = fit(&format!("{clock} {mark} {}", line.text), width);
        let style = if focused && row == app.log.cursor.selected {
            theme.selection
        } else {
            level_style
        };
        lines.push(Line::styled(text, style));
    }
    if lines_total == 0 {
        lines.push(Line::styled("Nothing yet.", theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
